"""Guarantee 5: locations stay where they belong, files are the owner's alone, and no shell ever runs."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from tests.reliability.conftest import REPO, aml, snapshot
from tests.reliability.data import write_csv, write_schema


@pytest.fixture
def s3(aml_home, tmp_path):
    """A bucket under the local S3 root with good data, and a folder outside the root with the same files."""
    bucket = aml_home / "s3" / "bucket"
    bucket.mkdir(parents=True)
    write_csv(bucket / "d.csv", 300)
    write_schema(bucket / "d.schema")
    outside = tmp_path / "outside"
    write_csv(outside / "d.csv", 300)
    write_schema(outside / "d.schema")
    (outside / "recipe.json").write_text('{"outputs": ["ALL_INPUTS"]}')
    (outside / "results").mkdir()
    return bucket, outside


@pytest.fixture
def trained(s3):
    """A COMPLETED data source and model over the bucket, made through `aml` itself."""
    spec = "DataLocationS3=s3://bucket/d.csv,DataSchemaLocationS3=s3://bucket/d.schema"
    assert aml("create-data-source-from-s3", "--data-source-id", "ds", "--compute-statistics", "--data-spec", spec,
               "--sync").returncode == 0
    made = aml("create-ml-model", "--ml-model-id", "ml", "--ml-model-type", "BINARY", "--training-data-source-id",
               "ds", "--sync")
    assert made.returncode == 0, made.stderr
    return s3


def _create_source(location: str, schema: str) -> tuple[int, str]:
    result = aml("create-data-source-from-s3", "--data-source-id", "bad", "--data-spec",
                 json.dumps({"DataLocationS3": location, "DataSchemaLocationS3": schema}), timeout=60)
    return result.returncode, result.stderr


def _assert_invalid(code: int, err: str, *words: str) -> None:
    assert code == 254, err
    assert "(InvalidInputException)" in err and "Traceback" not in err, err
    for word in words:
        assert word in err, err


def test_a_data_location_that_links_out_of_the_s3_root_is_refused(s3):
    bucket, outside = s3
    (bucket / "link.csv").symlink_to(outside / "d.csv")
    (bucket / "folder").mkdir()
    (bucket / "folder" / "part.csv").symlink_to(outside / "d.csv")
    (bucket / "dirlink").symlink_to(outside, target_is_directory=True)
    before = snapshot()
    for location in ("s3://bucket/link.csv", "s3://bucket/folder/", "s3://bucket/dirlink/d.csv",
                     "s3://bucket/../../../etc/passwd"):
        _assert_invalid(*_create_source(location, "s3://bucket/d.schema"), "outside the local S3 root")
    _assert_invalid(*_create_source("s3://bucket/d.csv", "s3://bucket/dirlink/d.schema"), "outside the local S3 root")
    assert snapshot() == before


def test_a_recipe_or_output_location_that_links_out_of_the_s3_root_is_refused(trained):
    bucket, outside = trained
    (bucket / "recipe.json").symlink_to(outside / "recipe.json")
    (bucket / "results").symlink_to(outside / "results", target_is_directory=True)
    before = snapshot()
    made = aml("create-ml-model", "--ml-model-id", "m2", "--ml-model-type", "BINARY", "--training-data-source-id",
               "ds", "--recipe-uri", "s3://bucket/recipe.json")
    _assert_invalid(made.returncode, made.stderr, "RecipeUri", "outside the local S3 root")
    for uri in ("s3://bucket/results", "s3://bucket/results/deeper", "s3://bucket/../../escape"):
        made = aml("create-batch-prediction", "--batch-prediction-id", "bp", "--ml-model-id", "ml",
                   "--batch-prediction-data-source-id", "ds", "--output-uri", uri)
        _assert_invalid(made.returncode, made.stderr, "OutputUri", "outside the local S3 root")
    assert snapshot() == before
    assert list((outside / "results").iterdir()) == []
    assert not (bucket.parent.parent / "escape").exists()  # AML_HOME/escape


def test_fifos_are_refused_without_ever_blocking_on_them(trained, tmp_path):
    bucket, _ = trained
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    folder = tmp_path / "with-fifo"
    folder.mkdir()
    os.mkfifo(folder / "part.csv")
    before = snapshot()
    _assert_invalid(*_create_source(str(fifo), str(bucket / "d.schema")), "not a regular file")
    _assert_invalid(*_create_source(str(folder), str(bucket / "d.schema")), "not a regular file")
    _assert_invalid(*_create_source(str(bucket / "d.csv"), str(fifo)), "not a regular file")
    made = aml("create-ml-model", "--ml-model-id", "m2", "--ml-model-type", "BINARY", "--training-data-source-id",
               "ds", "--recipe-uri", str(fifo), timeout=60)
    _assert_invalid(made.returncode, made.stderr, "RecipeUri", "not a regular file")
    made = aml("create-batch-prediction", "--batch-prediction-id", "bp", "--ml-model-id", "ml",
               "--batch-prediction-data-source-id", "ds", "--output-uri", str(fifo), timeout=60)
    _assert_invalid(made.returncode, made.stderr, "OutputUri", "is not a folder")
    assert snapshot() == before


def test_a_directory_where_a_file_is_expected_and_a_file_where_a_folder_is_are_refused(trained, tmp_path):
    bucket, _ = trained
    before = snapshot()
    _assert_invalid(*_create_source(str(bucket / "d.csv"), str(bucket)), "is a directory where a file is expected")
    made = aml("create-ml-model", "--ml-model-id", "m2", "--ml-model-type", "BINARY", "--training-data-source-id",
               "ds", "--recipe-uri", str(tmp_path))
    _assert_invalid(made.returncode, made.stderr, "RecipeUri", "is a directory where a file is expected")
    made = aml("create-batch-prediction", "--batch-prediction-id", "bp", "--ml-model-id", "ml",
               "--batch-prediction-data-source-id", "ds", "--output-uri", str(bucket / "d.csv"))
    _assert_invalid(made.returncode, made.stderr, "OutputUri", "exists and is not a folder")
    assert snapshot() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files without read permission, so the check cannot fail")
def test_a_file_without_read_permission_is_refused(trained, tmp_path):
    bucket, _ = trained
    locked = tmp_path / "locked.csv"
    write_csv(locked, 50)
    locked.chmod(0)
    before = snapshot()
    _assert_invalid(*_create_source(str(locked), str(bucket / "d.schema")), "not readable")
    assert snapshot() == before


# -- owner-only files --------------------------------------------------------------------------------


def _full_session(bucket: Path) -> None:
    """Data source, model, evaluation and batch prediction, each through `aml` and its detached worker."""
    steps = [
        ("create-data-source-from-s3", "--data-source-id", "ds", "--compute-statistics", "--data-spec",
         "DataLocationS3=s3://bucket/d.csv,DataSchemaLocationS3=s3://bucket/d.schema"),
        ("create-ml-model", "--ml-model-id", "ml", "--ml-model-type", "BINARY", "--training-data-source-id", "ds"),
        ("create-evaluation", "--evaluation-id", "ev", "--ml-model-id", "ml", "--evaluation-data-source-id", "ds"),
        ("create-batch-prediction", "--batch-prediction-id", "bp", "--ml-model-id", "ml",
         "--batch-prediction-data-source-id", "ds", "--output-uri", "s3://bucket/out"),
        ("create-realtime-endpoint", "--ml-model-id", "ml"),
    ]
    for step in steps:
        result = aml(*step)
        assert result.returncode == 0, result.stderr
    for waiter, option, value in (("evaluation-available", "--eq", "ml"), ("batch-prediction-available", "--eq", "ml")):
        result = aml("wait", waiter, "--filter-variable", "MLModelId", option, value)
        assert result.returncode == 0, result.stderr


def _modes(root: Path, skip: Path | None = None) -> dict[str, str]:
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            if skip is not None and (path == skip or skip in path.parents):
                continue
            found[str(path.relative_to(root))] = oct(stat.S_IMODE(path.lstat().st_mode))
    return found


@pytest.mark.slow
def test_every_file_the_store_creates_is_0600_and_every_folder_0700(s3, aml_home):
    bucket, _ = s3
    _full_session(bucket)
    modes = _modes(aml_home, skip=aml_home / "s3")
    assert {"aml.db", "artifacts", "logs"} <= set(modes)
    assert any(name.endswith(".amlmodel") for name in modes), modes
    wrong = {name: mode for name, mode in modes.items()
             if mode != ("0o700" if (aml_home / name).is_dir() else "0o600")}
    assert wrong == {}


@pytest.mark.slow
def test_batch_prediction_output_folders_and_files_are_owner_only(s3, aml_home):
    bucket, _ = s3
    _full_session(bucket)
    modes = _modes(bucket / "out")
    assert modes
    wrong = {name: mode for name, mode in modes.items()
             if mode != ("0o700" if (bucket / "out" / name).is_dir() else "0o600")}
    assert wrong == {}


# -- no shell --------------------------------------------------------------------------------------

SHELL_CALLS = re.compile(r"shell\s*=\s*True|os\.system\s*\(|os\.popen\s*\(|\bpopen2\b|getstatusoutput|getoutput\(|"
                         r"os\.exec[lv]p?e?\s*\(\s*['\"](/bin/)?(ba|z|da)?sh\b")


def test_no_source_file_ever_invokes_a_shell():
    sources = sorted((REPO / "aml_cli").rglob("*.py"))
    assert len(sources) > 50
    offenders = [f"{path.relative_to(REPO)}:{number}: {line.strip()}"
                 for path in sources
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if SHELL_CALLS.search(line)]
    assert offenders == []


def test_the_shell_pattern_finds_every_form_it_forbids():
    for line in ('subprocess.run(cmd, shell=True)', 'os.system("ls")', "os.popen(cmd)",
                 "subprocess.getoutput(cmd)", 'os.execlp("sh", "sh", "-c", cmd)'):
        assert SHELL_CALLS.search(line), line
    assert not SHELL_CALLS.search('subprocess.Popen([sys.executable, "-m", "aml_cli.jobs"])')


def test_the_pager_and_workers_run_argument_lists_not_command_lines():
    import ast

    for relative in ("aml_cli/cli/output_stream.py", "aml_cli/jobs/scheduler.py"):
        tree = ast.parse((REPO / relative).read_text())
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                 and getattr(node.func, "attr", "") in ("run", "Popen", "call", "check_call", "check_output")]
        assert calls, relative
        for node in calls:
            assert not any(keyword.arg == "shell" for keyword in node.keywords), relative
            assert not isinstance(node.args[0], ast.Constant | ast.JoinedStr), f"{relative}: a command string"
