"""Click commands derived from the API description: one per operation, one per waiter, plus the extras.

Parsing follows the AWS CLI exactly (aml_cli.cli.args), so these commands
carry the option declarations for help, completion scripts and Click's test
runner; their callbacks hand argv to the same path `aml` itself takes.
"""

from __future__ import annotations

import click

from aml_cli.api import DEFAULT_SERVICE, Service, cli_name, service
from aml_cli.cli.extras import EXTRAS
from aml_cli.cli.globals import GLOBAL_OPTIONS, takes_value, value_kind

GLOBAL_HELP: dict[str, str] = {
    "--debug": "Print diagnostics on stderr, including the request each command sends.",
    "--endpoint-url": "Accepted for compatibility; aml always runs locally.",
    "--no-verify-ssl": "Accepted for compatibility; ignored.",
    "--no-paginate": "Make one request to Describe* operations instead of fetching every page.",
    "--output": "Output format: json (the default, or AWS_DEFAULT_OUTPUT), text, table, yaml, yaml-stream, or off.",
    "--query": "A JMESPath expression applied to the response before it is printed.",
    "--profile": "Accepted for compatibility; ignored.",
    "--region": "Accepted for compatibility; ignored.",
    "--version": "Print the version and exit.",
    "--color": "Colour table output: on, off, or auto (on a terminal only).",
    "--no-sign-request": "Accepted for compatibility; ignored.",
    "--ca-bundle": "Accepted for compatibility; ignored.",
    "--cli-read-timeout": "Accepted for compatibility; ignored.",
    "--cli-connect-timeout": "Accepted for compatibility; ignored.",
    "--cli-binary-format": "Accepted for compatibility (the API has no binary members).",
    "--no-cli-pager": "Never send output through a pager.",
    "--cli-auto-prompt": "Accepted for compatibility; ignored.",
    "--no-cli-auto-prompt": "Accepted for compatibility; ignored.",
    "--cli-error-format": "How errors are printed: enhanced (the default), legacy, or as json, yaml, text or table.",
    "--sync": "aml only: run jobs in this process and return when they finish (also AML_SYNC=1).",
}

class ArgvCommand(click.Command):
    """A command whose argv is parsed by aml's AWS-compatible parser, not by Click."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["aml_argv"] = list(args)
        return []

    def invoke(self, ctx: click.Context):
        from aml_cli.cli.main import run

        groups, parent = [], ctx.parent  # `wait`, `cleanroomsml`: the groups between `aml` and this command
        while parent is not None and parent.parent is not None:
            groups.insert(0, parent.info_name)
            parent = parent.parent
        raise SystemExit(run([*groups, self.name, *ctx.meta["aml_argv"]]))


def _doc(service_name: str, table: str, key, default: str = "") -> str:
    """An entry of a service's docs (`key` None: the table is the text itself)."""
    from aml_cli.api import docs

    value = getattr(docs.of(service_name), table, {})
    return value if key is None and isinstance(value, str) else value.get(key, default)


def _param(spec) -> click.Option:
    """A Click option mirroring one parser option (for help and completion scripts)."""
    help_text = ("[required] " if spec.required else "") + (spec.help or "")
    if spec.kind == "flag":
        decl = f"{spec.name}/{spec.negative}" if spec.negative else spec.name
        return click.Option([decl], default=None, help=help_text, hidden=spec.hidden, is_flag=True)
    option_type = click.Choice(list(spec.choices)) if spec.choices else None
    if spec.shape is not None and spec.shape.enum:
        option_type = click.Choice(list(spec.shape.enum))
    metavar = spec.shape.type.upper() if spec.shape is not None and option_type is None else None
    return click.Option(
        [spec.name],
        help=help_text,
        metavar=metavar,
        type=option_type,
        multiple=spec.kind == "list",
        hidden=spec.hidden,
    )


def operation_params(described: Service, op_name: str) -> list[click.Option]:
    """Every option of an operation, from the same specs the parser uses."""
    from aml_cli.cli.args import option_specs

    return [_param(spec) for spec in option_specs(described.operation(op_name))]


def operation_command(described: Service, op_name: str) -> click.Command:
    return ArgvCommand(
        cli_name(op_name),
        params=operation_params(described, op_name),
        help=_doc(described.cli_name, "OPERATION_DOCS", op_name),
        add_help_option=False,
    )


def waiter_command(described: Service, name: str) -> click.Command:
    from aml_cli.cli.waiters import waiter_description

    spec = described.waiter(name)
    return ArgvCommand(
        cli_name(name), params=operation_params(described, spec.operation), help=waiter_description(described, spec),
        add_help_option=False,
    )


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

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Two sections: the AWS API's commands, then aml's own extras."""
        sections = {"Commands (aws machinelearning)": [], "Extras (aml only, not in the AWS API)": []}
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            key = "Extras (aml only, not in the AWS API)" if name in EXTRAS else "Commands (aws machinelearning)"
            sections[key].append((name, command.get_short_help_str(formatter.width - 36)))
        for title, rows in sections.items():
            with formatter.section(title):
                formatter.write_dl(rows)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        import sys

        from aml_cli.cli.main import run

        code = run(list(args) if args is not None else sys.argv[1:])
        if standalone_mode:
            raise SystemExit(code)
        return code


def _extra_command(name: str) -> click.Command:
    """The extra's own parameters on an ArgvCommand, so Click's runner and completions see them."""
    from aml_cli.cli.extras import extra_command

    own = extra_command(name)
    return ArgvCommand(name, params=list(own.params), help=EXTRAS[name].summary, add_help_option=False)


def _global_param(name: str) -> click.Option:
    help_text = GLOBAL_HELP.get(name, "")
    if not takes_value(name):
        return click.Option([name], help=help_text, is_flag=True)
    kind = value_kind(name)
    option_type = click.INT if kind == "int" else click.Choice(list(kind)) if isinstance(kind, tuple) else None
    return click.Option([name], help=help_text, type=option_type)


def wait_group(described: Service) -> click.Group:
    factories = {cli_name(name): (lambda n=name: waiter_command(described, n)) for name in described.waiter_names()}
    text = _doc(described.cli_name, "WAIT_DOC", None) or "Wait until resources reach a state."
    return LazyGroup("wait", factories=factories, help=text)


def _command_factories(described: Service) -> dict:
    """A service's commands (and `wait`, where it has waiters), built only when asked for."""
    factories: dict = {cli_name(name): (lambda n=name: operation_command(described, n))
                       for name in described.operation_names()}
    if described.waiter_names():
        factories["wait"] = lambda: wait_group(described)
    return factories


def service_group(name: str) -> click.Group:
    """`aml <service>`: that service's commands, run through the AWS-compatible path like the others."""
    described = service(name)
    return LazyGroup(name, factories=_command_factories(described), help=f"The aws {name} commands.")


def root_group() -> RootGroup:
    from aml_cli.cli.main import cli_services

    factories = _command_factories(service())
    for name in EXTRAS:
        factories[name] = lambda n=name: _extra_command(n)
    for name in cli_services():
        if name != DEFAULT_SERVICE:
            factories[name] = lambda n=name: service_group(n)
    params = [_global_param(name) for name in GLOBAL_OPTIONS]
    return RootGroup(
        "aml",
        factories=factories,
        params=params,
        help="Amazon Machine Learning's `aws machinelearning` commands, run on a local engine.",
    )
