"""`aml cleanroomsml` and `aml cleanrooms` have what Amazon ML's commands have: every input form, every output
format, --query, client-side pagination over nextToken/maxResults."""

from __future__ import annotations

import base64
import json

import pytest
import yaml

from aml_cli.cli.main import run
from tests.cli.test_cleanroomsml_validation import w, world  # noqa: F401 - the shared module fixture
from tests.service.cleanroomsml.support import ROLE


def _run(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("output", ["json", "text", "table", "yaml", "yaml-stream"])
def test_get_and_list_print_in_every_output_format(w, capsys, output):  # noqa: F811
    for args in (["cleanroomsml", "get-trained-model", "--membership-identifier", w.m, "--trained-model-arn", w.model],
                 ["cleanroomsml", "list-trained-models", "--membership-identifier", w.m],
                 ["cleanroomsml", "get-ml-input-channel", "--membership-identifier", w.m, "--ml-input-channel-arn",
                  w.channel],
                 ["cleanrooms", "get-membership", "--membership-identifier", w.m]):
        code, out, err = _run(capsys, *args, "--output", output)
        assert (code, err) == (0, "") and out.strip(), args
        if output == "json":
            assert json.loads(out)
        elif output.startswith("yaml"):
            assert yaml.safe_load_all(out)
    code, out, _ = _run(capsys, "cleanroomsml", "get-trained-model", "--membership-identifier", w.m,
                        "--trained-model-arn", w.model, "--output", "text", "--query", "[name, status]")
    assert (code, out) == (0, "model\tACTIVE\n")


def test_timestamps_print_as_iso_8601(w, capsys):  # noqa: F811
    code, out, _ = _run(capsys, "cleanroomsml", "get-trained-model", "--membership-identifier", w.m,
                        "--trained-model-arn", w.model, "--query", "[createTime, updateTime]")
    stamps = json.loads(out)
    assert code == 0 and all(len(s) >= 25 and s[10] == "T" and s[-6] in "+-" for s in stamps)


def test_pagination_cuts_resumes_and_pages(w, capsys):  # noqa: F811
    for index in range(3):
        assert _run(capsys, "cleanroomsml", "create-configured-model-algorithm", "--name", f"page-{index}",
                    "--role-arn", ROLE)[0] == 0
    code, out, _ = _run(capsys, "cleanroomsml", "list-configured-model-algorithms", "--max-items", "2")
    first = json.loads(out)
    assert code == 0 and len(first["configuredModelAlgorithms"]) == 2
    assert json.loads(base64.b64decode(first["NextToken"])) == {"nextToken": None, "boto_truncate_amount": 2}
    code, out, _ = _run(capsys, "cleanroomsml", "list-configured-model-algorithms", "--starting-token",
                        first["NextToken"], "--query", "configuredModelAlgorithms[].name")
    rest = json.loads(out)
    every = json.loads(_run(capsys, "cleanroomsml", "list-configured-model-algorithms", "--page-size", "1", "--query",
                            "configuredModelAlgorithms[].name")[1])
    assert code == 0 and [a["name"] for a in first["configuredModelAlgorithms"]] + rest == every
    code, out, _ = _run(capsys, "cleanroomsml", "list-configured-model-algorithms", "--no-paginate", "--max-results",
                        "1")
    assert code == 0 and "nextToken" in json.loads(out)


@pytest.mark.parametrize("form", ["shorthand", "json", "cli-input-json", "cli-input-yaml"])
def test_the_same_request_from_every_input_form(w, capsys, form, tmp_path):  # noqa: F811
    request = {"name": f"input-{form}", "roleArn": ROLE, "trainingContainerConfig": {"imageUri": "aml/sgd"},
               "tags": {"form": form}}
    base = ["cleanroomsml", "create-configured-model-algorithm"]
    if form == "shorthand":
        args = [*base, "--name", request["name"], "--role-arn", ROLE, "--training-container-config",
                "imageUri=aml/sgd", "--tags", f"form={form}"]
    elif form == "json":
        args = [*base, "--name", request["name"], "--role-arn", ROLE, "--training-container-config",
                json.dumps(request["trainingContainerConfig"]), "--tags", f"file://{_file(tmp_path, request['tags'])}"]
    elif form == "cli-input-json":
        args = [*base, "--cli-input-json", json.dumps(request)]
    else:
        path = tmp_path / "in.yaml"
        path.write_text(yaml.safe_dump(request))
        args = [*base, "--cli-input-yaml", f"file://{path}"]
    code, out, err = _run(capsys, *args)
    assert (code, err) == (0, ""), err
    arn = json.loads(out)["configuredModelAlgorithmArn"]
    got = json.loads(_run(capsys, "cleanroomsml", "get-configured-model-algorithm", "--configured-model-algorithm-arn",
                          arn)[1])
    assert {k: got[k] for k in ("name", "roleArn", "trainingContainerConfig", "tags")} == request


def _file(folder, value) -> str:
    path = folder / "value.json"
    path.write_text(json.dumps(value))
    return str(path)
