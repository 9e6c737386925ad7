"""`aml check-store`: what in the store is damaged, named; exit code 1 when anything is (0 when all is whole).

A damaged `aml.db` (empty beside artifacts, not a database) cannot be opened
at all: that is the service's InternalServerException naming it (254), as for
every command.
"""

from __future__ import annotations

DAMAGE_FOUND = 1  # as fsck and `git fsck` do: the check ran, and found something wrong


def command():
    import click

    from aml_cli.cli.extras import EXTRAS

    @click.command("check-store", help=EXTRAS["check-store"].summary)
    @click.pass_obj
    def check(options) -> int:
        from aml_cli.cli.formatters import format_output
        from aml_cli.cli.invoke import call_service
        from aml_cli.cli.output_stream import write_stdout

        answer = call_service("CheckStore", {}, options)
        write_stdout(format_output(answer, options.output, title="CheckStore"))
        return DAMAGE_FOUND if answer["Damaged"] else 0

    return check
