"""Help pages, rendered by Click from the commands derived from the API."""

from __future__ import annotations

import click

from aml_cli.api import cli_name


def _print(command: click.Command, path: str) -> None:
    ctx = click.Context(command, info_name=path)
    click.echo(command.get_help(ctx))


def print_root_help() -> None:
    from aml_cli.cli.commands import root_group

    _print(root_group(), "aml")


def print_operation_help(op_name: str) -> None:
    from aml_cli.cli.commands import operation_command

    _print(operation_command(op_name), f"aml {cli_name(op_name)}")


def print_waiter_help(name: str) -> None:
    from aml_cli.cli.commands import waiter_command

    _print(waiter_command(name), f"aml wait {cli_name(name)}")
