"""One engine: a Clean Rooms ML trained model and an Amazon ML model of the same rows and parameters are the
same model, and score the same rows alike (spec §4, issue point 5)."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from aml_cli.ml.batch_output import java_scientific
from aml_cli.ml.model_file import load_model
from aml_cli.service import call
from tests.service.cleanroomsml.support import ROLE, Chain, hyperparameters, ml

OUTPUTS = ["ALL_CATEGORICAL", "quantile_bin(x1,5)", "normalize(x2)", "cartesian(color,quantile_bin(x2,5))"]
RECIPE = json.dumps({"groups": {}, "assignments": {}, "outputs": OUTPUTS})


@pytest.fixture
def chain(store, tmp_path) -> Chain:
    return Chain(store, tmp_path / "data")


def _both(chain: Chain, parameters: dict[str, str], recipe: str | None = None):
    """(the Amazon ML model, the Clean Rooms ML version) trained on ds-1's rows with the same settings."""
    request = {"MLModelId": "ml-1", "MLModelType": "BINARY", "TrainingDataSourceId": "ds-1",
               "Parameters": parameters}
    if recipe is not None:
        request["Recipe"] = recipe
    call("CreateMLModel", request, chain.store)
    params = hyperparameters(**parameters, **({"recipe": recipe} if recipe else {}))
    created = chain.model(params=params)
    assert chain.get(created["trainedModelArn"])["status"] == "ACTIVE"
    amazon = chain.store.get("MLModel", "ml-1")
    assert amazon["Status"] == "COMPLETED"
    return amazon, chain.store.get("TrainedModel", created["versionIdentifier"]), created


@pytest.mark.parametrize(("parameters", "recipe"), [
    ({}, None),
    ({"sgd.maxPasses": "4", "sgd.l2RegularizationAmount": "1e-4", "sgd.maxMLModelSizeInBytes": "200000"}, RECIPE),
    ({"sgd.maxPasses": "3", "sgd.l1RegularizationAmount": "1e-5"}, RECIPE),
], ids=["defaults", "l2-recipe", "l1-recipe"])
def test_the_same_rows_recipe_and_parameters_give_identical_weights(chain, parameters, recipe):
    amazon, version, _ = _both(chain, parameters, recipe)
    first, second = load_model(amazon["_model_path"]), load_model(version["_model_path"])
    assert first.recipe_text == second.recipe_text
    assert first.featurizer.state()[0] == second.featurizer.state()[0]
    assert first.labels == second.labels and first.parameters == second.parameters
    assert first.weights.shape == second.weights.shape and np.count_nonzero(first.weights) > 3
    assert np.array_equal(first.weights, second.weights)
    assert amazon["_training"]["pass_losses"] == version["_training"]["pass_losses"]


def _batch_scores(chain: Chain, out: Path) -> list[list[str]]:
    call("CreateBatchPrediction", {"BatchPredictionId": "bp-1", "MLModelId": "ml-1",
                                   "BatchPredictionDataSourceId": "ds-1", "OutputUri": str(out)}, chain.store)
    [result] = (out / "batch-prediction" / "result").glob("*.gz")
    with gzip.open(result, "rt", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _inference(chain: Chain, created: dict, out: Path, accept: str) -> Path:
    ml("PutMLConfiguration", {"membershipIdentifier": chain.member["id"], "defaultOutputLocation": {
        "destination": {"s3Destination": {"s3Uri": str(out)}}, "roleArn": ROLE}}, chain.store)
    arn = ml("StartTrainedModelInferenceJob", {
        "membershipIdentifier": chain.member["id"], "name": "score", "trainedModelArn": created["trainedModelArn"],
        "resourceConfig": {"instanceType": "ml.m5.xlarge"}, "dataSource": {"mlInputChannelArn": chain.channel},
        "outputConfiguration": {"accept": accept, "members": [{"accountId": "000000000000"}]}},
        chain.store)["trainedModelInferenceJobArn"]
    job_id = arn.rsplit("/", 1)[1]
    return out / chain.member["id"] / job_id / ("output.csv" if accept == "text/csv" else "output.json")


def test_an_inference_job_and_a_batch_prediction_give_identical_scores(chain, tmp_path):
    _, _, created = _both(chain, {"sgd.maxPasses": "3"})
    batch = _batch_scores(chain, tmp_path / "batch")
    assert batch[0] == ["tag", "bestAnswer", "score"] and len(batch) == 601
    with open(_inference(chain, created, tmp_path / "ml", "text/csv"), newline="", encoding="utf-8") as handle:
        scored = list(csv.reader(handle))
    assert scored[0] == ["id", "x1", "x2", "color", "y", "bestAnswer", "score"] and len(scored) == 601
    assert [row[-2:] for row in scored[1:]] == [row[1:] for row in batch[1:]]
    assert [row[0] for row in scored[1:]] == [row[0] for row in batch[1:]]  # the rowId, as the batch's tag


def test_json_inference_output_carries_the_same_scores_as_numbers(chain, tmp_path):
    _, _, created = _both(chain, {"sgd.maxPasses": "3"})
    batch = _batch_scores(chain, tmp_path / "batch")
    lines = _inference(chain, created, tmp_path / "ml", "application/json").read_text().splitlines()
    objects = [json.loads(line) for line in lines]
    assert len(objects) == 600 and list(objects[0]) == ["id", "x1", "x2", "color", "y", "bestAnswer", "score"]
    assert list(java_scientific(np.array([o["score"] for o in objects]))) == [row[2] for row in batch[1:]]
    assert [o["bestAnswer"] for o in objects] == [row[1] for row in batch[1:]]
    assert isinstance(objects[0]["id"], int) and isinstance(objects[0]["color"], str)
