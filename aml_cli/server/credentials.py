"""The server's key pairs, kept in AWS's own shared-credentials format.

Because the file is what every SDK already reads, `AWS_SHARED_CREDENTIALS_FILE=<it>`
is all a client needs. Every section is an accepted key pair (room for a CI
key beside `[default]`). The first start creates it owner-only (0600, inside a
0700 folder, with O_EXCL so two servers never both write it); a file others
can read is refused, since anyone who reads it can sign as its owner.
"""

from __future__ import annotations

import base64
import configparser
import os
import secrets
import stat
from pathlib import Path
from typing import NamedTuple

from aml_cli.service.context import LOCAL_ACCOUNT
from aml_cli.store.paths import private_dir


class CredentialsError(Exception):
    """The credentials file cannot be used as it is; the message says how to fix it."""


class KeyPair(NamedTuple):
    secret: str
    caller_arn: str  # CreatedByIamUser of what this key creates


def credentials_path(home: Path) -> Path:
    return home / "serve" / "credentials"


def new_key_id() -> str:
    """`AML` and 17 random base32 characters: 20 in all, like an AWS access key id."""
    return "AML" + base64.b32encode(secrets.token_bytes(11)).decode("ascii")[:17]


def ensure(path: Path) -> bool:
    """Creates the file with a fresh `[default]` pair unless it exists; True when it was created now."""
    private_dir(path.parent)
    text = (f"[default]\naws_access_key_id = {new_key_id()}\n"
            f"aws_secret_access_key = {secrets.token_urlsafe(30)}\n")
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return True


def load(path: Path) -> dict[str, KeyPair]:
    """Access key id -> its pair, from every section; refuses a file that group or others may read or write."""
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode & 0o077:
        raise CredentialsError(f"{path} is readable by others (mode {mode:04o}); refusing to use it. "
                               f"Run: chmod 600 {path}")
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as exc:
        raise CredentialsError(f"{path} is not in the shared-credentials format: {exc}") from exc
    pairs = {}
    for section in parser.sections():
        key_id = parser.get(section, "aws_access_key_id", fallback="").strip()
        secret = parser.get(section, "aws_secret_access_key", fallback="").strip()
        if key_id and secret:
            arn = parser.get(section, "aml_caller_arn", fallback="").strip()
            pairs[key_id] = KeyPair(secret, arn or f"arn:aws:iam::{LOCAL_ACCOUNT}:user/{section}")
    if not pairs:
        raise CredentialsError(f"{path} holds no aws_access_key_id / aws_secret_access_key pair.")
    return pairs
