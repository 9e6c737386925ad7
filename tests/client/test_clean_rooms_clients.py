"""`aml_cli.client("cleanroomsml")` and `aml_cli.client("cleanrooms")` against botocore's models and boto3's
paginators, and every response of the chain walked against botocore's output shapes in every status."""

from __future__ import annotations

import inspect
import re
from datetime import datetime

import pytest

import aml_cli
from tests.service.cleanroomsml.support import ROLE, rows, schema_text

botocore_session = pytest.importorskip("botocore.session")
botocore_paginate = pytest.importorskip("botocore.paginate")
SERVICES = ("cleanroomsml", "cleanrooms")


@pytest.fixture(scope="module")
def boto_clients():
    session = botocore_session.get_session()
    return {name: session.create_client(name, region_name="us-east-1", aws_access_key_id="x",
                                        aws_secret_access_key="y") for name in SERVICES}


@pytest.mark.parametrize("name", SERVICES)
def test_each_method_has_boto3s_name_and_takes_the_members_of_its_input(name, boto_clients, aml_home):
    ours, theirs = aml_cli.client(name, home=aml_home), boto_clients[name]
    assert set(ours.meta.method_to_api_mapping.items()) <= set(theirs.meta.method_to_api_mapping.items())
    assert len(ours.meta.method_to_api_mapping) == {"cleanroomsml": 37, "cleanrooms": 6}[name]
    model = theirs.meta.service_model
    for method_name, api_name in ours.meta.method_to_api_mapping.items():
        shape = model.operation_model(api_name).input_shape
        params = inspect.signature(getattr(ours, method_name)).parameters.values()
        assert [p.name for p in params if p.kind is p.KEYWORD_ONLY] == list(shape.members), method_name
        assert ours.can_paginate(method_name) == theirs.can_paginate(method_name), method_name
    assert type(ours).__name__ == {"cleanroomsml": "CleanRoomsML", "cleanrooms": "CleanRooms"}[name]


@pytest.mark.parametrize("name", SERVICES)
def test_the_exceptions_are_botocores_each_a_client_error(name, boto_clients, aml_home):
    ours, theirs = aml_cli.client(name, home=aml_home), boto_clients[name]
    names = {n for n in dir(ours.exceptions) if n.endswith("Exception")}
    assert names <= {n for n in dir(theirs.exceptions) if n.endswith("Exception")}
    assert {"ValidationException", "ResourceNotFoundException", "AccessDeniedException"} <= names
    for n in names:
        assert issubclass(getattr(ours.exceptions, n), ours.exceptions.ClientError)


def _walk(shape, value, path: str = "") -> list[str]:
    """botocore's output shape against a response value: required, types, enums, patterns, bounds."""
    kind, meta = shape.type_name, shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: not a structure"]
        problems = [f"{path}.{m}: required" for m in meta.get("required", ()) if m not in value]
        for key, item in value.items():
            if key == "ResponseMetadata" and not path:
                continue
            if key not in shape.members:
                problems.append(f"{path}.{key}: not in {shape.name}")
            else:
                problems += _walk(shape.members[key], item, f"{path}.{key}")
        return problems
    if kind == "list":
        problems = [] if isinstance(value, list) else [f"{path}: not a list"]
        return problems + [p for i, item in enumerate(value) for p in _walk(shape.member, item, f"{path}[{i}]")]
    if kind == "map":
        return [p for k, v in value.items() for p in _walk(shape.key, k, path) + _walk(shape.value, v, f"{path}.{k}")]
    return _scalar(shape, value, path)


def _scalar(shape, value, path: str) -> list[str]:
    kind, meta = shape.type_name, shape.metadata
    expected = {"string": str, "integer": int, "long": int, "double": (float, int), "float": (float, int),
                "boolean": bool, "timestamp": datetime}[kind]
    if not isinstance(value, expected) or (kind in ("integer", "long") and isinstance(value, bool)):
        return [f"{path}: {type(value).__name__} is not {kind}"]
    if kind == "timestamp":
        return [] if value.tzinfo is not None else [f"{path}: a naive datetime"]
    measure = len(value) if kind == "string" else value
    problems = []
    if ("min" in meta and measure < meta["min"]) or ("max" in meta and measure > meta["max"]):
        problems.append(f"{path}: {measure} outside [{meta.get('min')}, {meta.get('max')}]")
    if kind == "string" and shape.enum and value not in shape.enum:
        problems.append(f"{path}: {value!r} not in the enum")
    if kind == "string" and "pattern" in meta and not re.fullmatch(meta["pattern"], value):
        problems.append(f"{path}: {value!r} does not match {meta['pattern']}")
    return problems


class Walked:
    """Calls each method and checks its response against botocore's output shape as it goes."""

    def __init__(self, name: str, client, boto_client) -> None:
        self.client, self.model, self.name = client, boto_client.meta.service_model, name
        self.operations: set[str] = set()

    def __call__(self, method: str, **kwargs):
        response = getattr(self.client, method)(**kwargs)
        api = self.client.meta.method_to_api_mapping[method]
        shape = self.model.operation_model(api).output_shape
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
        if shape is not None:
            assert _walk(shape, response) == [], api
        self.operations.add(api)
        return response


@pytest.fixture
def flow(boto_clients, aml_home, tmp_path):
    clients = {name: Walked(name, aml_cli.client(name, home=aml_home, synchronous=True), boto_clients[name])
               for name in SERVICES}
    ml = aml_cli.client("machinelearning", home=aml_home, synchronous=True)
    data = tmp_path / "ds.csv"
    data.write_text("id,x1,x2,color,y\n" + "".join(",".join(map(str, row)) + "\n" for row in rows(400)))
    ml.create_data_source_from_s3(DataSourceId="ds-1", ComputeStatistics=True,
                                  DataSpec={"DataLocationS3": str(data), "DataSchema": schema_text()})
    return clients


def test_every_response_of_the_chain_fits_botocores_output_shapes_in_every_status(flow, aml_home, tmp_path):
    from aml_cli.jobs import request_cancel
    from aml_cli.store import Store

    cr, ml = flow["cleanrooms"], flow["cleanroomsml"]
    collaboration = cr("create_collaboration", members=[], name="c", creatorMemberAbilities=["CAN_QUERY"],
                       creatorDisplayName="me", queryLogStatus="DISABLED", creatorMLMemberAbilities={
                           "customMLMemberAbilities": ["CAN_RECEIVE_MODEL_OUTPUT", "CAN_RECEIVE_INFERENCE_OUTPUT"]})
    collaboration_id = collaboration["collaboration"]["id"]
    member = cr("create_membership", collaborationIdentifier=collaboration_id, queryLogStatus="DISABLED")
    m = member["membership"]["id"]
    for method, args in (("get_collaboration", {"collaborationIdentifier": collaboration_id}),
                         ("get_membership", {"membershipIdentifier": m}), ("list_collaborations", {}),
                         ("list_memberships", {})):
        cr(method, **args)
    algorithm = ml("create_configured_model_algorithm", name="a", roleArn=ROLE,
                   trainingContainerConfig={"imageUri": "aml/sgd"})["configuredModelAlgorithmArn"]
    exports = {"policies": {"trainedModelExports": {"maxSize": {"unit": "GB", "value": 1.0},
                                                    "filesToExport": ["MODEL"]}}}
    association = ml("create_configured_model_algorithm_association", membershipIdentifier=m,
                     configuredModelAlgorithmArn=algorithm, name="as",
                     privacyConfiguration=exports)["configuredModelAlgorithmAssociationArn"]
    channel = ml("create_ml_input_channel", membershipIdentifier=m, configuredModelAlgorithmAssociations=[association],
                 name="ch", retentionInDays=3, inputChannel={"roleArn": ROLE, "dataSource": {
                     "protectedQueryInputParameters": {"sqlParameters": {"queryString": 'SELECT * FROM "ds-1"'}}}}
                 )["mlInputChannelArn"]
    common = {"membershipIdentifier": m, "configuredModelAlgorithmAssociationArn": association,
              "resourceConfig": {"instanceType": "ml.m5.xlarge", "volumeSizeInGB": 1},
              "dataChannels": [{"mlInputChannelArn": channel, "channelName": "train"}]}
    good = ml("create_trained_model", name="good", hyperparameters={
        "MLModelType": "BINARY", "targetAttributeName": "y", "sgd.maxPasses": "2"}, **common)
    bad = ml("create_trained_model", name="bad", hyperparameters={"MLModelType": "BINARY"}, **common)
    store = Store(aml_home)
    pending = ml("create_trained_model", name="pending", hyperparameters={"MLModelType": "BINARY"}, **common)
    store.write(lambda conn: conn.execute("UPDATE jobs SET state = 'done'"))  # as if queued forever: no job runs it
    store.update("TrainedModel", pending["versionIdentifier"], {"Status": "CREATE_PENDING", "statusDetails": None})

    def views(model: dict) -> None:
        arn = model["trainedModelArn"]
        ml("get_trained_model", membershipIdentifier=m, trainedModelArn=arn)
        ml("get_collaboration_trained_model", collaborationIdentifier=collaboration_id, trainedModelArn=arn)
        ml("list_trained_model_versions", membershipIdentifier=m, trainedModelArn=arn)
        ml("list_trained_models", membershipIdentifier=m)
        ml("list_collaboration_trained_models", collaborationIdentifier=collaboration_id)

    for model, status in ((good, "ACTIVE"), (bad, "CREATE_FAILED"), (pending, "CREATE_PENDING")):
        assert ml.client.get_trained_model(membershipIdentifier=m, trainedModelArn=model["trainedModelArn"])[
            "status"] == status
        views(model)
    store.transition("TrainedModel", pending["versionIdentifier"], "CREATE_IN_PROGRESS")
    views(pending)
    request_cancel(store, "TrainedModel", pending["versionIdentifier"])
    views(pending)  # CANCEL_PENDING (the job is gone, so a cancel settles at once: INACTIVE)
    ml("delete_trained_model_output", membershipIdentifier=m, trainedModelArn=good["trainedModelArn"],
       versionIdentifier=good["versionIdentifier"])
    views(good)
    active = ml("create_trained_model", name="active", hyperparameters={
        "MLModelType": "BINARY", "targetAttributeName": "y", "sgd.maxPasses": "1"}, **common)
    ml("put_ml_configuration", membershipIdentifier=m, defaultOutputLocation={
        "destination": {"s3Destination": {"s3Uri": "s3://results/ml"}}, "roleArn": ROLE})
    ml("get_ml_configuration", membershipIdentifier=m)
    job = ml("start_trained_model_inference_job", membershipIdentifier=m, name="j",
             trainedModelArn=active["trainedModelArn"], resourceConfig={"instanceType": "ml.m5.xlarge"},
             dataSource={"mlInputChannelArn": channel},
             outputConfiguration={"members": [{"accountId": "000000000000"}]})["trainedModelInferenceJobArn"]
    ml("get_trained_model_inference_job", membershipIdentifier=m, trainedModelInferenceJobArn=job)
    ml("list_trained_model_inference_jobs", membershipIdentifier=m)
    ml("list_collaboration_trained_model_inference_jobs", collaborationIdentifier=collaboration_id)
    ml("start_trained_model_export_job", membershipIdentifier=m, name="e", trainedModelArn=active["trainedModelArn"],
       outputConfiguration={"members": [{"accountId": "000000000000"}]})
    ml("list_collaboration_trained_model_export_jobs", collaborationIdentifier=collaboration_id,
       trainedModelArn=active["trainedModelArn"])
    for method, args in (
            ("get_configured_model_algorithm", {"configuredModelAlgorithmArn": algorithm}),
            ("list_configured_model_algorithms", {}),
            ("get_configured_model_algorithm_association", {"membershipIdentifier": m,
                                                            "configuredModelAlgorithmAssociationArn": association}),
            ("list_configured_model_algorithm_associations", {"membershipIdentifier": m}),
            ("get_collaboration_configured_model_algorithm_association", {
                "collaborationIdentifier": collaboration_id, "configuredModelAlgorithmAssociationArn": association}),
            ("list_collaboration_configured_model_algorithm_associations", {
                "collaborationIdentifier": collaboration_id}),
            ("get_ml_input_channel", {"membershipIdentifier": m, "mlInputChannelArn": channel}),
            ("list_ml_input_channels", {"membershipIdentifier": m}),
            ("get_collaboration_ml_input_channel", {"collaborationIdentifier": collaboration_id,
                                                    "mlInputChannelArn": channel}),
            ("list_collaboration_ml_input_channels", {"collaborationIdentifier": collaboration_id}),
            ("tag_resource", {"resourceArn": channel, "tags": {"a": "b"}}),
            ("list_tags_for_resource", {"resourceArn": channel}),
            ("untag_resource", {"resourceArn": channel, "tagKeys": ["a"]})):
        ml(method, **args)
    ml("delete_ml_input_channel_data", membershipIdentifier=m, mlInputChannelArn=channel)
    ml("get_ml_input_channel", membershipIdentifier=m, mlInputChannelArn=channel)
    ml("delete_ml_configuration", membershipIdentifier=m)
    assert len(ml.operations) >= 30 and len(cr.operations) == 6


def test_the_paginators_page_with_boto3s_semantics(flow, boto_clients):
    ml = flow["cleanroomsml"].client
    for index in range(5):
        ml.create_configured_model_algorithm(name=f"a{index}", roleArn=ROLE)
    ours = list(ml.get_paginator("list_configured_model_algorithms").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(page["configuredModelAlgorithms"]) for page in ours] == [2, 2, 1]
    theirs = botocore_paginate.Paginator(ml.list_configured_model_algorithms, {
        "input_token": "nextToken", "output_token": "nextToken", "limit_key": "maxResults",
        "result_key": "configuredModelAlgorithms"},
        boto_clients["cleanroomsml"].meta.service_model.operation_model("ListConfiguredModelAlgorithms"))
    names = [a["name"] for page in theirs.paginate(PaginationConfig={"PageSize": 2}) for a in
             page["configuredModelAlgorithms"]]
    assert names == [a["name"] for page in ours for a in page["configuredModelAlgorithms"]] == [
        f"a{i}" for i in (4, 3, 2, 1, 0)]
    limited = ml.get_paginator("list_configured_model_algorithms").paginate(
        PaginationConfig={"MaxItems": 3}).build_full_result()
    assert len(limited["configuredModelAlgorithms"]) == 3 and "NextToken" in limited


def test_a_service_error_is_the_modeled_client_error_with_its_status(flow):
    ml = flow["cleanroomsml"].client
    with pytest.raises(ml.exceptions.ResourceNotFoundException) as caught:
        ml.get_configured_model_algorithm(configuredModelAlgorithmArn="arn:aws:cleanrooms-ml:us-east-1:000000000000:"
                                                                      "configured-model-algorithm/nope")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ml.exceptions.ValidationException) as caught:
        ml.create_configured_model_algorithm(name="a", roleArn=ROLE, trainingContainerConfig={"imageUri": "x"})
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(aml_cli.client.ParamValidationError, match="membershipIdentifier"):
        ml.list_trained_models(membershipIdentifier="abc")
