"""Commands that are not in the AWS API, declared once: name, the name their errors carry, summary, module.

`aml help` lists them in their own section, completions offer them, and their
errors go through the same mapping as every command's, framed as
`when calling the <Operation> operation` with the name given here. This
registry imports nothing heavy, so `aml` can tell an extra from an operation
without loading one.

The interface of an extra's module (under aml_cli.cli.extras):
- `command() -> click.Command` (required): the Click command, named as the
  extra, every option (and argument) with a `help` text; its callback takes
  the global options with `@click.pass_obj` and returns the exit code. Help
  pages (`aml help <extra>`, `aml <extra> help|--help`), completions and the
  test that every option has help are built from it, never from `run`.
- `run(argv, options) -> int` (optional): runs the extra; without it
  `run_click(command(), argv, options)` does.
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
    module: str  # under aml_cli.cli.extras, holding `command()` (and maybe `run(argv, options)`)


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
            "show-ml-model",
            "ShowMLModel",
            "Show inside a model: its training curve, the features weighing most per class, its recipe.",
            "show_ml_model",
        ),
        Extra(
            "export-ml-model",
            "ExportMLModel",
            "Write a model's recipe, fitted transformations and weights as documented JSON.",
            "export_ml_model",
        ),
        Extra(
            "infer-schema",
            "InferSchema",
            "Infer a data schema (NUMERIC, BINARY, CATEGORICAL, TEXT) from a sample of CSV data and print it.",
            "infer_schema",
        ),
        Extra(
            "check-store",
            "CheckStore",
            "Verify every file the store's resources rely on and list what is damaged (exit code 1 if any).",
            "check_store",
        ),
        Extra("completions", "Completions", "Print the shell completion script for bash, zsh or fish.", "completions"),
        Extra("serve", "Serve", "Serve every aml service over HTTP, signed with SigV4, for boto3, the aws CLI and "
              "other AWS SDKs.", "serve"),
    )
}


def _module(name: str):
    return import_module(f"aml_cli.cli.extras.{EXTRAS[name].module}")


def extra_command(name: str):
    """The extra's Click command (`command()` of its module): what its help and completions show."""
    return _module(name).command()


def run_extra(name: str, argv: list[str], options) -> int:
    """Run an extra; a service error it meets names the extra as its operation."""
    from aml_cli.api.errors import ServiceError

    extra = EXTRAS[name]
    module = _module(name)
    try:
        if hasattr(module, "run"):
            return module.run(argv, options)
        return run_click(module.command(), argv, options)
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
