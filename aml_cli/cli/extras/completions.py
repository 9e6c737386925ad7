"""`aml completions bash|zsh|fish`: the completion script, parsed like any AWS CLI positional argument."""

from __future__ import annotations


def command():
    """The command as help and completions show it; `run` parses it with the AWS CLI's positional errors."""
    import click

    from aml_cli.cli.completion import SHELLS
    from aml_cli.cli.extras import EXTRAS

    shell = click.Argument(["shell"], type=click.Choice(SHELLS))
    shell.help = "The shell the script is for."  # set after: Click before 8.2 takes no help= for an argument
    example = " For example: aml completions bash > ~/.local/share/bash-completion/completions/aml"
    return click.Command("completions", params=[shell], help=EXTRAS["completions"].summary + example)


def run(argv: list[str], options) -> int:
    from aml_cli.cli.completion import run_completions_command

    return run_completions_command(argv)
