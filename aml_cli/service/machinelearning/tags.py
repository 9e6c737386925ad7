"""Tags on the four resource kinds: AddTags, DescribeTags, DeleteTags.

Limits as the service quota states them: 50 tags per resource (a request
that would exceed it changes nothing), keys 1..128 characters, values up to
256, no `aws:` prefix; adding an existing key replaces its value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aml_cli.api.errors import InvalidTagException, TagLimitExceededException
from aml_cli.service.machinelearning import common

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

MAX_TAGS = 50


def add_tags(store: Store, request: dict, context: RequestContext) -> dict:
    kind, resource_id = request["ResourceType"], request["ResourceId"]
    common.fetch(store, kind, resource_id)
    for tag in request["Tags"]:
        _check_tag(tag)

    def apply(record: dict) -> dict:
        tags = {tag["Key"]: tag.get("Value") for tag in record.get("_tags", [])}
        for tag in request["Tags"]:
            tags[tag["Key"]] = tag.get("Value")
        if len(tags) > MAX_TAGS:
            raise TagLimitExceededException(
                f"The resource {resource_id} would have {len(tags)} tags; the limit is {MAX_TAGS}."
            )
        return {**record, "_tags": [_tag(key, value) for key, value in tags.items()]}

    store.modify(kind, resource_id, apply)
    return {"ResourceId": resource_id, "ResourceType": kind}


def _tag(key: str, value: str | None) -> dict:
    return {"Key": key} if value is None else {"Key": key, "Value": value}


def _check_tag(tag: dict) -> None:
    key = tag["Key"]
    if key.lower().startswith("aws:"):
        raise InvalidTagException(f"Tag key {key!r} uses the reserved prefix 'aws:'.")
    if not 1 <= len(key) <= 128:
        raise InvalidTagException(f"Tag key {key!r} must be 1 to 128 characters long.")
    value = tag.get("Value")
    if value is not None and len(value) > 256:
        raise InvalidTagException(f"The value of tag {key!r} is longer than 256 characters.")


def describe_tags(store: Store, request: dict, context: RequestContext) -> dict:
    kind, resource_id = request["ResourceType"], request["ResourceId"]
    record = common.fetch(store, kind, resource_id)
    return {"ResourceId": resource_id, "ResourceType": kind, "Tags": list(record.get("_tags", []))}


def delete_tags(store: Store, request: dict, context: RequestContext) -> dict:
    kind, resource_id = request["ResourceType"], request["ResourceId"]
    common.fetch(store, kind, resource_id)
    for key in request["TagKeys"]:
        if key.lower().startswith("aws:"):
            raise InvalidTagException(f"Tag key {key!r} uses the reserved prefix 'aws:'.")
    doomed = set(request["TagKeys"])

    def apply(record: dict) -> dict:
        return {**record, "_tags": [tag for tag in record.get("_tags", []) if tag["Key"] not in doomed]}

    store.modify(kind, resource_id, apply)
    return {"ResourceId": resource_id, "ResourceType": kind}
