"""Re-record `tests/data/spec/<service>/skeletons/<command>.json` from botocore's model (a developer tool).

The AWS CLI prints `--generate-cli-skeleton` as botocore's ArgumentGenerator
makes it, indented by 4, with a final newline; AWS CLI v2 gives each enum leaf
its first value (v1 a random one), and so does this tool. Run it only for
commands whose recorded skeleton predates the botocore that aml's description
is pinned to (the skeleton tests then name them), and list them in
tests/data/README.md:

    python tools/record_skeletons.py cleanrooms create-membership
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def skeleton(service_name: str, command: str) -> str:
    import botocore.session
    from botocore import utils

    model = botocore.session.get_session().get_service_model(service_name)
    by_command = {_cli_name(name): name for name in model.operation_names}
    shape = model.operation_model(by_command[command]).input_shape
    previous, utils.random.choice = utils.random.choice, lambda values: values[0]
    try:
        return json.dumps(utils.ArgumentGenerator().generate_skeleton(shape), indent=4) + "\n"
    finally:
        utils.random.choice = previous


def _cli_name(name: str) -> str:
    sys.path.insert(0, str(ROOT))
    from aml_cli.api.naming import cli_name

    return cli_name(name)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: python tools/record_skeletons.py <service> <command>...", file=sys.stderr)
        return 2
    service_name, commands = argv[0], argv[1:]
    for command in commands:
        path = ROOT / "tests" / "data" / "spec" / service_name / "skeletons" / f"{command}.json"
        path.write_text(skeleton(service_name, command), encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
