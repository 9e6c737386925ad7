"""Data locations: local paths, file:// URIs, and s3:// URIs mapped under the local S3 root.

Scripts written for the service name `s3://bucket/key`; here that is
`<s3 root>/bucket/key` (the store's `s3_root`: `AML_S3_ROOT`, default
`$AML_HOME/s3`, passed in by the caller). An s3:// URI never resolves outside
that root, symlinks included. A location is a file, a
folder, or (as in S3) a key prefix; its files are read in name order.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from urllib.parse import unquote, urlparse

from aml_cli.api.errors import InvalidInputException

LOCAL_SCHEMES = ("s3", "file", "")


def local_path(uri: str, member: str, s3_root: Path) -> Path:
    """Where `uri` lives on this machine; InvalidInputException for anything that is not local."""
    text = uri.strip()
    if not text:
        raise InvalidInputException(f"{member} is empty.")
    if "\x00" in text:
        raise InvalidInputException(f"{member} contains a NUL character.")
    parsed = urlparse(text)
    scheme = parsed.scheme.lower() if len(parsed.scheme) > 1 else ""
    if scheme in ("s3", "file") and "\x00" in unquote(parsed.path):
        raise InvalidInputException(f"{member}: {text} contains an encoded NUL character (%00).")
    if scheme == "s3":
        return _s3_path(parsed.netloc, unquote(parsed.path), member, text, s3_root)
    if scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise InvalidInputException(f"{member}: {text} names another host; only local file:// URIs are supported.")
        return Path(unquote(parsed.path))
    if scheme:
        raise InvalidInputException(
            f"{member}: {text} is not a local location. aml reads local paths, file:// URIs and s3:// URIs "
            "mapped under the local S3 root."
        )
    return Path(os.path.expanduser(text)).absolute()


def canonical(uri: str) -> str:
    """A relative local path made absolute, so later jobs (in other folders) find the same file.

    s3:// and file:// URIs are kept as the user wrote them.
    """
    text = uri.strip()
    parsed = urlparse(text)
    if len(parsed.scheme) > 1:
        return uri
    return str(Path(os.path.expanduser(text)).absolute()) + ("/" if text.endswith("/") else "")


def _s3_path(bucket: str, key: str, member: str, text: str, s3_root: Path) -> Path:
    if not bucket:
        raise InvalidInputException(f"{member}: {text} has no bucket.")
    root = s3_root.resolve()
    candidate = root / bucket / key.lstrip("/")
    if text.endswith("/"):
        candidate = Path(str(candidate) + os.sep)
    if not _inside(candidate, root):
        raise InvalidInputException(f"{member}: {text} resolves outside the local S3 root {root}.")
    return candidate


def _inside(path: Path, root: Path) -> bool:
    resolved = Path(os.path.realpath(path))
    return resolved == root or root in resolved.parents


def input_files(uri: str, member: str, s3_root: Path) -> list[Path]:
    """The files a data location names, in name order; InvalidInputException if there are none."""
    path = local_path(uri, member, s3_root)
    root = _s3_root_if(uri, s3_root)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if _is_data_file(p))
    elif path.exists():
        files = [path]
    else:
        files = _prefix_matches(path)
    if not files:
        raise InvalidInputException(f"{member}: no data found at {uri}.")
    for file in files:
        check_readable_file(file, member, uri, root)
    return files


def _s3_root_if(uri: str, s3_root: Path) -> Path | None:
    return s3_root.resolve() if uri.strip().lower().startswith("s3://") else None


def _is_data_file(path: Path) -> bool:
    relative_parts = path.name
    return not relative_parts.startswith(".") and (path.is_file() or path.is_symlink() or path.is_fifo())


def _prefix_matches(path: Path) -> list[Path]:
    parent, prefix = path.parent, path.name
    if not parent.is_dir():
        return []
    return sorted(p for p in parent.rglob("*") if _is_data_file(p) and str(p).startswith(str(path)) and prefix)


def check_readable_file(path: Path, member: str, uri: str, root: Path | None = None) -> None:
    """A regular, readable file, not a FIFO or device, and inside the S3 root when it came from s3://."""
    if root is not None and not _inside(path, root):
        raise InvalidInputException(f"{member}: {uri} leads outside the local S3 root (through a symbolic link).")
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError as exc:
        raise InvalidInputException(f"{member}: {path} does not exist.") from exc
    except OSError as exc:
        raise InvalidInputException(f"{member}: cannot read {path}: {exc.strerror}.") from exc
    if stat.S_ISDIR(mode):
        raise InvalidInputException(f"{member}: {path} is a directory where a file is expected.")
    if not stat.S_ISREG(mode):
        raise InvalidInputException(f"{member}: {path} is not a regular file.")
    if not os.access(path, os.R_OK):
        raise InvalidInputException(f"{member}: {path} is not readable (permission denied).")


def read_text_file(uri: str, member: str, s3_root: Path, limit: int = 10 << 20) -> str:
    """A small text document named by a location (a schema, a recipe)."""
    path = local_path(uri, member, s3_root)
    check_readable_file(path, member, uri, _s3_root_if(uri, s3_root))
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InvalidInputException(f"{member}: {uri} is larger than {limit} bytes.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputException(f"{member}: {uri} is not valid UTF-8 text.") from exc


def output_folder(uri: str, member: str, s3_root: Path) -> Path:
    """A folder to write results under (created if needed); never a file or a FIFO."""
    path = local_path(uri, member, s3_root)
    root = _s3_root_if(uri, s3_root)
    if root is not None and not _inside(path, root):
        raise InvalidInputException(f"{member}: {uri} leads outside the local S3 root.")
    if path.exists() and not path.is_dir():
        raise InvalidInputException(f"{member}: {path} exists and is not a folder.")
    from aml_cli.store.paths import private_dir

    try:
        private_dir(path)
    except OSError as exc:
        raise InvalidInputException(f"{member}: cannot create {path}: {exc.strerror}.") from exc
    if not os.access(path, os.W_OK):
        raise InvalidInputException(f"{member}: {path} is not writable.")
    return path
