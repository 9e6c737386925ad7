"""The CLI's request context: built once per command from the global options and the environment.

This is the one place the CLI reads the per-call settings: `--sync` or
`AML_SYNC`, `AML_IAM_USER`, `--region`/`AWS_REGION`/`AWS_DEFAULT_REGION`,
and whether stderr is a terminal (for a progress bar).
"""

from __future__ import annotations

import os

from aml_cli.service.context import (
    DEFAULT_REGION,
    LOCAL_ACCOUNT,
    RequestContext,
    local_identity,
    synchronous_by_default,
)


def cli_context(options, *, synchronous: bool | None = None) -> RequestContext:
    """The context of this command; `synchronous` forces the mode (the demo always runs inline)."""
    if synchronous is None:
        synchronous = bool(getattr(options, "sync", False)) or synchronous_by_default()
    region = (getattr(options, "region", None) or os.environ.get("AWS_REGION")
              or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION)
    return RequestContext(
        account=LOCAL_ACCOUNT,
        caller_arn=local_identity(),
        region=region,
        synchronous=synchronous,
        progress=_progress() if synchronous else None,
    )


def _progress():
    from aml_cli.cli.progress import terminal_progress

    return terminal_progress()
