"""What every resource module shares: clocks, identity, idempotency, views, lookups."""

from __future__ import annotations

import json
import os
import time
from typing import TYPE_CHECKING

from aml_cli.api.errors import IdempotentParameterMismatchException, InvalidInputException, ResourceNotFoundException

if TYPE_CHECKING:
    from aml_cli.store import Store

# resource kind -> (ID member, noun used in messages)
KINDS: dict[str, tuple[str, str]] = {
    "DataSource": ("DataSourceId", "data source"),
    "MLModel": ("MLModelId", "model"),
    "Evaluation": ("EvaluationId", "evaluation"),
    "BatchPrediction": ("BatchPredictionId", "batch prediction"),
}

ACTIVE = frozenset({"PENDING", "INPROGRESS"})


def now() -> float:
    """Epoch seconds to the millisecond, as the service stamps its resources."""
    return round(time.time(), 3)


def iam_user() -> str:
    """The local identity in ARN form; `AML_IAM_USER` overrides it."""
    configured = os.environ.get("AML_IAM_USER")
    if configured:
        return configured
    import getpass

    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "local"
    return f"arn:aws:iam::000000000000:user/{login or 'local'}"


def fingerprint(request: dict) -> str:
    """A stable digest of a create request, for idempotency on the ID."""
    import hashlib

    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def article(noun: str) -> str:
    return "An" if noun[0] in "aeiou" else "A"


def not_found(kind: str, resource_id: str) -> ResourceNotFoundException:
    noun = KINDS[kind][1]
    return ResourceNotFoundException(f"{article(noun)} {noun} with ID {resource_id} does not exist.")


def create_once(store: Store, kind: str, record: dict, request: dict, depends_on=()) -> bool:
    """Insert a new resource with its job queued; True if created, False if the same request made it before.

    A different request under an existing ID is the service's
    IdempotentParameterMismatchException.
    """
    from aml_cli.jobs import create_with_job

    id_member, noun = KINDS[kind]
    existing = create_with_job(store, kind, record[id_member], record, fingerprint(request), depends_on)
    if existing is None:
        return True
    if existing == fingerprint(request):
        return False
    raise IdempotentParameterMismatchException(
        f"{article(noun)} {noun} with ID {record[id_member]} already exists with different parameters."
    )


def fetch(store: Store, kind: str, resource_id: str) -> dict:
    """The resource's record after noticing dead workers; ResourceNotFoundException if none."""
    from aml_cli.jobs import reap

    reap(store)
    record = store.get(kind, resource_id)
    if record is None:
        raise not_found(kind, resource_id)
    return record


def fetch_dependency(store: Store, kind: str, resource_id: str, member: str) -> dict:
    """A resource a create request names; a missing or unusable one is invalid input."""
    from aml_cli.jobs import reap

    reap(store)
    record = store.get(kind, resource_id)
    noun = KINDS[kind][1]
    if record is None:
        raise InvalidInputException(f"{member}: {article(noun)} {noun} with ID {resource_id} does not exist.")
    if record["Status"] in ("FAILED", "DELETED"):
        raise InvalidInputException(
            f"{member}: the {noun} {resource_id} is {record['Status']} and cannot be used."
        )
    return record


def inherited_tags(*sources: dict) -> list[dict]:
    """Tags of the objects a new one is created from (later sources win on a shared key), as the service copied them."""
    from aml_cli.service.tags import MAX_TAGS

    merged: dict[str, dict] = {}
    for source in sources:
        for tag in source.get("_tags", []):
            merged[tag["Key"]] = tag
    return list(merged.values())[:MAX_TAGS]


def public_view(record: dict, members) -> dict:
    """The record's API members in the response shape's order; internal fields (`_...`) never leave."""
    return {name: record[name] for name in members if record.get(name) is not None}


def list_view(kind: str, record: dict) -> dict:
    """The record as Describe* lists it: the API members present; ComputeTime only once COMPLETED
    (for a data source, only when it computed statistics)."""
    from aml_cli.api import shape

    view = public_view(record, shape(kind).members)
    if record["Status"] != "COMPLETED" or (kind == "DataSource" and not record.get("ComputeStatistics")):
        view.pop("ComputeTime", None)
    return view


def get_view(store: Store, kind: str, record: dict, extra: dict | None = None) -> dict:
    """The record as Get* answers: the list view plus LogUri and `extra`, in the response shape's order."""
    from aml_cli.api import shape

    view = {**list_view(kind, record), "LogUri": log_uri(store, kind, record), **(extra or {})}
    return {name: view[name] for name in shape(f"Get{kind}Output").members if view.get(name) is not None}


def touch(changes: dict) -> dict:
    changes["LastUpdatedAt"] = now()
    return changes


def log_uri(store: Store, kind: str, record: dict) -> str | None:
    """A file:// URI of the resource's job log, once a job has started on it (never while PENDING)."""
    if record.get("Status") == "PENDING":
        return None
    from aml_cli.jobs import log_path

    path = log_path(store, kind, record[KINDS[kind][0]])
    return path.as_uri() if path is not None and path.exists() else None


def rename(store: Store, kind: str, resource_id: str, name: str) -> dict:
    """UpdateX(Name): the only mutable member of most resources."""
    fetch(store, kind, resource_id)

    def apply(record: dict) -> dict:
        return {**record, **touch({"Name": name})}

    store.modify(kind, resource_id, apply)
    return {KINDS[kind][0]: resource_id}


def mark_deleted(store: Store, kind: str, resource_id: str) -> dict:
    """DeleteX: status DELETED (irreversible); a running job is stopped."""
    from aml_cli.jobs import cancel

    record = fetch(store, kind, resource_id)
    if record["Status"] == "DELETED":
        raise not_found(kind, resource_id)
    store.transition(kind, resource_id, "DELETED", touch({}))
    cancel(store, kind, resource_id)
    return {KINDS[kind][0]: resource_id}


def os_error_text(exc: OSError) -> str:
    """An OSError in the system's words; a short write with no errno (numpy's) gets its likely cause named."""
    if exc.strerror:
        return exc.strerror
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft != resource.RLIM_INFINITY:
        return f"File too large (a file reached the size limit of {soft} bytes; {exc})"
    return f"No space left on device ({exc})"
