"""Help text for the Clean Rooms collaboration and membership operations and their input members, written for aml.

aml implements only the part of Clean Rooms that Clean Rooms ML needs: a
collaboration and the local account's membership in it. Kept apart from
`data.py` so that parsing and running a request never loads it; help, the YAML
skeleton's comments and completions read it. Plain text: the first sentence of
each entry must stand alone, because the YAML skeleton prints only that
sentence. Settings that are only validated and returned say so.
"""

OPERATION_DOCS: dict[str, str] = {
    "CreateCollaboration": (
        "Creates a collaboration owned by the local account and names the other members to invite. "
        "The creator still joins it with CreateMembership; invited members stay INVITED, since locally they "
        "cannot act."
    ),
    "CreateMembership": (
        "Joins a collaboration as the local account, making the membership whose ID the Clean Rooms ML commands "
        "take. The membership is ACTIVE at once; the account holds at most one per collaboration."
    ),
    "GetCollaboration": "Shows one collaboration: its name, creator, the caller's membership and its settings.",
    "GetMembership": "Shows one membership: its collaboration, abilities, status and settings.",
    "ListCollaborations": (
        "Lists the collaborations the local account created or was invited to, optionally by the caller's status."
    ),
    "ListMemberships": "Lists the local account's memberships, optionally only those in one status.",
}

_ECHOED = " Validated and returned; it has no effect locally."
_PAID = " Validated and returned; nothing is billed locally."
_NEXT = "The nextToken a previous page returned; give it to fetch the page after that one."
_MAX = "The most {what} one page may hold, from 1 to 100."
_TAGS = "Tags to put on the new {what}, key to value."
_ABILITIES = "CAN_QUERY, CAN_RECEIVE_RESULTS, CAN_RUN_JOB or CAN_EXPORT_QUERY_ANALYSIS_LOG"
_ML_ABILITIES = "CAN_RECEIVE_MODEL_OUTPUT, CAN_RECEIVE_INFERENCE_OUTPUT or both"


def _payer(who: str, what: str) -> str:
    return f"True when {who} {what}." + _PAID


MEMBER_DOCS: dict[tuple[str, str], str] = {
    # CreateCollaboration.
    ("CreateCollaborationInput", "members"): (
        "The members to invite besides the creator, each with its abilities; the list cannot change later. "
        "Locally they are stored as INVITED and cannot act."
    ),
    ("CreateCollaborationInput", "name"): "A name for the collaboration, 1 to 100 characters.",
    ("CreateCollaborationInput", "description"): "An optional description of the collaboration, up to 255 characters.",
    ("CreateCollaborationInput", "creatorMemberAbilities"): (
        f"What the creator may do in the collaboration: {_ABILITIES}."
    ),
    ("CreateCollaborationInput", "creatorMLMemberAbilities"): (
        f"What the creator may receive from machine learning: {_ML_ABILITIES}."
    ),
    ("CreateCollaborationInput", "creatorDisplayName"): (
        "The name other members see for the creator, 1 to 100 characters."
    ),
    ("CreateCollaborationInput", "dataEncryptionMetadata"): (
        "Rules for tables encrypted on the client side before they join the collaboration. "
        "Validated and returned; aml encrypts nothing."
    ),
    ("CreateCollaborationInput", "queryLogStatus"): "ENABLED or DISABLED: whether queries would be logged." + _ECHOED,
    ("CreateCollaborationInput", "jobLogStatus"): "ENABLED or DISABLED: whether jobs would be logged." + _ECHOED,
    ("CreateCollaborationInput", "tags"): _TAGS.format(what="collaboration"),
    ("CreateCollaborationInput", "creatorPaymentConfiguration"): "Which costs the creator takes on." + _PAID,
    ("CreateCollaborationInput", "analyticsEngine"): (
        "The engine queries would run on: SPARK or CLEAN_ROOMS_SQL. "
        "Validated and returned; locally ML input channel queries run in SQLite either way."
    ),
    ("CreateCollaborationInput", "autoApprovedChangeRequestTypes"): (
        "The kinds of change to the collaboration that need no approval." + _ECHOED
    ),
    ("CreateCollaborationInput", "allowedResultRegions"): "The only regions results may be written to." + _ECHOED,
    ("CreateCollaborationInput", "isMetricsEnabled"): (
        "Whether members may turn on query metrics for their memberships." + _ECHOED
    ),
    ("MemberSpecification", "accountId"): "The invited member's 12-digit AWS account ID.",
    ("MemberSpecification", "memberAbilities"): f"What the member may do in the collaboration: {_ABILITIES}.",
    ("MemberSpecification", "mlMemberAbilities"): (
        f"What the member may receive from machine learning: {_ML_ABILITIES}."
    ),
    ("MemberSpecification", "displayName"): "The name other members see for this member, 1 to 100 characters.",
    ("MemberSpecification", "paymentConfiguration"): "Which costs the creator assigns to this member." + _PAID,
    ("MLMemberAbilities", "customMLMemberAbilities"): f"The machine learning abilities: {_ML_ABILITIES}.",
    ("PaymentConfiguration", "queryCompute"): "Whether the member pays for query compute.",
    ("PaymentConfiguration", "machineLearning"): (
        "Whether the member pays for model training, model inference and synthetic data."
    ),
    ("PaymentConfiguration", "jobCompute"): "Whether the member pays for job compute.",
    ("QueryComputePaymentConfig", "isResponsible"): _payer("the creator makes this member pay for", "query compute"),
    ("MLPaymentConfig", "modelTraining"): "Whether the member pays for training models.",
    ("MLPaymentConfig", "modelInference"): "Whether the member pays for inference jobs.",
    ("MLPaymentConfig", "syntheticDataGeneration"): "Whether the member pays for generating synthetic data.",
    ("ModelTrainingPaymentConfig", "isResponsible"): _payer("the creator makes this member pay for", "training models"),
    ("ModelInferencePaymentConfig", "isResponsible"): _payer("the creator makes this member pay for", "inference jobs"),
    ("SyntheticDataGenerationPaymentConfig", "isResponsible"): _payer(
        "the creator makes this member pay for", "generating synthetic data"
    ),
    ("JobComputePaymentConfig", "isResponsible"): _payer("the creator makes this member pay for", "job compute"),
    ("DataEncryptionMetadata", "allowCleartext"): (
        "True lets encrypted tables keep some columns in clear text; false means every column is encrypted."
    ),
    ("DataEncryptionMetadata", "allowDuplicates"): (
        "True lets fingerprint columns hold repeated values; false means each value appears once."
    ),
    ("DataEncryptionMetadata", "allowJoinsOnColumnsWithDifferentNames"): (
        "True lets a fingerprint column join any other fingerprint column; false only those of the same name."
    ),
    ("DataEncryptionMetadata", "preserveNulls"): (
        "True keeps NULL values as NULL in encrypted tables; false encrypts them like any other value."
    ),
    # CreateMembership.
    ("CreateMembershipInput", "collaborationIdentifier"): (
        "The UUID of the collaboration to join; the local account may hold only one membership in it."
    ),
    ("CreateMembershipInput", "queryLogStatus"): (
        "ENABLED or DISABLED: whether this member's queries would be logged." + _ECHOED
    ),
    ("CreateMembershipInput", "jobLogStatus"): (
        "ENABLED or DISABLED: whether this member's jobs would be logged." + _ECHOED
    ),
    ("CreateMembershipInput", "tags"): _TAGS.format(what="membership"),
    ("CreateMembershipInput", "defaultResultConfiguration"): (
        "Where this member's query results go unless a query says otherwise." + _ECHOED
    ),
    ("CreateMembershipInput", "defaultJobResultConfiguration"): (
        "Where this member's job results go unless a job says otherwise." + _ECHOED
    ),
    ("CreateMembershipInput", "paymentConfiguration"): "Which costs this member agrees to pay." + _PAID,
    ("CreateMembershipInput", "isMetricsEnabled"): (
        "Whether query metrics are collected for this membership, where the collaboration allows them." + _ECHOED
    ),
    ("MembershipProtectedQueryResultConfiguration", "outputConfiguration"): "The place query results are written to.",
    ("MembershipProtectedQueryResultConfiguration", "roleArn"): (
        "The role query results would be written with. Validated and returned; aml assumes no role."
    ),
    ("MembershipProtectedQueryOutputConfiguration", "s3"): "An S3 bucket and prefix for the query results.",
    ("ProtectedQueryS3OutputConfiguration", "resultFormat"): "The file format of query results: CSV or PARQUET.",
    ("ProtectedQueryS3OutputConfiguration", "bucket"): "The S3 bucket query results go to, 3 to 63 characters.",
    ("ProtectedQueryS3OutputConfiguration", "keyPrefix"): "The key prefix query results are written under.",
    ("ProtectedQueryS3OutputConfiguration", "singleFileOutput"): (
        "True writes each result as one file, false as several; only Spark queries honour it."
    ),
    ("MembershipProtectedJobResultConfiguration", "outputConfiguration"): "The place job results are written to.",
    ("MembershipProtectedJobResultConfiguration", "roleArn"): (
        "The role job results would be written with. Validated and returned; aml assumes no role."
    ),
    ("MembershipProtectedJobOutputConfiguration", "s3"): "An S3 bucket and prefix for the job results.",
    (
        "ProtectedJobS3OutputConfigurationInput",
        "resultFormat",
    ): "The file format of job results: CSV, the default, or PARQUET.",
    ("ProtectedJobS3OutputConfigurationInput", "bucket"): "The S3 bucket job results go to, 3 to 63 characters.",
    ("ProtectedJobS3OutputConfigurationInput", "keyPrefix"): "The key prefix job results are written under.",
    ("MembershipPaymentConfiguration", "queryCompute"): "Whether this member agrees to pay for query compute.",
    ("MembershipPaymentConfiguration", "machineLearning"): (
        "Whether this member agrees to pay for model training, model inference and synthetic data."
    ),
    ("MembershipPaymentConfiguration", "jobCompute"): "Whether this member agrees to pay for job compute.",
    ("MembershipQueryComputePaymentConfig", "isResponsible"): _payer("this member accepts paying for", "query compute"),
    ("MembershipMLPaymentConfig", "modelTraining"): "Whether this member agrees to pay for training models.",
    ("MembershipMLPaymentConfig", "modelInference"): "Whether this member agrees to pay for inference jobs.",
    ("MembershipMLPaymentConfig", "syntheticDataGeneration"): (
        "Whether this member agrees to pay for generating synthetic data."
    ),
    ("MembershipModelTrainingPaymentConfig", "isResponsible"): _payer(
        "this member accepts paying for", "training models"
    ),
    ("MembershipModelInferencePaymentConfig", "isResponsible"): _payer(
        "this member accepts paying for", "inference jobs"
    ),
    ("MembershipSyntheticDataGenerationPaymentConfig", "isResponsible"): _payer(
        "this member accepts paying for", "generating synthetic data"
    ),
    ("MembershipJobComputePaymentConfig", "isResponsible"): _payer("this member accepts paying for", "job compute"),
    # Get and list.
    ("GetCollaborationInput", "collaborationIdentifier"): "The UUID of the collaboration to show.",
    ("GetMembershipInput", "membershipIdentifier"): "The UUID of the membership to show.",
    ("ListCollaborationsInput", "nextToken"): _NEXT,
    ("ListCollaborationsInput", "maxResults"): _MAX.format(what="collaborations"),
    ("ListCollaborationsInput", "memberStatus"): (
        "Lists only the collaborations where the caller is INVITED, or only those where it is ACTIVE."
    ),
    ("ListMembershipsInput", "nextToken"): _NEXT,
    ("ListMembershipsInput", "maxResults"): _MAX.format(what="memberships"),
    ("ListMembershipsInput", "status"): "Lists only the memberships in this status.",
}

WAITER_DOCS: dict[str, str] = {}
