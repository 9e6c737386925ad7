import json

import pytest

from aml_cli.ml.schema import Attribute, SchemaError, compare_header, parse_schema


def guide_schema(**changes):
    document = {
        "version": "1.0",
        "rowId": "customerId",
        "targetAttributeName": "willRespond",
        "dataFormat": "CSV",
        "dataFileContainsHeader": False,
        "attributes": [
            {"attributeName": "customerId", "attributeType": "CATEGORICAL"},
            {"attributeName": "jobDescription", "attributeType": "TEXT"},
            {"attributeName": "age", "attributeType": "NUMERIC"},
            {"attributeName": "weight", "attributeType": "NUMERIC"},
            {"attributeName": "willRespond", "attributeType": "BINARY"},
        ],
        "excludedAttributeNames": ["jobDescription"],
    }
    document.update(changes)
    return document


def parse(document):
    return parse_schema(json.dumps(document))


def test_the_guide_spelling_gives_every_role_and_attribute():
    schema = parse(guide_schema(rowWeight="weight"))
    assert schema.target == "willRespond"
    assert schema.row_id == "customerId"
    assert schema.row_weight == "weight"
    assert schema.has_header is False
    assert schema.names == ("customerId", "jobDescription", "age", "weight", "willRespond")
    assert schema.excluded == ("jobDescription",)
    assert schema.type_of("age") == "NUMERIC"
    assert schema.input_attributes == (Attribute("age", "NUMERIC"),)


def test_the_schema_text_is_kept_exactly_as_given():
    text = json.dumps(guide_schema(), indent=3)
    assert parse_schema(text).text == text


def test_the_old_api_spelling_is_accepted():
    document = {
        "version": "1.0",
        "recordAnnotationFieldName": "F1",
        "recordWeightFieldName": "F2",
        "targetFieldName": "F3",
        "dataFormat": "CSV",
        "dataFileContainsHeader": True,
        "variables": [
            {"fieldName": "F1", "fieldType": "TEXT"},
            {"fieldName": "F2", "fieldType": "NUMERIC"},
            {"fieldName": "F3", "fieldType": "CATEGORICAL"},
            {"fieldName": "F4", "fieldType": "BINARY"},
        ],
        "excludedVariableNames": ["F4"],
    }
    schema = parse(document)
    assert (schema.row_id, schema.row_weight, schema.target) == ("F1", "F2", "F3")
    assert schema.has_header is True
    assert schema.excluded == ("F4",)
    assert schema.input_attributes == ()


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("FALSE", False), (True, True)])
def test_the_header_flag_may_be_a_boolean_or_its_string(value, expected):
    assert parse(guide_schema(dataFileContainsHeader=value)).has_header is expected


def test_optional_keys_take_the_guides_defaults():
    schema = parse({"attributes": [{"attributeName": "a", "attributeType": "NUMERIC"}]})
    assert (schema.version, schema.data_format, schema.has_header) == ("1.0", "CSV", False)
    assert (schema.target, schema.row_id, schema.row_weight, schema.excluded) == (None, None, None, ())


def test_an_unknown_attribute_type_is_named_with_its_position_and_the_allowed_types():
    document = guide_schema()
    document["attributes"][2]["attributeType"] = "NUMBER"
    with pytest.raises(SchemaError) as error:
        parse(document)
    assert str(error.value) == (
        'attribute 3 ("age") has unknown attributeType "NUMBER"; expected NUMERIC, CATEGORICAL, TEXT or BINARY'
    )


@pytest.mark.parametrize("kind", ["WEIGHTED_INT_SEQUENCE", "WEIGHTED_STRING_SEQUENCE"])
def test_weighted_sequence_types_are_rejected_as_unsupported(kind):
    document = guide_schema()
    document["attributes"][1]["attributeType"] = kind
    with pytest.raises(SchemaError, match=f'attribute 2 \\("jobDescription"\\) has attributeType {kind}, which aml'):
        parse(document)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"version": "2.0"}, 'version must be "1.0", not "2.0"'),
        ({"dataFormat": "JSON"}, 'dataFormat must be "CSV"'),
        ({"dataFileContainsHeader": "yes"}, 'dataFileContainsHeader must be true or false, not "yes"'),
        ({"targetAttributeName": "income"}, 'targetAttributeName "income" is not one of the schema\'s attributes'),
        ({"rowId": 3}, "rowId must be an attribute name (a string), not a number"),
        ({"excludedAttributeNames": ["zip"]}, 'excludedAttributeNames names "zip", which is not one'),
        ({"excludedAttributeNames": "age"}, "excludedAttributeNames must be an array of attribute names"),
        ({"excludedAttributeNames": ["willRespond"]}, 'targetAttributeName "willRespond" is also in the excluded'),
        ({"rowId": "willRespond"}, 'targetAttributeName "willRespond" is also the rowId'),
        ({"rowWeight": "jobDescription"}, 'rowWeight "jobDescription" must be a NUMERIC attribute, not TEXT'),
        ({"attributes": []}, "attributes is empty"),
        ({"attributes": {"a": "NUMERIC"}}, "attributes must be an array of attributes, not an object"),
        ({"targetFieldName": "age"}, "schema has both 'targetAttributeName' and 'targetFieldName'"),
        ({"colour": "blue", "size": 1}, "schema has unknown key(s) 'colour', 'size'"),
    ],
)
def test_each_fault_is_reported_precisely(changes, message):
    with pytest.raises(SchemaError) as error:
        parse(guide_schema(**changes))
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("attribute", "message"),
    [
        ({"attributeName": "", "attributeType": "TEXT"}, 'attribute 2 has attributeName ""'),
        ({"attributeType": "TEXT"}, "attribute 2 has no name"),
        ({"attributeName": "x"}, 'attribute 2 ("x") has no attributeType'),
        ({"attributeName": "x", "attributeType": "TEXT", "role": "y"}, "attribute 2 has unknown key(s) 'role'"),
        ("x", "attribute 2 must be an object"),
        ({"attributeName": "a", "attributeType": "TEXT"}, 'attribute 2 ("a") has the same name as attribute 1'),
    ],
)
def test_a_bad_attribute_is_named_by_its_position(attribute, message):
    document = {"attributes": [{"attributeName": "a", "attributeType": "NUMERIC"}, attribute]}
    with pytest.raises(SchemaError) as error:
        parse(document)
    assert message in str(error.value)


@pytest.mark.parametrize(("text", "message"), [("{", "not valid JSON"), ("[1]", "must be a JSON object, not an array")])
def test_text_that_is_not_a_json_object_is_rejected(text, message):
    with pytest.raises(SchemaError, match=message):
        parse_schema(text)


def test_more_than_a_thousand_attributes_are_rejected():
    attributes = [{"attributeName": f"a{i}", "attributeType": "NUMERIC"} for i in range(1001)]
    with pytest.raises(SchemaError, match="1001 attributes; Amazon ML allows at most 1000"):
        parse({"attributes": attributes})
    assert len(parse({"attributes": attributes[:1000]}).attributes) == 1000


def test_schema_error_is_a_value_error():
    assert issubclass(SchemaError, ValueError)


# -- the header line against the schema


def _named(*names):
    return parse_schema(json.dumps({"dataFileContainsHeader": True,
                                    "attributes": [{"attributeName": n, "attributeType": "NUMERIC"} for n in names]}))


def test_a_header_with_one_field_too_many_names_the_field_without_an_attribute():
    check = compare_header(_named("a", "b", "c"), ["a", "b", "extra_col", "c"], "d.csv")
    assert check.error == ("the schema has 3 attributes but the header line of d.csv has 4 fields: "
                           "the header's `extra_col` has no attribute")
    assert check.warning is None


def test_a_header_with_one_field_too_few_names_the_attribute_without_a_field():
    check = compare_header(_named("a", "b", "c"), ["a", "c"], "d.csv")
    assert check.error == ("the schema has 3 attributes but the header line of d.csv has 2 fields: "
                           "the schema's `b` is not in the header")


def test_a_count_difference_between_repeated_names_is_named_by_position():
    check = compare_header(_named("a", "b"), ["a", "b", "b", "a"], "d.csv")
    assert check.error.endswith("the header's fields 3-4 (`b`, `a`) have no attribute")


def test_the_same_names_in_another_order_are_a_warning_matched_by_position():
    check = compare_header(_named("a", "b", "c"), ["a", "c", "b"], "d.csv")
    assert check.error is None
    assert check.warning == ("the header line of d.csv has the schema's attribute names in another order (values "
                             "are matched by position, as the service did): field 2 is `c` in the header and `b` in "
                             "the schema; field 3 is `b` in the header and `c` in the schema")


def test_other_names_of_the_right_count_are_a_warning_and_spaces_around_names_do_not_count():
    assert compare_header(_named("a", "b"), [" a ", "b"], "d.csv").warning is None
    check = compare_header(_named("a", "b"), ["a", "B"], "d.csv")
    assert check.error is None and "names 1 of its 2 fields differently" in check.warning
