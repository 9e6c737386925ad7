"""The client's surface against botocore's machinelearning model and boto3's client (test dependencies only)."""

import inspect

import pytest

import aml_cli

botocore_session = pytest.importorskip("botocore.session")


@pytest.fixture(scope="module")
def boto_client():
    session = botocore_session.get_session()
    return session.create_client("machinelearning", region_name="us-east-1", aws_access_key_id="x",
                                 aws_secret_access_key="y")


@pytest.fixture(scope="module")
def service_model(boto_client):
    return boto_client.meta.service_model


@pytest.fixture
def ml(aml_home):
    return aml_cli.client("machinelearning", home=aml_home)


def _keyword_names(method) -> list[str]:
    return [p.name for p in inspect.signature(method).parameters.values() if p.kind is p.KEYWORD_ONLY]


def test_every_operation_of_botocore_is_a_method_with_botocores_name(ml, boto_client):
    ours = set(ml.meta.method_to_api_mapping.items())
    theirs = set(boto_client.meta.method_to_api_mapping.items())
    assert ours == theirs
    for method_name in boto_client.meta.method_to_api_mapping:
        assert callable(getattr(ml, method_name))


def test_every_method_takes_exactly_the_members_of_its_input_shape(ml, boto_client, service_model):
    for method_name, api_name in boto_client.meta.method_to_api_mapping.items():
        shape = service_model.operation_model(api_name).input_shape
        assert _keyword_names(getattr(ml, method_name)) == list(shape.members), method_name
        required = [p.name for p in inspect.signature(getattr(ml, method_name)).parameters.values()
                    if p.kind is p.KEYWORD_ONLY and p.default is inspect.Parameter.empty]
        assert required == shape.required_members, method_name


def test_the_exceptions_are_botocores_error_codes_each_a_client_error(ml, boto_client):
    theirs = {name for name in dir(boto_client.exceptions) if name.endswith("Exception")}
    ours = {name for name in dir(ml.exceptions) if name.endswith("Exception")}
    assert ours == theirs
    for name in ours:
        cls = getattr(ml.exceptions, name)
        assert issubclass(cls, ml.exceptions.ClientError) and cls.__name__ == name


def test_paginators_and_waiters_have_botocores_names(ml, boto_client):
    for method_name in boto_client.meta.method_to_api_mapping:
        assert ml.can_paginate(method_name) == boto_client.can_paginate(method_name), method_name
    assert ml.waiter_names == boto_client.waiter_names
    for name in boto_client.waiter_names:
        ours, theirs = ml.get_waiter(name), boto_client.get_waiter(name)
        assert ours.name == theirs.name
        assert (ours.config.delay, ours.config.max_attempts) == (theirs.config.delay, theirs.config.max_attempts)


def test_a_paginator_takes_the_same_arguments_as_its_operation(ml, boto_client):
    for method_name in ("describe_ml_models", "describe_data_sources", "describe_evaluations",
                        "describe_batch_predictions"):
        ml.get_paginator(method_name)
        boto_client.get_paginator(method_name)


def test_unknown_names_fail_as_they_do_in_boto3(ml, boto_client):
    from botocore.exceptions import OperationNotPageableError as BotoNotPageable

    with pytest.raises(ValueError, match="Waiter does not exist: nope"):
        ml.get_waiter("nope")
    with pytest.raises(ValueError, match="Waiter does not exist: nope"):
        boto_client.get_waiter("nope")
    with pytest.raises(aml_cli.client.OperationNotPageableError) as ours:
        ml.get_paginator("get_ml_model")
    with pytest.raises(BotoNotPageable) as theirs:
        boto_client.get_paginator("get_ml_model")
    assert str(ours.value) == str(theirs.value)


def test_a_client_error_prints_as_botocores(ml):
    from botocore.exceptions import ClientError as BotoClientError

    with pytest.raises(ml.exceptions.ResourceNotFoundException) as caught:
        ml.get_ml_model(MLModelId="nope")
    ours = caught.value
    theirs = BotoClientError(ours.response, "GetMLModel")
    assert str(ours) == str(theirs)
    assert ours.operation_name == "GetMLModel"


def test_param_validation_reports_as_botocores_validator(ml, service_model):
    from botocore.exceptions import ParamValidationError as BotoParamValidationError
    from botocore.validate import ParamValidator

    cases = [
        ("GetMLModel", {"MLModelId": "m", "Foo": 1}),
        ("CreateMLModel", {"MLModelId": "m"}),
        ("CreateMLModel", {"MLModelId": "", "MLModelType": "BINARY", "TrainingDataSourceId": 5}),
        ("DescribeMLModels", {"Limit": "ten"}),
    ]
    for api_name, request in cases:
        report = ParamValidator().validate(request, service_model.operation_model(api_name).input_shape)
        assert report.has_errors()
        method = getattr(ml, next(m for m, a in ml.meta.method_to_api_mapping.items() if a == api_name))
        with pytest.raises(aml_cli.client.ParamValidationError) as caught:
            method(**request)
        assert str(caught.value) == str(BotoParamValidationError(report=report.generate_report()))


def test_positional_arguments_are_refused_as_boto3_does(ml):
    with pytest.raises(TypeError, match=r"get_ml_model\(\) only accepts keyword arguments\."):
        ml.get_ml_model("m")


def test_an_unknown_service_is_refused_like_boto3s_unknown_service_error():
    with pytest.raises(aml_cli.client.UnknownServiceError) as caught:
        aml_cli.client("s3")
    expected = "Unknown service: 's3'. Valid service names are: cleanrooms, cleanroomsml, machinelearning"
    assert str(caught.value) == expected
    assert isinstance(caught.value, aml_cli.client.BotoCoreError)
