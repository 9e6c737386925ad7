"""Crash-safe storage: resource metadata in SQLite (WAL) and artifact files beside it.

The store knows a resource's lifecycle only as its kind declares it (`aml_cli.api.resources`).
"""

from aml_cli.store.db import Store
from aml_cli.store.errors import StoreBusy, StoreDamaged, StoreError, StoreFull
from aml_cli.store.paths import aml_home, s3_root

__all__ = ["Store", "StoreBusy", "StoreDamaged", "StoreError", "StoreFull", "aml_home", "s3_root"]
