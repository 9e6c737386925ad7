"""`aml infer-schema`: a data schema inferred from a sample of the data, printed as JSON for a .schema file."""

from __future__ import annotations

import json

from aml_cli.cli.output_stream import write_stdout

_LIST_OPTION = "--excluded"


def command():
    import click

    from aml_cli.cli.extras import EXTRAS

    @click.command("infer-schema", help=EXTRAS["infer-schema"].summary)
    @click.option("--data-location-s3", required=True,
                  help="The data: a CSV file, a folder or prefix of them (local path, file:// or s3://), .gz too.")
    @click.option("--target", default=None, help="The attribute to predict (targetAttributeName).")
    @click.option("--row-id", default=None, help="The attribute copied to predictions as their tag (rowId).")
    @click.option("--excluded", multiple=True,
                  help="Attributes to leave out of training (excludedAttributeNames); one or more names.")
    @click.option("--data-file-contains-header", type=click.Choice(["true", "false"], case_sensitive=False),
                  default=None, help="Whether the first line names the columns; detected when not given.")
    @click.pass_obj
    def infer(options, data_location_s3: str, target: str | None, row_id: str | None, excluded: tuple[str, ...],
              data_file_contains_header: str | None) -> int:
        return infer_schema(_request(data_location_s3, target, row_id, excluded, data_file_contains_header), options)

    return infer


def run(argv: list[str], options) -> int:
    from aml_cli.cli.extras import run_click

    return run_click(command(), _spread_list(argv), options)


def _spread_list(argv: list[str]) -> list[str]:
    """`--excluded a b c` (the AWS CLI's list style) as Click's `--excluded a --excluded b --excluded c`.

    A bare `--excluded` is left for Click to refuse (it needs a value).
    """
    spread: list[str] = []
    names: list[str] | None = None  # the names after the current --excluded, if one is open
    for word in [*argv, "--"]:
        if names is not None and not word.startswith("--"):
            names.append(word)
            continue
        if names is not None:
            spread += [item for name in names for item in (_LIST_OPTION, name)] if names else [_LIST_OPTION]
            names = None
        if word == _LIST_OPTION:
            names = []
        else:
            spread.append(word)
    return spread[:-1]


def _request(location: str, target: str | None, row_id: str | None, excluded: tuple[str, ...],
             header: str | None) -> dict:
    request: dict = {"DataLocationS3": location}
    if target is not None:
        request["TargetAttributeName"] = target
    if row_id is not None:
        request["RowId"] = row_id
    if excluded:
        request["ExcludedAttributeNames"] = [name for value in excluded for name in value.split(",") if name]
    if header is not None:
        request["DataFileContainsHeader"] = header.lower() == "true"
    return request


def infer_schema(request: dict, options) -> int:
    from aml_cli.cli.invoke import call_service

    document = call_service("InferSchema", request, options)["DataSchema"]
    write_stdout(json.dumps(document, indent=4, ensure_ascii=False) + "\n")
    return 0
