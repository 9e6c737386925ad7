"""Where aml keeps its data, and the owner-only permissions of what it creates.

Everything aml writes may hold a user's data, so every folder it creates is
0700 and every file 0600, whatever the process umask says.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
# What the store keeps in its folder: nothing else may write there (its S3 root, when inside, excepted).
PRIVATE_NAMES = ("aml.db", "aml.db-wal", "aml.db-shm", "artifacts", "logs", "tmp")


def aml_home() -> Path:
    """`AML_HOME` wins so tests and scripts can keep separate worlds."""
    configured = os.environ.get("AML_HOME")
    if configured:
        return Path(configured).expanduser().absolute()
    import platformdirs

    return Path(platformdirs.user_data_dir("aml")).absolute()


def s3_root(home: Path | None = None) -> Path:
    """`s3://bucket/key` URIs resolve under this folder (`AML_S3_ROOT`, else `<home>/s3`), so S3-minded scripts
    run offline."""
    configured = os.environ.get("AML_S3_ROOT")
    if configured:
        return Path(configured).expanduser().absolute()
    return (home if home is not None else aml_home()) / "s3"


def s3_read_fsspec() -> bool:
    """`AML_S3_READ=fsspec`: s3:// data locations, schemas and recipes are read from S3 itself (fsspec and s3fs;
    credentials and endpoint from the AWS environment); anything else keeps them under the S3 root."""
    return os.environ.get("AML_S3_READ", "").strip().lower() == "fsspec"


def worker_limit() -> int:
    """How many detached workers may run at once: `AML_MAX_WORKERS`, else the number of cores."""
    configured = os.environ.get("AML_MAX_WORKERS", "").strip()
    if configured:
        try:
            return max(1, int(configured))
        except ValueError:
            pass
    return os.cpu_count() or 1


def private_dir(path: Path) -> Path:
    """Creates `path` and any missing parents as 0700; existing folders keep their mode."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue  # another process made it first
        os.chmod(folder, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Creates `path` empty as 0600 if it does not exist yet (never truncates)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return path
