"""Amazon ML's description, for tests that look its operations up by name."""

from aml_cli.api import resource_kinds, service

ML = service("machinelearning")
operation = ML.operation
operation_names = ML.operation_names
shape = ML.shape
waiter = ML.waiter
waiter_names = ML.waiter_names
KINDS = tuple(resource_kinds("machinelearning"))
