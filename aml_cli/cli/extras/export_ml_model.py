"""`aml export-ml-model`: the whole model as documented JSON (docs/model-export.md), to score it anywhere."""

from __future__ import annotations

import json


def _json_name(ctx, param, value: str | None) -> str | None:
    """Refuses a name that is not .json before the model is read."""
    import click

    if value is not None and not value.lower().endswith(".json"):
        raise click.BadParameter("the file name must end in .json", ctx=ctx, param=param)
    return value


def command():
    import click

    from aml_cli.cli.extras import EXTRAS

    @click.command("export-ml-model", help=EXTRAS["export-ml-model"].summary)
    @click.option("--ml-model-id", required=True, help="A COMPLETED model.")
    @click.option("--to", "destination", required=True, callback=_json_name,
                  help="The .json file to write (a local path or file:// URI; replaced atomically, mode 0600).")
    @click.pass_obj
    def export(options, ml_model_id: str, destination: str) -> int:
        from aml_cli.cli.invoke import call_service
        from aml_cli.cli.output_stream import write_stdout

        answer = call_service("ExportMLModel", {"MLModelId": ml_model_id, "Destination": destination}, options)
        write_stdout(json.dumps(answer, indent=4, ensure_ascii=False) + "\n")
        return 0

    return export
