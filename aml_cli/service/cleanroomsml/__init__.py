"""AWS Clean Rooms ML on the local engine: a module per resource kind (as `aml_cli.api.cleanroomsml.resources`
declares them), plus tags.

Its trained models are Amazon ML models: the training job runs the same
learner on rows an ML input channel's SQL selected from Amazon ML data
sources of the same store, and inference jobs score with the same code as
batch predictions (spec §2).
"""

# Operations no resource kind names, and the module that answers them.
OTHER_ROUTES = {
    "TagResource": "tags",
    "UntagResource": "tags",
    "ListTagsForResource": "tags",
}

AML_OPERATIONS: tuple[str, ...] = ()
