"""Guarantee: idempotency compares places, pages neither skip nor repeat, and a deleted resource stays gone."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from aml_cli.api.errors import ResourceNotFoundException
from aml_cli.service import call
from tests.reliability.conftest import REPO, aml, aml_env, call_sync, shared_store, snapshot, wait_status
from tests.reliability.data import write_csv, write_schema
from tests.reliability.handlers import install_quick

MODELS = 57


def test_the_same_relative_location_from_another_folder_is_another_request(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    write_csv(first / "small.csv", 50, seed=1)
    write_csv(second / "small.csv", 50, seed=2)
    schema = write_schema(tmp_path / "d.schema")
    spec = f"DataLocationS3=small.csv,DataSchemaLocationS3={schema}"
    args = ("create-data-source-from-s3", "--data-source-id", "ds", "--data-spec", spec)
    made = subprocess.run([sys.executable, "-m", "aml_cli", *args], capture_output=True, text=True, cwd=first,
                          env=aml_env(), timeout=60)
    assert made.returncode == 0, made.stderr
    again = subprocess.run([sys.executable, "-m", "aml_cli", *args], capture_output=True, text=True, cwd=first,
                           env=aml_env(), timeout=60)
    assert again.returncode == 0 and json.loads(again.stdout) == {"DataSourceId": "ds"}, again.stderr
    wait_status("DataSource", "ds")
    before = snapshot()
    elsewhere = subprocess.run([sys.executable, "-m", "aml_cli", *args], capture_output=True, text=True,
                               cwd=second, env=aml_env(), timeout=60)
    assert elsewhere.returncode == 254, elsewhere.stdout + elsewhere.stderr
    assert "(IdempotentParameterMismatchException)" in elsewhere.stderr
    assert snapshot() == before


@pytest.fixture
def models(tmp_path, monkeypatch):
    install_quick(monkeypatch.setitem)
    data, schema = write_csv(tmp_path / "d.csv", 50), write_schema(tmp_path / "d.schema")
    call_sync("CreateDataSourceFromS3", DataSourceId="ds", ComputeStatistics=True,
              DataSpec={"DataLocationS3": str(data), "DataSchemaLocationS3": str(schema)})
    for i in range(MODELS):
        call_sync("CreateMLModel", MLModelId=f"m{i:02d}", MLModelType="BINARY", TrainingDataSourceId="ds",
                  MLModelName=f"n{i:02d}")
    return [f"m{i:02d}" for i in range(MODELS)]


@pytest.mark.parametrize("order", ["asc", "dsc"])
def test_pages_sorted_by_name_neither_skip_nor_repeat_while_models_are_renamed(models, order):
    """Between pages, a model already listed is renamed to sort after the cursor and one not yet listed to sort
    before it: the two moves an offset token turns into a repeat and a skip."""
    rng = random.Random(3)
    seen: list[str] = []
    token = None
    store = shared_store()
    while True:
        request = {"FilterVariable": "Name", "SortOrder": order, "Limit": 1}
        if token:
            request["NextToken"] = token
        page = call("DescribeMLModels", request, store)
        seen += [result["MLModelId"] for result in page["Results"]]
        token = page.get("NextToken")
        if not token:
            break
        late, early = ("zz", "aa") if order == "asc" else ("aa", "zz")
        call("UpdateMLModel", {"MLModelId": rng.choice(seen), "MLModelName": f"{late}{len(seen)}"}, store)
        pending = [model for model in models if model not in seen]
        call("UpdateMLModel", {"MLModelId": rng.choice(pending), "MLModelName": f"{early}{len(seen)}"}, store)
    assert sorted(seen) == models, f"repeated: {sorted({m for m in seen if seen.count(m) > 1})}, " \
                                   f"missing: {sorted(set(models) - set(seen))}"


RENAMER = """
import random, sys, time
from aml_cli.service import call
from aml_cli.store import Store
store, rng, deadline = Store(), random.Random(7), time.monotonic() + float(sys.argv[1])
print("renaming", flush=True)
while time.monotonic() < deadline:
    call("UpdateMLModel", {"MLModelId": f"m{rng.randrange(57):02d}", "MLModelName": f"r{rng.randrange(1000):03d}"},
         store)
    time.sleep(0.005)
"""


def test_the_cli_pages_every_model_once_while_another_process_renames_them(models):
    renamer = subprocess.Popen([sys.executable, "-c", RENAMER, "30"], stdout=subprocess.PIPE, env=aml_env(), cwd=REPO)
    try:
        assert renamer.stdout.readline() == b"renaming\n"
        for _ in range(3):
            listed = aml("describe-ml-models", "--filter-variable", "Name", "--page-size", "1", "--query",
                         "Results[].MLModelId", "--output", "json")
            assert listed.returncode == 0, listed.stderr
            ids = json.loads(listed.stdout)
            assert sorted(ids) == models, f"{len(ids)} listed, {len(set(ids))} distinct"
    finally:
        renamer.kill()
        renamer.wait()


def test_a_model_created_while_paging_never_shifts_the_pages(models, monkeypatch):
    store = shared_store()
    page = call("DescribeMLModels", {"SortOrder": "dsc", "Limit": 5}, store)
    seen = [result["MLModelId"] for result in page["Results"]]
    call_sync("CreateMLModel", MLModelId="new", MLModelType="BINARY", TrainingDataSourceId="ds")
    while "NextToken" in page:
        page = call("DescribeMLModels", {"SortOrder": "dsc", "Limit": 5, "NextToken": page["NextToken"]}, store)
        seen += [result["MLModelId"] for result in page["Results"]]
    assert seen == sorted(models, reverse=True)


UPDATES = [
    ("DataSource", "update-data-source", ["--data-source-id", "ds", "--data-source-name", "x"]),
    ("MLModel", "update-ml-model", ["--ml-model-id", "m00", "--ml-model-name", "x"]),
    ("MLModel", "update-ml-model", ["--ml-model-id", "m00", "--score-threshold", "0.3"]),
    ("Evaluation", "update-evaluation", ["--evaluation-id", "ev", "--evaluation-name", "x"]),
    ("BatchPrediction", "update-batch-prediction", ["--batch-prediction-id", "bp", "--batch-prediction-name", "x"]),
]


@pytest.mark.parametrize(("kind", "command", "args"), UPDATES, ids=[u[1] + str(i) for i, u in enumerate(UPDATES)])
def test_an_update_of_a_deleted_resource_is_resource_not_found(models, tmp_path, kind, command, args):
    call_sync("CreateEvaluation", EvaluationId="ev", MLModelId="m00", EvaluationDataSourceId="ds")
    call_sync("CreateBatchPrediction", BatchPredictionId="bp", MLModelId="m00", BatchPredictionDataSourceId="ds",
              OutputUri=str(tmp_path / "out"))
    resource_id = args[1]
    noun = {"DataSource": "DataSources", "MLModel": "MLModel", "Evaluation": "Evaluation",
            "BatchPrediction": "BatchPrediction"}[kind]
    call(f"Delete{noun.removesuffix('s')}", {f"{kind}Id": resource_id}, shared_store())
    before = snapshot()
    result = aml(command, *args)
    assert result.returncode == 254, result.stderr
    assert "(ResourceNotFoundException)" in result.stderr and resource_id in result.stderr, result.stderr
    assert snapshot() == before
    with pytest.raises(ResourceNotFoundException):
        call(f"Delete{noun.removesuffix('s')}", {f"{kind}Id": resource_id}, shared_store())
