"""Write `aml_cli/api/<service>/data.py` from the facts of botocore's model (a developer tool, never run by aml).

The description aml ships holds only facts of the public API: names, types,
constraints, member locations, HTTP bindings, error statuses, paginators and
waiters, for the operations aml implements. Documentation is never taken:
aml's help is written in `aml_cli/api/<service>/docs.py`, in our own words.
`tests/api/test_botocore_crosscheck.py` fails when the written file and
botocore's model disagree, so rerun this after upgrading botocore:

    python tools/describe_service.py machinelearning cleanroomsml cleanrooms
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The operations aml implements, per service (Clean Rooms ML: the trained-model chain, spec §1.1).
IN_SCOPE: dict[str, tuple[str, ...] | None] = {
    "machinelearning": None,  # all 28
    "cleanroomsml": (
        "CancelTrainedModel", "CancelTrainedModelInferenceJob", "CreateConfiguredModelAlgorithm",
        "CreateConfiguredModelAlgorithmAssociation", "CreateMLInputChannel", "CreateTrainedModel",
        "DeleteConfiguredModelAlgorithm", "DeleteConfiguredModelAlgorithmAssociation", "DeleteMLConfiguration",
        "DeleteMLInputChannelData", "DeleteTrainedModelOutput", "GetCollaborationConfiguredModelAlgorithmAssociation",
        "GetCollaborationMLInputChannel", "GetCollaborationTrainedModel", "GetConfiguredModelAlgorithm",
        "GetConfiguredModelAlgorithmAssociation", "GetMLConfiguration", "GetMLInputChannel", "GetTrainedModel",
        "GetTrainedModelInferenceJob", "ListCollaborationConfiguredModelAlgorithmAssociations",
        "ListCollaborationMLInputChannels", "ListCollaborationTrainedModelExportJobs",
        "ListCollaborationTrainedModelInferenceJobs", "ListCollaborationTrainedModels",
        "ListConfiguredModelAlgorithmAssociations", "ListConfiguredModelAlgorithms", "ListMLInputChannels",
        "ListTagsForResource", "ListTrainedModelInferenceJobs", "ListTrainedModelVersions", "ListTrainedModels",
        "PutMLConfiguration", "StartTrainedModelExportJob", "StartTrainedModelInferenceJob", "TagResource",
        "UntagResource",
    ),
    "cleanrooms": (
        "CreateCollaboration", "GetCollaboration", "ListCollaborations",
        "CreateMembership", "GetMembership", "ListMemberships",
    ),
}

SHAPE_KEYS = ("min", "max", "pattern", "timestampFormat")


def _facts_of_shape(spec: dict) -> dict:
    facts: dict = {"type": spec["type"]}
    for key in SHAPE_KEYS:
        if key in spec:
            facts[key] = spec[key]
    if "enum" in spec:
        facts["enum"] = list(spec["enum"])
    if spec["type"] == "structure":
        facts["members"] = {name: member["shape"] for name, member in spec["members"].items()}
        if spec.get("required"):
            facts["required"] = list(spec["required"])
        locations = {
            name: [member["location"], member.get("locationName", name)]
            for name, member in spec["members"].items()
            if "location" in member
        }
        if locations:
            facts["locations"] = locations
        if spec.get("union"):
            facts["union"] = True
        if spec.get("document"):
            facts["type"] = "document"
    elif spec["type"] == "list":
        facts["member"] = spec["member"]["shape"]
    elif spec["type"] == "map":
        facts["key"], facts["value"] = spec["key"]["shape"], spec["value"]["shape"]
    return facts


def _reachable(shapes: dict, roots: list[str]) -> list[str]:
    seen: list[str] = []
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.append(name)
        spec = shapes[name]
        stack.extend(member["shape"] for member in spec.get("members", {}).values())
        stack.extend(spec[part]["shape"] for part in ("member", "key", "value") if part in spec)
    return sorted(seen)


def _error_status(spec: dict) -> int:
    """The model's status, else what a JSON 1.1 service sends: 500 for a fault, 400 for the rest."""
    return spec.get("error", {}).get("httpStatusCode", 500 if spec.get("fault") else 400)


def describe(service: str) -> str:
    import botocore.session

    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    model = loader.load_service_model(service, "service-2")
    paginators = loader.load_service_model(service, "paginators-1").get("pagination", {})
    try:
        waiters = loader.load_service_model(service, "waiters-2").get("waiters", {})
    except Exception:  # a service without waiters
        waiters = {}
    names = IN_SCOPE[service] or tuple(sorted(model["operations"]))
    operations = {name: model["operations"][name] for name in sorted(names)}
    roots = [op[part]["shape"] for op in operations.values() for part in ("input", "output") if part in op]
    roots += [error["shape"] for op in operations.values() for error in op["errors"]]
    shapes = {name: _facts_of_shape(model["shapes"][name]) for name in _reachable(model["shapes"], roots)}
    lines = [
        f'"""The {model["metadata"]["serviceFullName"]} {model["metadata"]["apiVersion"]} API as data '
        f'(written by tools/describe_service.py).',
        "",
        "Facts of the public API only: names, types, constraints, member locations, HTTP",
        "bindings, error statuses, paginators and waiters of the operations aml implements.",
        '"""',
        "",
        "# fmt: off",
        "SHAPES: dict[str, dict] = {",
        *(f"    {name!r}: {facts!r}," for name, facts in shapes.items()),
        "}",
        "",
        "# operation -> HTTP method, request URI, success status, input shape, output shape (or None), errors",
        "OPERATIONS: dict[str, tuple] = {",
    ]
    for name, op in operations.items():
        http = op["http"]
        entry = (
            http["method"], http["requestUri"], http.get("responseCode", 200), op["input"]["shape"],
            op.get("output", {}).get("shape"), tuple(error["shape"] for error in op["errors"]),
        )
        lines.append(f"    {name!r}: {entry!r},")
    errors = {name: _error_status(model["shapes"][name]) for name in shapes if model["shapes"][name].get("exception")}
    lines += ["}", "", "# error code -> HTTP status", f"ERRORS: dict[str, int] = {errors!r}", ""]
    lines += ["# operation -> (input token, output token, limit key, result key)", "PAGINATORS: dict[str, tuple] = {"]
    for name in operations:
        if name in paginators:
            pag = paginators[name]
            lines.append(
                f"    {name!r}: {(pag['input_token'], pag['output_token'], pag['limit_key'], pag['result_key'])!r},"
            )
    lines += ["}", "", "# waiter -> operation, delay (s), max attempts, acceptors (state, matcher, argument, expected)"]
    lines.append("WAITERS: dict[str, dict] = {")
    for name, spec in waiters.items():
        acceptors = [(a["state"], a["matcher"], a.get("argument"), a["expected"]) for a in spec["acceptors"]]
        entry = {"operation": spec["operation"], "delay": spec["delay"], "max_attempts": spec["maxAttempts"],
                 "acceptors": acceptors}
        lines.append(f"    {name!r}: {entry!r},")
    lines += ["}", "# fmt: on", ""]
    return "\n".join(lines)


def main(services: list[str]) -> None:
    for service in services:
        target = ROOT / "aml_cli" / "api" / service / "data.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(describe(service), encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:] or list(IN_SCOPE))
