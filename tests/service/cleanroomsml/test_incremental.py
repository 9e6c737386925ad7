"""Versions and incremental training: a warm start from the base version's recipe, transformations, weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aml_cli.api.errors import ResourceNotFoundException, ValidationException
from aml_cli.ml.model_file import load_model
from tests.service.cleanroomsml.support import Chain, channel, hyperparameters, ml, rows


@pytest.fixture
def chain(store, tmp_path) -> Chain:
    """ds-1 holds two halves: A (id < 300) and B (id >= 300, its x1 shifted, so B teaches something new)."""
    built = Chain(store, tmp_path / "data", data=rows(300) + rows(300, seed=7, start=300, shift=0.7))
    built.a = channel(store, built.member, built.association, 'SELECT * FROM "ds-1" WHERE id < 300', name="A")
    built.b = channel(store, built.member, built.association, 'SELECT * FROM "ds-1" WHERE id >= 300', name="B")
    return built


def _model_of(store, version: str):
    return load_model(store.get("TrainedModel", version)["_model_path"])


def _continue(chain: Chain, base: dict, name: str = "model", version: str | None = None, **extra) -> dict:
    incremental = {"trainedModelArn": base["trainedModelArn"], "channelName": "base"}
    if version is not None:
        incremental["versionIdentifier"] = version
    return chain.model(name=name, channels={"train": chain.b}, incrementalTrainingDataChannels=[incremental],
                       **extra)


def test_a_continued_model_is_a_new_version_under_the_same_arn(chain, store):
    v1 = chain.model(channels={"train": chain.a})
    v2 = _continue(chain, v1)
    assert v2["trainedModelArn"] == v1["trainedModelArn"] and v2["versionIdentifier"] != v1["versionIdentifier"]
    latest = chain.get(v1["trainedModelArn"])
    assert latest["versionIdentifier"] == v2["versionIdentifier"] and latest["status"] == "ACTIVE"
    assert latest["incrementalTrainingDataChannels"] == [{"channelName": "base", "versionIdentifier":
                                                          v1["versionIdentifier"], "modelName": "model"}]
    assert "incrementalTrainingDataChannels" not in chain.get(v1["trainedModelArn"], v1["versionIdentifier"])
    request = {"membershipIdentifier": chain.member["id"], "trainedModelArn": v1["trainedModelArn"]}
    versions = ml("ListTrainedModelVersions", request, store)["trainedModels"]
    assert [v["versionIdentifier"] for v in versions] == [v2["versionIdentifier"], v1["versionIdentifier"]]
    assert len(ml("ListTrainedModelVersions", {**request, "status": "ACTIVE"}, store)["trainedModels"]) == 2
    assert ml("ListTrainedModelVersions", {**request, "status": "CREATE_FAILED"}, store)["trainedModels"] == []
    summaries = ml("ListTrainedModels", {"membershipIdentifier": chain.member["id"]}, store)["trainedModels"]
    assert [(s["trainedModelArn"], s["versionIdentifier"]) for s in summaries] == [(v1["trainedModelArn"],
                                                                                     v2["versionIdentifier"])]


def test_another_name_starts_a_new_model_from_the_base(chain, store):
    v1 = chain.model(channels={"train": chain.a})
    other = _continue(chain, v1, name="spin-off")
    assert other["trainedModelArn"] != v1["trainedModelArn"]
    assert chain.get(other["trainedModelArn"])["incrementalTrainingDataChannels"][0]["modelName"] == "model"
    assert _model_of(store, other["versionIdentifier"]).recipe_text == _model_of(store,
                                                                                 v1["versionIdentifier"]).recipe_text


def test_a_warm_start_without_steps_keeps_the_base_weights(chain, store, monkeypatch):
    from aml_cli.ml import train

    v1 = chain.model(channels={"train": chain.a})
    monkeypatch.setattr(train, "learning_rate_for", lambda *args, **kwargs: 1e-30)
    v2 = _continue(chain, v1, params=hyperparameters(**{"sgd.maxPasses": "3"}))
    base, continued = _model_of(store, v1["versionIdentifier"]), _model_of(store, v2["versionIdentifier"])
    assert continued.featurizer.state()[0] == base.featurizer.state()[0]
    assert np.allclose(continued.weights, base.weights, atol=1e-6)
    assert np.count_nonzero(base.weights) > 5


def _log_loss(model, frame) -> float:
    p = np.clip(model.predict_frame(frame), 1e-12, 1 - 1e-12)
    y = frame["y"].to_numpy(dtype=float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def test_a_warm_start_beats_a_fresh_one_pass_model_on_everything_it_saw(chain, store):
    from aml_cli.ml.reader import iter_chunks
    from aml_cli.ml.schema import parse_schema

    one = hyperparameters(**{"sgd.maxPasses": "1"})
    v1 = chain.model(channels={"train": chain.a})
    warm = _continue(chain, v1, params=one)
    fresh = chain.model(name="fresh", channels={"train": chain.b}, params=one)
    record = store.get("TrainedModel", v1["versionIdentifier"])
    source = store.get("MLInputChannel", chain.channel.rsplit("/", 1)[1])
    frame = next(iter_chunks([Path(source["_data_path"])], parse_schema(record["_schema"]))).frame
    assert len(frame) == 600
    assert _log_loss(_model_of(store, warm["versionIdentifier"]), frame) < _log_loss(
        _model_of(store, fresh["versionIdentifier"]), frame)


def test_a_base_must_exist_be_active_and_take_no_channel_name_twice(chain, store):
    v1 = chain.model(channels={"train": chain.a})
    with pytest.raises(ResourceNotFoundException, match="no version"):
        _continue(chain, v1, version="00000000-0000-4000-8000-000000000000")
    failed = chain.model(name="failed", params={"MLModelType": "BINARY"})
    with pytest.raises(ValidationException, match="CREATE_FAILED, not ACTIVE"):
        _continue(chain, failed, name="failed")
    with pytest.raises(ValidationException, match="used more than once"):
        chain.model(channels={"train": chain.b}, incrementalTrainingDataChannels=[
            {"trainedModelArn": v1["trainedModelArn"], "channelName": "train"}])


def test_a_continued_model_keeps_its_type_and_target(chain):
    v1 = chain.model(channels={"train": chain.a})
    v2 = _continue(chain, v1, params=hyperparameters(MLModelType="REGRESSION", targetAttributeName="x1"))
    view = chain.get(v2["trainedModelArn"], v2["versionIdentifier"])
    assert view["status"] == "CREATE_FAILED" and view["statusDetails"]["statusCode"] == "ALGORITHM_ERROR"
    assert "keeps its type and target" in view["statusDetails"]["message"]
