"""Tags: TagResource, UntagResource, ListTagsForResource on the five taggable kinds aml keeps.

A key starting `aws:` (any case) or a 51st tag is a ValidationException and
changes nothing; a taggable ARN of a kind aml does not keep (training datasets,
audience models, ...) names nothing here: ResourceNotFoundException. A trained
model's tags belong to the model (its ARN), whichever version carried them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aml_cli.api.errors import ResourceNotFoundException
from aml_cli.service.cleanrooms.common import check_tag_keys
from aml_cli.service.cleanroomsml import common

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store


def _target(store: Store, arn: str, context: RequestContext) -> tuple[str, str]:
    """(kind, store key of the record holding the tags) of a taggable ARN."""
    target = common.arn_target(arn)
    if target is None or target[0] is None:
        raise ResourceNotFoundException(f"No resource aml keeps has the ARN {arn}.")
    kind = target[0]
    if kind == "TrainedModel":
        from aml_cli.service.cleanroomsml.trained_models import base_version

        common.membership(store, target[1], context)
        return kind, base_version(store, arn, target[1], context)["versionIdentifier"]
    record = common.resolve(store, kind, arn, context, target[1])
    return kind, record[common.resource_kind(kind).id_member].rsplit("/", 1)[1]


def tag_resource(store: Store, request: dict, context: RequestContext) -> dict:
    kind, key = _target(store, request["resourceArn"], context)

    def add(record: dict) -> dict:
        return {**record, "_tags": common.check_tags(request["tags"], record.get("_tags"))}

    store.modify(kind, key, add)
    return {}


def untag_resource(store: Store, request: dict, context: RequestContext) -> dict:
    kind, key = _target(store, request["resourceArn"], context)
    check_tag_keys(request["tagKeys"])  # an aws: key cannot be removed either
    doomed = set(request["tagKeys"])
    store.modify(kind, key, lambda record: {**record, "_tags": {k: v for k, v in (record.get("_tags") or {}).items()
                                                               if k not in doomed}})
    return {}


def list_tags_for_resource(store: Store, request: dict, context: RequestContext) -> dict:
    kind, key = _target(store, request["resourceArn"], context)
    return {"tags": dict((store.get(kind, key) or {}).get("_tags") or {})}
