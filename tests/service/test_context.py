"""The request context: a service call given one never reads or writes the environment."""

from __future__ import annotations

import os
import traceback

import pytest

from aml_cli.service import call
from aml_cli.service.context import RequestContext
from aml_cli.store import Store
from tests.service.models_conftest import schema_text, tiny_frame, write_csv

# what the job layer reads from the job's own environment by design (issue 18: "in the environment of the
# job"), never the service code: the cluster a job runs on
# and what pyarrow reads of its own inside to_pandas (a library's switch, not a setting of aml's)
JOB_ENVIRONMENT = frozenset({"AML_DASK_SCHEDULER", "AML_DASK_PARTITION_BYTES", "PYARROW_IGNORE_TIMEZONE"})


class GuardedEnvironment(dict):
    """os.environ for the duration of the calls: every read or write is recorded with where it came from."""

    def __init__(self, real) -> None:
        super().__init__(real)
        self.touched: list[str] = []

    def _note(self, what: str) -> None:
        if what.split()[-1] in JOB_ENVIRONMENT:
            return
        self.touched.append(f"{what}\n" + "".join(traceback.format_stack(limit=8)[:-2]))

    def __getitem__(self, key):
        self._note(f"read {key}")
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._note(f"read {key}")
        return super().get(key, default)

    def __contains__(self, key):
        self._note(f"looked for {key}")
        return super().__contains__(key)

    def __setitem__(self, key, value):
        self._note(f"wrote {key}")
        super().__setitem__(key, value)

    def copy(self):
        self._note("copied the environment")
        return dict(self)


def _session(store: Store, context: RequestContext, tmp_path, n: int) -> dict:
    frame, columns, target = tiny_frame("BINARY")
    spec = {"DataLocationS3": str(write_csv(tmp_path / f"d{n}.csv", frame)), "DataSchema": schema_text(columns, target)}
    call("CreateDataSourceFromS3", {"DataSourceId": f"ds{n}", "DataSpec": spec, "ComputeStatistics": True},
         store, context=context)
    call("CreateMLModel", {"MLModelId": f"m{n}", "MLModelType": "BINARY", "TrainingDataSourceId": f"ds{n}"},
         store, context=context)
    call("CreateEvaluation", {"EvaluationId": f"e{n}", "MLModelId": f"m{n}", "EvaluationDataSourceId": f"ds{n}"},
         store, context=context)
    call("CreateRealtimeEndpoint", {"MLModelId": f"m{n}"}, store, context=context)
    record = {name: str(value) for name, value in frame.iloc[0].items() if name != target}
    call("Predict", {"MLModelId": f"m{n}", "Record": record, "PredictEndpoint": "http://localhost"}, store,
         context=context)
    call("DescribeMLModels", {"FilterVariable": "Name", "Prefix": ""}, store, context=context)
    return call("GetMLModel", {"MLModelId": f"m{n}"}, store, context=context)


def test_a_service_call_with_a_context_never_reads_or_writes_the_environment(tmp_path, monkeypatch):
    store = Store(tmp_path / "home", s3_root=tmp_path / "s3", max_workers=1)
    context = RequestContext(caller_arn="arn:aws:iam::000000000000:user/from-the-context", synchronous=True)
    _session(store, context, tmp_path, 0)  # the first run imports what the calls need (imports may read it)
    guarded = GuardedEnvironment(os.environ)
    monkeypatch.setattr(os, "environ", guarded)
    model = _session(store, context, tmp_path, 1)
    monkeypatch.undo()
    assert guarded.touched == []
    assert model["Status"] == "COMPLETED"
    assert model["CreatedByIamUser"] == "arn:aws:iam::000000000000:user/from-the-context"


def test_the_identity_and_the_mode_come_from_the_context_not_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("AML_IAM_USER", "arn:aws:iam::000000000000:user/from-the-environment")
    monkeypatch.setenv("AML_SYNC", "1")
    store = Store(tmp_path / "home")
    frame, columns, target = tiny_frame("BINARY")
    spec = {"DataLocationS3": str(write_csv(tmp_path / "d.csv", frame)), "DataSchema": schema_text(columns, target)}
    context = RequestContext(caller_arn="arn:aws:iam::000000000000:user/ctx", synchronous=False)
    call("CreateDataSourceFromS3", {"DataSourceId": "ds", "DataSpec": spec}, store, context=context)
    view = call("GetDataSource", {"DataSourceId": "ds"}, store, context=context)
    assert view["CreatedByIamUser"] == "arn:aws:iam::000000000000:user/ctx"
    assert view["Status"] in ("PENDING", "INPROGRESS", "COMPLETED")  # detached: the call did not wait
    from tests.service.models_conftest import wait_final

    assert wait_final(store, "DataSource", "ds")["Status"] == "COMPLETED"


def test_the_cli_builds_its_context_from_its_options_and_the_environment(monkeypatch):
    from aml_cli.cli.context import cli_context
    from aml_cli.cli.globals import split_global_options

    monkeypatch.setenv("AML_IAM_USER", "arn:aws:iam::000000000000:user/shell")
    monkeypatch.delenv("AML_SYNC", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    options, _ = split_global_options(["get-ml-model"])
    context = cli_context(options)
    assert (context.caller_arn, context.region, context.synchronous) == (
        "arn:aws:iam::000000000000:user/shell", "eu-west-1", False)
    assert cli_context(split_global_options(["--sync", "--region", "ap-south-1", "x"])[0]).synchronous
    assert cli_context(split_global_options(["--region", "ap-south-1", "x"])[0]).region == "ap-south-1"
    monkeypatch.setenv("AML_SYNC", "1")
    assert cli_context(options).synchronous


@pytest.mark.parametrize("word", ["1", "true", "yes", "on"])
def test_aml_sync_turns_on_inline_jobs_for_the_cli(monkeypatch, word):
    from aml_cli.cli.context import cli_context
    from aml_cli.cli.globals import split_global_options

    monkeypatch.setenv("AML_SYNC", word)
    assert cli_context(split_global_options(["x"])[0]).synchronous


def test_the_guard_notices_reads_and_writes(monkeypatch):
    guarded = GuardedEnvironment(os.environ)
    monkeypatch.setattr(os, "environ", guarded)
    os.getenv("AML_SYNC")
    os.environ["AML_X"] = "1"
    assert [line.split("\n")[0] for line in guarded.touched] == ["read AML_SYNC", "wrote AML_X"]
