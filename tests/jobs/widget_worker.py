"""The Widget job as a detached worker runs it: importing this module registers the test's kind there."""

from aml_cli.api import resource_kinds
from tests.jobs import handlers
from tests.jobs.test_lifecycles import WIDGET

resource_kinds("machinelearning")["Widget"] = WIDGET


def run(store, resource_id, ctx):
    return handlers.widget(store, resource_id, ctx)
