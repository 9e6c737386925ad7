"""Commands that are not in the AWS API: demo, show-data-source-statistics, show-evaluation, completions.

They are marked as extras in `aml help`; their options are ordinary Click
options, and their errors go through the same mapping as every command's.
"""

from __future__ import annotations

import click

from aml_cli.cli.usage_errors import UsageError


def run_extra(name: str, argv: list[str], options) -> int:
    if name == "completions":
        from aml_cli.cli.completion import run_completions_command

        return run_completions_command(argv)
    command = {
        "demo": _demo_command,
        "show-data-source-statistics": _statistics_command,
        "show-evaluation": _evaluation_command,
    }[name]()
    try:
        result = command.main(argv, prog_name=f"aml {name}", standalone_mode=False, obj=options)
    except click.exceptions.NoSuchOption as exc:
        from aml_cli.cli.usage_errors import UnknownOptionsError

        raise UnknownOptionsError([exc.option_name]) from exc
    except click.UsageError as exc:
        raise UsageError(exc.format_message()) from exc
    return result if isinstance(result, int) else 0


def _demo_command() -> click.Command:
    @click.command(help="Train and evaluate a BINARY model on the bundled churn data, end to end.")
    @click.option("--prefix", default="demo", show_default=True, help="Prefix of the IDs the demo creates.")
    @click.pass_obj
    def demo(options, prefix: str) -> int:
        from aml_cli.cli.demo import run_demo

        return run_demo(prefix, options)

    return demo


def _statistics_command() -> click.Command:
    @click.command(help="Show a data source's statistics (data insights).")
    @click.option("--data-source-id", required=True, help="The data source, created with ComputeStatistics.")
    @click.pass_obj
    def show(options, data_source_id: str) -> int:
        from aml_cli.cli.reports import show_data_source_statistics

        return show_data_source_statistics(data_source_id, options)

    return show


def _evaluation_command() -> click.Command:
    @click.command(help="Show an evaluation as the service's console did.")
    @click.option("--evaluation-id", required=True, help="A COMPLETED evaluation.")
    @click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None, help="Score cut-off (BINARY).")
    @click.option("--save", "save_path", default=None, help="Also write the report to an .svg or .html file.")
    @click.pass_obj
    def show(options, evaluation_id: str, threshold: float | None, save_path: str | None) -> int:
        from aml_cli.cli.reports import show_evaluation

        return show_evaluation(evaluation_id, threshold, save_path, options)

    return show
