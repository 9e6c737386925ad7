"""Names computed by rule from the API's spelling, as the AWS CLI computes them."""

import re

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+\d*|[A-Z]+\d*|\d+")


def cli_name(api_name: str) -> str:
    """MLModelId -> ml-model-id, DataLocationS3 -> data-location-s3, RDSData -> rds-data."""
    return "-".join(word.lower() for word in _WORD.findall(api_name))


def snake_name(api_name: str) -> str:
    """CreateMLModel -> create_ml_model: the service function for an operation."""
    return cli_name(api_name).replace("-", "_")


def waiter_cli_name(waiter_name: str) -> str:
    """DataSourceAvailable -> data-source-available."""
    return cli_name(waiter_name)
