"""Artifact files (statistics, caches, models, results) written so a crash never fakes success.

A file appears under its final name only after its whole content is on disk:
writers fill a temporary file in the same folder, fsync it and rename it into
place. Names are random and internal; a resource ID never becomes a path.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from aml_cli.store.paths import FILE_MODE, private_dir

if TYPE_CHECKING:
    from aml_cli.store.db import Store

PARTIAL_SUFFIX = ".partial"
# A record field naming a file a job wrote (`_statistics_path`, `_model_path`, `_data_path`, ...): by this rule,
# never by a list, so a new kind's artifacts are checked as soon as it names them so.
ARTIFACT_FIELD = re.compile(r"_[a-z][a-z_]*_path")
FACTS_FIELD = "_artifacts"  # field -> {path, size, sha256}, recorded when the job that wrote them completed
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1 << 20


def store_dir(store: Store, name: str) -> Path:
    """One of the store's own folders (`artifacts`, `logs`, `tmp`), made 0700 on first use; anything but a
    folder in its place is a damaged store, named as such."""
    from aml_cli.store.errors import StoreDamaged

    path = store.home / name
    try:
        private_dir(path)
        if not path.is_dir():
            raise NotADirectoryError(f"{path} is not a folder")
    except OSError:
        kind = "a file" if path.is_file() else "something other than a folder"
        raise StoreDamaged(f"The aml store's folder {path} is {kind}; the store is damaged. Move it away (aml "
                           "makes the folder again) or restore the store from a backup.") from None
    return path


def artifacts_dir(store: Store) -> Path:
    """`<home>/artifacts`, created 0700 on first use."""
    return store_dir(store, "artifacts")


def new_artifact_path(store: Store, suffix: str = "") -> Path:
    """A fresh, unused path for an artifact; nothing is created yet."""
    if "/" in suffix or os.sep in suffix:
        raise ValueError(f"an artifact suffix cannot contain a path separator: {suffix!r}")
    return artifacts_dir(store) / f"{secrets.token_hex(16)}{suffix}"


def _fsync_dir(folder: Path) -> None:
    """Makes the rename itself durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(path: Path, mode: str = "wb", encoding: str | None = None) -> Iterator[IO[Any]]:
    """Yields a file to fill; on success it replaces `path`, on any failure it vanishes.

    `mode` is "wb" or "w" (text, UTF-8 unless `encoding` says otherwise).
    The temporary name ends in `.partial`, so even a SIGKILLed writer leaves
    nothing that looks complete.
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_writer writes whole files: mode must be 'wb' or 'w', not {mode!r}")
    path = Path(path)
    private_dir(path.parent)
    temp = path.parent / f".{path.name}.{secrets.token_hex(6)}{PARTIAL_SUFFIX}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        text = mode == "w"
        with os.fdopen(fd, mode, encoding=(encoding or "utf-8") if text else None) as handle:
            fd = -1  # the file object owns it now
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        remove_quietly(temp)
        raise
    _fsync_dir(path.parent)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Writes the whole of `data` to `path` or, on failure, nothing at all."""
    with atomic_writer(path, "wb") as handle:
        handle.write(data)


def remove_quietly(path: Path | str | None) -> None:
    """Deletes a file if it is there; cleanup must never raise over the real error."""
    if path is None:
        return
    with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError, OSError):
        os.unlink(path)


# -- reading and checking what jobs wrote: damage is named, never guessed at, and never hangs ------------------


def _kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return f"is {name}, not a regular file"
    return "is not a regular file"


def _open_regular(path: Path) -> tuple[int, int]:
    """(fd, size) of `path` if it is a regular file; else OSError, or ValueError saying what is there instead.

    `O_NOFOLLOW`: aml never writes a link, so one is damage (a link to /dev/zero would never end);
    `O_NONBLOCK`: a FIFO in its place opens at once, and is then refused by its type."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as err:
        if os.path.islink(path):
            raise ValueError("is a symbolic link (aml never writes one)") from None
        raise err from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise ValueError(_kind_of(info.st_mode))
    return fd, info.st_size


def _problem(path: Path, facts: dict | None, digest: bool) -> tuple[str | None, int | None]:
    """(what is wrong with the artifact or None, its size)."""
    try:
        fd, size = _open_regular(path)
    except FileNotFoundError:
        return "is missing", None
    except ValueError as err:
        return str(err), None
    except OSError as err:
        return f"cannot be read ({err.strerror or err})", None
    try:
        if facts is None:
            return ("is empty (0 bytes)" if size == 0 else None), size
        if size != facts.get("size"):
            return f"is {size} bytes, but {facts.get('size')} were written: it was truncated or changed", size
        if digest and facts.get("sha256") and _sha256(fd) != facts["sha256"]:
            return "does not hold what was written (its SHA-256 checksum differs)", size
        return None, size
    except OSError as err:
        return f"cannot be read ({err.strerror or err})", size
    finally:
        os.close(fd)


def _sha256(fd: int) -> str:
    digest = hashlib.sha256()
    while block := os.read(fd, _CHUNK):
        digest.update(block)
    return digest.hexdigest()


def facts_for(record: dict, field: str) -> dict | None:
    """The size and checksum recorded for the file `record[field]` names, if any (and still that file)."""
    facts = (record.get(FACTS_FIELD) or {}).get(field)
    return facts if isinstance(facts, dict) and facts.get("path") == record.get(field) else None


def artifact_problem(record: dict, field: str, *, digest: bool = True) -> str | None:
    """What is wrong with the file `record[field]` names (missing, not a regular file, truncated, changed), or
    None when it is whole as far as the store can tell."""
    return _problem(Path(record[field]), facts_for(record, field), digest)[0]


def damaged(what: str, path: Path | str, problem: str) -> Exception:
    """The StoreDamaged error naming one damaged artifact and what to do."""
    from aml_cli.store.errors import StoreDamaged

    return StoreDamaged(f"The {what} ({path}) {problem}: the aml store is damaged. `aml check-store` lists every "
                        "damaged file; create the resource again (under a new ID) to replace it.")


def check_artifact(record: dict, field: str, what: str) -> Path:
    """The path of a whole artifact, for a reader that opens it itself; else StoreDamaged naming it."""
    problem = artifact_problem(record, field)
    if problem is not None:
        raise damaged(what, record[field], problem)
    return Path(record[field])


def read_artifact(record: dict, field: str, what: str) -> bytes:
    """The whole content of the artifact `record[field]` names, checked against what was recorded for it."""
    path = check_artifact(record, field, what)
    try:
        fd, size = _open_regular(path)
    except (OSError, ValueError) as err:  # replaced between the check and the read
        raise damaged(what, path, str(err)) from None
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(size)
    if len(data) != size:
        raise damaged(what, path, f"changed while it was read ({len(data)} of {size} bytes)")
    return data


def artifact_facts(fields: dict) -> dict:
    """`{FACTS_FIELD: {field: {path, size, sha256}}}` for every artifact `fields` names (a job's result), so
    readers and `aml check-store` can tell a truncated or edited file from the one the job wrote."""
    facts = {}
    for field, value in fields.items():
        if ARTIFACT_FIELD.fullmatch(field) and isinstance(value, str):
            try:
                fd, size = _open_regular(Path(value))
            except (OSError, ValueError):
                continue  # not a file (an output folder): nothing to checksum
            try:
                facts[field] = {"path": value, "size": size, "sha256": _sha256(fd)}
            finally:
                os.close(fd)
    return {FACTS_FIELD: facts} if facts else {}
