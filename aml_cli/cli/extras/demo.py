"""`aml demo`: from a bundled CSV to an evaluated model, with the same service calls a script would make."""

from __future__ import annotations

import json
from importlib import resources

from aml_cli.cli.output_stream import write_stderr, write_stdout


def _demo_file(name: str) -> str:
    return str(resources.files("aml_cli") / "demo" / name)


def _step(text: str) -> None:
    write_stderr(f"==> {text}\n")


def command():
    """`aml demo [--prefix P]`."""
    import click

    from aml_cli.cli.extras import EXTRAS

    @click.command("demo", help=EXTRAS["demo"].summary + " Jobs run in this process; it takes about a minute.")
    @click.option("--prefix", default="demo", show_default=True,
                  help="Prefix of the IDs the demo creates (<prefix>-train, -test, -model, -evaluation).")
    @click.pass_obj
    def demo(options, prefix: str) -> int:
        return run_demo(prefix, options)

    return demo


def run_demo(prefix: str, options) -> int:
    """Split 70/30, train BINARY, evaluate, print the model and its AUC (jobs run in this process)."""
    from functools import partial

    from aml_cli.cli.invoke import call_service

    call = partial(call_service, options=options, synchronous=True)
    data, schema = _demo_file("churn.csv.gz"), _demo_file("churn.schema")
    with open(schema, encoding="utf-8") as handle:
        schema_text = handle.read()
    splits = {
        f"{prefix}-train": ("Churn: training (70%)", {"percentBegin": 0, "percentEnd": 70}),
        f"{prefix}-test": ("Churn: evaluation (30%)", {"percentBegin": 70, "percentEnd": 100}),
    }
    for source_id, (name, splitting) in splits.items():
        _step(f"create-data-source-from-s3 --data-source-id {source_id}")
        call(
            "CreateDataSourceFromS3",
            {
                "DataSourceId": source_id,
                "DataSourceName": name,
                "DataSpec": {
                    "DataLocationS3": data,
                    "DataSchema": schema_text,
                    "DataRearrangement": json.dumps({"splitting": splitting}),
                },
                "ComputeStatistics": True,
            },
        )
    model_id, evaluation_id = f"{prefix}-model", f"{prefix}-evaluation"
    _step(f"create-ml-model --ml-model-id {model_id} --ml-model-type BINARY")
    call(
        "CreateMLModel",
        {
            "MLModelId": model_id,
            "MLModelName": "Churn: will the customer leave?",
            "MLModelType": "BINARY",
            "TrainingDataSourceId": f"{prefix}-train",
        },
    )
    model = call("GetMLModel", {"MLModelId": model_id})
    if model["Status"] != "COMPLETED":
        write_stderr(f"The model is {model['Status']}: {model.get('Message', '')}\n")
        return 255
    _step(f"create-evaluation --evaluation-id {evaluation_id}")
    call(
        "CreateEvaluation",
        {
            "EvaluationId": evaluation_id,
            "EvaluationName": "Churn: evaluation on the held-out 30%",
            "MLModelId": model_id,
            "EvaluationDataSourceId": f"{prefix}-test",
        },
    )
    _step(f"get-ml-model --ml-model-id {model_id}")
    from aml_cli.api import service
    from aml_cli.cli.invoke import run_operation

    code = run_operation(service().operation("GetMLModel"), ["--ml-model-id", model_id], options)
    evaluation = call("GetEvaluation", {"EvaluationId": evaluation_id})
    if evaluation["Status"] != "COMPLETED":
        write_stderr(f"The evaluation is {evaluation['Status']}: {evaluation.get('Message', '')}\n")
        return 255
    auc = evaluation["PerformanceMetrics"]["Properties"]["BinaryAUC"]
    write_stdout(f"\nEvaluation {evaluation_id}: BinaryAUC = {float(auc):.4f} on the held-out 30%\n")
    write_stderr(f"See the report with: aml show-evaluation --evaluation-id {evaluation_id}\n")
    return code
