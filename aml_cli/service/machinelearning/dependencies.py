"""What a job finds of the resources it waited for: training its data source, evaluations and batch
predictions their model and data source."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aml_cli.store import Store


def ready(store: Store, kind: str, resource_id: str, role: str) -> dict:
    """A dependency a job waited for; anything but COMPLETED fails the job with a clear Message."""
    from aml_cli.jobs import JobFailed

    record = store.get(kind, resource_id)
    if record is None:
        raise JobFailed(f"The {role} {resource_id} no longer exists.")
    if record["Status"] != "COMPLETED":
        noun = role.split()[-1] if role.endswith("model") else "data source"
        raise JobFailed(f"The {role} {resource_id} has Status {record['Status']}. Create a new {noun} and retry.")
    return record
