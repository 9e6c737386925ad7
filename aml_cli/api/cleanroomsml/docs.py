"""Help text for the Clean Rooms ML operations and input members, written for aml.

Kept apart from `data.py` so that parsing and running a request never loads
it; help, the YAML skeleton's comments and completions read it. Plain text:
the first sentence of each entry must stand alone, because the YAML skeleton
prints only that sentence. Where aml works differently from the service (one
local account, the built-in aml/sgd learner, SQLite over aml data sources,
settings that are only stored and returned), the entry says so.
"""

OPERATION_DOCS: dict[str, str] = {
    "CancelTrainedModel": (
        "Stops a trained model version that is still pending or training; it ends INACTIVE with no artifact. "
        "Without versionIdentifier the base version is cancelled; a version in any other state is a "
        "ConflictException."
    ),
    "CancelTrainedModelInferenceJob": (
        "Stops an inference job that is still pending or running; it ends INACTIVE. "
        "A job in any other state is a ConflictException."
    ),
    "CreateConfiguredModelAlgorithm": (
        "Registers an algorithm that trained models can use, at account level. "
        "Locally its training image must be a built-in learner, aml/sgd."
    ),
    "CreateConfiguredModelAlgorithmAssociation": (
        "Makes a configured model algorithm usable in a membership's collaboration, with the privacy "
        "policies its models must follow. Associations cannot be changed afterwards."
    ),
    "CreateMLInputChannel": (
        "Runs a SQL query and keeps its result as a dataset for training or inference. "
        "Locally the query runs in SQLite over aml data sources, in the background; the channel is ready "
        "once it reads ACTIVE."
    ),
    "CreateTrainedModel": (
        "Starts training a model with an associated algorithm on one or more ML input channels. "
        "Returns at once with the ARN and version; training runs in the background on aml's engine."
    ),
    "DeleteConfiguredModelAlgorithm": (
        "Removes a configured model algorithm. An algorithm still in use by an association is a ConflictException."
    ),
    "DeleteConfiguredModelAlgorithmAssociation": (
        "Removes an association from its membership. One that other resources still depend on is a ConflictException."
    ),
    "DeleteMLConfiguration": (
        "Drops a membership's default output location for inference and export jobs. "
        "Those jobs cannot start again until PutMLConfiguration sets a new one."
    ),
    "DeleteMLInputChannelData": (
        "Removes the query result an ML input channel holds; the channel stays listed and reads INACTIVE. "
        "While a job still reads the data the channel passes through DELETE_PENDING and DELETE_IN_PROGRESS."
    ),
    "DeleteTrainedModelOutput": (
        "Removes the stored artifact of one trained model version, which then reads INACTIVE but stays listed. "
        "Without versionIdentifier the base version is meant; a version still training or cancelling is a "
        "ConflictException."
    ),
    "GetCollaborationConfiguredModelAlgorithmAssociation": (
        "Shows an association of any member of a collaboration, as every member may see it."
    ),
    "GetCollaborationMLInputChannel": (
        "Shows an ML input channel of any member of a collaboration, without its query, key or tags."
    ),
    "GetCollaborationTrainedModel": (
        "Shows one version of a trained model of any member of a collaboration. "
        "Hyperparameters, environment, data channels, key and tags are left out."
    ),
    "GetConfiguredModelAlgorithm": "Shows one configured model algorithm: its containers, role and tags.",
    "GetConfiguredModelAlgorithmAssociation": (
        "Shows one association of a membership, with its privacy policies and tags."
    ),
    "GetMLConfiguration": (
        "Shows a membership's default output location and role. "
        "A membership without one is a ResourceNotFoundException."
    ),
    "GetMLInputChannel": (
        "Shows one ML input channel of a membership: its query, status, record count, size and retention."
    ),
    "GetTrainedModel": (
        "Shows one version of a trained model in full: status, settings, channels and metrics status. "
        "Without versionIdentifier it shows the latest version."
    ),
    "GetTrainedModelInferenceJob": (
        "Shows one inference job of a membership: its status, model version, input channel and output settings."
    ),
    "ListCollaborationConfiguredModelAlgorithmAssociations": (
        "Lists the associations of every member of a collaboration, newest first."
    ),
    "ListCollaborationMLInputChannels": "Lists the ML input channels of every member of a collaboration, newest first.",
    "ListCollaborationTrainedModelExportJobs": (
        "Lists the export jobs of one trained model in a collaboration, newest first, optionally of one version."
    ),
    "ListCollaborationTrainedModelInferenceJobs": (
        "Lists the inference jobs of every member of a collaboration, newest first, optionally of one model."
    ),
    "ListCollaborationTrainedModels": (
        "Lists the trained models of every member of a collaboration, newest first, one summary per model."
    ),
    "ListConfiguredModelAlgorithmAssociations": "Lists the associations of one membership, newest first.",
    "ListConfiguredModelAlgorithms": "Lists the account's configured model algorithms, newest first.",
    "ListMLInputChannels": "Lists the ML input channels of one membership, newest first.",
    "ListTagsForResource": "Shows the tags a Clean Rooms ML resource carries.",
    "ListTrainedModelInferenceJobs": (
        "Lists the inference jobs of one membership, newest first, optionally of one model or version."
    ),
    "ListTrainedModelVersions": (
        "Lists every version of one trained model, newest first, optionally in one status. "
        "Pages hold 10 versions unless maxResults says otherwise."
    ),
    "ListTrainedModels": (
        "Lists the trained models of one membership, newest first; each model appears once, as its latest version."
    ),
    "PutMLConfiguration": (
        "Sets where a membership's inference and export jobs write, and the role they write with. "
        "A configuration already set is replaced."
    ),
    "StartTrainedModelExportJob": (
        "Copies the artifact of an ACTIVE trained model version, with a model.json card, to the member who "
        "receives it. The files go under the membership's default output location; the association's export "
        "policy must allow it."
    ),
    "StartTrainedModelInferenceJob": (
        "Scores the rows of an ML input channel with a trained model version and writes them under the "
        "membership's default output location. Returns at once with the job's ARN; scoring runs in the background."
    ),
    "TagResource": (
        "Attaches key-value tags to a Clean Rooms ML resource. A key the resource already carries gets the new value."
    ),
    "UntagResource": (
        "Removes tags from a Clean Rooms ML resource by key. Keys the resource does not carry are ignored."
    ),
}

_NEXT = "The nextToken a previous page returned; give it to fetch the page after that one."
_MAX = "The most {what} one page may hold, from 1 to 100; aml's default is {default}."
_DESCRIPTION = "An optional description of the {what}, up to 255 characters."
_KMS = "A KMS key for the {what}'s data. Accepted and returned; aml encrypts nothing."
_TAGS = (
    "Tags to put on the new {what}, key to value. Keys may not start with aws:, and one resource holds at most 50 tags."
)
_ECHOED = " Accepted and returned; it has no effect locally."
_ROLE = " It must be a role of the local account, or the call is an AccessDeniedException; aml assumes no role."
_INSTANCE_TYPE = "The SageMaker instance type, one of the ml.* names." + _ECHOED
_PAYER = "The account that pays for {what}." + _ECHOED
_TAGGABLE = "a configured model algorithm, association, ML input channel, trained model or inference job"

# Paged requests: (shape, what a page lists, default page size).
_PAGED = {
    "ListCollaborationConfiguredModelAlgorithmAssociationsRequest": ("associations", 100),
    "ListCollaborationMLInputChannelsRequest": ("ML input channels", 100),
    "ListCollaborationTrainedModelExportJobsRequest": ("export jobs", 100),
    "ListCollaborationTrainedModelInferenceJobsRequest": ("inference jobs", 100),
    "ListCollaborationTrainedModelsRequest": ("trained models", 100),
    "ListConfiguredModelAlgorithmAssociationsRequest": ("associations", 100),
    "ListConfiguredModelAlgorithmsRequest": ("algorithms", 100),
    "ListMLInputChannelsRequest": ("ML input channels", 100),
    "ListTrainedModelInferenceJobsRequest": ("inference jobs", 100),
    "ListTrainedModelVersionsRequest": ("versions", 10),
    "ListTrainedModelsRequest": ("trained models", 100),
}


def _paging_docs() -> dict[tuple[str, str], str]:
    """Every List* request pages the same way; only what is listed and the default page size differ."""
    docs: dict[tuple[str, str], str] = {}
    for shape_name, (what, default) in _PAGED.items():
        docs[(shape_name, "nextToken")] = _NEXT
        docs[(shape_name, "maxResults")] = _MAX.format(what=what, default=default)
    return docs


def _logs_policy(what: str) -> str:
    return (
        f"Who may read the logs of {what}, and which lines, in up to five policies. "
        "Validated and stored; locally only the own account reads the log."
    )


MEMBER_DOCS: dict[tuple[str, str], str] = {
    **_paging_docs(),
    # Trained models: cancel, create, delete output, get.
    ("CancelTrainedModelRequest", "membershipIdentifier"): "The UUID of the membership that owns the trained model.",
    ("CancelTrainedModelRequest", "trainedModelArn"): "The ARN of the trained model whose version is stopped.",
    ("CancelTrainedModelRequest", "versionIdentifier"): (
        "Which version to stop; without it, the base version (the model's first)."
    ),
    ("CreateTrainedModelRequest", "membershipIdentifier"): "The UUID of the membership that trains and owns the model.",
    ("CreateTrainedModelRequest", "name"): (
        "A name for the model, unique in the membership, 1 to 63 characters. "
        "Giving the base model's own name together with incrementalTrainingDataChannels adds a version to that "
        "model instead of creating a new one."
    ),
    ("CreateTrainedModelRequest", "configuredModelAlgorithmAssociationArn"): (
        "The association whose algorithm trains the model; it must belong to this membership."
    ),
    ("CreateTrainedModelRequest", "hyperparameters"): (
        "Settings for the learner, each a key with a string value. "
        "aml/sgd reads the Amazon ML names: MLModelType (BINARY, MULTICLASS or REGRESSION) and "
        "targetAttributeName are required; rowId, excludedAttributeNames, attributeTypes, recipe, sgd.maxPasses, "
        "sgd.shuffleType, sgd.l1RegularizationAmount, sgd.l2RegularizationAmount and sgd.maxMLModelSizeInBytes "
        "are optional. A bad or unknown key does not fail the call: the version ends CREATE_FAILED with "
        "ALGORITHM_ERROR, naming the key."
    ),
    ("CreateTrainedModelRequest", "environment"): (
        "Environment variables for the training container. "
        "Accepted and returned; aml never passes them to its worker, where they could change aml's settings."
    ),
    ("CreateTrainedModelRequest", "resourceConfig"): (
        "The instances and storage training would use. Required and returned, but aml trains in one local process."
    ),
    ("CreateTrainedModelRequest", "stoppingCondition"): (
        "A time limit for training. Without it aml stops training after 86400 seconds and returns no stoppingCondition."
    ),
    ("CreateTrainedModelRequest", "incrementalTrainingDataChannels"): (
        "One earlier model version to continue from, with the channel name it takes here. "
        "Training starts from that version's weights and recipe; it must be ACTIVE, use the same algorithm, and "
        "share MLModelType and target."
    ),
    ("CreateTrainedModelRequest", "dataChannels"): (
        "The ML input channels to train on, each under a channel name. "
        "aml/sgd needs one named train and accepts one named validation; any other name ends the version "
        "CREATE_FAILED with ALGORITHM_ERROR."
    ),
    ("CreateTrainedModelRequest", "trainingInputMode"): (
        "How a container would receive its data: File, FastFile or Pipe." + _ECHOED
    ),
    ("CreateTrainedModelRequest", "description"): _DESCRIPTION.format(what="trained model"),
    ("CreateTrainedModelRequest", "kmsKeyArn"): _KMS.format(what="trained model"),
    ("CreateTrainedModelRequest", "tags"): _TAGS.format(what="trained model"),
    ("CreateTrainedModelRequest", "mlModelTrainingPayerAccountId"): _PAYER.format(what="training"),
    ("ResourceConfig", "instanceCount"): "How many training instances, 1 to 5." + _ECHOED,
    ("ResourceConfig", "instanceType"): _INSTANCE_TYPE,
    ("ResourceConfig", "volumeSizeInGB"): "The storage per training instance, in GB from 1 to 8192." + _ECHOED,
    ("StoppingCondition", "maxRuntimeInSeconds"): (
        "The longest training may run, in seconds from 1 to 2419200. "
        "At the deadline aml keeps the last complete pass: the version ends ACTIVE with MAX_RUNTIME_EXCEEDED, "
        "or CREATE_FAILED when no pass had finished."
    ),
    ("IncrementalTrainingDataChannel", "trainedModelArn"): "The ARN of the base model whose training continues.",
    ("IncrementalTrainingDataChannel", "versionIdentifier"): (
        "Which version of the base model to start from; without it, its latest version."
    ),
    ("IncrementalTrainingDataChannel", "channelName"): (
        "A name for the base model's channel in this training; it may not repeat a name used in dataChannels."
    ),
    ("ModelTrainingDataChannel", "mlInputChannelArn"): (
        "The ARN of an ML input channel in the same collaboration and for the same association. "
        "It may not be CREATE_FAILED or INACTIVE; one still being created is waited for."
    ),
    ("ModelTrainingDataChannel", "channelName"): (
        "The name the learner sees the channel under, unique in the request. "
        "For aml/sgd: train (required) or validation (optional, scored after each pass)."
    ),
    ("ModelTrainingDataChannel", "s3DataDistributionType"): (
        "How data would be spread over instances: FullyReplicated or ShardedByS3Key." + _ECHOED
    ),
    ("DeleteTrainedModelOutputRequest", "trainedModelArn"): "The ARN of the trained model whose artifact is removed.",
    ("DeleteTrainedModelOutputRequest", "membershipIdentifier"): (
        "The UUID of the membership that owns the trained model."
    ),
    ("DeleteTrainedModelOutputRequest", "versionIdentifier"): (
        "Which version's artifact to remove; without it, the base version (the model's first)."
    ),
    ("GetTrainedModelRequest", "trainedModelArn"): "The ARN of the trained model to show.",
    ("GetTrainedModelRequest", "membershipIdentifier"): "The UUID of the membership that owns the trained model.",
    ("GetTrainedModelRequest", "versionIdentifier"): "Which version to show; without it, the latest one.",
    ("GetCollaborationTrainedModelRequest", "trainedModelArn"): "The ARN of the trained model to show.",
    ("GetCollaborationTrainedModelRequest", "collaborationIdentifier"): (
        "The UUID of the collaboration the trained model was made in."
    ),
    ("GetCollaborationTrainedModelRequest", "versionIdentifier"): "Which version to show; without it, the latest one.",
    ("ListTrainedModelsRequest", "membershipIdentifier"): "The UUID of the membership whose trained models are listed.",
    ("ListTrainedModelVersionsRequest", "membershipIdentifier"): (
        "The UUID of the membership that owns the trained model."
    ),
    ("ListTrainedModelVersionsRequest", "trainedModelArn"): "The ARN of the trained model whose versions are listed.",
    ("ListTrainedModelVersionsRequest", "status"): "Lists only the versions in this status.",
    ("ListCollaborationTrainedModelsRequest", "collaborationIdentifier"): (
        "The UUID of the collaboration whose trained models are listed."
    ),
    # Configured model algorithms.
    ("CreateConfiguredModelAlgorithmRequest", "name"): "A name for the algorithm, 1 to 63 characters.",
    ("CreateConfiguredModelAlgorithmRequest", "description"): _DESCRIPTION.format(what="algorithm"),
    ("CreateConfiguredModelAlgorithmRequest", "roleArn"): ("The role that would pull the container images." + _ROLE),
    ("CreateConfiguredModelAlgorithmRequest", "trainingContainerConfig"): (
        "The training container: its image, command line and the patterns that turn log lines into metrics. "
        "Locally the image must be the built-in learner aml/sgd."
    ),
    ("CreateConfiguredModelAlgorithmRequest", "inferenceContainerConfig"): (
        "The container that inference jobs would run. "
        "Stored and returned; locally inference jobs score with the learner that trained the model."
    ),
    ("CreateConfiguredModelAlgorithmRequest", "tags"): _TAGS.format(what="algorithm"),
    ("CreateConfiguredModelAlgorithmRequest", "kmsKeyArn"): _KMS.format(what="algorithm"),
    ("ContainerConfig", "imageUri"): (
        "The training image; locally this must be aml/sgd, the built-in SGD learner, optionally followed by a "
        "tag or an @sha256 digest, which is ignored. Any other image is a ValidationException that lists the "
        "built-in learners."
    ),
    ("ContainerConfig", "entrypoint"): (
        "The command the container would start with, in place of its default." + _ECHOED
    ),
    ("ContainerConfig", "arguments"): "Arguments the container would be started with." + _ECHOED,
    ("ContainerConfig", "metricDefinitions"): (
        "Up to 40 named patterns that pick metric values out of the training log. "
        "aml runs them over the learner's log lines and stores what they find with the version."
    ),
    ("MetricDefinition", "name"): "The name the metric is stored under.",
    ("MetricDefinition", "regex"): (
        "A regular expression tried on every training log line; the value is taken from its first group."
    ),
    ("InferenceContainerConfig", "imageUri"): (
        "The inference image's registry path. Stored and returned; aml scores with the built-in learner instead."
    ),
    ("DeleteConfiguredModelAlgorithmRequest", "configuredModelAlgorithmArn"): "The ARN of the algorithm to remove.",
    ("GetConfiguredModelAlgorithmRequest", "configuredModelAlgorithmArn"): "The ARN of the algorithm to show.",
    # Associations and their privacy policies.
    ("CreateConfiguredModelAlgorithmAssociationRequest", "membershipIdentifier"): (
        "The UUID of the membership that makes and owns the association."
    ),
    ("CreateConfiguredModelAlgorithmAssociationRequest", "configuredModelAlgorithmArn"): (
        "The ARN of an existing configured model algorithm of this account."
    ),
    ("CreateConfiguredModelAlgorithmAssociationRequest", "name"): "A name for the association, 1 to 63 characters.",
    ("CreateConfiguredModelAlgorithmAssociationRequest", "description"): _DESCRIPTION.format(what="association"),
    ("CreateConfiguredModelAlgorithmAssociationRequest", "privacyConfiguration"): (
        "Limits on what models trained through this association may produce and share. "
        "Validated and stored; locally the artifact size limit and the export policy are enforced."
    ),
    ("CreateConfiguredModelAlgorithmAssociationRequest", "tags"): _TAGS.format(what="association"),
    ("PrivacyConfiguration", "policies"): (
        "The rules for models trained with the association, for their exports and for their inference jobs."
    ),
    ("PrivacyConfigurationPolicies", "trainedModels"): (
        "Rules for training: who sees the logs and metrics, and the largest artifact allowed. "
        "Locally only maxArtifactSize has an effect."
    ),
    ("PrivacyConfigurationPolicies", "trainedModelExports"): (
        "Rules for export jobs: the largest export and the files it may carry. "
        "Without them aml refuses every export of models trained through this association."
    ),
    ("PrivacyConfigurationPolicies", "trainedModelInferenceJobs"): (
        "Rules for inference jobs: who sees their logs and how large their output may be. "
        "Validated and stored; they have no effect locally yet."
    ),
    ("TrainedModelsConfigurationPolicy", "containerLogs"): _logs_policy("training"),
    ("TrainedModelsConfigurationPolicy", "containerMetrics"): (
        "How much noise other members' copies of the training metrics get. Validated and stored; aml adds no noise."
    ),
    ("TrainedModelsConfigurationPolicy", "maxArtifactSize"): (
        "The largest model artifact a training may produce. "
        "A model that would be larger ends CREATE_FAILED with ARTIFACT_TOO_LARGE."
    ),
    ("LogsConfigurationPolicy", "allowedAccountIds"): "The accounts, one to five 12-digit IDs, that may read the logs.",
    ("LogsConfigurationPolicy", "filterPattern"): (
        "A pattern choosing which log lines those accounts see, up to 1024 characters." + _ECHOED
    ),
    ("LogsConfigurationPolicy", "logType"): (
        "Which logs the policy covers: ALL, or ERROR_SUMMARY for a summary of errors only."
    ),
    ("LogsConfigurationPolicy", "logRedactionConfiguration"): (
        "What to mask in the logs before they are shared. Validated and stored; aml masks nothing."
    ),
    ("LogRedactionConfiguration", "entitiesToRedact"): (
        "The kinds of content to mask: ALL_PERSONALLY_IDENTIFIABLE_INFORMATION, NUMBERS, or CUSTOM for the "
        "patterns in customEntityConfig."
    ),
    ("LogRedactionConfiguration", "customEntityConfig"): "The patterns to mask when entitiesToRedact holds CUSTOM.",
    ("CustomEntityConfig", "customDataIdentifiers"): "One to ten patterns whose matches would be masked.",
    ("MetricsConfigurationPolicy", "noiseLevel"): "How much noise shared metrics get: NONE, LOW, MEDIUM or HIGH.",
    ("TrainedModelArtifactMaxSize", "unit"): "The unit the limit is given in; GB is the only one.",
    ("TrainedModelArtifactMaxSize", "value"): "The artifact size limit in that unit, from 0.01 to 100.",
    ("TrainedModelExportsConfigurationPolicy", "maxSize"): (
        "The largest export allowed; exporting a larger model ends the export job CREATE_FAILED."
    ),
    ("TrainedModelExportsConfigurationPolicy", "filesToExport"): (
        "What an export may carry: MODEL for the model artifact, OUTPUT for the training output, or both."
    ),
    ("TrainedModelExportsMaxSize", "unit"): "The unit the export limit is given in; GB is the only one.",
    ("TrainedModelExportsMaxSize", "value"): "The export size limit in that unit, from 0.01 to 50.",
    ("TrainedModelInferenceJobsConfigurationPolicy", "containerLogs"): _logs_policy("inference jobs"),
    ("TrainedModelInferenceJobsConfigurationPolicy", "maxOutputSize"): (
        "The largest output one inference job may write." + _ECHOED
    ),
    ("TrainedModelInferenceMaxOutputSize", "unit"): "The unit the output limit is given in; GB is the only one.",
    ("TrainedModelInferenceMaxOutputSize", "value"): "The output size limit in that unit, from 0.01 to 100.",
    ("DeleteConfiguredModelAlgorithmAssociationRequest", "configuredModelAlgorithmAssociationArn"): (
        "The ARN of the association to remove."
    ),
    ("DeleteConfiguredModelAlgorithmAssociationRequest", "membershipIdentifier"): (
        "The UUID of the membership that owns the association."
    ),
    ("GetConfiguredModelAlgorithmAssociationRequest", "configuredModelAlgorithmAssociationArn"): (
        "The ARN of the association to show."
    ),
    ("GetConfiguredModelAlgorithmAssociationRequest", "membershipIdentifier"): (
        "The UUID of the membership that owns the association."
    ),
    ("GetCollaborationConfiguredModelAlgorithmAssociationRequest", "configuredModelAlgorithmAssociationArn"): (
        "The ARN of the association to show."
    ),
    ("GetCollaborationConfiguredModelAlgorithmAssociationRequest", "collaborationIdentifier"): (
        "The UUID of the collaboration the association was made in."
    ),
    ("ListConfiguredModelAlgorithmAssociationsRequest", "membershipIdentifier"): (
        "The UUID of the membership whose associations are listed."
    ),
    ("ListCollaborationConfiguredModelAlgorithmAssociationsRequest", "collaborationIdentifier"): (
        "The UUID of the collaboration whose associations are listed."
    ),
    # ML input channels.
    ("CreateMLInputChannelRequest", "membershipIdentifier"): (
        "The UUID of the membership that makes and owns the channel."
    ),
    ("CreateMLInputChannelRequest", "configuredModelAlgorithmAssociations"): (
        "Exactly one association ARN, of the same membership, whose models may read the channel."
    ),
    ("CreateMLInputChannelRequest", "inputChannel"): "Where the channel's rows come from: a SQL query and its role.",
    ("CreateMLInputChannelRequest", "name"): "A name for the channel, 1 to 63 characters.",
    ("CreateMLInputChannelRequest", "retentionInDays"): (
        "How many days, 1 to 30, the query result is kept. "
        "Once they have passed, aml removes the data and the channel reads INACTIVE."
    ),
    ("CreateMLInputChannelRequest", "description"): _DESCRIPTION.format(what="channel"),
    ("CreateMLInputChannelRequest", "kmsKeyArn"): _KMS.format(what="channel"),
    ("CreateMLInputChannelRequest", "tags"): _TAGS.format(what="channel"),
    ("CreateMLInputChannelRequest", "payerConfiguration"): (
        "Which accounts pay for the channel's query and synthetic data." + _ECHOED
    ),
    ("InputChannel", "dataSource"): "The query whose result fills the channel.",
    ("InputChannel", "roleArn"): "The role the query would run as." + _ROLE,
    ("InputChannelDataSource", "protectedQueryInputParameters"): "The SQL to run and the settings to run it with.",
    ("ProtectedQueryInputParameters", "sqlParameters"): "The query itself, as SQL text.",
    ("ProtectedQueryInputParameters", "computeConfiguration"): (
        "The workers that would run the query. Accepted and returned; locally SQLite runs it in one process."
    ),
    ("ProtectedQueryInputParameters", "resultFormat"): (
        "How the result is stored; locally only CSV, the default, is accepted and PARQUET is a ValidationException."
    ),
    ("ProtectedQuerySQLParameters", "queryString"): (
        "The SQL that produces the channel's rows; locally it runs in SQLite. "
        "Each table is the ID of a COMPLETED aml data source, in double quotes when the ID holds a hyphen or dot; "
        "NUMERIC columns read as REAL, BINARY as INTEGER 0 or 1, the rest as TEXT."
    ),
    ("ProtectedQuerySQLParameters", "analysisTemplateArn"): (
        "An analysis template to run in place of queryString. aml has no templates, so giving one is a "
        "ValidationException."
    ),
    ("ProtectedQuerySQLParameters", "parameters"): (
        "Values for named parameters of an analysis template. Accepted and returned; aml substitutes nothing."
    ),
    ("ComputeConfiguration", "worker"): "The size and number of query workers." + _ECHOED,
    ("WorkerComputeConfiguration", "type"): "The worker size: CR.1X, CR.4X or CR.8X." + _ECHOED,
    ("WorkerComputeConfiguration", "number"): "How many workers, 2 to 1024." + _ECHOED,
    ("WorkerComputeConfiguration", "properties"): "Engine settings for the workers." + _ECHOED,
    ("WorkerComputeConfigurationProperties", "spark"): (
        "Spark settings, up to 50 keys with their values. Accepted and returned; no Spark runs locally."
    ),
    ("PayerConfiguration", "computePayerAccountId"): _PAYER.format(what="the query's compute"),
    ("PayerConfiguration", "syntheticDataPayerAccountId"): _PAYER.format(what="synthetic data"),
    ("DeleteMLInputChannelDataRequest", "mlInputChannelArn"): "The ARN of the channel whose data is removed.",
    ("DeleteMLInputChannelDataRequest", "membershipIdentifier"): "The UUID of the membership that owns the channel.",
    ("GetMLInputChannelRequest", "mlInputChannelArn"): "The ARN of the channel to show.",
    ("GetMLInputChannelRequest", "membershipIdentifier"): "The UUID of the membership that owns the channel.",
    ("GetCollaborationMLInputChannelRequest", "mlInputChannelArn"): "The ARN of the channel to show.",
    ("GetCollaborationMLInputChannelRequest", "collaborationIdentifier"): (
        "The UUID of the collaboration the channel was made in."
    ),
    ("ListMLInputChannelsRequest", "membershipIdentifier"): "The UUID of the membership whose channels are listed.",
    ("ListCollaborationMLInputChannelsRequest", "collaborationIdentifier"): (
        "The UUID of the collaboration whose channels are listed."
    ),
    # ML configuration.
    ("PutMLConfigurationRequest", "membershipIdentifier"): "The UUID of the membership to configure.",
    ("PutMLConfigurationRequest", "defaultOutputLocation"): (
        "Where the membership's inference and export jobs write, and the role they write with."
    ),
    ("MLOutputConfiguration", "destination"): "The location outputs are written under.",
    ("MLOutputConfiguration", "roleArn"): "The role outputs would be written with." + _ROLE,
    ("Destination", "s3Destination"): "The S3 location, given as a URI.",
    ("S3ConfigMap", "s3Uri"): (
        "An s3:// URI for the outputs; aml maps it to a folder under its local S3 root, as it does Amazon ML's "
        "OutputUri."
    ),
    ("GetMLConfigurationRequest", "membershipIdentifier"): "The UUID of the membership whose configuration is shown.",
    ("DeleteMLConfigurationRequest", "membershipIdentifier"): (
        "The UUID of the membership whose configuration is dropped."
    ),
    # Export jobs.
    ("StartTrainedModelExportJobRequest", "name"): "A name for the export job, 1 to 63 characters.",
    ("StartTrainedModelExportJobRequest", "trainedModelArn"): "The ARN of the trained model whose artifact is copied.",
    ("StartTrainedModelExportJobRequest", "trainedModelVersionIdentifier"): (
        "Which version of the trained model to copy; it must be ACTIVE."
    ),
    ("StartTrainedModelExportJobRequest", "membershipIdentifier"): (
        "The UUID of the membership that owns the trained model."
    ),
    ("StartTrainedModelExportJobRequest", "outputConfiguration"): (
        "Who receives the export. The files land under the membership's default output location, in a folder "
        "named by membership, then exports, then the model and version IDs."
    ),
    ("StartTrainedModelExportJobRequest", "description"): _DESCRIPTION.format(what="export job"),
    ("TrainedModelExportOutputConfiguration", "members"): "The one member who receives the exported files.",
    ("TrainedModelExportReceiverMember", "accountId"): (
        "The receiving member's 12-digit account ID; locally the only member able to receive is the own account, "
        "000000000000."
    ),
    ("ListCollaborationTrainedModelExportJobsRequest", "collaborationIdentifier"): (
        "The UUID of the collaboration the trained model was made in."
    ),
    ("ListCollaborationTrainedModelExportJobsRequest", "trainedModelArn"): (
        "The ARN of the trained model whose export jobs are listed."
    ),
    ("ListCollaborationTrainedModelExportJobsRequest", "trainedModelVersionIdentifier"): (
        "Lists only the export jobs of this version."
    ),
    # Inference jobs.
    ("StartTrainedModelInferenceJobRequest", "membershipIdentifier"): (
        "The UUID of the membership that runs the job; it must own the trained model and the input channel."
    ),
    ("StartTrainedModelInferenceJobRequest", "name"): "A name for the inference job, 1 to 63 characters.",
    ("StartTrainedModelInferenceJobRequest", "trainedModelArn"): "The ARN of the trained model that scores the rows.",
    ("StartTrainedModelInferenceJobRequest", "trainedModelVersionIdentifier"): (
        "Which version scores the rows; without it, the latest ACTIVE one."
    ),
    ("StartTrainedModelInferenceJobRequest", "configuredModelAlgorithmAssociationArn"): (
        "Optionally, the association of the algorithm the model was trained with; returned with the job."
    ),
    ("StartTrainedModelInferenceJobRequest", "resourceConfig"): (
        "The instances inference would use. Required and returned, but aml scores in one local process."
    ),
    ("StartTrainedModelInferenceJobRequest", "outputConfiguration"): (
        "The output format and the member who receives the scores. "
        "The scored rows land under the membership's default output location, in a folder per membership and job."
    ),
    ("StartTrainedModelInferenceJobRequest", "dataSource"): "The ML input channel whose rows are scored.",
    ("StartTrainedModelInferenceJobRequest", "description"): _DESCRIPTION.format(what="inference job"),
    ("StartTrainedModelInferenceJobRequest", "containerExecutionParameters"): (
        "Limits on the records the job handles."
    ),
    ("StartTrainedModelInferenceJobRequest", "environment"): (
        "Environment variables for the inference container. Accepted and returned; aml never passes them to its worker."
    ),
    ("StartTrainedModelInferenceJobRequest", "kmsKeyArn"): _KMS.format(what="inference job"),
    ("StartTrainedModelInferenceJobRequest", "tags"): _TAGS.format(what="inference job"),
    ("StartTrainedModelInferenceJobRequest", "mlModelInferencePayerAccountId"): _PAYER.format(what="inference"),
    ("InferenceResourceConfig", "instanceType"): _INSTANCE_TYPE,
    ("InferenceResourceConfig", "instanceCount"): "How many inference instances, 1 to 10." + _ECHOED,
    ("InferenceOutputConfiguration", "accept"): (
        "The output's MIME type: text/csv, the default, or application/json for one JSON object a line. "
        "Either way the scores follow the channel's own columns, as in an Amazon ML batch prediction."
    ),
    ("InferenceOutputConfiguration", "members"): "The one member who receives the scored rows.",
    ("InferenceReceiverMember", "accountId"): (
        "The receiving member's 12-digit account ID; locally it must be the own account, 000000000000, "
        "or the call is a ValidationException."
    ),
    ("ModelInferenceDataSource", "mlInputChannelArn"): "The ARN of an ACTIVE ML input channel of the same membership.",
    ("InferenceContainerExecutionParameters", "maxPayloadInMB"): (
        "The largest single record, in MB from 1 to 100; a longer record ends the job CREATE_FAILED, naming it."
    ),
    ("CancelTrainedModelInferenceJobRequest", "membershipIdentifier"): (
        "The UUID of the membership that runs the inference job."
    ),
    ("CancelTrainedModelInferenceJobRequest", "trainedModelInferenceJobArn"): "The ARN of the inference job to stop.",
    ("GetTrainedModelInferenceJobRequest", "membershipIdentifier"): (
        "The UUID of the membership that runs the inference job."
    ),
    ("GetTrainedModelInferenceJobRequest", "trainedModelInferenceJobArn"): "The ARN of the inference job to show.",
    ("ListTrainedModelInferenceJobsRequest", "membershipIdentifier"): (
        "The UUID of the membership whose inference jobs are listed."
    ),
    ("ListTrainedModelInferenceJobsRequest", "trainedModelArn"): "Lists only the jobs that used this trained model.",
    ("ListTrainedModelInferenceJobsRequest", "trainedModelVersionIdentifier"): (
        "Lists only the jobs that used this version of the trained model."
    ),
    ("ListCollaborationTrainedModelInferenceJobsRequest", "collaborationIdentifier"): (
        "The UUID of the collaboration whose inference jobs are listed."
    ),
    ("ListCollaborationTrainedModelInferenceJobsRequest", "trainedModelArn"): (
        "Lists only the jobs that used this trained model."
    ),
    ("ListCollaborationTrainedModelInferenceJobsRequest", "trainedModelVersionIdentifier"): (
        "Lists only the jobs that used this version of the trained model."
    ),
    # Tags.
    ("TagResourceRequest", "resourceArn"): f"The ARN of the resource to tag: {_TAGGABLE}.",
    ("TagResourceRequest", "tags"): (
        "The tags to attach, key to value; a key already there gets the new value. "
        "Keys may not start with aws:, and one resource holds at most 50 tags; otherwise nothing changes."
    ),
    ("UntagResourceRequest", "resourceArn"): f"The ARN of the resource to untag: {_TAGGABLE}.",
    ("UntagResourceRequest", "tagKeys"): "The keys of the tags to take off.",
    ("ListTagsForResourceRequest", "resourceArn"): f"The ARN of the resource whose tags are shown: {_TAGGABLE}.",
}

WAITER_DOCS: dict[str, str] = {}

# Where aml relaxes a constraint of the service (aml_cli.api.validate.RELAXED_ML), why, in the help's words.
RELAXED_DOCS: dict[str, str] = {
    "S3Path": "an s3://bucket/key URI under AML_S3_ROOT, a local path, or a file:// URI; the service took s3:// "
              "URIs only",
}
