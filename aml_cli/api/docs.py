"""Help text, looked up per service: each service's own words live in `aml_cli/api/<service>/docs.py`.

Kept apart from the data so that parsing and running a request never loads
it; help, the YAML skeleton's comments, completions and the Python client's
docstrings read it. Each docs module has OPERATION_DOCS[op],
MEMBER_DOCS[(structure shape, member)] and WAITER_DOCS[waiter]; Amazon ML's
also has its help topics' pointers (MEMBER_TOPICS), WAIT_DOC and RELAXED_DOCS.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType


def of(service_name: str) -> ModuleType:
    """The docs module of a service."""
    from aml_cli.api import service

    return import_module(service(service_name).docs)


def operation_doc(service_name: str, op_name: str) -> str:
    return of(service_name).OPERATION_DOCS.get(op_name, "")


def member_doc(service_name: str, structure: str, member: str) -> str:
    return of(service_name).MEMBER_DOCS.get((structure, member), "")


def first_sentence(text: str) -> str:
    """The part of `text` up to its first full stop followed by a space: what one-line displays show."""
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]
