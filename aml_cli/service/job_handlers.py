"""Which function does the work of each kind of job, as "module:function" strings.

Strings, not imports: a worker imports only the module its job needs, and
`aml get-...` never pays for numpy. A handler is called as
`fn(store, resource_id, ctx)` (ctx: `log(line)`, `progress(fraction, text)`,
`log_path`) and returns the fields to set on the COMPLETED resource; it
raises `aml_cli.jobs.JobFailed(message)` to fail it.
"""

from __future__ import annotations

import os

HANDLERS: dict[str, str] = {
    "DataSource": "aml_cli.service.data_sources:run_data_source_job",
    "MLModel": "aml_cli.service.ml_models:run_ml_model_job",
    "Evaluation": "aml_cli.service.evaluations:run_evaluation_job",
    "BatchPrediction": "aml_cli.service.batch_predictions:run_batch_prediction_job",
}

# Test-only: "Kind=module:function,Kind2=module:function" overrides HANDLERS so
# the job machinery can be tested with handlers that live under tests/.
TEST_HANDLERS_ENV = "AML_TEST_HANDLERS"


def handler_spec(kind: str) -> str | None:
    """The "module:function" for a job kind (test overrides first), or None."""
    for entry in os.environ.get(TEST_HANDLERS_ENV, "").split(","):
        name, sep, spec = entry.strip().partition("=")
        if sep and name.strip() == kind:
            return spec.strip()
    return HANDLERS.get(kind)
