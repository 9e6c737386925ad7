"""The shorthand grammar, its errors, and its conversion to API shapes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aml_cli.cli import shorthand
from aml_cli.cli.shorthand import ShorthandParseError, apply_shape, parse_shorthand
from tests.ml_api import operation, shape


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a=b", {"a": "b"}),
        ("a=b,c=d", {"a": "b", "c": "d"}),
        ("a =  b ,  c = d  ", {"a": "b", "c": "d"}),
        ("a=b;c", {"a": "b;c"}),
        ("a=[x y]", {"a": ["x y"]}),
        ("a=x=y", {"a": "x=y"}),
        ("a=", {"a": ""}),
        ("a=,b=c", {"a": "", "b": "c"}),
        ("a=b,c", {"a": ["b", "c"]}),
        ("a=b,c,d=e", {"a": ["b", "c"], "d": "e"}),
        ("a=b,,c=d", {"a": "b", "c": "d"}),
        ("a=x\\,y", {"a": "x,y"}),
        ("a='x,y'", {"a": "x,y"}),
        ('a="x,y"', {"a": "x,y"}),
        ("a='it\\'s'", {"a": "it's"}),
        ('a="say \\"hi\\""', {"a": 'say "hi"'}),
        ("a='back\\\\slash'", {"a": "back\\slash"}),
        ("a=hello world", {"a": "hello world"}),
        ("a=[]", {"a": []}),
        ("a=[x, y ,z]", {"a": ["x", "y", "z"]}),
        ("a=[[x],{k=v}]", {"a": [["x"], {"k": "v"}]}),
        ("a={}", {"a": {}}),
        ("a={k=v,l=[1,2]},b=c", {"a": {"k": "v", "l": ["1", "2"]}, "b": "c"}),
        ("s3.path:x/y#z=v", {"s3.path:x/y#z": "v"}),
        ("a=ünïcode", {"a": "ünïcode"}),
    ],
)
def test_shorthand_parses_like_the_aws_cli(text, expected):
    assert parse_shorthand(text) == expected


@pytest.mark.parametrize(
    ("text", "location"),
    [
        ("a", "a\n ^"),
        ("a=b,", "a=b,\n    ^"),
        ("  a=b", "  a=b\n  ^"),
        ("a=[x", "a=[x\n    ^"),
        ("a=[x,y", "a=[x,y\n      ^"),
        ("a={k}", "a={k}\n    ^"),
        ("a={k=v]", "a={k=v]\n      ^"),
    ],
)
def test_malformed_shorthand_is_reported_with_a_caret_under_the_bad_character(text, location):
    with pytest.raises(ShorthandParseError) as caught:
        parse_shorthand(text)
    message = str(caught.value)
    assert "for input:\n" in message
    if location is not None:
        assert message.endswith(location)


def test_caret_is_placed_on_the_line_of_the_error_in_multiline_input():
    with pytest.raises(ShorthandParseError) as caught:
        parse_shorthand("a=b,\nc={k],\nd=e")
    assert str(caught.value).endswith("for input:\na=b,\nc={k],\n    ^\nd=e")


def test_a_key_given_twice_points_at_the_second_and_explains_the_likely_typo():
    with pytest.raises(ShorthandParseError) as caught:
        parse_shorthand("Key=a,Value=b Key=c,Value=d")
    assert str(caught.value) == (
        'Second instance of key "Value" encountered for input:\n'
        "Key=a,Value=b Key=c,Value=d\n"
        "                    ^\n"
        'This is often because there is a preceding "," instead of a space.'
    )


def test_expected_and_received_characters_are_named():
    with pytest.raises(ShorthandParseError, match="Expected: '=', received: 'EOF'"):
        parse_shorthand("abc")
    with pytest.raises(ShorthandParseError, match="Expected: ',', received: ']'"):
        parse_shorthand("a={k=v]")


def test_at_equals_reads_the_value_from_a_file(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("from file")
    assert parse_shorthand(f"a@=file://{path},b=file://{path}") == {"a": "from file", "b": f"file://{path}"}


def test_deep_nesting_is_a_parse_error_not_a_crash():
    with pytest.raises(ShorthandParseError):
        parse_shorthand("a=" + "[" * 5000)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab=,[]{}'\" \\\n\t.:x1é")) | st.characters(), max_size=40))
def test_any_text_either_parses_or_raises_shorthand_parse_error(text):
    try:
        result = parse_shorthand(text)
    except ShorthandParseError:
        return
    assert isinstance(result, dict)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab=,[]{}'\" \\\n@.x")), max_size=16))
def test_results_match_the_reference_implementation(text):
    reference = pytest.importorskip("awscli.shorthand")
    try:
        expected = ("ok", reference.ShorthandParser().parse(text))
    except reference.ShorthandParseError:
        expected = ("error", None)
    try:
        actual = ("ok", parse_shorthand(text))
    except ShorthandParseError:
        actual = ("error", None)
    assert actual == expected


def test_apply_shape_converts_numbers_and_booleans_and_wraps_lone_list_values():
    rds = shape("RDSDataSpec")
    parsed = apply_shape(parse_shorthand("SecurityGroupIds=sg1,SubnetId=n"), rds)
    assert parsed == {"SecurityGroupIds": ["sg1"], "SubnetId": "n"}
    verbose = operation("GetMLModel").input
    assert apply_shape({"Verbose": "TRUE"}, verbose) == {"Verbose": True}
    assert apply_shape({"Verbose": "maybe"}, verbose) == {"Verbose": "maybe"}
    limit = operation("DescribeMLModels").input
    assert apply_shape({"Limit": "7"}, limit) == {"Limit": 7}
    threshold = operation("UpdateMLModel").input
    assert apply_shape({"ScoreThreshold": "0.25"}, threshold) == {"ScoreThreshold": 0.25}


def test_apply_shape_leaves_unknown_keys_and_map_values_as_text():
    parameters = shape("TrainingParameters")
    assert apply_shape({"sgd.maxPasses": "10"}, parameters) == {"sgd.maxPasses": "10"}
    assert apply_shape({"Foo": "1"}, shape("S3DataSpec")) == {"Foo": "1"}


def test_apply_shape_raises_value_error_for_a_bad_number():
    with pytest.raises(ValueError, match="invalid literal for int"):
        apply_shape({"Limit": "five"}, operation("DescribeMLModels").input)


# The AWS CLI's own character classes of bare values, as ranges; the parser holds their complements.
AWS_CLASSES = {
    "_START": r"!#-&(-+\x2d-<>-Z\\-z|-\uffff",
    "_FIRST_REST": r"\s!#-&(-+\x2d-\\^-|~-\uffff",
    "_SECOND_REST": r"\s!#-&(-+\x2d-<>-\uffff",
}


@pytest.mark.parametrize("name", sorted(AWS_CLASSES))
def test_each_bare_value_class_holds_exactly_the_aws_cli_characters(name):
    every_code_point = "".join(map(chr, range(0x110000)))
    ours = re.findall(f"[{getattr(shorthand, name)}]", every_code_point)
    assert ours == re.findall(f"[{AWS_CLASSES[name]}]", every_code_point)
