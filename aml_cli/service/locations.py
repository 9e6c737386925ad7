"""Data locations: local paths, file:// URIs, and s3:// URIs mapped under the local S3 root.

Scripts written for the service name `s3://bucket/key`; here that is
`<s3 root>/bucket/key` (the store's `s3_root`: `AML_S3_ROOT`, default
`$AML_HOME/s3`, passed in by the caller). An s3:// URI never resolves outside
that root, symlinks included. A location is a file, a
folder, or (as in S3) a key prefix; its files are read in name order.
"""

from __future__ import annotations

import contextlib
import errno
import io
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


def input_files(uri: str, member: str, s3_root: Path, *, s3_fsspec: bool = False) -> list:
    """The files a data location names, in name order; InvalidInputException if there are none.

    With `s3_fsspec` (the store's AML_S3_READ=fsspec), an s3:// location is listed in S3 itself
    (`remote_files`); its files are `ml.data_files.RemoteFile`s, read by the same readers.
    """
    if s3_fsspec and _is_s3(uri):
        from aml_cli.service.remote_locations import remote_files

        return remote_files(uri.strip(), member)
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


def _is_s3(uri: str) -> bool:
    return uri.strip().lower().startswith("s3://")


def _s3_root_if(uri: str, s3_root: Path) -> Path | None:
    return s3_root.resolve() if _is_s3(uri) else None


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


def read_text_file(uri: str, member: str, s3_root: Path, limit: int = 10 << 20, *, s3_fsspec: bool = False) -> str:
    """A small text document named by a location (a schema, a recipe); from S3 itself with `s3_fsspec`."""
    if s3_fsspec and _is_s3(uri):
        from aml_cli.service.remote_locations import remote_bytes

        data = remote_bytes(uri.strip(), member, limit + 1)
    else:
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


# -- output: folders aml writes into -------------------------------------------------------------------

_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def check_output_folder(uri: str, member: str, store, below: tuple[str, ...] = ()) -> Path:
    """Where results will go, checked without creating anything (a create that is refused leaves nothing).

    The location resolves (symbolic links followed) to a place that is not the filesystem's root, not
    inside the store's own files (its S3 root excepted), inside the S3 root when it came from s3://, and a
    folder or yet to be made under a writable folder; each of `below` (folders aml will make inside it,
    relative paths) that exists is a real folder, not a symbolic link.
    """
    path = local_path(uri, member, store.s3_root)
    real = Path(os.path.realpath(path))
    root = _s3_root_if(uri, store.s3_root)
    if root is not None and not _inside(path, root):
        raise InvalidInputException(f"{member}: {uri} leads outside the local S3 root.")
    if real.parent == real:
        raise InvalidInputException(f"{member}: {uri} is the root of the filesystem; choose a folder for the output.")
    _check_not_in_store(real, uri, member, store)
    existing = real
    while not os.path.lexists(existing):
        existing = existing.parent
    if not existing.is_dir():
        raise InvalidInputException(f"{member}: {existing} exists and is not a folder.")
    if not os.access(existing, os.W_OK):
        raise InvalidInputException(f"{member}: {existing} is not writable.")
    if existing == real:
        for relative in below:
            _check_real_folder(real, relative, member)
    return real


def _check_not_in_store(real: Path, uri: str, member: str, store) -> None:
    from aml_cli.store.paths import PRIVATE_NAMES

    home = Path(os.path.realpath(store.home))
    if not _within(real, home):
        return
    private = any(_within(real, home / name) for name in PRIVATE_NAMES)
    root = Path(os.path.realpath(store.s3_root))
    if private or not (root != home and _within(root, home) and _within(real, root)):
        raise InvalidInputException(f"{member}: {uri} is inside the aml store ({home}); choose another place.")


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _check_real_folder(base: Path, relative: str, member: str) -> None:
    current = base
    for part in Path(relative).parts:
        current = current / part
        if current.is_symlink():
            raise InvalidInputException(
                f"{member}: {current} is a symbolic link; aml writes only into real folders under an output location."
            )
        if not current.exists():
            return
        if not current.is_dir():
            raise InvalidInputException(f"{member}: {current} exists and is not a folder.")


def open_output_folder(uri: str, member: str, store, *, create: bool = True) -> OutputFolder | None:
    """The checked location as an open folder handle, its missing folders made 0700 on the way.

    Each step from `/` down is opened relative to the one above with O_NOFOLLOW: a symbolic link put in
    the way after the check is an error, never followed. With `create=False`, None when it does not exist.
    """
    real = check_output_folder(uri, member, store)
    fd = os.open("/", _DIR_FLAGS)
    try:
        for part in real.parts[1:]:
            fd = _open_step(fd, part, create, member, real)
            if fd < 0:
                return None
    except BaseException:
        if fd >= 0:
            os.close(fd)
        raise
    return OutputFolder(real, fd, member)


def output_subfolder(uri: str, member: str, store, parts: tuple[str, ...]) -> Path:
    """The checked location's subfolder `parts`, made as `open_output_subfolder` makes it, as a path."""
    with open_output_subfolder(uri, member, store, parts) as folder:
        return folder.path


def open_output_subfolder(uri: str, member: str, store, parts: tuple[str, ...]) -> OutputFolder:
    """The checked location's subfolder `parts` (single names) as an open handle to write through, each
    made 0700 when missing and opened with O_NOFOLLOW relative to the one above: a symbolic link on the
    way is an error, never followed, also one put there after the check."""
    folder = open_output_folder(uri, member, store)
    try:
        for part in parts:
            inner = folder.folder(part)
            folder.close()
            folder = inner
    except BaseException:
        folder.close()
        raise
    return folder


def _open_step(parent: int, name: str, create: bool, member: str, shown: Path) -> int:
    """The folder `name` in `parent` (closed here), made 0700 when missing and `create`; -1 when missing."""
    try:
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                return -1
        with contextlib.suppress(FileExistsError):  # another process made it first: opened below like any other
            os.mkdir(name, 0o700, dir_fd=parent)
        child = os.open(name, _DIR_FLAGS, dir_fd=parent)
        os.fchmod(child, 0o700)
        return child
    except OSError as exc:
        raise _folder_error(exc, parent, name, member, shown) from None
    finally:
        os.close(parent)


def _folder_error(exc: OSError, parent: int, name: str, member: str, shown: Path) -> InvalidInputException:
    try:  # O_DIRECTORY with O_NOFOLLOW answers ENOTDIR for a link: ask what is there
        link = stat.S_ISLNK(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode)
    except OSError:
        link = False
    if exc.errno == errno.ELOOP or link:
        return InvalidInputException(
            f"{member}: {name} (in {shown}) is a symbolic link; aml writes only into real folders under an "
            "output location."
        )
    if exc.errno == errno.ENOTDIR:
        return InvalidInputException(f"{member}: {name} (in {shown}) is not a folder.")
    return InvalidInputException(f"{member}: cannot open {name} (in {shown}): {exc.strerror}.")


class OutputFolder:
    """An open, checked folder under an output location: what aml writes there is made relative to this
    handle, never through a symbolic link; files are 0600, folders 0700."""

    def __init__(self, path: Path, fd: int, member: str) -> None:
        self.path, self.fd, self.member = path, fd, member

    def __enter__(self) -> OutputFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def folder(self, name: str, *, create: bool = True) -> OutputFolder | None:
        """The subfolder `name` (a single name), made when missing and `create`; None when missing."""
        fd = _open_step(os.dup(self.fd), name, create, self.member, self.path)
        return None if fd < 0 else OutputFolder(self.path / name, fd, self.member)

    def create(self, name: str):
        """A new file `name` to write (binary), 0600; an existing one is an error."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(name, flags, 0o600, dir_fd=self.fd)
        os.fchmod(fd, 0o600)
        return os.fdopen(fd, "wb")

    @contextlib.contextmanager
    def replacing(self, name: str, mode: str = "wb"):
        """A file to fill under a temporary `.partial` name in this folder; on success it takes the place
        of `name` in one rename, on any failure it vanishes. Made relative to the handle, so a link put in
        the way after the check is never written through."""
        import secrets

        temp = f".{name}.{secrets.token_hex(6)}.partial"
        try:
            with self.create(temp) as raw:
                handle = raw if mode == "wb" else io.TextIOWrapper(raw, encoding="utf-8")
                try:
                    yield handle
                    handle.flush()
                finally:
                    if handle is not raw:
                        handle.detach()  # the raw file is closed once, by its own `with`
                os.fsync(raw.fileno())
            self.rename(temp, self, name)
        except BaseException:
            self.remove(temp)
            raise
        self.sync()

    def read(self, name: str, limit: int = 16 << 20) -> bytes | None:
        """A small regular file's bytes (never a link, a FIFO or a device), or None when it is not there."""
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(name, flags, dir_fd=self.fd)
        except (FileNotFoundError, OSError):
            return None
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read(limit)

    def rename(self, name: str, target: OutputFolder, new_name: str) -> None:
        """Moves `name` here to `new_name` in `target` (same filesystem: one atomic step)."""
        os.rename(name, new_name, src_dir_fd=self.fd, dst_dir_fd=target.fd)

    def names(self) -> list[str]:
        return sorted(os.listdir(self.fd))

    def remove(self, name: str) -> None:
        """Deletes a file (or a link, never what it points to) if it is there; a folder of that name stays."""
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError):
            os.unlink(name, dir_fd=self.fd)

    def remove_tree(self, name: str) -> None:
        """Deletes the subfolder `name` and everything in it, never following a link out of it."""
        import shutil

        if name in self.names():
            shutil.rmtree(name, dir_fd=self.fd)

    def sync(self) -> None:
        """Makes renames into this folder durable."""
        with contextlib.suppress(OSError):
            os.fsync(self.fd)
