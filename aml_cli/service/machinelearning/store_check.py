"""CheckStore (aml's own, for `aml check-store`): every file the store's resources rely on, verified.

The store names what is damaged instead of letting a later command guess (a
FileNotFoundError in training, a predict that never returns). This walks
every resource of every service the store holds, and for each one whose job
completed checks each artifact its record names (by the rule of
`ARTIFACT_FIELD`): there, a regular file (never a link, FIFO or device), the
size and SHA-256 its job recorded, and for a model file its own checksum.
The store's own folders are checked too; a damaged `aml.db` fails the opening
of the store itself, with its cause.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

_FOLDERS = ("artifacts", "logs", "tmp")


def check_store(store: Store, request: dict, context: RequestContext) -> dict:
    """CheckStore {}: {Home, ResourcesChecked, FilesChecked, Damaged: [{Service, Kind, Id, File, Path, Problem}]}."""
    damaged = _folder_damage(store)
    resources = files = 0
    for service_name, kind, record in _completed_records(store):
        resources += 1
        for field in _artifact_fields(record):
            files += 1
            problem = _problem(record, field)
            if problem is not None:
                damaged.append({"Service": service_name, "Kind": kind.name, "Id": str(record.get(kind.id_member)),
                                "File": field[1:-len("_path")], "Path": record[field], "Problem": problem})
    return {"Home": str(store.home), "ResourcesChecked": resources, "FilesChecked": files, "Damaged": damaged}


def _folder_damage(store: Store) -> list[dict]:
    found = []
    for name in _FOLDERS:
        path = store.home / name
        if (path.exists() and not path.is_dir()) or path.is_symlink():
            found.append({"Service": "", "Kind": "Store", "Id": "", "File": name, "Path": str(path),
                          "Problem": "is not a folder (aml keeps its files there)"})
    return found


def _completed_records(store: Store):
    """(service, kind, record) of every resource whose job finished (and of every kind without a lifecycle)."""
    from aml_cli.api import resource_kinds
    from aml_cli.service import answered_services

    for service_name in answered_services():
        for kind in resource_kinds(service_name).values():
            done = kind.lifecycle.done if kind.lifecycle is not None else None
            for record in store.list(kind.name):
                if done is None or record.get("Status") == done:
                    yield service_name, kind, record


def _artifact_fields(record: dict) -> list[str]:
    from aml_cli.store.artifacts import ARTIFACT_FIELD

    return [field for field, value in record.items() if ARTIFACT_FIELD.fullmatch(field) and isinstance(value, str)]


def _problem(record: dict, field: str) -> str | None:
    from aml_cli.store.artifacts import artifact_problem

    problem = artifact_problem(record, field)
    if problem is None and record[field].endswith(".json"):
        problem = _json_problem(Path(record[field]))
    if problem is None and record[field].endswith(".amlmodel"):
        from aml_cli.ml.model_file import ModelFileError, read_model_file

        try:  # its own header and checksum: damage a size check cannot see in a store made before sizes
            read_model_file(Path(record[field]))
        except ModelFileError as err:
            problem = f"is not a whole model file ({err})"
    return problem


def _json_problem(path: Path) -> str | None:
    """A JSON artifact (statistics) that does not parse, for stores whose jobs recorded no checksum yet."""
    import json

    try:
        json.loads(path.read_bytes())  # a regular file: artifact_problem checked it first
    except (OSError, ValueError) as err:
        return f"is not valid JSON ({err})"
    return None
