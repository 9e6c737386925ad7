"""Loaded models, kept per process so that repeated predictions do not reread the file.

Two forms: the full ``Model`` (numpy, pandas, scipy) for evaluations, batch
predictions and reports, and the record scorer for Predict, which reads the
file with the standard library alone so that an ``aml predict`` process never
imports the three (``aml_cli.ml.record_scoring``). Both refuse a damaged file.
"""

from __future__ import annotations

from functools import lru_cache

from aml_cli.api.errors import InternalServerException, InvalidInputException


def loaded_model(record: dict):
    """The model of a COMPLETED MLModel record; a damaged file is an error, never executed."""
    return _load(_model_path(record))


def loaded_scorer(record: dict):
    """What Predict scores a record with: the record scorer, or the full model for a file only it reads."""
    return _scorer(_model_path(record))


def _model_path(record: dict) -> str:
    path = record.get("_model_path")
    if record.get("Status") != "COMPLETED" or not path:
        raise InvalidInputException(f"The model {record['MLModelId']} is {record.get('Status')}, not COMPLETED.")
    return path


@lru_cache(maxsize=8)
def _load(path: str):
    from aml_cli.ml.model_file import ModelFileError, load_model

    try:
        return load_model(path)
    except ModelFileError as exc:
        raise _refused(exc, path) from exc


@lru_cache(maxsize=8)
def _scorer(path: str):
    from aml_cli.ml.model_bytes import ModelFileError
    from aml_cli.ml.record_scoring import load_scorer

    try:
        scorer = load_scorer(path)
    except ModelFileError as exc:
        raise _refused(exc, path) from exc
    return scorer if scorer is not None else _load(path)


def _refused(exc: Exception, path: str) -> InternalServerException:
    return InternalServerException(f"The model file is damaged and was refused: {exc} ({path}). "
                                   "`aml check-store` lists every damaged file.")
