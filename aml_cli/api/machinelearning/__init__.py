"""Amazon Machine Learning (2014-12-12): AWS JSON 1.1, `X-Amz-Target: AmazonML_20141212.<Operation>`."""

from aml_cli.api.model import JsonProtocol, Service

SERVICE = Service(
    cli_name="machinelearning",
    service_id="Machine Learning",
    api_version="2014-12-12",
    protocol=JsonProtocol(target_prefix="AmazonML_20141212"),
    signing_name="machinelearning",
    endpoint_prefix="machinelearning",
    data="aml_cli.api.machinelearning.data",
    docs="aml_cli.api.machinelearning.docs",
    validation_error="InvalidInputException",
    timestamp_format="unix-timestamp",
    resources="aml_cli.api.machinelearning.resources",
)
