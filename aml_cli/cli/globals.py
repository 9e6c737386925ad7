"""The AWS CLI's global options (plus aml's --sync), accepted anywhere on the command line.

They are pulled out of argv before the command is looked at, so
`aml get-ml-model --ml-model-id m --output text` and
`aml --output text get-ml-model --ml-model-id m` mean the same. An option
that takes a value always takes the next token, so `--query 'Results[0]'`
is never read as an operation option, and the command's tokens are left in order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from aml_cli.cli.usage_errors import UsageError, invalid_choice_message, looks_like_option

OUTPUT_CHOICES = ("json", "text", "table", "yaml", "yaml-stream", "off")
COLOR_CHOICES = ("on", "off", "auto")
BINARY_FORMAT_CHOICES = ("base64", "raw-in-base64-out")
ERROR_FORMAT_CHOICES = ("legacy", "enhanced", "json", "yaml", "text", "table")

# option -> (field, choices or "int" or None)
_VALUED: dict[str, tuple[str, tuple[str, ...] | str | None]] = {
    "--endpoint-url": ("endpoint_url", None),
    "--output": ("output", OUTPUT_CHOICES),
    "--query": ("query", None),
    "--profile": ("profile", None),
    "--region": ("region", None),
    "--color": ("color", COLOR_CHOICES),
    "--ca-bundle": ("ca_bundle", None),
    "--cli-read-timeout": ("cli_read_timeout", "int"),
    "--cli-connect-timeout": ("cli_connect_timeout", "int"),
    "--cli-binary-format": ("cli_binary_format", BINARY_FORMAT_CHOICES),
    "--cli-error-format": ("cli_error_format", ERROR_FORMAT_CHOICES),
}

# flag -> (field, value it sets)
_FLAGS: dict[str, tuple[str, bool]] = {
    "--debug": ("debug", True),
    "--no-verify-ssl": ("no_verify_ssl", True),
    "--no-paginate": ("no_paginate", True),
    "--version": ("version", True),
    "--no-sign-request": ("no_sign_request", True),
    "--no-cli-pager": ("no_cli_pager", True),
    "--cli-auto-prompt": ("cli_auto_prompt", True),
    "--no-cli-auto-prompt": ("cli_auto_prompt", False),
    "--sync": ("sync", True),
}

GLOBAL_OPTIONS: tuple[str, ...] = (*_VALUED, *_FLAGS)


def value_kind(option: str) -> tuple[str, ...] | str | None:
    """For a global option taking a value: its choices, "int", or None for free text."""
    return _VALUED[option][1]


def takes_value(option: str) -> bool:
    return option in _VALUED


def _default_output() -> str:
    return os.environ.get("AWS_DEFAULT_OUTPUT") or "json"


@dataclass
class GlobalOptions:
    """Options that apply to the whole invocation; `given` lists the ones on the command line."""

    endpoint_url: str | None = None
    output: str = field(default_factory=_default_output)
    query: str | None = None
    profile: str | None = None
    region: str | None = None
    color: str = "auto"
    ca_bundle: str | None = None
    cli_read_timeout: int | None = None
    cli_connect_timeout: int | None = None
    cli_binary_format: str | None = None
    cli_error_format: str | None = None  # None: AWS_CLI_ERROR_FORMAT or "enhanced", decided by the caller
    debug: bool = False
    no_verify_ssl: bool = False
    no_paginate: bool = False
    version: bool = False
    no_sign_request: bool = False
    no_cli_pager: bool = False
    cli_auto_prompt: bool | None = None
    sync: bool = False
    given: list[str] = field(default_factory=list)


def split_global_options(argv: list[str]) -> tuple[GlobalOptions, list[str]]:
    """Global options out of argv (before or after the command); the other tokens in order."""
    options = GlobalOptions()
    rest: list[str] = []
    pos = 0
    while pos < len(argv):
        token = argv[pos]
        pos += 1
        name, explicit = token.split("=", 1) if token.startswith("--") and "=" in token else (token, None)
        if name in _FLAGS:
            if explicit is not None:
                raise UsageError(f"argument {name}: ignored explicit argument '{explicit}'")
            attr, value = _FLAGS[name]
            setattr(options, attr, value)
        elif name in _VALUED:
            if explicit is None:
                if pos >= len(argv) or looks_like_option(argv[pos], GLOBAL_OPTIONS):
                    raise UsageError(f"argument {name}: expected one argument")
                explicit, pos = argv[pos], pos + 1
            attr, kind = _VALUED[name]
            setattr(options, attr, _checked(name, explicit, kind))
        else:
            rest.append(token)
            continue
        options.given.append(name)
    return options, rest


def _checked(name: str, value: str, kind: tuple[str, ...] | str | None) -> str | int:
    if kind == "int":
        try:
            return int(value)
        except ValueError:
            raise UsageError(f"argument {name}: invalid int value: '{value}'") from None
    if isinstance(kind, tuple) and value not in kind:
        raise UsageError(invalid_choice_message(name, value, kind))
    return value
