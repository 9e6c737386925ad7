"""Guarantee 4c: broken CSVs, schemas, recipes and model files are clear errors; nothing runs, nothing breaks."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.conftest import REPO, aml, aml_env, call_sync, shared_store, snapshot
from tests.reliability.data import SCHEMA, schema_text, write_csv, write_schema

HEADER = b"x1,x2,colour,note,y\n"
GOOD_ROW = b"0.5,1.5,c1,w1 w2,1\n"
OTHER_ROW = b"-0.5,-1.5,c2,w3 w4,0\n"


def _rows(count: int) -> bytes:
    return b"".join(GOOD_ROW if i % 2 else OTHER_ROW for i in range(count))


def _data_source(tmp_path: Path, content: bytes, source_id: str = "broken") -> dict:
    """Creates a data source over `content` (job run here) and returns its record."""
    data = tmp_path / f"{source_id}.csv"
    data.write_bytes(content)
    schema = write_schema(tmp_path / "d.schema")
    call_sync("CreateDataSourceFromS3", DataSourceId=source_id, ComputeStatistics=True,
              DataSpec={"DataLocationS3": str(data), "DataSchemaLocationS3": str(schema)})
    return shared_store().get("DataSource", source_id)


def _assert_clear(record: dict) -> None:
    assert record["Status"] in ("COMPLETED", "FAILED"), record
    if record["Status"] == "FAILED":
        assert record["Message"] and not record["Message"].startswith("Internal error"), record["Message"]


CASES = {
    "wrong column counts": (HEADER + _rows(60) + b"1,2,c1\n" + b"1,2,c1,w,1,extra,more\n" + _rows(60), "COMPLETED", 2),
    "unbalanced quote": (HEADER + _rows(60) + b'0.1,0.2,"c1,w1,1\n' + _rows(3), None, None),
    "NUL bytes": (HEADER + _rows(60) + b"0.1,0.2,c\x001,w\x00,1\n" + _rows(60), None, None),
    "invalid UTF-8": (HEADER + _rows(60) + b"0.1,0.2,c\xff\xfe1,w\xc3(,1\n" + _rows(60), None, None),
    "BOM": (b"\xef\xbb\xbf" + HEADER + _rows(100), "COMPLETED", 0),
    "CRLF line ends": ((HEADER + _rows(100)).replace(b"\n", b"\r\n"), "COMPLETED", 0),
    "empty file": (b"", "FAILED", None),
    "header only": (HEADER, "FAILED", None),
    "10 MB single field": (HEADER + _rows(50) + b"0.1,0.2,c1," + b"w" * (10 << 20) + b",1\n" + _rows(50), None, None),
    "line breaks in quoted fields": (HEADER + _rows(50) + b'0.1,0.2,"c\n1","w1\r\nw2",1\n' * 20 + _rows(50),
                                     "COMPLETED", 0),
    "unterminated quote at the end": (HEADER + _rows(60) + b'0.1,0.2,c1,"w1 w2,1\n0.3,0.4,c2,w3,0\n', "COMPLETED", 1),
    "a 1 MB quoted field with line breaks": (HEADER + _rows(50) + b'0.1,0.2,c1,"' + b"w\n" * (1 << 19) + b'",1\n'
                                             + _rows(50), None, None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_broken_csv_files_end_in_a_clear_status(tmp_path, case):
    content, status, invalid = CASES[case]
    record = _data_source(tmp_path, content)
    _assert_clear(record)
    if status is not None:
        assert record["Status"] == status, record.get("Message")
    if invalid is not None:
        assert record["_invalid_rows"] == invalid
    if case == "line breaks in quoted fields":
        assert record["_rows"] == 120
    if case in ("BOM", "CRLF line ends"):
        from aml_cli.service.machinelearning.data_sources import statistics_of

        statistics = json.dumps(statistics_of(shared_store(), record))
        assert "\\ufeff" not in statistics and "\\r" not in statistics
        assert record["_rows"] == 100


DISTINCT_CATEGORIES = """
import sys
path, rows = sys.argv[1], int(sys.argv[2])
with open(path, "w") as out:
    out.write("x1,x2,colour,note,y\\n")
    out.writelines(f"{i % 7},{i % 5},k{i},w{i % 3},{i % 2}\\n" for i in range(rows))
"""


def _statistics_peak_mb(tmp_path: Path, rows: int, schema: Path) -> float:
    """Peak RSS (MB) of `aml create-data-source-from-s3 --compute-statistics --sync` over `rows` rows, every
    one a category of its own."""
    data, source_id = tmp_path / f"distinct-{rows}.csv", f"distinct-{rows}"
    subprocess.run([sys.executable, "-c", DISTINCT_CATEGORIES, str(data), str(rows)], check=True, timeout=120)
    process = subprocess.Popen(
        [sys.executable, "-m", "aml_cli", "create-data-source-from-s3", "--data-source-id", source_id,
         "--compute-statistics", "--data-spec", f"DataLocationS3={data},DataSchemaLocationS3={schema}", "--sync"],
        env=aml_env(), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, process.stderr.read()
    record = shared_store().get("DataSource", source_id)
    assert record["Status"] == "COMPLETED", record.get("Message")
    assert record["_rows"] == rows
    data.unlink()
    return usage.ru_maxrss / 1024


@pytest.mark.slow
def test_a_million_distinct_categories_keep_the_statistics_memory_bounded(tmp_path):
    """Three times the distinct values (and rows) cost no more memory: the counters are capped, the blocks
    in flight bounded. About 460 MB here at two threads either way; 700 MB is the guard against a leak."""
    schema = write_schema(tmp_path / "d.schema")
    one, three = (_statistics_peak_mb(tmp_path, rows, schema) for rows in (1_000_000, 3_000_000))
    assert one < 700, f"peak RSS {one:.0f} MB"
    assert three < one * 1.15 + 20, f"peak RSS {one:.0f} MB at 1M distinct categories, {three:.0f} MB at 3M"


# -- schemas and recipes -------------------------------------------------------------------------

BAD_SCHEMAS = {
    "not JSON": "{attributes: [",
    "not an object": "[1, 2]",
    "no attributes": schema_text(attributes=[]),
    "unknown type": schema_text(attributes=[{"attributeName": "x1", "attributeType": "COMPLEX"}]),
    "duplicate attribute": schema_text(attributes=SCHEMA["attributes"] + [SCHEMA["attributes"][0]]),
    "target not an attribute": schema_text(targetAttributeName="nowhere"),
    "row id not an attribute": schema_text(rowId="nowhere"),
    "excluded attribute unknown": schema_text(excludedAttributeNames=["nowhere"]),
    "attributes not a list": schema_text(attributes={"x1": "NUMERIC"}),
    "nested nonsense": schema_text(attributes=[[["x1"]]]),
}


@pytest.mark.parametrize("case", list(BAD_SCHEMAS))
def test_malformed_schemas_are_invalid_input_and_change_nothing(tmp_path, cli, case):
    data = write_csv(tmp_path / "d.csv", 50)
    before = snapshot()
    spec = json.dumps({"DataLocationS3": str(data), "DataSchema": BAD_SCHEMAS[case]})
    code, out, err = cli("create-data-source-from-s3", "--data-source-id", "bad", "--data-spec", spec)
    assert (code, out) == (254, ""), err
    assert "(InvalidInputException) when calling the CreateDataSourceFromS3 operation: Invalid data schema" in err
    assert snapshot() == before


BAD_RECIPES = {
    "not JSON": '{"outputs": [',
    "group refers to itself": '{"groups": {"g": "g"}, "outputs": ["g"]}',
    "groups refer to each other": '{"groups": {"g": "h", "h": "g"}, "outputs": ["ALL_INPUTS"]}',
    "assignment refers to itself": '{"assignments": {"a": "lowercase(a)"}, "outputs": ["a"]}',
    "unknown attribute": '{"outputs": ["nowhere"]}',
    "unknown attribute in a group": '{"groups": {"g": "group(x1, nowhere)"}, "outputs": ["g"]}',
    "target used as input": '{"outputs": ["y"]}',
    "unknown function": '{"outputs": ["explode(x1)"]}',
    "wrong argument type": '{"outputs": ["quantile_bin(note, 10)"]}',
    "parameter out of range": '{"outputs": ["quantile_bin(x1, 100000)"]}',
    "deep nesting": '{"outputs": ["' + "lowercase(" * 500 + "note" + ")" * 500 + '"]}',
}


@pytest.fixture
def training_source(tmp_path):
    data, schema = write_csv(tmp_path / "d.csv", 300), write_schema(tmp_path / "d.schema")
    call_sync("CreateDataSourceFromS3", DataSourceId="train", ComputeStatistics=True,
              DataSpec={"DataLocationS3": str(data), "DataSchemaLocationS3": str(schema)})
    return "train"


@pytest.mark.parametrize("case", list(BAD_RECIPES))
def test_malformed_recipes_are_invalid_input_and_change_nothing(training_source, cli, tmp_path, case):
    before = snapshot()
    recipe = tmp_path / "recipe.json"
    recipe.write_text(BAD_RECIPES[case])
    for source in (["--recipe", BAD_RECIPES[case]], ["--recipe-uri", str(recipe)]):
        code, out, err = cli("create-ml-model", "--ml-model-id", "bad", "--ml-model-type", "BINARY",
                             "--training-data-source-id", training_source, *source)
        assert (code, out) == (254, ""), err
        assert "(InvalidInputException) when calling the CreateMLModel operation: Recipe" in err
        assert snapshot() == before


# -- damaged model files ---------------------------------------------------------------------------


class _Runs:
    """Unpickling this would create the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _damage(path: Path, how: str, marker: Path) -> None:
    blob = path.read_bytes()
    if how == "truncated":
        path.write_bytes(blob[: len(blob) // 2])
    elif how == "header byte":
        path.write_bytes(blob[:40] + bytes([blob[40] ^ 0x01]) + blob[41:])
    elif how == "payload byte":
        path.write_bytes(blob[:-5] + bytes([blob[-5] ^ 0x01]) + blob[-4:])
    elif how == "empty":
        path.write_bytes(b"")
    else:
        path.write_bytes(pickle.dumps(_Runs(marker)))


@pytest.mark.slow
@pytest.mark.parametrize("how", ["truncated", "header byte", "payload byte", "empty", "a pickle"])
def test_damaged_model_files_are_refused_clearly_and_never_executed(tmp_path, training_source, how):
    call_sync("CreateMLModel", MLModelId="model", MLModelType="BINARY", TrainingDataSourceId=training_source)
    call_sync("CreateRealtimeEndpoint", MLModelId="model")
    marker = tmp_path / "executed"
    _damage(Path(shared_store().get("MLModel", "model")["_model_path"]), how, marker)

    got = aml("get-ml-model", "--ml-model-id", "model")
    assert got.returncode == 0 and json.loads(got.stdout)["Status"] == "COMPLETED", got.stderr
    predicted = aml("predict", "--ml-model-id", "model", "--predict-endpoint", "https://example.com",
                    "--record", "x1=0.5,x2=1,colour=c1,note=w1")
    assert predicted.returncode == 254, predicted.stderr
    assert "when calling the Predict operation: The model file is damaged and was refused" in predicted.stderr
    assert "Traceback" not in predicted.stderr
    evaluated = aml("create-evaluation", "--evaluation-id", "ev", "--ml-model-id", "model",
                    "--evaluation-data-source-id", training_source, "--sync")
    assert evaluated.returncode == 0, evaluated.stderr
    record = shared_store().get("Evaluation", "ev")
    assert record["Status"] == "FAILED" and "damaged" in record["Message"], record
    assert not marker.exists()
