"""The training parameters described once: every bound, default and exclusion, for every caller."""

import pytest

from aml_cli.ml.parameters import BY_KEY, PARAMETERS, ParameterError, TrainingSettings, echoed, parse, values


def test_no_parameters_are_the_services_defaults():
    assert parse({}) == TrainingSettings(max_passes=10, shuffle="none", l1=0.0, l2=0.0, max_bytes=33554432)
    assert echoed({}) == {"sgd.maxMLModelSizeInBytes": "33554432", "sgd.maxPasses": "10", "sgd.shuffleType": "none"}


@pytest.mark.parametrize("parameter", [p for p in PARAMETERS if p.kind == "integer"], ids=lambda p: p.key)
def test_an_integer_takes_its_bounds_and_nothing_past_them(parameter):
    for inside in (parameter.low, parameter.high):
        assert values({parameter.key: str(int(inside))})[parameter.key] == int(inside)
    for outside in (parameter.low - 1, parameter.high + 1):
        with pytest.raises(ParameterError, match=f"{parameter.key} must be between"):
            values({parameter.key: str(int(outside))})
    with pytest.raises(ParameterError, match="must be an integer"):
        values({parameter.key: "ten"})


@pytest.mark.parametrize("key", ["sgd.l1RegularizationAmount", "sgd.l2RegularizationAmount"])
@pytest.mark.parametrize("text", ["-0.1", "nan", "inf", "lots"])
def test_an_amount_is_a_finite_non_negative_number(key, text):
    with pytest.raises(ParameterError, match=key):
        values({key: text})


def test_an_amount_is_recorded_as_given_and_parsed_as_a_number():
    assert echoed({"sgd.l1RegularizationAmount": "1e-4"})["sgd.l1RegularizationAmount"] == "1e-4"
    assert parse({"sgd.l1RegularizationAmount": "1e-4"}).l1 == pytest.approx(1e-4)


def test_the_shuffle_type_is_one_of_its_choices():
    assert parse({"sgd.shuffleType": "auto"}).shuffle == "auto"
    with pytest.raises(ParameterError, match=r"sgd\.shuffleType must be auto or none"):
        parse({"sgd.shuffleType": "sometimes"})


def test_l1_and_l2_exclude_each_other_and_unknown_keys_are_named():
    with pytest.raises(ParameterError, match="cannot be used together"):
        values({"sgd.l1RegularizationAmount": "0.1", "sgd.l2RegularizationAmount": "0.1"})
    with pytest.raises(ParameterError, match=r"unknown training parameter 'sgd\.momentum'"):
        values({"sgd.momentum": "0.9"})


def test_the_service_validates_create_ml_model_with_the_same_table():
    from aml_cli.api.errors import InvalidInputException
    from aml_cli.service.machinelearning.ml_models import training_parameters

    assert training_parameters({}) == {"algorithm": "sgd", **echoed({})}
    for key in BY_KEY:
        with pytest.raises(InvalidInputException, match=f"^Parameters: .*{key}"):
            training_parameters({key: "not a value"})
