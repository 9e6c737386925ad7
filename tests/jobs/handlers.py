"""Test-only job handlers, recorded with the jobs the tests submit (tests/jobs/support.py).

Each reads what to do from the `_Test` field of its own record, so one
handler serves every scenario: sleep, burn CPU, fail, crash, report what it saw.
"""

from __future__ import annotations

import time

from aml_cli.jobs import JobFailed


def data_source(store, resource_id, ctx):
    return _behave(store, "DataSource", resource_id, ctx)


def ml_model(store, resource_id, ctx):
    return _behave(store, "MLModel", resource_id, ctx)


def _behave(store, kind, resource_id, ctx):
    plan = store.get(kind, resource_id).get("_Test", {})
    ctx.log(f"plan {plan}")
    ctx.progress(0.0, "starting")
    deadline = time.process_time() + plan.get("burn", 0.0)
    while time.process_time() < deadline:
        pass
    time.sleep(plan.get("sleep", 0.0))
    ctx.progress(1.0, "done")
    if "fail" in plan:
        raise JobFailed(plan["fail"])
    if plan.get("crash"):
        raise ValueError("boom")
    result = dict(plan.get("result", {}))
    for dep_kind, dep_id in plan.get("report", []):
        dep = store.get(dep_kind, dep_id)
        result["SeenStatus"] = dep["Status"]
        result["SeenFinishedAt"] = dep.get("FinishedAt")
    return result


def widget(store, resource_id, ctx):
    """A job of the test kind Widget (tests/jobs/test_lifecycles.py), which keeps its cause in statusDetails."""
    plan = store.get("Widget", resource_id).get("_Test", {})
    time.sleep(plan.get("sleep", 0.0))
    if "fail" in plan:
        raise JobFailed(plan["fail"], plan.get("code"))
    return dict(plan.get("result", {}))
