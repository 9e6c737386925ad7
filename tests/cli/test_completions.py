"""The committed completion scripts: fresh, valid for their shell, and completing what aml accepts."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from aml_cli.api import cli_name
from aml_cli.cli import completion
from aml_cli.cli.completion import SHELLS, completion_script, run_completions_command, script_path

REGENERATE = "python -m aml_cli.cli.completion --write"


@pytest.fixture(scope="module")
def model():
    return completion.cli_model()


@pytest.mark.parametrize("shell", SHELLS)
def test_committed_script_equals_freshly_generated_output(shell, model):
    path = script_path(shell)
    assert path.exists(), f"{path} is missing; run `{REGENERATE}`"
    assert path.read_text(encoding="utf-8") == completion_script(shell, model), (
        f"{path} is stale; regenerate it with `{REGENERATE}` and commit it"
    )


@pytest.mark.parametrize("shell", SHELLS)
def test_script_is_valid_syntax_for_its_shell(shell, tmp_path, model):
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    path = tmp_path / f"aml.{shell}"
    path.write_text(completion_script(shell, model), encoding="utf-8")
    result = subprocess.run([shell, "-n", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def _bash_complete(*words: str) -> list[str]:
    """COMPREPLY of the committed bash script for a command line whose last word is being completed."""
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    script = (
        f"source {script_path('bash')}\n"
        f"COMP_WORDS=({quoted}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n"
        '_aml; printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(["bash", "--norc", "-c", script], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
class TestBashCompletion:
    def test_the_script_registers_a_completion_function_for_aml(self):
        script = f"source {script_path('bash')}; complete -p aml"
        result = subprocess.run(["bash", "--norc", "-c", script], capture_output=True, text=True, timeout=30)
        assert result.stdout.strip() == "complete -F _aml aml"

    def test_completing_get_ml_offers_get_ml_model(self):
        assert _bash_complete("aml", "get-ml-") == ["get-ml-model"]

    def test_commands_complete_after_global_options_and_machinelearning(self):
        assert _bash_complete("aml", "--output", "text", "machinelearning", "describe-ml") == ["describe-ml-models"]

    def test_options_of_the_command_are_offered(self):
        offered = _bash_complete("aml", "get-ml-model", "--")
        assert {"--ml-model-id", "--verbose", "--no-verbose", "--output", "--query"} <= set(offered)
        assert "--data-source-id" not in offered

    def test_enum_values_are_offered_after_their_option(self):
        assert _bash_complete("aml", "create-ml-model", "--ml-model-type", "") == ["REGRESSION", "BINARY", "MULTICLASS"]
        assert _bash_complete("aml", "--output", "yaml") == ["yaml", "yaml-stream"]

    def test_filter_variables_depend_on_the_command(self):
        assert "MLModelType" in _bash_complete("aml", "describe-ml-models", "--filter-variable", "")
        assert "MLModelType" not in _bash_complete("aml", "describe-data-sources", "--filter-variable", "")

    def test_waiters_and_their_options_complete(self):
        assert _bash_complete("aml", "wait", "ml-") == ["ml-model-available"]
        assert _bash_complete("aml", "wait", "ml-model-available", "--sort-order", "d") == ["dsc"]

    def test_nothing_is_offered_for_a_free_value(self):
        assert _bash_complete("aml", "get-ml-model", "--ml-model-id", "") == []

    def test_the_other_services_complete_after_aml_but_not_after_machinelearning(self):
        assert _bash_complete("aml", "cle") == ["cleanroomsml", "cleanrooms"]
        assert _bash_complete("aml", "machinelearning", "cle") == []

    def test_a_services_commands_options_and_enums_complete(self):
        assert _bash_complete("aml", "cleanroomsml", "create-tr") == ["create-trained-model"]
        assert _bash_complete("aml", "--output", "text", "cleanrooms", "get-") == ["get-collaboration",
                                                                                   "get-membership"]
        offered = _bash_complete("aml", "cleanroomsml", "create-trained-model", "--")
        assert {"--membership-identifier", "--hyperparameters", "--stopping-condition", "--query"} <= set(offered)
        assert "--ml-model-id" not in offered
        assert _bash_complete("aml", "cleanroomsml", "create-trained-model", "--training-input-mode", "") == [
            "File", "FastFile", "Pipe"]
        assert _bash_complete("aml", "cleanrooms", "list-collaborations", "--member-status", "") == ["INVITED",
                                                                                                   "ACTIVE"]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completes_commands_options_and_enum_values():
    def complete(line: str) -> list[str]:
        script = f"source {script_path('fish')}; complete -C {line!r}"
        result = subprocess.run(["fish", "--no-config", "-c", script], capture_output=True, text=True, timeout=30)
        return [row.split("\t")[0] for row in result.stdout.splitlines()]

    assert complete("aml get-ml-") == ["get-ml-model"]
    assert "--ml-model-id" in complete("aml --region r machinelearning get-ml-model --")
    assert complete("aml create-ml-model --ml-model-type ") == ["BINARY", "MULTICLASS", "REGRESSION"]
    assert complete("aml cleanroomsml create-tr") == ["create-trained-model"]
    assert complete("aml cle") == ["cleanrooms", "cleanroomsml"]
    assert "cleanroomsml" not in complete("aml machinelearning cle")
    assert "--membership-identifier" in complete("aml cleanroomsml list-trained-models --")


@pytest.mark.parametrize("service_name", ["machinelearning", "cleanroomsml", "cleanrooms"])
def test_every_operation_option_is_in_every_script(model, service_name):
    from aml_cli.api import service
    from aml_cli.cli.args import option_specs

    described = service(service_name)
    scripts = {shell: completion_script(shell, model) for shell in SHELLS}
    for name in described.operation_names():
        for spec in option_specs(described.operation(name)):
            if spec.hidden:
                continue
            for shell, text in scripts.items():
                needle = spec.name if shell != "fish" else f"-l {spec.name[2:]}"
                assert needle in text, f"{spec.name} of {cli_name(name)} missing from the {shell} script"


def test_completions_command_prints_the_script(capsys):
    assert run_completions_command(["zsh"]) == 0
    assert capsys.readouterr().out == completion_script("zsh")


def test_completions_command_refuses_an_unknown_shell():
    from aml_cli.cli.usage_errors import UsageError

    with pytest.raises(UsageError, match="Found invalid choice 'tcsh'"):
        run_completions_command(["tcsh"])
    with pytest.raises(UsageError, match="required: shell"):
        run_completions_command([])


@pytest.mark.parametrize("shell", SHELLS)
def test_aml_completions_prints_the_committed_script(shell):
    from tests.cli.test_exit_codes import aml

    result = aml("completions", shell)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == script_path(shell).read_text(encoding="utf-8")
