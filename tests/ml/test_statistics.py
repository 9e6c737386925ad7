import copy
import json

import numpy as np
import pandas as pd
import pytest

from aml_cli.ml.reader import Chunk, ReadReport, iter_chunks
from aml_cli.ml.schema import parse_schema
from aml_cli.ml.statistics import QUANTILE_POINTS, StatisticsAccumulator

sklearn_datasets = pytest.importorskip("sklearn.datasets")

TYPES = {"sepal_length": "NUMERIC", "sepal_width": "NUMERIC", "petal_length": "NUMERIC", "petal_width": "NUMERIC",
         "species": "CATEGORICAL", "note": "TEXT", "big": "BINARY"}


@pytest.fixture(scope="module")
def iris():
    """Iris (a real dataset) with a text, a BINARY and some missing values added, written as CSV."""
    data = sklearn_datasets.load_iris(as_frame=True)
    frame = data.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    frame["species"] = data.target_names[data.target]
    rng = np.random.default_rng(0)
    frame["note"] = [" ".join(rng.choice(["wide", "long", "petal", "Sepal", "iris"], rng.integers(1, 5)))
                     for _ in range(len(frame))]
    frame["big"] = np.where(frame["petal_length"] > 4, "yes", "N")
    frame = frame.drop(columns="target")
    frame.loc[rng.random(len(frame)) < 0.1, "sepal_width"] = np.nan
    frame.loc[rng.random(len(frame)) < 0.1, "note"] = np.nan
    return frame


def schema_for(target, header=True):
    attributes = [{"attributeName": name, "attributeType": kind} for name, kind in TYPES.items()]
    return parse_schema(json.dumps({"targetAttributeName": target, "dataFileContainsHeader": header,
                                    "attributes": attributes}))


def statistics(path, schema, **options):
    accumulator = StatisticsAccumulator(schema)
    for chunk in iter_chunks([path], schema, report=ReadReport(), **options):
        accumulator.update(chunk)
    return accumulator.result()


@pytest.fixture(scope="module")
def iris_stats(iris, tmp_path_factory):
    path = tmp_path_factory.mktemp("iris") / "iris.csv"
    iris.to_csv(path, index=False)
    return statistics(path, schema_for("species")), path


def by_name(result):
    return {attribute["name"]: attribute for attribute in result["attributes"]}


@pytest.mark.parametrize("name", ["sepal_length", "sepal_width", "petal_length", "petal_width"])
def test_numeric_statistics_match_pandas_on_iris(iris, iris_stats, name):
    got = by_name(iris_stats[0])[name]
    column = iris[name]
    assert (got["count"], got["missing"], got["invalid"]) == (column.count(), column.isna().sum(), 0)
    assert got["min"] == column.min() and got["max"] == column.max()
    assert got["mean"] == pytest.approx(column.mean(), rel=1e-12)
    assert got["std"] == pytest.approx(column.std(), rel=1e-12)
    assert got["distinct"] == column.nunique()
    np.testing.assert_allclose(got["quantiles"], column.dropna().quantile(QUANTILE_POINTS).to_numpy(), rtol=1e-12)


def test_categorical_statistics_match_pandas_on_iris(iris, iris_stats):
    got = by_name(iris_stats[0])["species"]
    counts = iris["species"].value_counts()
    assert got["distinct"] == 3 and got["count"] == 150 and got["missing"] == 0
    assert dict(got["top"]) == counts.to_dict()
    assert iris_stats[0]["target_distribution"] == counts.to_dict()
    assert iris_stats[0]["target"] == "species"


def test_text_statistics_match_pandas_token_counts(iris, iris_stats):
    got = by_name(iris_stats[0])["note"]
    tokens = iris["note"].dropna().str.split().explode()
    assert got["count"] == iris["note"].count() and got["missing"] == iris["note"].isna().sum()
    assert got["tokens"] == len(tokens)
    assert got["distinct_tokens"] == tokens.nunique()
    assert got["mean_tokens"] == pytest.approx(len(tokens) / iris["note"].count())
    assert dict(got["top"]) == tokens.value_counts().to_dict()
    assert [count for _, count in got["top"]] == sorted((count for _, count in got["top"]), reverse=True)


def test_binary_statistics_count_true_and_false(iris, iris_stats):
    got = by_name(iris_stats[0])["big"]
    assert (got["true"], got["false"]) == ((iris["big"] == "yes").sum(), (iris["big"] == "N").sum())


def test_the_result_is_plain_json(iris_stats):
    result = iris_stats[0]
    assert json.loads(json.dumps(result, allow_nan=False)) == result
    assert (result["version"], result["rows"], result["invalid_rows"]) == (1, 150, 0)
    assert [a["type"] for a in result["attributes"]] == list(TYPES.values())


def test_statistics_do_not_depend_on_the_chunk_size(iris_stats):
    whole, path = copy.deepcopy(iris_stats)
    pieces = statistics(path, schema_for("species"), chunk_bytes=200)
    for piece, one in zip(pieces["attributes"], whole["attributes"], strict=True):
        for moment in ("mean", "std"):  # summed in a different order: equal up to rounding
            expected = one.pop(moment, None)
            got = piece.pop(moment, None)
            assert got == (None if expected is None else pytest.approx(expected, rel=1e-12))
    assert pieces == whole


def test_a_binary_target_has_a_zero_one_distribution(iris_stats):
    result = statistics(iris_stats[1], schema_for("big"))
    assert result["target_distribution"] == {"0": by_name(result)["big"]["false"], "1": by_name(result)["big"]["true"]}


def test_a_numeric_target_has_a_histogram_over_its_range(iris, iris_stats):
    histogram = statistics(iris_stats[1], schema_for("petal_length"))["target_distribution"]["histogram"]
    counts, edges = np.histogram(iris["petal_length"], bins=20)
    assert histogram["counts"] == counts.tolist()
    np.testing.assert_allclose(histogram["edges"], edges)


def test_no_target_means_no_distribution(iris_stats):
    result = statistics(iris_stats[1], schema_for(None))
    assert result["target"] is None and result["target_distribution"] is None


@pytest.mark.parametrize("keep_invalid", [False, True])
def test_invalid_records_are_counted_not_described(tmp_path, keep_invalid):
    schema = parse_schema(json.dumps({"attributes": [{"attributeName": "x", "attributeType": "NUMERIC"},
                                                     {"attributeName": "y", "attributeType": "BINARY"}]}))
    path = tmp_path / "d.csv"
    path.write_text("1,yes\nabc,no\n3,maybe\n4\n5,no\n,\n")
    result = statistics(path, schema, keep_invalid=keep_invalid)
    x, y = by_name(result)["x"], by_name(result)["y"]
    assert (result["rows"], result["invalid_rows"]) == (3, 3)
    assert (x["count"], x["missing"], x["invalid"], x["mean"]) == (2, 1, 1, 3.0)
    assert (y["true"], y["false"], y["missing"], y["invalid"]) == (1, 1, 1, 1)


def chunk_of(frame, start=0):
    rows = len(frame)
    return Chunk(frame=frame, line_numbers=np.arange(start + 1, start + rows + 1), file_index=0,
                 valid=np.ones(rows, dtype=bool), nbytes=0, positions=np.arange(start, start + rows),
                 invalid_counts={})


def numeric_schema(*names):
    return parse_schema(json.dumps({"attributes": [{"attributeName": n, "attributeType": "NUMERIC"} for n in names]}))


def test_quantiles_of_a_column_larger_than_the_sample_stay_close():
    values = np.random.default_rng(1).standard_normal(400_000)
    accumulator = StatisticsAccumulator(numeric_schema("v"))
    for start in range(0, len(values), 50_000):
        accumulator.update(chunk_of(pd.DataFrame({"v": values[start : start + 50_000]}), start))
    got = accumulator.result()["attributes"][0]
    exact = np.quantile(values, QUANTILE_POINTS)
    assert np.abs(np.asarray(got["quantiles"][10:-10]) - exact[10:-10]).max() < 0.03
    assert got["quantiles"][0] >= values.min() and got["quantiles"][-1] <= values.max()
    assert got["mean"] == pytest.approx(values.mean(), abs=1e-12)
    assert got["std"] == pytest.approx(values.std(ddof=1), rel=1e-10)
    assert got["distinct"] == pytest.approx(400_000, rel=0.05)


def test_an_all_missing_or_single_value_numeric_column_gives_nulls_not_nan():
    accumulator = StatisticsAccumulator(numeric_schema("empty", "one"))
    accumulator.update(chunk_of(pd.DataFrame({"empty": [np.nan, np.nan], "one": [2.5, np.nan]})))
    empty, one = accumulator.result()["attributes"]
    assert (empty["min"], empty["mean"], empty["std"], empty["quantiles"], empty["missing"]) == (None, None, None,
                                                                                                 [], 2)
    assert (one["std"], one["distinct"], one["quantiles"][0], one["quantiles"][-1]) == (0.0, 1, 2.5, 2.5)


def test_frequent_categories_survive_counter_pruning():
    schema = parse_schema(json.dumps({"attributes": [{"attributeName": "c", "attributeType": "CATEGORICAL"}]}))
    accumulator = StatisticsAccumulator(schema)
    rare = np.array([f"rare{i}" for i in range(300_000)], dtype=object)
    for start in range(0, len(rare), 60_000):
        block = np.concatenate([rare[start : start + 60_000], np.array(["hot"] * 1000 + ["warm"] * 500, dtype=object)])
        accumulator.update(chunk_of(pd.DataFrame({"c": block}), start))
    got = accumulator.result()["attributes"][0]
    assert got["top"][:2] == [["hot", 5000], ["warm", 2500]]
    assert len(got["top"]) == 1000
    assert got["distinct"] == pytest.approx(300_002, rel=0.05)


# merging the accumulators of consecutive parts (threads, a cluster's partitions)


def partition_statistics(path, schema, partition_bytes, chunk_bytes, tree=False):
    """One accumulator per partition, merged in order (or pairwise, as a reduction tree does)."""
    from aml_cli.ml.partitions import place, plan, read_partition, scan

    partitions = plan([path], partition_bytes, chunk_bytes)
    accumulators = []
    for task in place(partitions, [scan(partition, schema) for partition in partitions]):
        accumulator = StatisticsAccumulator(schema)
        for chunk in read_partition(task, schema):
            accumulator.update(chunk)
        accumulators.append(accumulator)
    while tree and len(accumulators) > 1:
        pairs = [accumulators[i : i + 2] for i in range(0, len(accumulators), 2)]
        accumulators = [pair[0].merge(pair[1]) if len(pair) == 2 else pair[0] for pair in pairs]
    merged = StatisticsAccumulator(schema)
    for accumulator in accumulators:
        merged.merge(accumulator)
    return merged.result(), len(partitions)


@pytest.mark.parametrize("tree", [False, True])
@pytest.mark.parametrize("target", ["species", "petal_length", "big"])
def test_merged_partition_statistics_equal_the_single_run_exactly(iris_stats, target, tree):
    path = iris_stats[1]
    whole = statistics(path, schema_for(target), chunk_bytes=300)
    merged, partitions = partition_statistics(path, schema_for(target), 900, 300, tree=tree)
    assert partitions > 3
    assert merged == whole  # mean and std too, bit for bit: the same chunks' moments folded in the same order


def test_merged_statistics_beyond_the_sample_and_the_distinct_sketch_equal_the_single_run(tmp_path):
    rng = np.random.default_rng(3)
    values = np.round(rng.lognormal(0, 2, 150_000), 6)
    path = tmp_path / "v.csv"
    pd.DataFrame({"v": values}).to_csv(path, index=False, header=False)
    schema = numeric_schema("v")
    whole = statistics(path, schema, chunk_bytes=100_000)
    merged, partitions = partition_statistics(path, schema, 300_000, 100_000, tree=True)
    assert partitions > 3 and whole["attributes"][0]["distinct"] > 4096  # sketched, and sampled (150,000 > 100,000)
    assert merged == whole
    assert whole["attributes"][0]["mean"] == pytest.approx(values.mean(), rel=1e-12)


def test_pruned_counters_keep_the_frequent_values_when_merged(tmp_path):
    schema = parse_schema(json.dumps({"attributes": [{"attributeName": "c", "attributeType": "CATEGORICAL"}]}))
    rng = np.random.default_rng(5)
    values = np.where(rng.random(240_000) < 0.02, rng.choice(["hot", "warm"], 240_000, p=[0.7, 0.3]),
                      np.char.add("rare", np.arange(240_000).astype(str)))
    path = tmp_path / "c.csv"
    path.write_text("\n".join(values) + "\n")
    whole = statistics(path, schema, chunk_bytes=200_000)
    merged, _ = partition_statistics(path, schema, 800_000, 200_000)
    exact = pd.Series(values).value_counts()
    assert whole["attributes"][0]["top"][:2] == merged["attributes"][0]["top"][:2] == [
        ["hot", int(exact["hot"])], ["warm", int(exact["warm"])]]
    assert merged["attributes"][0]["distinct"] == whole["attributes"][0]["distinct"]
    assert merged["attributes"][0]["count"] == whole["attributes"][0]["count"] == 240_000


def test_statistics_of_another_schema_do_not_merge():
    with pytest.raises(ValueError, match="different schemas"):
        StatisticsAccumulator(numeric_schema("a")).merge(StatisticsAccumulator(numeric_schema("b")))


@pytest.mark.parametrize("extra", [[], ["a-token-longer-than-sixteen-bytes"], ["ÉTÉ café"]])
def test_text_and_categories_in_arrow_form_count_as_python_strings_do(extra):
    pytest.importorskip("pyarrow")
    rng = np.random.default_rng(11)
    words = ["good", "bad", "w1", "w2", "x\ty", "a\x1cb", "c\x01d", "e\x0bf", "", " ", "z" * 16, "y" * 15]
    texts = [" ".join(rng.choice(words, rng.integers(0, 6))) if rng.random() > 0.1 else None for _ in range(4000)]
    texts[5:5] = extra
    cities = [f"c{i % 37}" if i % 11 else None for i in range(len(texts))]
    schema = parse_schema(json.dumps({"attributes": [{"attributeName": "t", "attributeType": "TEXT"},
                                                     {"attributeName": "c", "attributeType": "CATEGORICAL"}]}))
    documents = []
    for dtype in ("str", object):
        frame = pd.DataFrame({"t": pd.Series(texts, dtype=dtype), "c": pd.Series(cities, dtype=dtype)})
        accumulator = StatisticsAccumulator(schema)
        for start in range(0, len(frame), 1000):
            part = frame.iloc[start : start + 1000].reset_index(drop=True)
            accumulator.update(Chunk(frame=part, line_numbers=np.arange(len(part)), file_index=0,
                                     valid=np.ones(len(part), dtype=bool), nbytes=0,
                                     positions=np.arange(start, start + len(part)), invalid_counts={}))
        documents.append(json.dumps(accumulator.result()))
    assert documents[0] == documents[1]


# the fast paths must count exactly as the reference semantics (str.split(), pandas' aligned sums)

TRICKY_WORDS = ["good", "w1", "x\ty", "e\x0bf", "g\x0ch", "k\r\nl", "c\x01d", "\x7f", "", " ", "\t\t", "z" * 16,
                "y" * 17, "a-token-longer-than-sixteen-bytes"]


def tricky_texts(rng, words, rows=3000):
    return [" " * int(rng.integers(0, 3)) + "  ".join(rng.choice(words, rng.integers(0, 6)))
            + "\t" * int(rng.integers(0, 2)) for _ in range(rows)]


@pytest.mark.parametrize("extra", [[], ["a\x1cb", "\x1d", "c\x1e", "d\x1fe"], ["ÉTÉ", "a\u3000b", "x\u00a0y"]])
def test_tokens_of_tricky_text_are_str_split_tokens_on_every_path(extra, monkeypatch):
    from aml_cli.ml import arrow_strings, statistics

    pytest.importorskip("pyarrow")
    texts = tricky_texts(np.random.default_rng(2), TRICKY_WORDS + extra)
    expected = pd.Series([token for text in texts for token in text.split()]).value_counts()
    column = pd.array(texts, dtype="str")
    fast = statistics._count_arrow_tokens(column)
    assert (fast is None) == bool(extra)  # ASCII whitespace in arrow lacks 28-31; non-ASCII is left to Python
    results = []
    for arrow in (True, False):
        if not arrow:
            monkeypatch.setattr(arrow_strings, "arrow_text", lambda values: None)
        results.append(statistics._Text("t", "TEXT", 100_000).summarize(column, np.arange(len(texts))))
    for part in results:
        assert part["tokens"] == expected.sum()
        assert part["counts"].sort_index().to_dict() == expected.sort_index().to_dict()
        assert sorted(part["hashes"]) == sorted(statistics._string_hashes(part["counts"].index))


class ReferenceCounter:
    """The counter as pandas defines it: sums aligned by index (sorted by value), pruned by nlargest."""

    def __init__(self, cap):
        self.cap, self.counts = cap, pd.Series(dtype=np.int64)

    def add_counts(self, fresh):
        self.counts = self.counts.add(fresh, fill_value=0).astype(np.int64)
        if len(self.counts) > self.cap:
            self.counts = self.counts.nlargest(self.cap // 2, keep="first")

    def table(self):
        return self.counts.to_dict()


def test_counter_pruning_keeps_what_pandas_alignment_and_nlargest_keep():
    from aml_cli.ml.statistics import Counter, count_values

    rng = np.random.default_rng(7)
    mine, reference, other = Counter(60), ReferenceCounter(60), Counter(60)
    for _ in range(40):  # few distinct counts: many ties at every cut
        values = np.array([f"v{int(k)}" for k in rng.zipf(1.6, int(rng.integers(1, 80)))], dtype=object)
        fresh = count_values(values)
        mine.add_counts(fresh)
        reference.add_counts(fresh)
        assert mine.table == reference.table()
    assert mine.top(1000) == sorted(([k, v] for k, v in reference.table().items()), key=lambda kv: (-kv[1], kv[0]))
    for _ in range(5):
        other.add_counts(count_values(np.array([f"v{int(k)}" for k in rng.zipf(1.6, 70)], dtype=object)))
    mine.merge(other)
    reference.add_counts(pd.Series(other.table, dtype=np.int64))
    assert mine.table == reference.table()


def test_statistics_are_the_same_without_the_arrow_fast_paths(monkeypatch):
    from aml_cli.ml import arrow_strings

    pytest.importorskip("pyarrow")
    rng = np.random.default_rng(4)
    texts = tricky_texts(rng, TRICKY_WORDS, rows=4000)
    texts[100:200] = tricky_texts(rng, [*TRICKY_WORDS, "a\x1cb"], rows=100)  # one chunk off the arrow path
    frame = pd.DataFrame({"t": pd.Series(texts, dtype="str"),
                          "c": pd.Series([f"c{int(k)}" for k in rng.zipf(1.4, len(texts))], dtype="str")})
    schema = parse_schema(json.dumps({"attributes": [{"attributeName": "t", "attributeType": "TEXT"},
                                                     {"attributeName": "c", "attributeType": "CATEGORICAL"}]}))

    def document():
        accumulator = StatisticsAccumulator(schema)
        for start in range(0, len(frame), 1000):
            accumulator.update(chunk_of(frame.iloc[start : start + 1000].reset_index(drop=True), start))
        return json.dumps(accumulator.result())

    fast = document()
    monkeypatch.setattr(arrow_strings, "arrow_text", lambda values: None)  # no arrow fast path anywhere
    assert document() == fast
