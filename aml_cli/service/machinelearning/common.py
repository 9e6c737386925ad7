"""What Amazon ML's resource modules share: idempotency, views, lookups, the messages of its errors.

The kinds (ID member, noun, lifecycle, job) are declared once, in
`aml_cli.api.machinelearning.resources`; this module reads them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from aml_cli.api import resource_kind, service
from aml_cli.api.errors import IdempotentParameterMismatchException, InvalidInputException, ResourceNotFoundException
from aml_cli.api.machinelearning.resources import LIFECYCLE
from aml_cli.store.clock import now

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

ML = service("machinelearning")
ACTIVE = frozenset({LIFECYCLE.start, LIFECYCLE.running})
__all__ = ["ACTIVE", "now"]


def id_member(kind: str) -> str:
    return resource_kind(kind).id_member


def noun(kind: str) -> str:
    return resource_kind(kind).noun


# Members naming a place: compared as the place they resolve to, not as the text, so `small.csv` typed in
# another folder is another request.
LOCATION_MEMBERS = frozenset({"DataLocationS3", "DataSchemaLocationS3", "RecipeUri", "OutputUri",
                              "S3StagingLocation"})


def fingerprint(request: dict) -> str:
    """A stable digest of a create request, for idempotency on the ID; relative locations count as resolved."""
    import hashlib

    text = json.dumps(_resolved(request), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _resolved(value: object) -> object:
    from aml_cli.service.locations import canonical

    if isinstance(value, dict):
        return {key: canonical(item) if key in LOCATION_MEMBERS and isinstance(item, str) else _resolved(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_resolved(item) for item in value]
    return value


def article(noun: str) -> str:
    return "An" if noun[0] in "aeiou" else "A"


def not_found(kind: str, resource_id: str) -> ResourceNotFoundException:
    what = noun(kind)
    return ResourceNotFoundException(f"{article(what)} {what} with ID {resource_id} does not exist.")


def new_record(kind: str, request: dict, context: RequestContext, **fields) -> dict:
    """A resource as its Create* records it: its ID, who made it and when, its first status, then `fields`."""
    stamp = now()
    key = id_member(kind)
    return {key: request[key], "CreatedByIamUser": context.caller_arn, "CreatedAt": stamp, "LastUpdatedAt": stamp,
            "Status": LIFECYCLE.start, **fields}


def create_once(store: Store, kind: str, record: dict, request: dict, context: RequestContext, depends_on=()) -> bool:
    """Insert a new resource with its job queued; True if created, False if the same request made it before.

    A different request under an existing ID is the service's
    IdempotentParameterMismatchException.
    """
    from aml_cli.jobs import Work, create_with_job

    declared = resource_kind(kind)
    work = Work(declared.job or "", synchronous=context.synchronous, progress=context.progress)
    key = declared.id_member
    existing = create_with_job(store, kind, record[key], record, fingerprint(request), work, depends_on)
    if existing is None:
        return True
    if existing == fingerprint(request):
        return False
    raise IdempotentParameterMismatchException(
        f"{article(declared.noun)} {declared.noun} with ID {record[key]} already exists with different parameters."
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
    what = noun(kind)
    if record is None:
        raise InvalidInputException(f"{member}: {article(what)} {what} with ID {resource_id} does not exist.")
    if record["Status"] in (LIFECYCLE.failed, "DELETED"):
        raise InvalidInputException(
            f"{member}: the {what} {resource_id} is {record['Status']} and cannot be used."
        )
    return record


def inherited_tags(*sources: dict) -> list[dict]:
    """Tags of the objects a new one is created from (later sources win on a shared key), as the service copied them."""
    from aml_cli.service.machinelearning.tags import MAX_TAGS

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
    view = public_view(record, ML.shape(kind).members)
    if record["Status"] != LIFECYCLE.done or (kind == "DataSource" and not record.get("ComputeStatistics")):
        view.pop("ComputeTime", None)
    return view


def get_view(store: Store, kind: str, record: dict, extra: dict | None = None) -> dict:
    """The record as Get* answers: the list view plus LogUri and `extra`, in the response shape's order."""
    view = {**list_view(kind, record), "LogUri": log_uri(store, kind, record), **(extra or {})}
    return {name: view[name] for name in ML.shape(f"Get{kind}Output").members if view.get(name) is not None}


def touch(changes: dict) -> dict:
    changes["LastUpdatedAt"] = now()
    return changes


def log_uri(store: Store, kind: str, record: dict) -> str | None:
    """A file:// URI of the resource's job log, once a job has started on it (never while PENDING)."""
    if record.get("Status") == LIFECYCLE.start:
        return None
    from aml_cli.jobs import log_path

    path = log_path(store, kind, record[id_member(kind)])
    return path.as_uri() if path is not None and path.exists() else None


def rename(store: Store, kind: str, resource_id: str, name: str) -> dict:
    """UpdateX(Name): the only mutable member of most resources."""
    update_live(store, kind, resource_id, {"Name": name})
    return {id_member(kind): resource_id}


def update_live(store: Store, kind: str, resource_id: str, changes: dict) -> dict:
    """Merges `changes` (and a new LastUpdatedAt) into a resource that is not DELETED, checked in the same
    transaction; a DELETED one is ResourceNotFoundException, as the service answers every update of it."""
    from aml_cli.jobs import reap

    reap(store)

    def apply(record: dict) -> dict:
        if record.get("Status") == "DELETED":
            raise not_found(kind, resource_id)
        return {**record, **touch(dict(changes))}

    updated = store.modify(kind, resource_id, apply)
    if updated is None:
        raise not_found(kind, resource_id)
    return updated


def mark_deleted(store: Store, kind: str, resource_id: str) -> dict:
    """DeleteX: status DELETED (irreversible); a running job is stopped."""
    from aml_cli.jobs import cancel

    record = fetch(store, kind, resource_id)
    if record["Status"] == "DELETED":
        raise not_found(kind, resource_id)
    store.transition(kind, resource_id, "DELETED", LIFECYCLE.stamp("DELETED", now()))
    cancel(store, kind, resource_id)
    return {id_member(kind): resource_id}


def os_error_text(exc: OSError) -> str:
    """An OSError in the system's words; a short write with no errno (numpy's) gets its likely cause named."""
    if exc.strerror:
        return exc.strerror
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft != resource.RLIM_INFINITY:
        return f"File too large (a file reached the size limit of {soft} bytes; {exc})"
    return f"No space left on device ({exc})"
