"""`python -m tests.server.slow_serve [aml serve options]`: aml serve whose DescribeDataSources takes a second.

For the shutdown test: a request that is still being answered when SIGTERM arrives.
"""

import sys
import time

import aml_cli.service
from aml_cli.cli.main import main

_real_call = aml_cli.service.call


def _slow_call(operation, request, store=None, **kwargs):
    if operation == "DescribeDataSources":
        time.sleep(1.0)
    return _real_call(operation, request, store, **kwargs)


aml_cli.service.call = _slow_call

if __name__ == "__main__":
    main(["serve", *sys.argv[1:]])
