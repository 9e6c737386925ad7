"""Click commands derived from the API description: one per operation, one per waiter, plus the extras.

Parsing follows the AWS CLI exactly (aml_cli.cli.args), so these commands
carry the option declarations for help, completion scripts and Click's test
runner; their callbacks hand argv to the same path `aml` itself takes.
"""

from __future__ import annotations

import click

from aml_cli.api import cli_name, operation, operation_names, waiter, waiter_names

GLOBAL_OPTIONS: tuple[tuple[str, str], ...] = (
    ("--debug", "Print diagnostics on stderr, including the request each command sends."),
    ("--endpoint-url", "Accepted for compatibility; aml always runs locally."),
    ("--no-verify-ssl", "Accepted for compatibility; ignored."),
    ("--no-paginate", "Make one request to Describe* operations instead of fetching every page."),
    ("--output", "Output format: json, text, table, yaml, yaml-stream or off."),
    ("--query", "A JMESPath expression applied to the response before it is printed."),
    ("--profile", "Accepted for compatibility; ignored."),
    ("--region", "Accepted for compatibility; ignored."),
    ("--version", "Print the version and exit."),
    ("--color", "Colour table output: on, off or auto."),
    ("--no-sign-request", "Accepted for compatibility; ignored."),
    ("--ca-bundle", "Accepted for compatibility; ignored."),
    ("--cli-read-timeout", "Accepted for compatibility; ignored."),
    ("--cli-connect-timeout", "Accepted for compatibility; ignored."),
    ("--cli-binary-format", "Accepted for compatibility (the API has no binary members)."),
    ("--no-cli-pager", "Never send output through a pager."),
    ("--cli-auto-prompt", "Accepted for compatibility; ignored."),
    ("--no-cli-auto-prompt", "Accepted for compatibility; ignored."),
    ("--cli-error-format", "Error format: enhanced (default), legacy, json, yaml, text or table."),
    ("--sync", "aml only: run jobs in this process and return when they finish (also AML_SYNC=1)."),
)

EXTRA_HELP = {
    "demo": "Train and evaluate a model on the bundled demo data, end to end.",
    "show-data-source-statistics": "Show a data source's statistics as tables with small distribution charts.",
    "show-evaluation": "Show an evaluation the way the service's console did: score histograms, confusion matrix.",
    "completions": "Print the shell completion script for bash, zsh or fish.",
}


class ArgvCommand(click.Command):
    """A command whose argv is parsed by aml's AWS-compatible parser, not by Click."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["aml_argv"] = list(args)
        return []

    def invoke(self, ctx: click.Context):
        from aml_cli.cli.main import run

        prefix = ctx.meta.get("aml_prefix", [])
        raise SystemExit(run([*prefix, self.name, *ctx.meta["aml_argv"]]))


def _doc(table: str, key, default: str = "") -> str:
    try:
        from aml_cli.api import docs
    except ImportError:
        return default
    return getattr(docs, table, {}).get(key, default)


def _param(name: str, kind: str, help_text: str, metavar: str | None = None) -> click.Option:
    if kind == "flag":
        return click.Option([f"--{name}/--no-{name}"], default=None, help=help_text)
    return click.Option([f"--{name}"], help=help_text, metavar=metavar, multiple=kind == "list")


def operation_params(op_name: str) -> list[click.Option]:
    """Every option of an operation, from the same specs the parser uses."""
    from aml_cli.cli.args import option_specs

    op = operation(op_name)
    params = [_param(spec.name, spec.kind, spec.help or "", spec.shape.type.upper()) for spec in option_specs(op)]
    params.append(click.Option(["--cli-input-json"], help="Read the request from JSON (a literal or file://)."))
    params.append(click.Option(["--cli-input-yaml"], help="Read the request from YAML (a literal or file://)."))
    params.append(
        click.Option(
            ["--generate-cli-skeleton"],
            type=click.Choice(["input", "yaml-input", "output"]),
            help="Print a request skeleton (input, yaml-input) or a sample response (output).",
        )
    )
    return params


def operation_command(op_name: str) -> click.Command:
    return ArgvCommand(
        cli_name(op_name),
        params=operation_params(op_name),
        help=_doc("OPERATION_DOCS", op_name),
        add_help_option=False,
    )


def waiter_command(name: str) -> click.Command:
    spec = waiter(name)
    help_text = _doc("WAITER_DOCS", name) + (
        f" It polls {spec.operation} until every result is COMPLETED, and exits with 255 if one FAILED"
        " or the time limit passes."
    )
    cmd = ArgvCommand(
        cli_name(name), params=operation_params(spec.operation), help=help_text.strip(), add_help_option=False
    )
    return cmd


class LazyGroup(click.Group):
    """Builds a command only when asked for it, so `aml get-ml-model` builds one, not 33."""

    def __init__(self, *args, factories: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._factories = factories

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self._factories)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        factory = self._factories.get(name)
        return factory() if factory else None


class RootGroup(LazyGroup):
    """`aml`: Click's runner and help see a group; running it takes the AWS-compatible path."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        import sys

        from aml_cli.cli.main import run

        code = run(list(args) if args is not None else sys.argv[1:])
        if standalone_mode:
            raise SystemExit(code)
        return code


def _extra_command(name: str) -> click.Command:
    return ArgvCommand(name, help=f"[aml extra, not in the AWS API] {EXTRA_HELP[name]}", add_help_option=False)


def wait_group() -> click.Group:
    factories = {cli_name(name): (lambda n=name: waiter_command(n)) for name in waiter_names()}
    return LazyGroup("wait", factories=factories, help="Wait until resources reach a state.")


def root_group() -> RootGroup:
    factories: dict = {cli_name(name): (lambda n=name: operation_command(n)) for name in operation_names()}
    factories["wait"] = wait_group
    for name in EXTRA_HELP:
        factories[name] = lambda n=name: _extra_command(n)
    params = [click.Option([flag], help=text, is_flag=True) for flag, text in GLOBAL_OPTIONS]
    return RootGroup(
        "aml",
        factories=factories,
        params=params,
        help="Amazon Machine Learning's `aws machinelearning` commands, run on a local engine.",
    )
