"""Commands that are not in the AWS API, declared once: name, the name their errors carry, summary, module.

`aml help` lists them in their own section, completions offer them, and their
errors go through the same mapping as every command's, framed as
`when calling the <Operation> operation` with the name given here. Each
module has `run(argv, options) -> int`; this registry imports nothing heavy,
so `aml` can tell an extra from an operation without loading one.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module


@dataclass(frozen=True)
class Extra:
    """One aml-only command."""

    name: str  # the command word
    operation: str  # what "when calling the ... operation" says for its service errors
    summary: str  # one sentence: its line in `aml help` and in completions, and its help's first line
    module: str  # under aml_cli.cli.extras, holding `run(argv, options) -> int`


EXTRAS: dict[str, Extra] = {
    extra.name: extra
    for extra in (
        Extra("demo", "Demo", "Train and evaluate a BINARY model on the bundled churn data, end to end.", "demo"),
        Extra(
            "show-data-source-statistics",
            "ShowDataSourceStatistics",
            "Show a data source's statistics (data insights) as tables with small distribution charts.",
            "statistics",
        ),
        Extra(
            "show-evaluation",
            "ShowEvaluation",
            "Show an evaluation as the service's console did: score histograms, confusion matrix, thresholds.",
            "evaluation",
        ),
        Extra(
            "infer-schema",
            "InferSchema",
            "Infer a data schema (NUMERIC, BINARY, CATEGORICAL, TEXT) from a sample of CSV data and print it.",
            "infer_schema",
        ),
        Extra("completions", "Completions", "Print the shell completion script for bash, zsh or fish.", "completions"),
    )
}


def run_extra(name: str, argv: list[str], options) -> int:
    """Run an extra; a service error it meets names the extra as its operation."""
    from aml_cli.api.errors import ServiceError

    extra = EXTRAS[name]
    try:
        return import_module(f"aml_cli.cli.extras.{extra.module}").run(argv, options)
    except ServiceError as exc:
        if not getattr(exc, "operation", None):
            exc.operation = extra.operation
        raise


def run_click(command, argv: list[str], options) -> int:
    """Run a Click command with aml's error mapping: unknown options and usage errors exit 252."""
    import click

    from aml_cli.cli.usage_errors import UnknownOptionsError, UsageError

    try:
        result = command.main(argv, prog_name=f"aml {command.name}", standalone_mode=False, obj=options)
    except click.exceptions.NoSuchOption as exc:
        raise UnknownOptionsError([exc.option_name]) from exc
    except click.UsageError as exc:
        raise UsageError(exc.format_message()) from exc
    return result if isinstance(result, int) else 0
