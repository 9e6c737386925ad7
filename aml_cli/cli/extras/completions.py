"""`aml completions bash|zsh|fish`: the completion script, parsed like any AWS CLI positional argument."""

from __future__ import annotations


def run(argv: list[str], options) -> int:
    from aml_cli.cli.completion import run_completions_command

    return run_completions_command(argv)
