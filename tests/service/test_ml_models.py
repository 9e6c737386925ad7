"""CreateMLModel's validation and idempotency; DescribeMLModels, UpdateMLModel, DeleteMLModel."""

from __future__ import annotations

import pytest

from aml_cli.api.errors import (
    IdempotentParameterMismatchException,
    InvalidInputException,
    ResourceNotFoundException,
)
from aml_cli.service import call
from aml_cli.service.machinelearning.ml_models import training_parameters
from aml_cli.service.machinelearning.realtime import ENDPOINT_URL
from aml_cli.store import Store
from tests.service.models_conftest import (
    create_model,
    create_source,
    model_scores,
    record_of,
    result_rows,
    schema_text,
    snapshot,
    sync_jobs,
    tiny_frame,
    tiny_model,
    tiny_source,
    trained_world,
    wait_final,
    wait_idle,
    write_csv,
    write_text,
)

RECIPE = '{"groups": {}, "assignments": {}, "outputs": ["ALL_CATEGORICAL", "quantile_bin(x1, 5)", "x2"]}'


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    return trained_world(tmp_path_factory)


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    """A store with data sources of every kind a model request may name (jobs run in sync mode)."""
    folder = tmp_path_factory.mktemp("validation")
    store = Store(folder / "home")
    with sync_jobs():
        for source_id, model_type in (("bin-ds", "BINARY"), ("multi-ds", "MULTICLASS"), ("reg-ds", "REGRESSION")):
            tiny_source(store, folder, source_id, model_type)
        tiny_source(store, folder, "nostats-ds", "BINARY", stats=False)
        tiny_source(store, folder, "deleted-ds", "BINARY")
        call("DeleteDataSource", {"DataSourceId": "deleted-ds"}, store)
        frame, columns, _ = tiny_frame("BINARY")
        create_source(store, "notarget-ds", write_csv(folder / "notarget.csv", frame),
                      schema_text(columns, target=None))
        frame["x1"] = "not a number"
        create_source(store, "failed-ds", write_csv(folder / "failed.csv", frame), schema_text(columns, "y"))
    assert record_of(store, "DataSource", "failed-ds")["Status"] == "FAILED"
    return store


def refused(store: Store, request: dict, error=InvalidInputException) -> str:
    """Calls CreateMLModel expecting `error`; asserts nothing changed; returns the message."""
    before = snapshot(store)
    with sync_jobs(), pytest.raises(error) as caught:
        call("CreateMLModel", {"MLModelId": "refused", "MLModelType": "BINARY",
                               "TrainingDataSourceId": "bin-ds", **request}, store)
    assert snapshot(store) == before
    return caught.value.message


# -- validation -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameters", "member"),
    [
        ({"sgd.unknownKnob": "1"}, "sgd.unknownKnob"),
        ({"sgd.maxMLModelSizeInBytes": "99999"}, "sgd.maxMLModelSizeInBytes"),
        ({"sgd.maxMLModelSizeInBytes": "2147483649"}, "sgd.maxMLModelSizeInBytes"),
        ({"sgd.maxMLModelSizeInBytes": "lots"}, "sgd.maxMLModelSizeInBytes"),
        ({"sgd.maxPasses": "0"}, "sgd.maxPasses"),
        ({"sgd.maxPasses": "10001"}, "sgd.maxPasses"),
        ({"sgd.shuffleType": "random"}, "sgd.shuffleType"),
        ({"sgd.l1RegularizationAmount": "-0.001"}, "sgd.l1RegularizationAmount"),
        ({"sgd.l2RegularizationAmount": "-1E-6"}, "sgd.l2RegularizationAmount"),
        ({"sgd.l2RegularizationAmount": "much"}, "sgd.l2RegularizationAmount"),
    ],
)
def test_a_bad_training_parameter_is_invalid_input_naming_it(sources, parameters, member):
    assert member in refused(sources, {"Parameters": parameters})


def test_l1_and_l2_together_are_refused(sources):
    message = refused(sources, {"Parameters": {"sgd.l1RegularizationAmount": "0.1",
                                               "sgd.l2RegularizationAmount": "0.1"}})
    assert "sgd.l1RegularizationAmount" in message and "sgd.l2RegularizationAmount" in message


def test_training_parameters_accept_the_bounds_and_fill_in_defaults():
    assert training_parameters({"sgd.maxMLModelSizeInBytes": "100000", "sgd.maxPasses": "1"}) == {
        "algorithm": "sgd", "sgd.maxMLModelSizeInBytes": "100000", "sgd.maxPasses": "1", "sgd.shuffleType": "none"}
    upper = training_parameters({"sgd.maxMLModelSizeInBytes": "2147483648", "sgd.maxPasses": "10000",
                                 "sgd.shuffleType": "auto", "sgd.l2RegularizationAmount": "1E-6"})
    assert upper["sgd.maxMLModelSizeInBytes"] == "2147483648" and upper["sgd.maxPasses"] == "10000"
    assert upper["sgd.shuffleType"] == "auto" and upper["sgd.l2RegularizationAmount"] == "1E-6"


@pytest.mark.parametrize(
    ("source_id", "words"),
    [
        ("no-such-ds", ["no-such-ds", "does not exist"]),
        ("failed-ds", ["failed-ds", "FAILED"]),
        ("deleted-ds", ["deleted-ds", "DELETED"]),
        ("nostats-ds", ["nostats-ds", "ComputeStatistics"]),
        ("notarget-ds", ["targetAttributeName"]),
    ],
)
def test_an_unusable_training_data_source_is_invalid_input(sources, source_id, words):
    message = refused(sources, {"TrainingDataSourceId": source_id})
    assert "TrainingDataSourceId" in message
    for word in words:
        assert word in message


@pytest.mark.parametrize(
    ("model_type", "source_id", "target_type"),
    [("BINARY", "multi-ds", "CATEGORICAL"), ("MULTICLASS", "reg-ds", "NUMERIC"), ("REGRESSION", "bin-ds", "BINARY")],
)
def test_a_target_that_does_not_fit_the_model_type_is_invalid_input(sources, model_type, source_id, target_type):
    message = refused(sources, {"MLModelType": model_type, "TrainingDataSourceId": source_id})
    assert "MLModelType" in message and target_type in message


@pytest.mark.parametrize(
    ("recipe", "where"),
    [
        ('{"outputs": ["ALL_INPUTS", "quantile_bin(x1, 3)"]}', "outputs[1]"),
        ('{"groups": {"g": "group(x1,"}, "outputs": ["g"]}', "'g'"),
        ('{"outputs": ["no_such_variable"]}', "outputs[0]"),
        ('{"outputs": []}', "outputs"),
        ("{not json", "JSON"),
    ],
)
def test_a_malformed_recipe_is_invalid_input_that_says_where(sources, recipe, where):
    message = refused(sources, {"Recipe": recipe})
    assert message.startswith("Recipe")
    assert where in message


def test_recipe_and_recipe_uri_together_are_refused(sources, tmp_path):
    path = write_text(tmp_path / "recipe.json", RECIPE)
    message = refused(sources, {"Recipe": RECIPE, "RecipeUri": str(path)})
    assert "Recipe" in message and "RecipeUri" in message


@pytest.mark.parametrize("uri", ["/no/such/recipe.json", "s3://bucket/../../outside.json", "ftp://host/recipe"])
def test_an_unreadable_recipe_uri_is_invalid_input(sources, uri, monkeypatch, tmp_path):
    monkeypatch.setattr(sources, "s3_root", tmp_path / "s3")
    assert "RecipeUri" in refused(sources, {"RecipeUri": uri})


@pytest.mark.parametrize("form", ["path", "file", "s3"])
def test_recipe_uri_reads_a_local_path_a_file_uri_or_s3_under_the_root(sources, form, monkeypatch, tmp_path):
    monkeypatch.setattr(sources, "s3_root", tmp_path / "s3")
    if form == "s3":
        write_text(tmp_path / "s3" / "bucket" / "recipes" / "r.json", RECIPE)
        uri = "s3://bucket/recipes/r.json"
    else:
        path = write_text(tmp_path / "r.json", RECIPE)
        uri = path.as_uri() if form == "file" else str(path)
    with sync_jobs():
        create_model(sources, f"uri-{form}", "bin-ds", "BINARY", RecipeUri=uri)
    model = call("GetMLModel", {"MLModelId": f"uri-{form}", "Verbose": True}, sources)
    assert model["Status"] == "COMPLETED", model.get("Message")
    assert model["Recipe"] == RECIPE


# -- idempotency ------------------------------------------------------------------------------------


def test_the_same_request_again_returns_the_same_id_and_trains_once(sources):
    request = {"MLModelId": "twice", "MLModelType": "BINARY", "TrainingDataSourceId": "bin-ds", "MLModelName": "t"}
    with sync_jobs():
        assert call("CreateMLModel", request, sources) == {"MLModelId": "twice"}
        before = snapshot(sources)
        assert call("CreateMLModel", dict(request), sources) == {"MLModelId": "twice"}
    assert snapshot(sources) == before
    assert [r["MLModelId"] for r in sources.list("MLModel")].count("twice") == 1


def test_a_different_request_under_an_existing_id_is_a_mismatch(sources):
    with sync_jobs():
        create_model(sources, "mismatch", "bin-ds", "BINARY", MLModelName="first")
    message = refused(
        sources,
        {"MLModelId": "mismatch", "MLModelName": "second"},
        error=IdempotentParameterMismatchException,
    )
    assert "mismatch" in message
    assert record_of(sources, "MLModel", "mismatch")["Name"] == "first"


# -- a data source still being prepared -------------------------------------------------------------


@pytest.mark.slow
def test_a_model_on_a_pending_data_source_waits_for_it(tmp_path):
    store = Store()
    with sync_jobs(False):
        tiny_source(store, tmp_path, "ds", "BINARY")
        assert record_of(store, "DataSource", "ds")["Status"] in ("PENDING", "INPROGRESS")
        create_model(store, "m", "ds", "BINARY")
        model = wait_final(store, "MLModel", "m")
        wait_idle(store)
    source = record_of(store, "DataSource", "ds")
    assert model["Status"] == "COMPLETED", model.get("Message")
    assert model["StartedAt"] >= source["FinishedAt"]


@pytest.mark.slow
def test_in_sync_mode_a_model_on_a_pending_data_source_trains_after_it(tmp_path):
    store = Store()
    with sync_jobs(False):
        tiny_source(store, tmp_path, "ds", "MULTICLASS")
    assert record_of(store, "DataSource", "ds")["Status"] in ("PENDING", "INPROGRESS")
    with sync_jobs():
        create_model(store, "m", "ds", "MULTICLASS")
    model = record_of(store, "MLModel", "m")
    assert model["Status"] == "COMPLETED", model.get("Message")
    assert model["StartedAt"] >= record_of(store, "DataSource", "ds")["FinishedAt"]
    wait_idle(store)


@pytest.mark.slow
def test_a_model_on_a_data_source_that_fails_fails_with_a_clear_message(tmp_path):
    store = Store()
    frame, columns, _ = tiny_frame("BINARY")
    frame["x2"] = "garbage"
    with sync_jobs(False):
        create_source(store, "bad", write_csv(tmp_path / "bad.csv", frame), schema_text(columns, "y"))
        create_model(store, "m", "bad", "BINARY")
        model = wait_final(store, "MLModel", "m")
        wait_idle(store)
    assert record_of(store, "DataSource", "bad")["Status"] == "FAILED"
    assert model["Status"] == "FAILED"
    assert "bad" in model["Message"] and "FAILED" in model["Message"]


# -- DescribeMLModels -------------------------------------------------------------------------------


def described(world, **request) -> list[str]:
    return [r["MLModelId"] for r in call("DescribeMLModels", request, world.store)["Results"]]


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        ({"FilterVariable": "MLModelType", "EQ": "BINARY"}, {"bin", "churn"}),
        ({"FilterVariable": "MLModelType", "NE": "BINARY"}, {"multi", "reg"}),
        ({"FilterVariable": "RealtimeEndpointStatus", "EQ": "NONE"}, {"churn"}),
        ({"FilterVariable": "RealtimeEndpointStatus", "EQ": "READY"}, {"bin", "multi", "reg"}),
        ({"FilterVariable": "TrainingDataSourceId", "EQ": "multi-train"}, {"multi"}),
        ({"FilterVariable": "TrainingDataSourceId", "Prefix": "churn"}, {"churn"}),
        ({"FilterVariable": "Name", "Prefix": "re"}, {"reg"}),
        ({"FilterVariable": "Name", "GT": "c", "LT": "n"}, {"churn", "multi"}),
        ({"FilterVariable": "Status", "EQ": "COMPLETED"}, {"bin", "multi", "reg", "churn"}),
        ({"FilterVariable": "Status", "EQ": "PENDING"}, set()),
        ({"FilterVariable": "Algorithm", "EQ": "sgd"}, {"bin", "multi", "reg", "churn"}),
    ],
)
def test_describe_ml_models_filters_by_each_variable(world, request_, expected):
    assert set(described(world, **request_)) == expected


def test_describe_ml_models_filters_on_creation_time_with_each_operator(world):
    middle = world.created["multi"]
    assert set(described(world, FilterVariable="CreatedAt", GT=str(middle))) == {"reg", "churn"}
    assert set(described(world, FilterVariable="CreatedAt", GE=str(middle))) == {"multi", "reg", "churn"}
    assert set(described(world, FilterVariable="CreatedAt", LT=str(middle))) == {"bin"}
    assert set(described(world, FilterVariable="CreatedAt", LE=str(middle))) == {"bin", "multi"}
    assert described(world, FilterVariable="CreatedAt", EQ=str(middle)) == ["multi"]


def test_describe_ml_models_filters_on_last_update_as_epoch_seconds_or_iso_text(world):
    from datetime import UTC, datetime

    last = record_of(world.store, "MLModel", "churn")["LastUpdatedAt"]
    assert described(world, FilterVariable="LastUpdatedAt", GE=str(last)) == ["churn"]
    assert set(described(world, FilterVariable="LastUpdatedAt", LT=str(last))) == {"bin", "multi", "reg"}
    iso = datetime.fromtimestamp(last, UTC).isoformat()
    assert described(world, FilterVariable="LastUpdatedAt", GE=iso) == ["churn"]


def test_describe_ml_models_filters_by_iam_user_and_training_data_uri(world):
    user = record_of(world.store, "MLModel", "bin")["CreatedByIamUser"]
    assert len(described(world, FilterVariable="IAMUser", EQ=user)) == 4
    assert described(world, FilterVariable="IAMUser", EQ=user + "x") == []
    location = str(world.data["reg"].train)
    assert described(world, FilterVariable="TrainingDataURI", EQ=location) == ["reg"]


def test_describe_ml_models_sorts_by_the_filter_variable(world):
    assert described(world, FilterVariable="Name", SortOrder="dsc") == ["reg", "multi", "churn", "bin"]
    assert described(world, FilterVariable="Name", SortOrder="asc") == ["bin", "churn", "multi", "reg"]
    assert described(world, FilterVariable="CreatedAt", SortOrder="dsc") == ["churn", "reg", "multi", "bin"]


def test_describe_ml_models_pages_with_limit_and_next_token(world):
    first = call("DescribeMLModels", {"FilterVariable": "CreatedAt", "Limit": 3}, world.store)
    assert [r["MLModelId"] for r in first["Results"]] == ["bin", "multi", "reg"]
    second = call("DescribeMLModels", {"FilterVariable": "CreatedAt", "Limit": 3,
                                       "NextToken": first["NextToken"]}, world.store)
    assert [r["MLModelId"] for r in second["Results"]] == ["churn"]
    assert "NextToken" not in second


def test_describe_ml_models_results_carry_the_api_fields_only(world):
    for result in call("DescribeMLModels", {}, world.store)["Results"]:
        assert not [key for key in result if key.startswith("_")]
        assert result["Status"] == "COMPLETED" and result["SizeInBytes"] > 0
        assert "Recipe" not in result and "Schema" not in result


# -- UpdateMLModel ----------------------------------------------------------------------------------


def test_update_ml_model_renames_it(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY", MLModelName="old")
    before = record_of(store, "MLModel", "m")
    assert call("UpdateMLModel", {"MLModelId": "m", "MLModelName": "new"}, store) == {"MLModelId": "m"}
    model = call("GetMLModel", {"MLModelId": "m"}, store)
    assert model["Name"] == "new"
    assert model["LastUpdatedAt"] >= before["LastUpdatedAt"]
    assert "ScoreThresholdLastUpdatedAt" not in model


def batch_best_answers(store: Store, batch_id: str, folder) -> list[str]:
    with sync_jobs():
        call("CreateBatchPrediction", {"BatchPredictionId": batch_id, "MLModelId": "m",
                                       "BatchPredictionDataSourceId": "m-ds", "OutputUri": str(folder)}, store)
    header, rows = result_rows(folder / "batch-prediction" / "result" / f"{batch_id}-m-ds.csv.gz")
    return [row[header.index("bestAnswer")] for row in rows]


def test_a_new_score_threshold_changes_best_answers_and_predicted_labels(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY")
    call("CreateRealtimeEndpoint", {"MLModelId": "m"}, store)
    frame, columns, target = tiny_frame("BINARY")
    scores = model_scores(store, "m", tmp_path / "m-ds.csv", schema_text(columns, target))
    middle = float(sorted(scores)[len(scores) // 2])
    assert "ScoreThresholdLastUpdatedAt" not in call("GetMLModel", {"MLModelId": "m"}, store)
    record = {k: str(v) for k, v in frame.iloc[0].items()}
    for step, threshold in enumerate((0.0, middle, 1.0)):
        call("UpdateMLModel", {"MLModelId": "m", "ScoreThreshold": threshold}, store)
        model = call("GetMLModel", {"MLModelId": "m"}, store)
        assert model["ScoreThreshold"] == threshold
        assert model["ScoreThresholdLastUpdatedAt"] >= model["CreatedAt"]
        answers = batch_best_answers(store, f"b{step}", tmp_path / f"out{step}")
        assert answers == ["1" if s >= threshold else "0" for s in scores]
        prediction = call("Predict", {"MLModelId": "m", "Record": record, "PredictEndpoint": ENDPOINT_URL},
                          store)["Prediction"]
        expected = "1" if scores[0] >= threshold else "0"
        assert prediction["predictedLabel"] == expected
        assert list(prediction["predictedScores"]) == [expected]
    assert answers.count("1") < len(scores)


@pytest.mark.parametrize("model_type", ["MULTICLASS", "REGRESSION"])
def test_a_score_threshold_on_a_non_binary_model_is_invalid_input(tmp_path, model_type):
    store = Store()
    tiny_model(store, tmp_path, "m", model_type)
    before = snapshot(store)
    with pytest.raises(InvalidInputException, match="ScoreThreshold"):
        call("UpdateMLModel", {"MLModelId": "m", "ScoreThreshold": 0.3}, store)
    assert snapshot(store) == before


@pytest.mark.parametrize("threshold", [-0.01, 1.01])
def test_a_score_threshold_outside_zero_to_one_is_invalid_input(tmp_path, threshold):
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY")
    before = snapshot(store)
    with pytest.raises(InvalidInputException, match="ScoreThreshold"):
        call("UpdateMLModel", {"MLModelId": "m", "ScoreThreshold": threshold}, store)
    assert snapshot(store) == before


def test_update_and_delete_of_an_unknown_model_are_not_found():
    store = Store()
    with pytest.raises(ResourceNotFoundException):
        call("UpdateMLModel", {"MLModelId": "ghost", "MLModelName": "x"}, store)
    with pytest.raises(ResourceNotFoundException):
        call("DeleteMLModel", {"MLModelId": "ghost"}, store)


# -- DeleteMLModel ----------------------------------------------------------------------------------


def test_a_deleted_model_keeps_its_id_with_status_deleted(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY")
    assert call("DeleteMLModel", {"MLModelId": "m"}, store) == {"MLModelId": "m"}
    model = call("GetMLModel", {"MLModelId": "m"}, store)
    assert model["Status"] == "DELETED"
    assert model["SizeInBytes"] > 0
    deleted = call("DescribeMLModels", {"FilterVariable": "Status", "EQ": "DELETED"}, store)["Results"]
    assert [r["MLModelId"] for r in deleted] == ["m"]


def test_a_deleted_model_cannot_train_anything_new(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY")
    call("DeleteMLModel", {"MLModelId": "m"}, store)
    before = snapshot(store)
    with pytest.raises(InvalidInputException, match="DELETED"):
        call("CreateEvaluation", {"EvaluationId": "e", "MLModelId": "m", "EvaluationDataSourceId": "m-ds"}, store)
    assert snapshot(store) == before
