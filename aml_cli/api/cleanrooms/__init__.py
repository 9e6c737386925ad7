"""AWS Clean Rooms (2022-02-17), the part Clean Rooms ML needs: collaborations and memberships. REST-JSON."""

from aml_cli.api.model import RestJsonProtocol, Service

SERVICE = Service(
    cli_name="cleanrooms",
    service_id="CleanRooms",
    api_version="2022-02-17",
    protocol=RestJsonProtocol(),
    signing_name="cleanrooms",
    endpoint_prefix="cleanrooms",
    data="aml_cli.api.cleanrooms.data",
    docs="aml_cli.api.cleanrooms.docs",
    validation_error="ValidationException",
    timestamp_format="iso8601",
    resources="aml_cli.api.cleanrooms.resources",
)
