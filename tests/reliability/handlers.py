"""A job handler that does no work, so store-write tests can create thousands of resources quickly.

`install_quick()` makes Amazon ML's four kinds record this handler with the
jobs their creates queue (in this process: a test, or a script a test starts).
"""

from __future__ import annotations

QUICK = "tests.reliability.handlers:quick"


def quick(store, resource_id: str, ctx) -> dict:
    """Completes at once; the resource keeps the fields its Create* call recorded."""
    ctx.log(f"quick job for {resource_id}")
    return {}


def install_quick(setitem=None) -> None:
    """Every Amazon ML kind's job becomes `quick`; `setitem` (a monkeypatch's) undoes it after the test."""
    from aml_cli.api import resource_kinds

    kinds = resource_kinds("machinelearning")
    for name, kind in list(kinds.items()):
        if setitem is None:
            kinds[name] = kind._replace(job=QUICK)
        else:
            setitem(kinds, name, kind._replace(job=QUICK))
