"""ML configurations: PutMLConfiguration, GetMLConfiguration, DeleteMLConfiguration (spec §2.6b).

One per membership: the default output location of inference and export jobs
(`s3://` under the local S3 root, a local path or a file:// URI, as Amazon ML's
OutputUri) and a role of the caller's own account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aml_cli.api.errors import InvalidInputException, ResourceNotFoundException
from aml_cli.service.cleanroomsml import common

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

KIND = "MLConfiguration"


def put_ml_configuration(store: Store, request: dict, context: RequestContext) -> dict:
    membership = common.membership(store, request["membershipIdentifier"], context)
    location = request["defaultOutputLocation"]
    common.check_role(location["roleArn"], "defaultOutputLocation.roleArn", context)
    if "destination" not in location:
        raise common.validation("defaultOutputLocation.destination is required: aml writes outputs there.")
    output_folder_of({"defaultOutputLocation": location}, store)
    existing = store.get(KIND, membership["id"])
    fields = common.owned_fields(context, membership)
    if common.visible(existing, context):
        fields["createTime"] = existing["createTime"]
    record = {**fields, "defaultOutputLocation": location}
    if existing is None:
        store.create(KIND, membership["id"], record, membership["id"])
    else:
        store.modify(KIND, membership["id"], lambda _current: record)
    return {}


OUTPUT_MEMBER = "defaultOutputLocation.destination.s3Destination.s3Uri"


def output_folder_of(configuration: dict, store: Store, parts: tuple[str, ...] | None = None):
    """The local folder the configuration's s3Uri names: with `parts`, its subfolder `parts` made (never
    through a symbolic link) and returned open, to write through; with `parts` None only checked, nothing
    made, a path. ValidationException if unusable: the filesystem's root, inside the store, outside the S3
    root, not a writable folder."""
    from aml_cli.service.locations import check_output_folder, open_output_subfolder

    uri = configuration["defaultOutputLocation"]["destination"]["s3Destination"]["s3Uri"]
    try:
        if parts is None:
            return check_output_folder(uri, OUTPUT_MEMBER, store)
        return open_output_subfolder(uri, OUTPUT_MEMBER, store, parts)
    except InvalidInputException as exc:
        raise common.validation(exc.message) from None


def fetch(store: Store, membership_id: str, context: RequestContext) -> dict:
    record = store.get(KIND, membership_id)
    if not common.visible(record, context):
        raise ResourceNotFoundException(f"The membership {membership_id} has no ML configuration.")
    return record


def required(store: Store, membership_id: str, context: RequestContext) -> dict:
    """Inference and export jobs write where the configuration says; without one they cannot start."""
    try:
        return fetch(store, membership_id, context)
    except ResourceNotFoundException:
        raise common.validation(
            f"The membership {membership_id} has no ML configuration: set its default output location with "
            "PutMLConfiguration first."
        ) from None


def get_ml_configuration(store: Store, request: dict, context: RequestContext) -> dict:
    common.membership(store, request["membershipIdentifier"], context)
    return common.view(fetch(store, request["membershipIdentifier"], context), "GetMLConfigurationResponse")


def delete_ml_configuration(store: Store, request: dict, context: RequestContext) -> dict:
    common.membership(store, request["membershipIdentifier"], context)
    fetch(store, request["membershipIdentifier"], context)
    common.soft_delete(store, KIND, request["membershipIdentifier"])
    return {}
