"""`aml serve` as a process: its first line, its key file, its environment, its refusals, and how it stops."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from aml_cli.cli.main import run

ROOT = Path(__file__).resolve().parents[2]


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**env, "AML_HOME": str(home), "PYTHONPATH": str(ROOT), **extra}


def _start(home: Path, *args: str, module: str = "aml_cli") -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", module, *(["serve"] if module == "aml_cli" else []), "--port", "0", *args]
    process = subprocess.Popen(command, cwd=ROOT, env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    line = process.stdout.readline().strip()
    assert line.startswith("AML_ENDPOINT_URL=http://127.0.0.1:"), (line, process.stderr.read())
    return process, line.split("=", 1)[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(10)


@pytest.mark.slow
def test_first_start_creates_a_private_key_file_that_boto3_reads_from_the_environment(tmp_path, monkeypatch):
    home = tmp_path / "home"
    process, url = _start(home)
    try:
        path = home / "serve" / "credentials"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        text = path.read_text()
        assert text.startswith("[default]\naws_access_key_id = AML")
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(path))
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
        ml = boto3.client("machinelearning", config=Config(retries={"total_max_attempts": 1}))
        assert ml.describe_ml_models()["Results"] == []
    finally:
        _stop(process)
    assert process.returncode == 0
    log = process.stderr.read()
    assert "machinelearning.DescribeMLModels 200" in log
    assert text.split("aws_secret_access_key = ")[1].strip() not in log


def test_print_env_prints_what_a_client_needs(aml_home, capsys):
    assert run(["serve", "--print-env", "--port", "9123"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"export AWS_SHARED_CREDENTIALS_FILE={aml_home / 'serve' / 'credentials'}",
                     "export AWS_ENDPOINT_URL=http://127.0.0.1:9123", "export AWS_DEFAULT_REGION=us-east-1"]
    assert stat.S_IMODE((aml_home / "serve" / "credentials").stat().st_mode) == 0o600


def test_a_key_file_others_can_read_is_refused(aml_home, capsys):
    assert run(["serve", "--print-env"]) == 0
    path = aml_home / "serve" / "credentials"
    path.chmod(0o644)
    assert run(["serve", "--port", "0"]) == 255
    assert f"chmod 600 {path}" in capsys.readouterr().err


def test_no_auth_off_loopback_exits_2(capsys):
    assert run(["serve", "--no-auth", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "--no-auth is allowed only on a loopback --host" in capsys.readouterr().err


@pytest.mark.slow
def test_sigterm_lets_the_request_in_flight_finish_and_exits_within_two_seconds(tmp_path):
    process, url = _start(tmp_path / "home", "--no-auth", module="tests.server.slow_serve")
    try:
        ml = boto3.client("machinelearning", endpoint_url=url, region_name="us-east-1",
                          aws_access_key_id="x", aws_secret_access_key="y",
                          config=Config(retries={"total_max_attempts": 1}, signature_version=__import__(
                              "botocore").UNSIGNED))
        ml.describe_ml_models()  # leaves an idle keep-alive connection in the pool
        results: list = []
        slow = threading.Thread(target=lambda: results.append(ml.describe_data_sources()))
        slow.start()
        time.sleep(0.4)
        stopped_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        slow.join(10)
        process.wait(10)
        elapsed = time.monotonic() - stopped_at
    finally:
        _stop(process)
    assert results and results[0]["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert process.returncode == 0
    assert elapsed < 2.0


def test_an_advertise_url_without_scheme_and_host_exits_2(capsys):
    assert run(["serve", "--advertise-url", "localhost:9", "--port", "0"]) == 2
    assert "--advertise-url must be an http:// or https:// URL" in capsys.readouterr().err
