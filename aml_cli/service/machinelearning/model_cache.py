"""Loaded models, kept per process so that repeated predictions do not reread the file."""

from __future__ import annotations

from functools import lru_cache

from aml_cli.api.errors import InternalServerException, InvalidInputException


def loaded_model(record: dict):
    """The model of a COMPLETED MLModel record; a damaged file is an error, never executed."""
    path = record.get("_model_path")
    if record.get("Status") != "COMPLETED" or not path:
        raise InvalidInputException(f"The model {record['MLModelId']} is {record.get('Status')}, not COMPLETED.")
    return _load(path)


@lru_cache(maxsize=8)
def _load(path: str):
    from aml_cli.ml.model_file import ModelFileError, load_model

    try:
        return load_model(path)
    except ModelFileError as exc:
        raise InternalServerException(f"The model file is damaged and was refused: {exc} ({path}). "
                                      "`aml check-store` lists every damaged file.") from exc
