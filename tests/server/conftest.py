"""Servers on 127.0.0.1:0 in a thread, each with its own data directory and the tests' known key pair."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from aml_cli import server
from aml_cli.store import Store
from tests.server.rooms import build_rooms
from tests.server.support import AWS, KEY_ID, KEYS, SECRET, build_world


@pytest.fixture(autouse=True)
def _no_aws_environment(monkeypatch, tmp_path):
    """Nothing of the machine's AWS setup may leak into a test's clients."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_MACHINE_LEARNING",
                 "AWS_ENDPOINT_URL_CLEANROOMSML", "AWS_ENDPOINT_URL_CLEANROOMS", "AWS_ACCESS_KEY_ID",
                 "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AML_S3_ROOT", str(tmp_path / "s3"))


@pytest.fixture
def serve(aml_home):
    """A factory: `serve(**settings)` starts a server on a free port; all are stopped after the test."""
    running: list[server.Running] = []

    def start(home=None, *, dispatch=None, clock=None, keys=KEYS, **settings) -> server.Running:
        instance = server.start(server.Settings(**{"port": 0, **settings}), Store(home or aml_home), keys,
                                dispatch=dispatch, clock=clock)
        running.append(instance)
        return instance

    yield start
    for instance in running:
        instance.stop()


@pytest.fixture(scope="session")
def world_template(tmp_path_factory):
    """A data directory with every kind of resource COMPLETED, built once per test process."""
    root = tmp_path_factory.mktemp("world")
    facts = build_world(root / "home", root / "data")
    return root, facts


def _private_copy(template: tuple, home: Path) -> tuple:
    """The template's data directory copied to `home` (tests delete and update in it); returns (home, facts)."""
    root, facts = template
    shutil.copytree(root / "home", home)
    return home, facts


@pytest.fixture
def world(world_template, tmp_path):
    """A private copy of the world; returns (home, facts)."""
    return _private_copy(world_template, tmp_path / "world-home")


@pytest.fixture(scope="session")
def rooms_template(tmp_path_factory):
    """A data directory with a settled Clean Rooms world (tests/server/rooms.py), built once per test process."""
    root = tmp_path_factory.mktemp("rooms")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AML_S3_ROOT", str(root / "s3"))
        facts = build_rooms(root / "home", root / "data")
    return root, facts


@pytest.fixture
def rooms(rooms_template, tmp_path):
    """A private copy of the Clean Rooms world; returns (home, facts)."""
    return _private_copy(rooms_template, tmp_path / "rooms-home")


@pytest.fixture
def credentials(tmp_path) -> Path:
    """The tests' key pair in the shared-credentials format, as `aml serve` writes its own."""
    path = tmp_path / "credentials"
    path.write_text(f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def aws(credentials, tmp_path):
    """`aws(*args, **env)`: the installed aws CLI with only PATH, HOME and the AWS variables given (like env -i)."""
    def run(*args: str, **env: str) -> subprocess.CompletedProcess:
        environment = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "AWS_CONFIG_FILE": os.devnull,
                       "AWS_SHARED_CREDENTIALS_FILE": str(credentials), "AWS_DEFAULT_REGION": "us-east-1", **env}
        return subprocess.run([AWS, *args], env=environment, capture_output=True, text=True, timeout=120)

    return run
