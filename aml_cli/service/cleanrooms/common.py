"""What Clean Rooms and Clean Rooms ML share: identifiers, ARNs, the one local account, views, pages, tags.

Every resource is recorded with the account and region of the call that made
it (`_account`, `_region`); another account or region never finds it (404),
as with the real, regional service. IDs are lower-case UUID4s.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from aml_cli.api.errors import AccessDeniedException, ResourceNotFoundException, ValidationException
from aml_cli.store.clock import now

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

__all__ = ["now"]

MAX_TAGS = 50  # per resource, as the documentation gives it (the model allows a map of 200)
DEFAULT_PAGE = 100
_IDENTITY_MEMBERS = frozenset({"id", "name", "versionIdentifier", "createTime"})
_ARN = re.compile(r"arn:(?P<partition>aws[-a-z]*):(?P<service>[-a-z]+):(?P<region>[^:]*):(?P<account>[0-9]*):"
                  r"(?P<path>.+)")
_ROLE_ACCOUNT = re.compile(r"arn:aws[-a-z]*:iam::(?P<account>[^:]+):role/.+")


def new_id() -> str:
    import uuid

    return str(uuid.uuid4())


def arn(service_name: str, context: RequestContext, path: str) -> str:
    """`arn:aws:<service>:<region>:<account>:<path>` for a resource made by this caller."""
    return f"arn:aws:{service_name}:{context.region}:{context.account}:{path}"


def arn_parts(value: str) -> dict[str, str] | None:
    """partition, service, region, account and path of an ARN; None if it is not one."""
    match = _ARN.fullmatch(value)
    return None if match is None else match.groupdict()


def owner_fields(context: RequestContext) -> dict:
    """The internal fields that tie a record to the account and region that made it."""
    return {"_account": context.account, "_region": context.region}


def visible(record: dict | None, context: RequestContext) -> bool:
    return record is not None and record.get("_account") == context.account and record.get("_region") == context.region


def fetch_owned(store: Store, kind: str, resource_id: str, context: RequestContext, message: str) -> dict:
    """A record of this account and region; ResourceNotFoundException with `message` otherwise."""
    record = store.get(kind, resource_id)
    if not visible(record, context):
        raise ResourceNotFoundException(message)
    return record


def check_role(role_arn: str | None, member: str, context: RequestContext) -> None:
    """A role of another account cannot be passed (AccessDeniedException), as the reference says."""
    if role_arn is None:
        return
    match = _ROLE_ACCOUNT.fullmatch(role_arn)
    account = match.group("account") if match else ""
    if account != context.account:
        raise AccessDeniedException(
            f"{member}: the role {role_arn} belongs to account {account or '?'}, not to {context.account}; "
            "a role can only be passed by its own account."
        )


def check_tags(tags: dict | None, existing: dict | None = None) -> dict:
    """The tags after adding `tags`: no `aws:` key (any case), at most MAX_TAGS; ValidationException otherwise."""
    merged = dict(existing or {})
    check_tag_keys(tags or {})
    merged.update(tags or {})
    if len(merged) > MAX_TAGS:
        raise ValidationException(f"A resource can have at most {MAX_TAGS} tags; this one would have {len(merged)}.")
    return merged


def check_tag_keys(keys: Iterable[str]) -> None:
    for key in keys:
        if key.lower().startswith("aws:"):
            raise ValidationException(f"Tag key {key!r} uses the reserved prefix 'aws:'; such keys cannot be changed.")


def view(record: dict, shape, extra: dict | None = None) -> dict:
    """The record's members of `shape` in its order; `Status` is the API's `status`, `_tags` its `tags`."""
    source = {**record, **(extra or {})}
    if "Status" in record and "status" in shape.members:
        source["status"] = record["Status"]
    if "tags" in shape.members:
        source["tags"] = dict(record.get("_tags") or {})
    return {name: source[name] for name in shape.members if source.get(name) is not None}


def newest_first(records: Iterable[dict]) -> list[dict]:
    """Creation order reversed (the store lists in creation order; ties keep it)."""
    return list(reversed(list(records)))


def page(records: list[dict], request: dict, result_key: str, render: Callable[[dict], dict],
         default: int = DEFAULT_PAGE) -> dict:
    """One page of `records` under `result_key`, and an opaque nextToken when more follow.

    The token names the last record shown and the first one not shown (a keyset cursor), so records
    created or deleted between two pages neither repeat nor skip one; if both are gone, the next page
    starts at the offset they stood at.
    """
    start = _start(request.get("nextToken"), records)
    size = request.get("maxResults") or default
    chunk = records[start : start + size]
    response: dict = {result_key: [render(record) for record in chunk]}
    if start + size < len(records):
        response["nextToken"] = _token(identity(chunk[-1]), identity(records[start + size]), start + size)
    return response


def identity(record: dict) -> str:
    """A short digest of what names a record for a cursor: its ARNs, ids, name, version and creation time,
    which never change."""
    named = [[key, record[key]] for key in sorted(record)
             if (key.endswith("Arn") or key in _IDENTITY_MEMBERS) and isinstance(record[key], str | float)]
    return hashlib.sha256(json.dumps(named).encode()).hexdigest()[:32]


def listing(store: Store, kind: str, request: dict, context: RequestContext, *, status_member: str,
            result_key: str, summary) -> dict:
    """A page of this account's records of `kind`, newest first, each as `summary`; when the request names
    `status_member`, only the records whose member of that name has that value."""
    wanted = request.get(status_member)
    records = [record for record in newest_first(store.list(kind)) if visible(record, context)
               and (wanted is None or record[status_member] == wanted)]
    return page(records, request, result_key, lambda record: view(record, summary))


def _token(after: str, following: str, offset: int) -> str:
    cursor = {"after": after, "next": following, "offset": offset}
    return base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode()


def _start(token: str | None, records: list[dict]) -> int:
    """Where the page a token asks for begins: after the last record shown, else at the first one not shown,
    else at the offset they held."""
    if token is None:
        return 0
    try:
        cursor = json.loads(base64.urlsafe_b64decode(token.encode()))
        after, following, offset = cursor["after"], cursor["next"], cursor["offset"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        after = following = offset = None
    if (not isinstance(after, str) or not isinstance(following, str) or not isinstance(offset, int)
            or isinstance(offset, bool) or offset < 0):
        raise ValidationException(f"The nextToken {token!r} is not valid for this listing.")
    identities = [identity(record) for record in records]
    if after in identities:
        return identities.index(after) + 1
    if following in identities:
        return identities.index(following)
    return min(offset, len(records))
