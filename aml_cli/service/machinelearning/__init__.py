"""Amazon Machine Learning on the local engine: a module per resource kind (as `aml_cli.api.machinelearning.
resources` declares them), plus real-time endpoints and tags.

Operations are routed to the module of the kind they name; the few that name
none are listed here, with aml's own operations (the extras' data).
"""

# Operations no resource kind names, and the module that answers them.
OTHER_ROUTES = {
    "CreateRealtimeEndpoint": "realtime",
    "DeleteRealtimeEndpoint": "realtime",
    "Predict": "realtime",
    "AddTags": "tags",
    "DescribeTags": "tags",
    "DeleteTags": "tags",
    "InferSchema": "data_sources",
    "CheckStore": "store_check",
}

# aml's own operations, not in the API: what the extras show (routed like the API's, validated by themselves).
AML_OPERATIONS = ("ShowDataSourceStatistics", "ShowEvaluation", "ShowMLModel", "ExportMLModel", "InferSchema",
                  "CheckStore")
