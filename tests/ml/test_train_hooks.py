"""train_model's hooks for Clean Rooms ML: stopping between mini-batches, warm starts, a validation loss per pass.

Amazon ML passes none of them and trains as before; each hook is tested on the learner alone here.
"""

from __future__ import annotations

import numpy as np
import pytest

from aml_cli.ml import train as train_module
from aml_cli.ml.default_recipe import default_recipe
from aml_cli.ml.model_file import load_model
from aml_cli.ml.parameters import parse
from aml_cli.ml.reader import iter_chunks
from aml_cli.ml.statistics import StatisticsAccumulator
from aml_cli.ml.train import TrainingStopped, batch_size_for, train_model
from aml_cli.ml.warm_start import WarmStart
from tests.ml.test_train import dataset, write_data


def _prepared(tmp_path, kind="BINARY", n=3000, seed=0):
    frame, types = dataset(n=n, seed=seed, kind=kind)
    folder = tmp_path / f"data-{seed}"
    folder.mkdir()
    path, schema = write_data(folder, frame, types)
    accumulator = StatisticsAccumulator(schema)
    for chunk in iter_chunks([path], schema):
        accumulator.update(chunk)
    return path, schema, accumulator.result()


def _train(tmp_path, path, schema, statistics, name, kind="BINARY", passes=5, **hooks):
    lines: list[str] = []
    recipe = hooks.pop("recipe", None) or default_recipe(schema, statistics)
    result = train_model(chunks=lambda: (c.frame for c in iter_chunks([path], schema)), schema=schema,
                         statistics=statistics, recipe_text=recipe, model_type=kind,
                         settings=parse({"sgd.maxPasses": str(passes)}), seed="s", cache_dir=tmp_path / f"c-{name}",
                         out_path=tmp_path / name, log=lines.append, **hooks)
    return result, load_model(tmp_path / name), lines


class After:
    """should_stop answering True from its n-th question on."""

    def __init__(self, n: int) -> None:
        self.asked, self.n = 0, n

    def __call__(self) -> bool:
        self.asked += 1
        return self.asked >= self.n


def test_stopping_mid_pass_keeps_the_last_complete_pass(tmp_path):
    path, schema, statistics = _prepared(tmp_path)
    rows = 3000 - 60  # every 50th target is missing
    per_pass = -(-rows // batch_size_for(rows, "BINARY"))
    full, full_model, _ = _train(tmp_path, path, schema, statistics, "two.aml", passes=2)
    stopped, stopped_model, lines = _train(tmp_path, path, schema, statistics, "cut.aml", passes=5,
                                           should_stop=After(2 * per_pass + per_pass // 2 + 2))
    assert stopped.stopped and len(stopped.pass_losses) == 2
    assert stopped.pass_losses == full.pass_losses
    assert np.array_equal(stopped_model.weights, full_model.weights)
    assert "Stopped after 2 of 5 passes; the model is that of pass 2." in lines


def test_stopping_before_the_first_pass_ends_is_training_stopped(tmp_path):
    path, schema, statistics = _prepared(tmp_path)
    with pytest.raises(TrainingStopped, match="before its first pass"):
        _train(tmp_path, path, schema, statistics, "none.aml", should_stop=After(3))
    assert not (tmp_path / "none.aml").exists()


def test_nobody_asking_to_stop_trains_exactly_as_without_the_hook(tmp_path):
    path, schema, statistics = _prepared(tmp_path)
    plain, plain_model, _ = _train(tmp_path, path, schema, statistics, "plain.aml")
    asked, asked_model, _ = _train(tmp_path, path, schema, statistics, "asked.aml", should_stop=lambda: False)
    assert not asked.stopped and asked.pass_losses == plain.pass_losses
    assert np.array_equal(asked_model.weights, plain_model.weights)


@pytest.mark.parametrize("kind", ["BINARY", "MULTICLASS", "REGRESSION"])
def test_a_warm_start_without_steps_keeps_the_base_weights_and_transformations(tmp_path, monkeypatch, kind):
    path, schema, statistics = _prepared(tmp_path, kind=kind)
    _, base, _ = _train(tmp_path, path, schema, statistics, "base.aml", kind=kind)
    new_path, new_schema, new_statistics = _prepared(tmp_path, kind=kind, seed=5)
    monkeypatch.setattr(train_module, "learning_rate_for", lambda *args, **kwargs: 1e-30)
    _, continued, lines = _train(tmp_path, new_path, new_schema, new_statistics, "warm.aml", kind=kind,
                                 warm_start=WarmStart.of(base))
    assert continued.featurizer.state()[0] == base.featurizer.state()[0]
    assert continued.recipe_text == base.recipe_text and continued.labels == base.labels
    assert (continued.target_mean, continued.target_scale) == (base.target_mean, base.target_scale)
    assert np.allclose(continued.weights, base.weights, atol=1e-5)
    assert not any("whitened basis" in line for line in lines)


def test_a_warm_start_learns_from_the_new_rows(tmp_path):
    path, schema, statistics = _prepared(tmp_path, n=600)
    _, base, _ = _train(tmp_path, path, schema, statistics, "base.aml")
    new_path, new_schema, new_statistics = _prepared(tmp_path, seed=9)
    result, continued, _ = _train(tmp_path, new_path, new_schema, new_statistics, "warm.aml", passes=1,
                                  warm_start=WarmStart.of(base))
    assert not np.array_equal(continued.weights, base.weights) and len(result.pass_losses) == 1


def test_a_validation_set_is_scored_after_every_pass(tmp_path):
    path, schema, statistics = _prepared(tmp_path)
    held_path, _, _ = _prepared(tmp_path, seed=3)
    result, _, lines = _train(tmp_path, path, schema, statistics, "v.aml", passes=4,
                              validation=lambda: (c.frame for c in iter_chunks([held_path], schema)))
    assert len(result.validation_losses) == len(result.pass_losses) >= 2
    assert all(0 < loss < 0.7 for loss in result.validation_losses)
    first = next(line for line in lines if "mean validation loss" in line)
    assert first.startswith("Pass 1: mean validation loss ")
