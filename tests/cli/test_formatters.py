"""The output formats on hand-made values: the rules of the AWS CLI conventions, section 3."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aml_cli.cli.format_table import display_width, format_table
from aml_cli.cli.format_text import format_text
from aml_cli.cli.format_yaml import format_yaml, format_yaml_stream
from aml_cli.cli.formatters import format_output

# --- json ---------------------------------------------------------------------------------


def test_json_of_an_empty_object_prints_nothing():
    assert format_output({}, "json", title="AddTags") == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [([], "[]\n"), (None, "null\n"), ("mödel 1", '"mödel 1"\n'), (0.1, "0.1\n"), (True, "true\n")],
)
def test_json_prints_falsy_and_scalar_values_as_json(value, expected):
    assert format_output(value, "json", title="X") == expected


def test_json_indents_by_four_and_keeps_key_order_and_raw_unicode():
    assert (
        format_output({"b": 1, "a": ["é"]}, "json", title="X") == '{\n    "b": 1,\n    "a": [\n        "é"\n    ]\n}\n'
    )


# --- text ---------------------------------------------------------------------------------


def test_text_prints_a_top_level_scalar_bare():
    assert format_text("COMPLETED") == "COMPLETED\n"
    assert format_text(None) == "None\n"
    assert format_text(True) == "True\n"


def test_text_joins_a_top_level_scalar_list_on_one_line():
    assert format_text(["ml-1", 2, None]) == "ml-1\t2\tNone\n"


def test_text_sorts_scalar_keys_and_prefixes_nested_members_with_their_key():
    value = {"b": 2, "a": "x", "Tags": [{"Key": "k", "Value": "v"}, {"Key": "only"}], "Info": {"z": 1}}
    assert format_text(value) == "x\t2\nINFO\t1\nTAGS\tk\tv\nTAGS\tonly\t\n"


def test_text_puts_scalars_of_a_mixed_list_first_then_each_inner_list():
    assert format_text({"Ids": ["a", ["b", "c"], "d"]}) == "IDS\ta\nIDS\td\nIDS\tb\nIDS\tc\n"


def test_text_of_an_empty_list_or_dict_prints_nothing():
    assert format_text([]) == ""
    assert format_text({}) == ""


# --- table --------------------------------------------------------------------------------

WIDE_TAGS = {"Tags": [{"Key": "名前", "Value": "値"}, {"Key": "b"}], "ResourceId": "ml-1"}


def test_wide_characters_take_two_columns():
    assert display_width("名前") == 4
    assert display_width("mödel ü") == 8  # ü is East-Asian ambiguous, ö is not
    assert display_width("abc") == 3


def test_table_lines_up_cells_holding_wide_characters():
    expected = (
        "------------------------\n"
        "|     DescribeTags     |\n"
        "+-------------+--------+\n"
        "|  ResourceId |  ml-1  |\n"
        "+-------------+--------+\n"
        "||        Tags        ||\n"
        "|+--------+-----------+|\n"
        "||   Key  |   Value   ||\n"
        "|+--------+-----------+|\n"
        "||  名前  |  値       ||\n"
        "||  b     |           ||\n"
        "|+--------+-----------+|\n"
    )
    assert format_table(WIDE_TAGS, title="DescribeTags") == expected


def test_table_too_wide_for_30_columns_turns_its_one_row_header_section_vertical():
    value = {**WIDE_TAGS, "ResourceType": "MLModel"}
    expected = (
        "-----------------------------\n"
        "|       DescribeTags        |\n"
        "+---------------+-----------+\n"
        "|  ResourceId   |  ml-1     |\n"
        "|  ResourceType |  MLModel  |\n"
        "+---------------+-----------+\n"
        "||          Tags           ||\n"
        "|+-----------+-------------+|\n"
        "||    Key    |    Value    ||\n"
        "|+-----------+-------------+|\n"
        "||  名前     |  値         ||\n"
        "||  b        |             ||\n"
        "|+-----------+-------------+|\n"
    )
    assert format_table(value, title="DescribeTags", width=30) == expected


def test_table_at_40_columns_drops_the_left_padding_of_a_cell_that_cannot_hold_it():
    expected = (
        "-------------------------------\n"
        "|            GetX             |\n"
        "+---+-------------------------+\n"
        "|  a|  xxxxxxxxxxxxxxxxxxxx   |\n"
        "|  b|  yyyyyyyyyyyyyyyyyyyy   |\n"
        "|  c|  z                      |\n"
        "+---+-------------------------+\n"
    )
    assert format_table({"a": "x" * 20, "b": "y" * 20, "c": "z"}, title="GetX", width=40) == expected


def test_table_columns_scale_with_half_to_even_rounding_then_grow_from_the_right():
    # natural columns 5, 5, 10 scaled to 26: 6.5 rounds to 6 twice, and the missing column goes to the last
    expected = (
        "--------------------------\n"
        "|ABCDEFGHIJKLMNOPQRSTUVWX|\n"
        "+----+-----+-------------+\n"
        "|  a |  b  |      c      |\n"
        "+----+-----+-------------+\n"
        "|  x |  y  |  zzzzzz     |\n"
        "+----+-----+-------------+\n"
    )
    assert format_table({"a": "x", "b": "y", "c": "zzzzzz"}, title="ABCDEFGHIJKLMNOPQRSTUVWX") == expected


def test_table_of_a_falsy_value_prints_nothing():
    for value in ({}, [], "", 0, None):
        assert format_table(value, title="GetMLModel") == ""


def test_table_of_a_scalar_prints_only_the_title_box():
    assert format_table("COMPLETED", title="GetMLModel") == "------------\n|GetMLModel|\n+----------+\n"


def test_table_repeats_title_and_header_for_list_elements_with_nested_members():
    value = {"Results": [{"Id": "1", "Sub": {"k": "v"}}, {"Id": "2", "Sub": {"k": "w"}}]}
    text = format_table(value, title="DescribeMLModels")
    assert text.count("Results") == 2
    assert text.count("||  Id  ") == 0  # one scalar column with one row per section -> header + row
    assert text.count("|||  k  |  v") == 1 and text.count("|||  k  |  w") == 1


def test_colored_table_styles_values_and_nesting_bars_only():
    value = {"Tags": [{"Key": "a", "Value": "1"}], "ResourceId": "ml-1", "ResourceType": "MLModel"}
    bar = "\x1b[2m\x1b[33m|\x1b[0m"
    expected = (
        "--------------------------------\n"
        "|         DescribeTags         |\n"
        "+-------------+----------------+\n"
        "| ResourceId  | ResourceType   |\n"
        "+-------------+----------------+\n"
        "|  \x1b[1m\x1b[34mml-1\x1b[0m       |  \x1b[1m\x1b[34mMLModel\x1b[0m       |\n"
        "+-------------+----------------+\n"
        f"{bar}|            Tags            |{bar}\n"
        f"{bar}+-----------+----------------+{bar}\n"
        f"{bar}|    Key    |     Value      |{bar}\n"
        f"{bar}+-----------+----------------+{bar}\n"
        f"{bar}|  \x1b[1m\x1b[34ma\x1b[0m        |  \x1b[1m\x1b[34m1\x1b[0m             |{bar}\n"
        f"{bar}+-----------+----------------+{bar}\n"
    )
    assert format_output(value, "table", title="DescribeTags", color=True) == expected


# --- yaml ---------------------------------------------------------------------------------


def test_yaml_sorts_keys_quotes_only_what_would_read_back_differently_and_keeps_unicode():
    value = {
        "Name": "mödel 1",
        "CreatedAt": "2015-04-13T23:01:08+00:00",
        "Passes": "10",
        "Flag": "yes",
        "Tags": [{"Key": "a", "Value": "1"}],
        "Nested": [[1, 2], []],
        "Empty": {},
        "Score": 0.5,
        "N": None,
        "On": True,
        "Wide": "名前",
    }
    expected = (
        "CreatedAt: '2015-04-13T23:01:08+00:00'\n"
        "Empty: {}\n"
        "Flag: yes\n"
        "N: null\n"
        "Name: mödel 1\n"
        "Nested:\n"
        "- - 1\n"
        "  - 2\n"
        "- []\n"
        "On: true\n"
        "Passes: '10'\n"
        "Score: 0.5\n"
        "Tags:\n"
        "- Key: a\n"
        "  Value: '1'\n"
        "Wide: 名前\n"
    )
    assert format_yaml(value) == expected


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("1.0E-6", "'1.0E-6'"),
        ("0o17", "'0o17'"),
        ("=", "'='"),
        ("null", "'null'"),
        ("True", "'True'"),
        ("", "''"),
        ("a: b", "'a: b'"),
        ("on", "on"),
        ("NaN", "NaN"),
        ("1:20", "1:20"),
        ("s3://bucket/key.csv", "s3://bucket/key.csv"),
    ],
)
def test_yaml_quotes_strings_by_yaml_1_2_rules(text, shown):
    assert format_yaml([text]) == f"- {shown}\n"


def test_yaml_writes_floats_as_python_repr_without_inserting_a_decimal_point():
    assert format_yaml([1e-06, 1e20, 0.73]) == "- 1e-06\n- 1e+20\n- 0.73\n"


@pytest.mark.parametrize(("value", "expected"), [("mödel 1", '"mödel 1"\n'), (1024, "1024\n"), (None, "null\n")])
def test_yaml_writes_a_top_level_scalar_as_json(value, expected):
    assert format_output(value, "yaml", title="X") == expected


def test_yaml_of_an_empty_object_prints_nothing_but_an_empty_list_prints_brackets():
    assert format_yaml({}) == ""
    assert format_yaml([]) == "[]\n"


def test_yaml_stream_writes_each_value_as_a_one_item_list():
    assert format_yaml_stream({"b": 1, "a": [1]}) == "- a:\n  - 1\n  b: 1\n"
    assert format_output("x", "yaml-stream", title="X") == "- x\n"


# --- dispatch -----------------------------------------------------------------------------


def test_output_off_prints_nothing():
    assert format_output({"a": 1}, "off", title="X") == ""


def test_an_unknown_output_type_is_refused():
    with pytest.raises(ValueError, match="Unknown output type: foo"):
        format_output({"a": 1}, "foo", title="X")


def test_json_output_imports_neither_yaml_nor_jmespath_nor_rich():
    code = (
        "import sys\n"
        "from aml_cli.cli.paginate import render_single\n"
        "out = render_single({'MLModelId': 'ml-1'}, output='json', query=None, title='GetMLModel')\n"
        "assert out.startswith('{'), out\n"
        "print(sorted(m for m in ('yaml', 'jmespath', 'rich', 'numpy', 'pandas') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# --- cross-check against the AWS CLI's own formatters (a test-only reference) ---------------

_keys = st.sampled_from(["Id", "Name", "Status", "Tags", "名", "a", "Zeta"])
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet="abé名 x-:", max_size=12),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=5)),
    max_leaves=25,
)


def _aws_table(value, width):
    import io
    from types import SimpleNamespace

    from awscli.formatter import TableFormatter

    formatter = TableFormatter(SimpleNamespace(color="off", query=None))
    formatter.table._terminal_width = width
    out = io.StringIO()
    formatter("Title", value, out)
    return out.getvalue()


@settings(max_examples=300, deadline=None)
@given(value=_values, width=st.sampled_from([30, 80]))
def test_table_matches_the_aws_cli_on_random_values(value, width):
    pytest.importorskip("awscli")
    try:
        expected = _aws_table(value, width)
    except (ValueError, AttributeError, TypeError, IndexError):
        return  # inputs the AWS CLI itself cannot draw
    assert format_table(value, title="Title", width=width) == expected


@settings(max_examples=300, deadline=None)
@given(value=_values)
def test_text_matches_the_aws_cli_on_random_values(value):
    text = pytest.importorskip("awscli.text")
    import io

    out = io.StringIO()
    try:
        text.format_text(value, out)
    except AttributeError:
        return  # a list mixing dicts with other values: the AWS CLI fails, we print each element
    assert format_text(value) == out.getvalue()
