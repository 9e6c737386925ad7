"""Guarantee: what a user hands aml is read within bounds, and never echoed back without a bound.

Each attack runs `aml` as its own process under a 2 GB address-space limit and a
timeout, so an unbounded read or expansion fails the test instead of the machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import REPO, aml_env, snapshot

MEMORY = 2 << 30
CAP = 16 << 20  # the documented limit of a paramfile


def bounded_aml(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """`aml <args>` that may use at most 2 GB of memory and `timeout` seconds."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "aml_cli", *args], capture_output=True, text=True, env=aml_env(),
                            cwd=REPO, timeout=timeout, preexec_fn=limit, stdin=subprocess.DEVNULL)
    result.seconds = time.monotonic() - started
    return result


def assert_usage_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 252, result.stderr[:2000]
    assert "Traceback" not in result.stderr and result.stdout == ""
    for word in words:
        assert word in result.stderr, result.stderr[:2000]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_paramfile_that_is_a_device_is_refused_at_once(device):
    before = snapshot()
    result = bounded_aml("get-ml-model", "--cli-input-json", f"file://{device}", timeout=30)
    assert_usage_error(result, "Unable to load paramfile", device, "not a regular file")
    assert result.seconds < 20
    result = bounded_aml("create-ml-model", "--ml-model-id", "m", "--ml-model-type", "BINARY",
                         "--training-data-source-id", "ds", "--recipe", f"file://{device}", timeout=30)
    assert_usage_error(result, "Unable to load paramfile", device, "not a regular file")
    assert snapshot() == before


def test_a_paramfile_larger_than_the_documented_cap_is_refused(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:  # sparse: costs no disk
        handle.truncate(CAP + 1)
    result = bounded_aml("get-ml-model", "--ml-model-id", "x", "--cli-input-json", f"file://{big}")
    assert_usage_error(result, "Unable to load paramfile", "larger than 16 MiB")
    from aml_cli.cli.paramfile import MAX_PARAM_FILE_BYTES

    assert MAX_PARAM_FILE_BYTES == CAP


def _feed_fifo(path: Path, chunks) -> threading.Thread:
    """A writer on the FIFO, as a shell's process substitution is."""

    def write() -> None:
        try:
            with open(path, "wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
        except (BrokenPipeError, OSError):
            pass

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def test_a_fifo_is_read_as_process_substitution_is_and_within_the_cap(tmp_path):
    fifo = tmp_path / "request"
    os.mkfifo(fifo)
    _feed_fifo(fifo, [b'{"MLModelId": "from-a-pipe"}'])
    result = bounded_aml("get-ml-model", "--cli-input-json", f"file://{fifo}")
    assert result.returncode == 254, result.stderr
    assert "A model with ID from-a-pipe does not exist." in result.stderr
    endless = tmp_path / "endless"
    os.mkfifo(endless)
    _feed_fifo(endless, (b" " * (1 << 20) for _ in range(10_000)))  # 10 GB of blanks, if anyone read them
    result = bounded_aml("get-ml-model", "--cli-input-json", f"file://{endless}")
    assert_usage_error(result, "Unable to load paramfile", "larger than 16 MiB")


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    lines += ["MLModelId: bomb", f"MLModelName: *a{levels - 1}"]
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_quickly_and_never_printed(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_alias_bomb())
    result = bounded_aml("update-ml-model", "--cli-input-yaml", f"file://{bomb}", timeout=60)
    assert_usage_error(result, "cli-input-yaml", "aliases")
    assert result.seconds < 20
    assert len(result.stderr) < 2000
    small = tmp_path / "fine.yaml"  # aliases that expand to little are YAML as usual
    small.write_text('name: &n "same"\nMLModelId: *n\n')
    result = bounded_aml("get-ml-model", "--cli-input-yaml", f"file://{small}")
    assert result.returncode == 252 and "Unknown parameter in input: \"name\"" in result.stderr, result.stderr


def test_a_huge_value_is_never_echoed_back_in_full(tmp_path):
    name = tmp_path / "name.txt"
    name.write_text("n" * (10 << 20))
    result = bounded_aml("update-data-source", "--data-source-id", "ds", "--data-source-name", f"file://{name}")
    assert result.returncode == 254, result.stderr[:2000]
    assert "Member must have length less than or equal to 1024" in result.stderr
    assert len(result.stderr) < 5000, "the 10 MB name came back in the message"
    assert "10485760 characters" in result.stderr
    request = tmp_path / "request.json"
    request.write_text('{"MLModelId": "x", "Verbose": "' + "v" * (10 << 20) + '"}')
    result = bounded_aml("get-ml-model", "--cli-input-json", f"file://{request}")
    assert_usage_error(result, "Invalid type for parameter Verbose")
    assert len(result.stderr) < 5000


def test_a_huge_value_in_a_service_call_is_cut_in_the_message():
    from aml_cli.api.errors import InvalidInputException
    from aml_cli.service import call

    with pytest.raises(InvalidInputException) as caught:
        call("UpdateMLModel", {"MLModelId": "m", "MLModelName": "n" * (100 << 20)})
    assert len(caught.value.message) < 5000
    assert "104857600 characters" in caught.value.message


def test_json_nested_ten_thousand_deep_is_a_usage_error(tmp_path):
    deep = "[" * 10_000 + "]" * 10_000
    result = bounded_aml("get-ml-model", "--cli-input-json", '{"MLModelId": "x", "Verbose": ' + deep + "}")
    assert_usage_error(result, "cli-input-json", "nested too deeply")
    result = bounded_aml("create-data-source-from-s3", "--data-source-id", "x", "--data-spec",
                         '{"DataLocationS3": ' + deep + "}")
    assert_usage_error(result, "--data-spec", "nested too deeply")
    assert len(result.stderr) < 5000
    document = tmp_path / "deep.yaml"
    document.write_text("MLModelId: x\nVerbose: " + deep + "\n")
    result = bounded_aml("get-ml-model", "--cli-input-yaml", f"file://{document}")
    assert_usage_error(result, "cli-input-yaml", "nested too deeply")


def test_deep_shorthand_is_refused_without_echoing_all_of_it():
    spec = "DataLocationS3=x,DataSchema=" + "{a=" * 2_000 + "c" + "}" * 2_000
    result = bounded_aml("create-data-source-from-s3", "--data-source-id", "x", "--data-spec", spec)
    assert_usage_error(result, "Nested too deeply")
    assert len(result.stderr) < 5000


@pytest.mark.parametrize("location", ["s3://bkt/a%00b", "file:///tmp/a%00b"])
def test_an_encoded_nul_in_a_location_is_invalid_input(location):
    before = snapshot()
    result = bounded_aml("create-data-source-from-s3", "--data-source-id", "x", "--data-spec",
                         f"DataLocationS3={location},DataSchema=x")
    assert result.returncode == 254, result.stderr
    assert "(InvalidInputException)" in result.stderr and "NUL" in result.stderr, result.stderr
    assert snapshot() == before
