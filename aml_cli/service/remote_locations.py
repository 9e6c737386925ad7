"""s3:// locations read from S3 itself (AML_S3_READ=fsspec): listed and read through fsspec and s3fs.

The same rules as a local location: an object, a folder (a key ending in
/, or a key that has objects below it) whose objects are all read, or a key
prefix; objects in key order, none whose name starts with a dot, no folder
markers (keys ending in /). Every failure is the caller's
InvalidInputException naming the member and the location; nothing here
writes.
"""

from __future__ import annotations

from aml_cli.api.errors import InvalidInputException
from aml_cli.ml.data_files import MissingReader, RemoteFile, filesystem_of


def remote_files(uri: str, member: str) -> list[RemoteFile]:
    """The objects an s3:// location names, in key order, each with its size."""
    bucket_key = _checked(uri, member)
    fs = _filesystem(uri, member)
    try:
        fs.invalidate_cache()  # the objects there now, not a listing fsspec kept from an earlier call
        found = _listed(fs, bucket_key.rstrip("/"), folder=bucket_key.endswith("/"))
    except FileNotFoundError:
        found = {}
    except Exception as exc:  # the S3 client's own errors (denied, unreachable, a name S3 refuses)
        raise InvalidInputException(f"{member}: cannot read {uri}: {exc}.") from exc
    if not found:
        raise InvalidInputException(f"{member}: no data found at {uri}.")
    return [RemoteFile(f"s3://{key}", size) for key, size in sorted(found.items())]


def remote_bytes(uri: str, member: str, limit: int) -> bytes:
    """At most `limit` bytes of one object (a schema, a recipe)."""
    _checked(uri, member)
    fs = _filesystem(uri, member)
    try:
        with fs.open(uri, "rb") as handle:
            return handle.read(limit)
    except FileNotFoundError as exc:
        raise InvalidInputException(f"{member}: {uri} does not exist.") from exc
    except IsADirectoryError as exc:
        raise InvalidInputException(f"{member}: {uri} is a folder where a file is expected.") from exc
    except Exception as exc:
        raise InvalidInputException(f"{member}: cannot read {uri}: {exc}.") from exc


def _checked(uri: str, member: str) -> str:
    """`bucket/key` of an s3:// URI, refused when S3 could not name it as written: no bucket, a NUL, or a
    `.` or `..` segment (which HTTP clients fold away, so another object would be read)."""
    bucket_key = uri.split("://", 1)[1]
    if not bucket_key.split("/", 1)[0]:
        raise InvalidInputException(f"{member}: {uri} has no bucket.")
    if "\x00" in bucket_key or "%00" in bucket_key:
        raise InvalidInputException(f"{member}: {uri} contains a NUL character.")
    if any(part in (".", "..") for part in bucket_key.split("/")):
        raise InvalidInputException(f"{member}: {uri} has a . or .. segment; name the object itself.")
    return bucket_key


def _filesystem(uri: str, member: str):
    try:
        return filesystem_of(uri)
    except MissingReader as exc:
        raise InvalidInputException(f"{member}: {exc}.") from exc


def _listed(fs, path: str, folder: bool) -> dict[str, int]:
    """key -> size of the data objects at `path`: the object itself, else those below it, else by prefix."""
    if not folder:
        info = _info(fs, path)
        if info is not None and info.get("type") == "file":
            return {path: int(info["size"])}
    below = _data_objects(fs, path, path + "/")
    if below or folder:
        return below
    parent = path.rsplit("/", 1)[0] if "/" in path else path
    return _data_objects(fs, parent, path) if parent != path else {}


def _info(fs, path: str) -> dict | None:
    try:
        return fs.info(path)
    except FileNotFoundError:
        return None


def _data_objects(fs, folder: str, prefix: str) -> dict[str, int]:
    listed = fs.find(folder, detail=True)
    return {key: int(info["size"]) for key, info in listed.items()
            if key.startswith(prefix) and info.get("type") == "file" and not key.endswith("/")
            and not key.rsplit("/", 1)[-1].startswith(".")}
