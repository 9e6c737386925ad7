"""Training's fast paths give the plain path's model byte for byte: featurising and cutting batches on several
threads, and SGD's state stored by feature frequency (``feature_slots.py``)."""

import time

import pytest

from aml_cli.ml import newton_cg
from aml_cli.ml import train as train_module
from aml_cli.ml.default_recipe import default_recipe
from aml_cli.ml.feature_cache import FeatureCache
from aml_cli.ml.features import Featurizer
from aml_cli.ml.parameters import parse
from aml_cli.ml.reader import iter_chunks
from aml_cli.ml.statistics import StatisticsAccumulator
from tests.ml.test_train import dataset, many_words, write_data

CHUNK_BYTES = 16 << 10  # the 3,000 rows in seven chunks


@pytest.fixture
def first_chunks_slowest(monkeypatch):
    """Each chunk featurised more slowly than the next: a writer that took parts as they finished would
    store them out of order."""
    transform = Featurizer.transform
    calls = iter(range(10_000))

    def slow(self, frame):
        time.sleep(max(0.0, 0.05 - 0.004 * next(calls)))
        return transform(self, frame)

    monkeypatch.setattr(Featurizer, "transform", slow)


def prepared(tmp_path):
    path, schema = write_data(tmp_path, *many_words())
    accumulator = StatisticsAccumulator(schema)
    for chunk in iter_chunks([path], schema):
        accumulator.update(chunk)
    statistics = accumulator.result()
    return path, schema, statistics


def cache_files(directory):
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_the_feature_cache_is_byte_identical_at_one_and_two_threads(tmp_path, first_chunks_slowest):
    path, schema, statistics = prepared(tmp_path)
    featurizer = train_module._fit_featurizer(default_recipe(schema, statistics), schema, statistics)
    caches = {}
    for threads in (1, 2):
        cache = FeatureCache(tmp_path / f"cache-{threads}", featurizer.n_features)
        skipped = train_module._featurize(
            lambda: (c.frame for c in iter_chunks([path], schema, chunk_bytes=CHUNK_BYTES)),
            schema, featurizer, "BINARY", ["0", "1"], cache, threads=threads)
        caches[threads] = (skipped, cache.rows, cache_files(cache.directory))
    assert len(caches[1][2]) == 4 * 7  # seven parts, four files each
    assert caches[1][0] == 60  # the missing targets, counted alike
    assert caches[1] == caches[2]


def train(tmp_path, path, schema, statistics, threads, name, kind="BINARY", parameters=None):
    lines = []
    train_module.train_model(
        chunks=lambda: (c.frame for c in iter_chunks([path], schema, chunk_bytes=CHUNK_BYTES)),
        schema=schema, statistics=statistics, recipe_text=default_recipe(schema, statistics), model_type=kind,
        settings=parse(parameters or {}), seed="model-1", cache_dir=tmp_path / f"cache-{name}",
        out_path=tmp_path / name, log=lines.append, threads=threads)
    return (tmp_path / name).read_bytes(), [line for line in lines if not line.startswith("Training time")]


def test_sgd_trains_the_same_model_bit_for_bit_at_one_and_two_threads(tmp_path, monkeypatch, first_chunks_slowest):
    monkeypatch.setattr(newton_cg, "MAX_NNZ", 0)  # many features and rows too many to keep: SGD learns them
    path, schema, statistics = prepared(tmp_path)
    one, log_one = train(tmp_path, path, schema, statistics, 1, "one.aml")
    two, log_two = train(tmp_path, path, schema, statistics, 2, "two.aml")
    assert any("whitened basis" in line for line in log_one)  # SGD, with its block
    assert one == two and log_one == log_two


def test_newton_cg_trains_the_same_model_bit_for_bit_at_one_and_three_threads(tmp_path):
    path, schema, statistics = prepared(tmp_path)
    one, log_one = train(tmp_path, path, schema, statistics, 1, "one.aml")
    three, log_three = train(tmp_path, path, schema, statistics, 3, "three.aml")
    assert any("conjugate gradients" in line for line in log_one)
    assert one == three and log_one == log_three


@pytest.mark.parametrize(("kind", "parameters"), [
    ("BINARY", {}),
    ("MULTICLASS", {"sgd.shuffleType": "auto"}),
    ("REGRESSION", {"sgd.l2RegularizationAmount": "1e-4"}),
    ("BINARY", {"sgd.l1RegularizationAmount": "1e-5"}),
])
def test_sgd_state_stored_by_frequency_trains_the_same_model_bit_for_bit(tmp_path, monkeypatch, kind, parameters):
    monkeypatch.setattr(newton_cg, "MAX_NNZ", 0)
    frame, types = many_words()
    frame["target"] = dataset(kind=kind)[0]["target"]
    types["target"] = dataset(kind=kind)[1]["target"]
    path, schema = write_data(tmp_path, frame, types)
    accumulator = StatisticsAccumulator(schema)
    for chunk in iter_chunks([path], schema):
        accumulator.update(chunk)
    statistics = accumulator.result()
    models = {}
    for compact in (False, True):
        monkeypatch.setattr(train_module, "COMPACT_STATE", compact)
        models[compact] = train(tmp_path, path, schema, statistics, 1, f"{compact}.aml", kind, parameters)
    assert any("SGD" in line or "whitened" in line for line in models[True][1])
    assert models[False] == models[True]
