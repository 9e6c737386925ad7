"""Data files that are not on this machine: objects fsspec reaches by URL (`s3://` with s3fs installed).

The readers take a file as a `Path` or as a `RemoteFile`, which offers the
few things they use of a Path (`open("rb")`, `stat().st_size`, `name`,
`suffix`, `str()`), so one reading code serves a local run and the workers
of a cluster that read the same objects. fsspec is imported only when a
remote file is opened; it is an extra (`aml-cli[dask]`), with s3fs for S3,
or pyarrow's own S3 client when s3fs is not installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from typing import Any, BinaryIO


@dataclass(frozen=True)
class RemoteFile:
    """One object named by URL; pickles as its URL (what a worker gets); its size is asked once."""

    url: str
    size: int | None = None

    @property
    def name(self) -> str:
        return PurePosixPath(self.url.split("://", 1)[1]).name

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix

    def open(self, mode: str = "rb") -> BinaryIO:
        if mode != "rb":
            raise ValueError("remote data files are read only")
        return filesystem_of(self.url).open(self.url, "rb")

    def stat(self) -> Any:
        size = self.size if self.size is not None else filesystem_of(self.url).size(self.url)
        return SimpleNamespace(st_size=int(size))

    def __str__(self) -> str:
        return self.url


def is_remote(name: str | Path | RemoteFile) -> bool:
    if isinstance(name, RemoteFile):
        return True
    if isinstance(name, Path):
        return False
    scheme, found, _ = str(name).partition("://")
    return bool(found) and len(scheme) > 1 and scheme.lower() != "file"  # one letter: a Windows drive


def data_file(name: str | Path | RemoteFile) -> Path | RemoteFile:
    """A file as the readers take it: a remote URL stays a URL, anything else is a local path."""
    if isinstance(name, (Path, RemoteFile)):
        return name
    return RemoteFile(name) if is_remote(name) else Path(name)


def filesystem_of(url: str) -> Any:
    """The fsspec filesystem for a URL: fsspec's own driver (s3fs for s3://), else, for s3://, pyarrow's S3
    client behind fsspec's wrapper. Credentials, region and endpoint come from the AWS environment."""
    try:
        import fsspec
    except ImportError as exc:
        raise MissingReader(url, "fsspec") from exc
    scheme = url.split("://", 1)[0].lower()
    try:
        return fsspec.filesystem(scheme)
    except (ImportError, ValueError) as exc:
        if scheme == "s3":
            arrow = _arrow_s3()
            if arrow is not None:
                return arrow
            raise MissingReader(url, "s3fs (or pyarrow)") from exc
        raise MissingReader(url, f"the fsspec driver for {scheme}://") from exc


_ARROW_S3: list[Any] = []


def _arrow_s3() -> Any:
    """pyarrow's S3 filesystem as fsspec sees it, made once per process (None without pyarrow).

    The AWS C++ SDK finds credentials and the region as the other SDKs do, but not the endpoint
    variables, so those are handed to it here.
    """
    if _ARROW_S3:
        return _ARROW_S3[0]
    try:
        from fsspec.implementations.arrow import ArrowFSWrapper
        from pyarrow import fs as arrow_fs
    except ImportError:
        return None
    import os

    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None
    options = {key: value for key, value in (("endpoint_override", endpoint), ("region", region)) if value}
    _ARROW_S3.append(ArrowFSWrapper(arrow_fs.S3FileSystem(**options)))
    return _ARROW_S3[0]


class MissingReader(OSError):
    """What reading a remote URL needs is not installed."""

    def __init__(self, url: str, package: str) -> None:
        super().__init__(f"reading {url} needs {package}: pip install 'aml-cli[dask]' s3fs")
