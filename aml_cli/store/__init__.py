"""Crash-safe storage: resource metadata in SQLite (WAL) and artifact files beside it."""

from aml_cli.store.db import KINDS, NEXT_STATUS, Store
from aml_cli.store.paths import aml_home, s3_root

__all__ = ["KINDS", "NEXT_STATUS", "Store", "aml_home", "s3_root"]
