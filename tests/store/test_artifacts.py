"""Artifact files appear whole or not at all, under internal names."""

import os
import signal
import subprocess
import sys
import time

import pytest

from aml_cli.store import Store
from aml_cli.store.artifacts import atomic_write_bytes, atomic_writer, new_artifact_path, remove_quietly


@pytest.fixture
def store(aml_home):
    return Store(aml_home)


def test_new_artifact_paths_are_fresh_internal_names_in_a_private_folder(store, aml_home):
    first, second = new_artifact_path(store, ".npy"), new_artifact_path(store, ".npy")
    assert first != second
    assert first.parent == second.parent == aml_home / "artifacts"
    assert first.name.endswith(".npy") and not first.exists()
    assert first.parent.stat().st_mode & 0o777 == 0o700


def test_an_artifact_suffix_cannot_escape_the_folder(store):
    with pytest.raises(ValueError):
        new_artifact_path(store, "/../x")


def test_atomic_write_bytes_writes_a_private_file(store):
    path = new_artifact_path(store, ".bin")
    atomic_write_bytes(path, b"\x00model")
    assert path.read_bytes() == b"\x00model"
    assert path.stat().st_mode & 0o777 == 0o600
    assert os.listdir(path.parent) == [path.name]


def test_the_text_writer_writes_utf8(store):
    path = new_artifact_path(store, ".json")
    with atomic_writer(path, "w") as handle:
        handle.write("é")
    assert path.read_bytes() == "é".encode()


def test_a_failed_write_leaves_no_file_at_all(store):
    path = new_artifact_path(store, ".bin")
    with pytest.raises(OSError, match="disk full"), atomic_writer(path) as handle:
        handle.write(b"half")
        raise OSError("disk full")
    assert os.listdir(path.parent) == []


def test_a_failed_rewrite_keeps_the_previous_content(store):
    path = new_artifact_path(store, ".bin")
    atomic_write_bytes(path, b"old")
    with pytest.raises(KeyboardInterrupt), atomic_writer(path) as handle:
        handle.write(b"new")
        raise KeyboardInterrupt
    assert path.read_bytes() == b"old"
    assert os.listdir(path.parent) == [path.name]


def test_a_writer_killed_mid_write_leaves_only_a_partial_name(store, aml_home):
    target = aml_home / "artifacts" / "model.bin"
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from aml_cli.store.artifacts import atomic_writer\n"
        "with atomic_writer(Path(sys.argv[1])) as f:\n"
        "    f.write(b'x' * 1000); f.flush(); print('writing', flush=True); time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code, str(target)], stdout=subprocess.PIPE)
    assert child.stdout.readline() == b"writing\n"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert not target.exists()
    leftovers = os.listdir(target.parent)
    assert len(leftovers) == 1 and leftovers[0].endswith(".partial")


def test_remove_quietly_ignores_what_is_not_there(tmp_path):
    remove_quietly(tmp_path / "missing")
    remove_quietly(None)
    path = tmp_path / "f"
    path.write_text("x")
    remove_quietly(path)
    assert not path.exists()


def test_the_atomic_writer_refuses_modes_that_are_not_whole_file_writes(tmp_path):
    with pytest.raises(ValueError), atomic_writer(tmp_path / "f", "ab"):
        time.sleep(0)
