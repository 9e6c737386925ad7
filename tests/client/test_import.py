"""`import aml_cli` stays cheap; `aml_cli.client(...)` works before and after the subpackage is imported."""

import subprocess
import sys


def test_import_aml_cli_loads_neither_the_client_nor_numpy():
    code = ("import sys, aml_cli; heavy = [m for m in ('aml_cli.client', 'numpy', 'pandas', 'rich', 'botocore') "
            "if m in sys.modules]; print(heavy)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_a_client_call_imports_no_numpy_or_botocore(aml_home):
    code = ("import sys, aml_cli; ml = aml_cli.client('machinelearning'); ml.describe_ml_models(); "
            "ml.get_paginator('describe_ml_models').paginate().build_full_result(); "
            "print([m for m in ('numpy', 'pandas', 'botocore', 'rich') if m in sys.modules])")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_the_client_function_survives_importing_the_subpackage(aml_home):
    import aml_cli
    import aml_cli.client.errors  # makes `aml_cli.client` the subpackage, which is itself callable

    ml = aml_cli.client("machinelearning")
    assert ml.describe_ml_models()["Results"] == []
    from aml_cli.client import client

    assert type(client("machinelearning")) is type(ml)
