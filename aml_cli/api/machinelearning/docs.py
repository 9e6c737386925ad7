"""Help text for operations, input members and waiters, written for aml.

Kept apart from `data.py` so that parsing and running a request never loads
it; help, the YAML skeleton's comments and completions read it. Plain text:
the first sentence of each entry must stand alone, because the YAML skeleton
prints only that sentence.
"""

OPERATION_DOCS: dict[str, str] = {
    "AddTags": (
        "Attaches key-value tags to a data source, model, evaluation or batch prediction. "
        "A key the object already carries gets the new value."
    ),
    "CreateBatchPrediction": (
        "Starts scoring every observation of a data source with a model and writes the results under OutputUri. "
        "Returns at once with the ID; the work runs in the background."
    ),
    "CreateDataSourceFromRDS": (
        "Creates a data source from the rows a SQL query returns from a relational database. "
        "Returns at once with the ID; the rows are read in the background."
    ),
    "CreateDataSourceFromRedshift": (
        "Creates a data source from the rows a SQL query returns from a Redshift-style database. "
        "Returns at once with the ID; the rows are read in the background."
    ),
    "CreateDataSourceFromS3": (
        "Creates a data source from CSV files at a location and a schema that describes their columns. "
        "Returns at once with the ID; statistics are computed in the background when asked for."
    ),
    "CreateEvaluation": (
        "Scores a model on a data source that holds known answers and records how well it did. "
        "Returns at once with the ID; the evaluation runs in the background."
    ),
    "CreateMLModel": (
        "Trains a regression, binary or multiclass model on a data source, using a recipe to build its features. "
        "Returns at once with the ID; training runs in the background."
    ),
    "CreateRealtimeEndpoint": (
        "Opens a real-time endpoint so that Predict can score single observations with the model. "
        "The endpoint is ready once its status reads READY."
    ),
    "DeleteBatchPrediction": (
        "Marks a batch prediction DELETED; it stays readable with that status but can no longer be used. "
        "This cannot be undone."
    ),
    "DeleteDataSource": (
        "Marks a data source DELETED; it stays readable with that status but can no longer be used. "
        "This cannot be undone."
    ),
    "DeleteEvaluation": (
        "Marks an evaluation DELETED; it stays readable with that status but can no longer be used. "
        "This cannot be undone."
    ),
    "DeleteMLModel": (
        "Marks a model DELETED; it stays readable with that status but can no longer be used. This cannot be undone."
    ),
    "DeleteRealtimeEndpoint": "Closes the real-time endpoint of a model; Predict fails for it afterwards.",
    "DeleteTags": "Removes tags from an object by key. Keys the object does not carry are ignored.",
    "DescribeBatchPredictions": (
        "Lists batch predictions, optionally filtered on one variable and sorted by it. "
        "Results come in pages of at most Limit items."
    ),
    "DescribeDataSources": (
        "Lists data sources, optionally filtered on one variable and sorted by it. "
        "Results come in pages of at most Limit items."
    ),
    "DescribeEvaluations": (
        "Lists evaluations, optionally filtered on one variable and sorted by it. "
        "Results come in pages of at most Limit items."
    ),
    "DescribeMLModels": (
        "Lists models, optionally filtered on one variable and sorted by it. "
        "Results come in pages of at most Limit items."
    ),
    "DescribeTags": "Shows the tags an object carries.",
    "GetBatchPrediction": "Shows one batch prediction: its status, its input and output locations and its counts.",
    "GetDataSource": (
        "Shows one data source: its status, location, size and settings. With Verbose the schema is included too."
    ),
    "GetEvaluation": "Shows one evaluation: its status and, once it has finished, its performance metric.",
    "GetMLModel": (
        "Shows one model: its status, type, training parameters and endpoint. "
        "With Verbose the recipe and schema are included too."
    ),
    "Predict": (
        "Scores one observation with a model through its real-time endpoint. "
        "Attributes left out of the record are treated as missing."
    ),
    "UpdateBatchPrediction": "Renames a batch prediction.",
    "UpdateDataSource": "Renames a data source.",
    "UpdateEvaluation": "Renames an evaluation.",
    "UpdateMLModel": "Renames a model or changes the score threshold of a binary model.",
}

_ID_RULE = " Up to 64 letters, digits, underscores, dots or hyphens."
_NAME = "An optional name or description for the {what}, up to 1024 characters."
_FILTER_TEXT = {
    "EQ": "Keeps the results whose FilterVariable equals this value.",
    "GT": "Keeps the results whose FilterVariable is greater than this value.",
    "LT": "Keeps the results whose FilterVariable is less than this value.",
    "GE": "Keeps the results whose FilterVariable is greater than or equal to this value.",
    "LE": "Keeps the results whose FilterVariable is less than or equal to this value.",
    "NE": "Keeps the results whose FilterVariable differs from this value.",
    "Prefix": "Keeps the results whose FilterVariable starts with this value.",
}
_DESCRIBED = {
    "DescribeBatchPredictionsInput": "batch predictions",
    "DescribeDataSourcesInput": "data sources",
    "DescribeEvaluationsInput": "evaluations",
    "DescribeMLModelsInput": "models",
}


def _describe_docs() -> dict[tuple[str, str], str]:
    """The Describe* inputs share their members; only the resource named differs."""
    docs: dict[tuple[str, str], str] = {}
    for shape_name, what in _DESCRIBED.items():
        docs[(shape_name, "FilterVariable")] = (
            f"The variable the {what} are filtered and sorted on. "
            "The comparison members (EQ, GT, LT, GE, LE, NE, Prefix) apply to it."
        )
        for member, text in _FILTER_TEXT.items():
            docs[(shape_name, member)] = text
        docs[(shape_name, "SortOrder")] = (
            "The order of the results by FilterVariable: asc for ascending, dsc for descending."
        )
        docs[(shape_name, "NextToken")] = "The token a previous page returned, to fetch the page after it."
        docs[(shape_name, "Limit")] = f"The largest number of {what} one page holds, 1 to 100. The default is 100."
    return docs


def _data_spec_docs(spec: str, source: str) -> dict[tuple[str, str], str]:
    """Members RDSDataSpec and RedshiftDataSpec share."""
    return {
        (spec, "SelectSqlQuery"): f"The SQL query whose rows become the observations, run against the {source}.",
        (spec, "S3StagingLocation"): "The location where the query's rows are staged as CSV before they are read.",
        (spec, "DataRearrangement"): (
            "A JSON document that selects a part of the rows, for example a percentage range for a training split. "
            "Without it every row is used."
        ),
        (spec, "DataSchema"): (
            "The schema of the rows as a JSON string: attribute names and types, the target and the row ID. "
            "Give this or DataSchemaUri."
        ),
        (spec, "DataSchemaUri"): "The location of a file holding the schema. Give this or DataSchema.",
    }


MEMBER_DOCS: dict[tuple[str, str], str] = {
    ("AddTagsInput", "Tags"): "The tags to attach. A tag given without a value gets a null value.",
    ("AddTagsInput", "ResourceId"): "The ID of the object to tag.",
    ("AddTagsInput", "ResourceType"): "The kind of object ResourceId names.",
    ("Tag", "Key"): (
        "The tag's name, unique on its object. Letters, digits, spaces and the characters _ . : / = + - @ are allowed."
    ),
    ("Tag", "Value"): (
        "The tag's optional value. Letters, digits, spaces and the characters _ . : / = + - @ are allowed."
    ),
    ("CreateBatchPredictionInput", "BatchPredictionId"): "The ID you choose for the new batch prediction." + _ID_RULE,
    ("CreateBatchPredictionInput", "BatchPredictionName"): _NAME.format(what="batch prediction"),
    ("CreateBatchPredictionInput", "MLModelId"): "The ID of the model that scores the observations.",
    (
        "CreateBatchPredictionInput",
        "BatchPredictionDataSourceId",
    ): "The ID of the data source holding the observations.",
    ("CreateBatchPredictionInput", "OutputUri"): (
        "The folder where the results and their manifest are written. An s3:// URI, a file:// URI or a local path."
    ),
    ("CreateDataSourceFromRDSInput", "DataSourceId"): "The ID you choose for the new data source." + _ID_RULE,
    ("CreateDataSourceFromRDSInput", "DataSourceName"): _NAME.format(what="data source"),
    ("CreateDataSourceFromRDSInput", "RDSData"): (
        "Where the rows come from: the database, the credentials, the query and the schema. "
        "Also where the rows are staged."
    ),
    (
        "CreateDataSourceFromRDSInput",
        "RoleARN",
    ): "The role the service assumes to copy the rows; recorded, not used locally.",
    ("CreateDataSourceFromRDSInput", "ComputeStatistics"): (
        "Whether to compute per-attribute statistics. A data source used to train a model needs them."
    ),
    ("RDSDataSpec", "DatabaseInformation"): "Which database instance and database to read.",
    ("RDSDataSpec", "DatabaseCredentials"): "The user name and password used to connect to the database.",
    ("RDSDataSpec", "ResourceRole"): "The role the copying instance runs with; recorded, not used locally.",
    ("RDSDataSpec", "ServiceRole"): "The role the copy pipeline runs with; recorded, not used locally.",
    ("RDSDataSpec", "SubnetId"): "The subnet through which the database is reached; recorded, not used locally.",
    ("RDSDataSpec", "SecurityGroupIds"): (
        "The security groups that let the copy reach the database; recorded, not used locally."
    ),
    **_data_spec_docs("RDSDataSpec", "relational database"),
    (
        "RDSDatabase",
        "InstanceIdentifier",
    ): "The identifier of the database instance: lower-case letters, digits and hyphens.",
    ("RDSDatabase", "DatabaseName"): "The name of the database on that instance.",
    ("RDSDatabaseCredentials", "Username"): "The user that runs the query; it needs read access to the rows.",
    ("RDSDatabaseCredentials", "Password"): "The password of that user, 8 to 128 characters.",
    ("CreateDataSourceFromRedshiftInput", "DataSourceId"): "The ID you choose for the new data source." + _ID_RULE,
    ("CreateDataSourceFromRedshiftInput", "DataSourceName"): _NAME.format(what="data source"),
    ("CreateDataSourceFromRedshiftInput", "DataSpec"): (
        "Where the rows come from: the cluster and database, the credentials, the query and the schema. "
        "Also where the rows are staged."
    ),
    ("CreateDataSourceFromRedshiftInput", "RoleARN"): (
        "The role the service assumes to reach the cluster and the staging location; recorded, not used locally."
    ),
    ("CreateDataSourceFromRedshiftInput", "ComputeStatistics"): (
        "Whether to compute per-attribute statistics. A data source used to train a model needs them."
    ),
    ("RedshiftDataSpec", "DatabaseInformation"): "Which cluster and database to read.",
    ("RedshiftDataSpec", "DatabaseCredentials"): "The user name and password used to connect to the database.",
    **_data_spec_docs("RedshiftDataSpec", "Redshift-style database"),
    ("RedshiftDatabase", "DatabaseName"): "The name of the database: lower-case letters and digits.",
    ("RedshiftDatabase", "ClusterIdentifier"): "The identifier of the cluster: lower-case letters, digits and hyphens.",
    ("RedshiftDatabaseCredentials", "Username"): "The user that runs the query; it needs read access to the rows.",
    ("RedshiftDatabaseCredentials", "Password"): "The password of that user, 8 to 64 characters.",
    ("CreateDataSourceFromS3Input", "DataSourceId"): "The ID you choose for the new data source." + _ID_RULE,
    ("CreateDataSourceFromS3Input", "DataSourceName"): _NAME.format(what="data source"),
    ("CreateDataSourceFromS3Input", "DataSpec"): (
        "Where the CSV data is, how its columns are typed and which part of its rows to use."
    ),
    ("CreateDataSourceFromS3Input", "ComputeStatistics"): (
        "Whether to compute per-attribute statistics. A data source used to train a model needs them."
    ),
    ("S3DataSpec", "DataLocationS3"): (
        "The CSV file, or the folder ending in / whose files are all read. An s3:// URI, a file:// URI or a local path."
    ),
    ("S3DataSpec", "DataRearrangement"): (
        "A JSON document that selects a part of the rows, for example a percentage range for a training split. "
        "Without it every row is used."
    ),
    ("S3DataSpec", "DataSchema"): (
        "The schema of the data as a JSON string: attribute names and types, the target and the row ID. "
        "Give this or DataSchemaLocationS3."
    ),
    ("S3DataSpec", "DataSchemaLocationS3"): "The location of a file holding the schema. Give this or DataSchema.",
    ("CreateEvaluationInput", "EvaluationId"): "The ID you choose for the new evaluation." + _ID_RULE,
    ("CreateEvaluationInput", "EvaluationName"): _NAME.format(what="evaluation"),
    ("CreateEvaluationInput", "MLModelId"): "The ID of the model to evaluate.",
    ("CreateEvaluationInput", "EvaluationDataSourceId"): (
        "The ID of the data source to evaluate on. It needs the model's schema, target included."
    ),
    ("CreateMLModelInput", "MLModelId"): "The ID you choose for the new model." + _ID_RULE,
    ("CreateMLModelInput", "MLModelName"): _NAME.format(what="model"),
    ("CreateMLModelInput", "MLModelType"): (
        "What the model predicts: REGRESSION a number, BINARY one of two values, MULTICLASS one of several."
    ),
    ("CreateMLModelInput", "Parameters"): (
        "Training settings as string pairs: sgd.maxPasses, sgd.maxMLModelSizeInBytes, sgd.shuffleType, "
        "sgd.l1RegularizationAmount and sgd.l2RegularizationAmount. Unset ones take their defaults."
    ),
    ("CreateMLModelInput", "TrainingDataSourceId"): (
        "The ID of the data source to train on. It must have been created with ComputeStatistics."
    ),
    ("CreateMLModelInput", "Recipe"): (
        "The recipe that turns attributes into features, as a JSON string. "
        "Without it or RecipeUri a recipe is suggested from the statistics."
    ),
    ("CreateMLModelInput", "RecipeUri"): (
        "The location of a file holding the recipe. Without it or Recipe a recipe is suggested from the statistics."
    ),
    ("CreateRealtimeEndpointInput", "MLModelId"): "The ID of the model that gets the endpoint.",
    ("DeleteBatchPredictionInput", "BatchPredictionId"): "The ID of the batch prediction to delete.",
    ("DeleteDataSourceInput", "DataSourceId"): "The ID of the data source to delete.",
    ("DeleteEvaluationInput", "EvaluationId"): "The ID of the evaluation to delete.",
    ("DeleteMLModelInput", "MLModelId"): "The ID of the model to delete.",
    ("DeleteRealtimeEndpointInput", "MLModelId"): "The ID of the model whose endpoint is closed.",
    ("DeleteTagsInput", "TagKeys"): "The keys of the tags to remove.",
    ("DeleteTagsInput", "ResourceId"): "The ID of the object whose tags are removed.",
    ("DeleteTagsInput", "ResourceType"): "The kind of object ResourceId names.",
    **_describe_docs(),
    ("DescribeTagsInput", "ResourceId"): "The ID of the object whose tags are shown.",
    ("DescribeTagsInput", "ResourceType"): "The kind of object ResourceId names.",
    ("GetBatchPredictionInput", "BatchPredictionId"): "The ID of the batch prediction to show.",
    ("GetDataSourceInput", "DataSourceId"): "The ID of the data source to show.",
    ("GetDataSourceInput", "Verbose"): "Whether to include the data source's schema in the answer.",
    ("GetEvaluationInput", "EvaluationId"): "The ID of the evaluation to show.",
    ("GetMLModelInput", "MLModelId"): "The ID of the model to show.",
    ("GetMLModelInput", "Verbose"): "Whether to include the model's recipe and schema in the answer.",
    ("PredictInput", "MLModelId"): "The ID of the model that scores the observation.",
    ("PredictInput", "Record"): (
        "The observation: attribute names mapped to their values, all given as strings. "
        "Attributes left out count as missing."
    ),
    ("PredictInput", "PredictEndpoint"): "The endpoint URL the model's real-time endpoint reported.",
    ("UpdateBatchPredictionInput", "BatchPredictionId"): "The ID of the batch prediction to rename.",
    ("UpdateBatchPredictionInput", "BatchPredictionName"): "The new name, up to 1024 characters.",
    ("UpdateDataSourceInput", "DataSourceId"): "The ID of the data source to rename.",
    ("UpdateDataSourceInput", "DataSourceName"): "The new name, up to 1024 characters.",
    ("UpdateEvaluationInput", "EvaluationId"): "The ID of the evaluation to rename.",
    ("UpdateEvaluationInput", "EvaluationName"): "The new name, up to 1024 characters.",
    ("UpdateMLModelInput", "MLModelId"): "The ID of the model to change.",
    ("UpdateMLModelInput", "MLModelName"): "The new name, up to 1024 characters.",
    ("UpdateMLModelInput", "ScoreThreshold"): (
        "The score from which a binary model predicts the positive class. Scores at or above it count as 1."
    ),
}

# Members whose value is a document of its own, by member name, and the help topic that explains it.
MEMBER_TOPICS: dict[str, str] = {
    "DataSchema": "schema",
    "DataSchemaLocationS3": "schema",
    "DataSchemaUri": "schema",
    "Recipe": "recipe",
    "RecipeUri": "recipe",
    "DataRearrangement": "data-rearrangement",
}

_DATABASE_NAME = (
    "a SQLite file (a path, or a file:// or sqlite:/// URI) is read locally; any other name is a database "
    "on the PostgreSQL server the identifier names"
)
_SERVER = "a PostgreSQL server as host or host:port, only recorded when DatabaseName is a SQLite file"

# What aml accepts where it relaxes the service's pattern (api.validate.RELAXED), by shape, for help.
RELAXED_DOCS: dict[str, str] = {
    "S3Url": "a local path, a file:// URI, or an s3://bucket/key URI read under AML_S3_ROOT; "
    "the service took s3:// URIs only",
    "VipURL": "the URL the endpoint reported; the local engine answers at any URL",
    "RDSDatabaseName": _DATABASE_NAME,
    "RedshiftDatabaseName": _DATABASE_NAME,
    "RDSInstanceIdentifier": _SERVER,
    "RedshiftClusterIdentifier": _SERVER,
}

WAIT_DOC = (
    "Waits until resources reach a state. Each waiter polls a Describe* operation with the filter you give "
    "until every result is COMPLETED (exit 0), and stops with exit 255 as soon as one is FAILED or the time "
    "limit passes. A filter that matches nothing keeps it waiting."
)

WAITER_DOCS: dict[str, str] = {
    "DataSourceAvailable": (
        "Waits until every data source matching the filter is COMPLETED; fails as soon as one is FAILED."
    ),
    "MLModelAvailable": "Waits until every model matching the filter is COMPLETED; fails as soon as one is FAILED.",
    "EvaluationAvailable": (
        "Waits until every evaluation matching the filter is COMPLETED; fails as soon as one is FAILED."
    ),
    "BatchPredictionAvailable": (
        "Waits until every batch prediction matching the filter is COMPLETED; fails as soon as one is FAILED."
    ),
}

