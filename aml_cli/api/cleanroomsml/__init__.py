"""AWS Clean Rooms ML (2023-09-06): REST-JSON, each operation its own method and URI."""

from aml_cli.api.model import RestJsonProtocol, Service

SERVICE = Service(
    cli_name="cleanroomsml",
    service_id="CleanRoomsML",
    api_version="2023-09-06",
    protocol=RestJsonProtocol(),
    signing_name="cleanrooms-ml",
    endpoint_prefix="cleanrooms-ml",
    data="aml_cli.api.cleanroomsml.data",
    docs="aml_cli.api.cleanroomsml.docs",
    validation_error="ValidationException",
    timestamp_format="iso8601",
    resources="aml_cli.api.cleanroomsml.resources",
)
