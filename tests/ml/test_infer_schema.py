"""Schema inference: the documented type rules, header detection, names, and a bounded sample."""

import csv
import gzip
import io
import json

import numpy as np
import pandas as pd
import pytest

from aml_cli.ml.infer_schema import InferenceError, infer_schema, read_sample
from aml_cli.ml.schema import SchemaError, parse_schema


def rows_of(frame: pd.DataFrame, header: bool = True) -> list[list[list[str]]]:
    """The sample of one file holding `frame`, as the csv module reads it back."""
    text = frame.to_csv(index=False, header=header, lineterminator="\n")
    return [list(csv.reader(io.StringIO(text, newline="")))]


def types_of(document: dict) -> dict[str, str]:
    return {a["attributeName"]: a["attributeType"] for a in document["attributes"]}


def kind(values, name="column") -> str:
    frame = pd.DataFrame({name: values, "n": np.arange(len(values), dtype=float) + 0.5})
    return types_of(infer_schema(rows_of(frame)))[name]


@pytest.mark.parametrize("values", [["0", "1"], ["yes", "no"], ["True", "FALSE"], ["y", "N"], ["t", "f"],
                                    ["Yes", "0", "t", ""]])
def test_the_binary_values_aml_reads_make_a_binary_column(values):
    assert kind(values * 20) == "BINARY"


@pytest.mark.parametrize(("values", "expected"), [
    (["1.5", "2", "-3e2", ""], "NUMERIC"),
    (["0", "1", "2"], "NUMERIC"),  # a third value: not BINARY
    (["1.0", "0.0"], "NUMERIC"),  # aml's BINARY reader refuses 1.0
    (["02134", "10001", "94105"], "CATEGORICAL"),  # a leading zero: a code, not a quantity
    (["1", "2", "nan", ""], "NUMERIC"),  # 'nan' is missing, as the reader has it
    (["1", "2", "NA"], "CATEGORICAL"),  # the reader would refuse NA as a number
])
def test_numbers_are_numeric_unless_they_are_codes(values, expected):
    assert kind(values * 20) == expected


@pytest.mark.parametrize(("name", "expected"), [("customer_id", "CATEGORICAL"), ("jobId", "CATEGORICAL"),
                                                ("AREA CODE", "CATEGORICAL"), ("zip", "CATEGORICAL"),
                                                ("paid", "NUMERIC"), ("idle_minutes", "NUMERIC")])
def test_whole_numbers_under_an_id_or_code_name_are_categorical(name, expected):
    assert kind([str(i % 7 + 3) for i in range(100)], name) == expected


def test_fractions_under_an_id_like_name_stay_numeric():
    assert kind(["1.5", "2.25"] * 30, "sensor_id") == "NUMERIC"


@pytest.mark.parametrize(("values", "expected"), [
    (["red", "green", "blue"], "CATEGORICAL"),  # short strings, few distinct
    (["New York", "Los Angeles", "San Jose"], "CATEGORICAL"),  # two words, repeated
    ([f"p{i}" for i in range(60)], "CATEGORICAL"),  # one word each, all distinct: labels
    ([f"word{i} other{i}" for i in range(60)], "TEXT"),  # two words, mostly distinct: free text
    (["the parcel came late and the box was torn"] * 3, "TEXT"),  # long text, even repeated
    (["", ""], "CATEGORICAL"),  # nothing to go on
])
def test_strings_are_categorical_unless_they_are_free_text(values, expected):
    assert kind(values * (60 // len(values))) == expected


def test_the_row_id_is_categorical_and_a_text_like_target_is_categorical():
    frame = pd.DataFrame({"n": [f"{i}" for i in range(50)], "label": [f"class {i} of many" for i in range(50)],
                          "x": np.linspace(0, 1, 50)})
    document = infer_schema(rows_of(frame), target="label", row_id="n")
    assert types_of(document) == {"n": "CATEGORICAL", "label": "CATEGORICAL", "x": "NUMERIC"}
    assert (document["rowId"], document["targetAttributeName"]) == ("n", "label")


def test_a_binary_like_target_stays_binary():
    frame = pd.DataFrame({"x": np.arange(40) / 3, "churn": ["True", "False"] * 20})
    assert types_of(infer_schema(rows_of(frame), target="churn"))["churn"] == "BINARY"


def test_the_document_is_a_valid_schema_in_the_guides_spelling_and_order():
    frame = pd.DataFrame({"a": range(30), "b": ["x", "y", "z"] * 10, "c": [0, 1] * 15})
    document = infer_schema(rows_of(frame), target="c", excluded=("b",))
    assert list(document) == ["version", "rowId", "targetAttributeName", "dataFormat", "dataFileContainsHeader",
                              "attributes", "excludedAttributeNames"]
    assert (document["version"], document["dataFormat"], document["excludedAttributeNames"]) == ("1.0", "CSV", ["b"])
    schema = parse_schema(json.dumps(document))
    assert schema.names == ("a", "b", "c") and schema.has_header and schema.target == "c"


# -- headers and names


def test_a_header_over_typed_columns_is_detected():
    frame = pd.DataFrame({"x1": np.arange(20) / 7, "y": [0, 1] * 10, "colour": ["red", "blue"] * 10})
    document = infer_schema(rows_of(frame))
    assert document["dataFileContainsHeader"] is True
    assert [a["attributeName"] for a in document["attributes"]] == ["x1", "y", "colour"]


def test_without_a_header_columns_are_named_var01_onwards():
    frame = pd.DataFrame({"x1": np.arange(20) / 7, "y": [0, 1] * 10, "colour": ["red", "blue"] * 10})
    document = infer_schema(rows_of(frame, header=False))
    assert document["dataFileContainsHeader"] is False
    assert types_of(document) == {"Var01": "NUMERIC", "Var02": "BINARY", "Var03": "CATEGORICAL"}


def test_names_are_padded_to_the_widest_column_number():
    frame = pd.DataFrame(np.arange(2 * 120).reshape(2, 120) + 0.5)
    names = [a["attributeName"] for a in infer_schema(rows_of(frame, header=False))["attributes"]]
    assert names[:2] == ["Var001", "Var002"] and names[-1] == "Var120"


def test_strings_whose_first_row_recurs_have_no_header():
    frame = pd.DataFrame({"a": ["red", "blue"] * 10, "b": ["cat", "dog", "cat", "cow"] * 5})
    assert infer_schema(rows_of(frame, header=False))["dataFileContainsHeader"] is False
    assert infer_schema(rows_of(frame))["dataFileContainsHeader"] is True


def test_the_header_option_overrides_detection():
    frame = pd.DataFrame({"a": ["red", "blue"] * 10, "b": ["cat", "dog", "cat", "cow"] * 5})
    document = infer_schema(rows_of(frame), header=False)
    assert document["dataFileContainsHeader"] is False
    assert [a["attributeName"] for a in document["attributes"]] == ["Var01", "Var02"]


def test_blank_and_repeated_header_names_become_valid_attribute_names():
    sample = [[["id", "", "id", " score "], ["1", "a", "2", "0.5"], ["2", "b", "3", "0.7"]]]
    document = infer_schema(sample, header=True)
    assert [a["attributeName"] for a in document["attributes"]] == ["id", "Var02", "id_2", "score"]


# -- roles and errors


@pytest.mark.parametrize(("options", "message"), [
    ({"target": "nope"}, 'targetAttributeName "nope" is not one of the columns (a, b)'),
    ({"row_id": "nope"}, 'rowId "nope" is not one of the columns'),
    ({"excluded": ("a", "nope")}, 'excludedAttributeNames "nope" is not one of the columns'),
])
def test_a_role_naming_no_column_is_an_inference_error(options, message):
    frame = pd.DataFrame({"a": range(10), "b": ["x", "y"] * 5})
    with pytest.raises(InferenceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        infer_schema(rows_of(frame), **options)


def test_an_excluded_target_is_refused_by_the_schema_rules():
    frame = pd.DataFrame({"a": range(10), "b": ["x", "y"] * 5})
    with pytest.raises(SchemaError, match="the target cannot be excluded"):
        infer_schema(rows_of(frame), target="a", excluded=("a",))


def test_no_records_or_only_a_header_is_an_inference_error():
    with pytest.raises(InferenceError, match="no records"):
        infer_schema([[]])
    with pytest.raises(InferenceError, match="no records after its header"):
        infer_schema([[["a", "b"]]], header=True)


def test_records_of_another_field_count_say_nothing_of_the_types():
    sample = [[["a", "b"], ["1", "x"], ["2", "y", "extra"], ["oops"], ["3", "z"]]]
    assert types_of(infer_schema(sample)) == {"a": "NUMERIC", "b": "CATEGORICAL"}


# -- the sample


def test_the_sample_is_bounded_in_records_and_bytes(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("a,b\n" + "".join(f"{i},word{i}\n" for i in range(100_000)))
    assert sum(len(rows) for rows in read_sample([path], records=50)) == 51
    sample = read_sample([path], limit=1000)
    text = path.read_text()[:1000]
    assert len(sample[0]) == text.count("\n")  # the row the limit cuts is left out
    assert sample[0][-1] == next(csv.reader([text.split("\n")[-2]]))


def test_the_sample_reads_quoted_line_breaks_gzip_and_folders_in_order(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    frame = pd.DataFrame({"id": range(4), "note": ["one\nline", "two,\r\nlines", "x", ""]})
    (folder / "a.csv.gz").write_bytes(gzip.compress(frame.to_csv(index=False).encode()))
    (folder / "b.csv").write_text(frame.to_csv(index=False))
    sample = read_sample(sorted(folder.iterdir()))
    assert [row[1] for row in sample[0][1:]] == ["one\nline", "two,\r\nlines", "x", ""]
    assert len(sample) == 2 and sample[1][0] == ["id", "note"]
    document = infer_schema(sample)
    assert document["dataFileContainsHeader"] is True
    assert types_of(document) == {"id": "CATEGORICAL", "note": "CATEGORICAL"}
