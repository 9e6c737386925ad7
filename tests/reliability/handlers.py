"""A job handler that does no work, so store-write tests can create thousands of resources quickly."""

from __future__ import annotations


def quick(store, resource_id: str, ctx) -> dict:
    """Completes at once; the resource keeps the fields its Create* call recorded."""
    ctx.log(f"quick job for {resource_id}")
    return {}


QUICK_HANDLERS = ",".join(
    f"{kind}=tests.reliability.handlers:quick" for kind in ("DataSource", "MLModel", "Evaluation", "BatchPrediction")
)
