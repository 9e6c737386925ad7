"""Evaluations: CreateEvaluation, GetEvaluation, DescribeEvaluations, UpdateEvaluation, DeleteEvaluation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aml_cli.service.machinelearning import common, describe
from aml_cli.service.machinelearning.scoring import create_scoring

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

KIND = "Evaluation"


def create_evaluation(store: Store, request: dict, context: RequestContext) -> dict:
    return create_scoring(store, KIND, request, context, need_target=True)


def _view(record: dict) -> dict:
    return common.list_view(KIND, record)


def get_evaluation(store: Store, request: dict, context: RequestContext) -> dict:
    return common.get_view(store, KIND, common.fetch(store, KIND, request["EvaluationId"]))


def describe_evaluations(store: Store, request: dict, context: RequestContext) -> dict:
    return describe.describe(store, KIND, request, _view)


def update_evaluation(store: Store, request: dict, context: RequestContext) -> dict:
    return common.rename(store, KIND, request["EvaluationId"], request["EvaluationName"])


def delete_evaluation(store: Store, request: dict, context: RequestContext) -> dict:
    return common.mark_deleted(store, KIND, request["EvaluationId"])


# The job: score the evaluation data with the model and compute the service's metric.


def run_evaluation_job(store: Store, resource_id: str, ctx) -> dict:
    import numpy as np

    from aml_cli.ml import metrics
    from aml_cli.service.machinelearning.dependencies import ready
    from aml_cli.service.machinelearning.on_cluster import cluster_of, evaluation_scores
    from aml_cli.service.machinelearning.reading import chunks_of, input_files_of
    from aml_cli.service.machinelearning.scoring import model_for_job, scoring_schema

    record = store.get(KIND, resource_id)
    model_record = ready(store, "MLModel", record["MLModelId"], "model")
    source = ready(store, "DataSource", record["EvaluationDataSourceId"], "evaluation data source")
    schema, trained = scoring_schema(model_record, source)
    model = model_for_job(model_record)
    cluster = cluster_of(ctx)
    if cluster is not None:
        truths, scores = evaluation_scores(source, schema, trained.target, input_files_of(store, source), model,
                                           cluster, ctx)
    else:
        truths, scores = _scores(chunks_of(store, source, schema), trained.target, model)
    if not truths:
        from aml_cli.jobs import JobFailed

        raise JobFailed("The evaluation data has no records with a target value.")
    y, score = np.concatenate(truths), np.concatenate(scores)
    kind = model_record["MLModelType"]
    if kind == "BINARY":
        properties = {"BinaryAUC": repr(float(metrics.binary_auc(y, score)))}
    elif kind == "MULTICLASS":
        predicted = score.argmax(axis=1)
        properties = {"MulticlassAvgFScore": repr(float(metrics.macro_f1(y, predicted, np.arange(score.shape[1]))))}
    else:
        properties = {"RegressionRMSE": repr(float(metrics.rmse(y, score)))}
    ctx.log(f"Scored {len(y)} records: {properties}")
    details = _save_details(store, y, score, model)
    return {"PerformanceMetrics": {"Properties": properties}, "_details_path": str(details)}


def _scores(chunks, target: str, model) -> tuple[list, list]:
    """The encoded targets and the scores of the records that have a target value, chunk by chunk."""
    truths, scores = [], []
    for chunk in chunks:
        keep = ~chunk.frame[target].isna().to_numpy()
        if not keep.any():
            continue
        frame = chunk.frame[keep]
        truths.append(model.encode_targets(frame[target]))
        scores.append(model.predict_frame(frame))
    return truths, scores


def _save_details(store: Store, y, score, model):
    """The scored records, kept for `aml show-evaluation` (the console's charts)."""
    import io

    import numpy as np

    from aml_cli.jobs import JobFailed
    from aml_cli.store.artifacts import atomic_write_bytes, new_artifact_path

    buffer = io.BytesIO()
    labels = np.array([str(label) for label in getattr(model, "labels", None) or []], dtype=str)
    np.savez_compressed(buffer, y=y, score=score, labels=labels)
    path = new_artifact_path(store, ".evaluation.npz")
    try:
        atomic_write_bytes(path, buffer.getvalue())
    except OSError as exc:
        raise JobFailed(f"Could not write the evaluation details: {common.os_error_text(exc)}.") from exc
    return path


def show_evaluation(store: Store, request: dict, context: RequestContext) -> dict:
    """ShowEvaluation {EvaluationId, Threshold}: what the console showed for an evaluation, and more, for
    `aml show-evaluation` (aml's own).

    GetEvaluation keeps the service's one metric; this report adds the others (log loss, accuracy, F1,
    calibration, MAE, R²) from the scored records the evaluation job kept.
    """

    from aml_cli.api.errors import InvalidInputException

    evaluation_id, threshold = request["EvaluationId"], request.get("Threshold")
    record = common.fetch(store, KIND, evaluation_id)
    if record["Status"] != "COMPLETED" or not record.get("_details_path"):
        raise InvalidInputException(f"The evaluation {evaluation_id} is {record['Status']}, not COMPLETED.")
    model = store.get("MLModel", record["MLModelId"])
    y, score, labels = _details(record)
    kind = model["MLModelType"]
    report = {"EvaluationId": evaluation_id, "MLModelId": record["MLModelId"], "MLModelType": kind, "records": len(y)}
    baseline = _baseline(store, model, labels)
    if kind == "BINARY":
        report.update(_binary_report(y, score, model.get("ScoreThreshold", 0.5), threshold))
    elif kind == "MULTICLASS":
        report.update(_multiclass_report(y, score, labels, baseline))
    else:
        report.update(_regression_report(y, score, baseline))
    return report


def _binary_report(y, score, model_threshold: float, threshold: float | None) -> dict:
    import numpy as np

    from aml_cli.ml import metrics

    cut = model_threshold if threshold is None else threshold
    edges = np.linspace(0.0, 1.0, 21)
    at_model = metrics.binary_report(y, score, model_threshold)
    return {
        "metric": "BinaryAUC",
        "value": metrics.binary_auc(y, score),
        "baseline": 0.5,
        "metrics": {"BinaryAUC": metrics.binary_auc(y, score), "log_loss": metrics.binary_log_loss(y, score),
                    "threshold": float(model_threshold), "accuracy": at_model["accuracy"], "f1": at_model["f1"]},
        "histograms": {str(c): np.histogram(score[y == c], bins=edges)[0].tolist() for c in (0, 1)},
        "at_threshold": metrics.binary_report(y, score, cut),
        "thresholds": [metrics.binary_report(y, score, t / 10) for t in range(1, 10)],
        "calibration": metrics.calibration(y, score, 10),
    }


def _multiclass_report(y, score, labels: list[str], baseline: float) -> dict:
    """Accuracy and log loss need the per-class probabilities the job keeps (a (records, classes) score)."""
    import numpy as np

    from aml_cli.ml import metrics

    classes = list(range(len(labels)))
    probabilities = score if score.ndim == 2 else None
    predicted = probabilities.argmax(axis=1) if probabilities is not None else score
    matrix = metrics.confusion_matrix(y, predicted, classes)
    known = y >= 0  # a class the model never saw has no probability: left out of the log loss
    figures = {"MulticlassAvgFScore": metrics.macro_f1(y, predicted, classes),
               "accuracy": metrics.accuracy(y, predicted)}
    if probabilities is not None and known.any():
        figures["log_loss"] = metrics.multiclass_log_loss(y[known], probabilities[known])
        figures["records_of_unknown_classes"] = int(np.count_nonzero(~known))
    return {
        "metric": "MulticlassAvgFScore",
        "value": figures["MulticlassAvgFScore"],
        "baseline": baseline,
        "metrics": figures,
        "labels": labels,
        "confusion": matrix.tolist(),
        "per_class_f1": metrics.per_class_f1(matrix).tolist(),
    }


def _regression_report(y, score, baseline: float) -> dict:
    import numpy as np

    from aml_cli.ml import metrics

    counts, edges = np.histogram(score - y, bins=20)
    return {
        "metric": "RegressionRMSE",
        "value": metrics.rmse(y, score),
        "baseline": float(np.sqrt(np.mean((y - baseline) ** 2))),
        "metrics": {"RegressionRMSE": metrics.rmse(y, score), "mae": metrics.mae(y, score), "r2": metrics.r2(y, score)},
        "residual_histogram": {"counts": counts.tolist(), "edges": edges.tolist()},
    }


def _details(record: dict) -> tuple:
    """(targets, scores, labels) the evaluation job kept; a damaged file is StoreDamaged naming it."""
    import io

    import numpy as np

    from aml_cli.store.artifacts import damaged, read_artifact

    what = f"scored records file of evaluation {record['EvaluationId']!r}"
    blob = read_artifact(record, "_details_path", what)
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as details:
            return details["y"], details["score"], [str(v) for v in details["labels"]]
    except (OSError, ValueError, KeyError) as err:
        raise damaged(what, record["_details_path"], f"cannot be read as scored records ({err})") from None


def _baseline(store: Store, model: dict, labels: list[str]) -> float:
    """MULTICLASS: macro F1 of always answering the most frequent training class (computed by the
    caller from it); REGRESSION: the training target's mean; BINARY: AUC 0.5."""
    from aml_cli.service.machinelearning.data_sources import statistics_of

    source = store.get("DataSource", model["TrainingDataSourceId"])
    statistics = statistics_of(store, source) if source and source.get("_statistics_path") else {}
    target = statistics.get("target")
    attribute = next((a for a in statistics.get("attributes", []) if a["name"] == target), None)
    if model["MLModelType"] == "REGRESSION":
        return float(attribute["mean"]) if attribute else 0.0
    if model["MLModelType"] == "MULTICLASS" and labels:
        distribution = statistics.get("target_distribution") or {}
        counts = [float(distribution.get(label, 0)) for label in labels]
        share = max(counts) / sum(counts) if sum(counts) else 0.0
        # always predicting the majority class: F1 = 2p/(1+p) for it, 0 for the others
        return (2 * share / (1 + share)) / len(labels) if share else 0.0
    return 0.5
