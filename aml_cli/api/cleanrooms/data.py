"""The AWS Clean Rooms Service 2022-02-17 API as data (written by tools/describe_service.py).

Facts of the public API only: names, types, constraints, member locations, HTTP
bindings, error statuses, paginators and waiters of the operations aml implements.
"""

# fmt: off
SHAPES: dict[str, dict] = {
    'AccessDeniedException': {'type': 'structure', 'members': {'message': 'String', 'reason': 'AccessDeniedExceptionReason'}},
    'AccessDeniedExceptionReason': {'type': 'string', 'enum': ['INSUFFICIENT_PERMISSIONS']},
    'AccountId': {'type': 'string', 'min': 12, 'max': 12, 'pattern': '\\d+'},
    'AllowedResultRegions': {'type': 'list', 'member': 'SupportedS3Region'},
    'AnalyticsEngine': {'type': 'string', 'enum': ['SPARK', 'CLEAN_ROOMS_SQL']},
    'AutoApprovedChangeType': {'type': 'string', 'enum': ['ADD_MEMBER', 'GRANT_RECEIVE_RESULTS_ABILITY', 'REVOKE_RECEIVE_RESULTS_ABILITY', 'GRANT_EXPORT_QUERY_ANALYSIS_LOG_ABILITY', 'REVOKE_EXPORT_QUERY_ANALYSIS_LOG_ABILITY']},
    'AutoApprovedChangeTypeList': {'type': 'list', 'member': 'AutoApprovedChangeType'},
    'Boolean': {'type': 'boolean'},
    'Collaboration': {'type': 'structure', 'members': {'id': 'UUID', 'arn': 'CollaborationArn', 'name': 'CollaborationName', 'description': 'CollaborationDescription', 'creatorAccountId': 'AccountId', 'creatorDisplayName': 'DisplayName', 'createTime': 'Timestamp', 'updateTime': 'Timestamp', 'memberStatus': 'MemberStatus', 'membershipId': 'UUID', 'membershipArn': 'MembershipArn', 'dataEncryptionMetadata': 'DataEncryptionMetadata', 'queryLogStatus': 'CollaborationQueryLogStatus', 'jobLogStatus': 'CollaborationJobLogStatus', 'analyticsEngine': 'AnalyticsEngine', 'autoApprovedChangeTypes': 'AutoApprovedChangeTypeList', 'allowedResultRegions': 'AllowedResultRegions', 'isMetricsEnabled': 'Boolean'}, 'required': ['id', 'arn', 'name', 'creatorAccountId', 'creatorDisplayName', 'createTime', 'updateTime', 'memberStatus', 'queryLogStatus']},
    'CollaborationArn': {'type': 'string', 'min': 0, 'max': 100, 'pattern': 'arn:aws:[\\w]+:[\\w]{2}-[\\w]{4,9}-[\\d]:[\\d]{12}:collaboration/[\\d\\w-]+'},
    'CollaborationDescription': {'type': 'string', 'min': 0, 'max': 255, 'pattern': '(?!\\s+$)[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDBFF-\\uDC00\\uDFFF\\t\\r\\n]*'},
    'CollaborationIdentifier': {'type': 'string', 'min': 36, 'max': 36, 'pattern': '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'},
    'CollaborationJobLogStatus': {'type': 'string', 'enum': ['ENABLED', 'DISABLED']},
    'CollaborationName': {'type': 'string', 'min': 1, 'max': 100, 'pattern': '(?!\\s*$)[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDBFF-\\uDC00\\uDFFF\\t]*'},
    'CollaborationQueryLogStatus': {'type': 'string', 'enum': ['ENABLED', 'DISABLED']},
    'CollaborationSummary': {'type': 'structure', 'members': {'id': 'UUID', 'arn': 'CollaborationArn', 'name': 'CollaborationName', 'creatorAccountId': 'AccountId', 'creatorDisplayName': 'DisplayName', 'createTime': 'Timestamp', 'updateTime': 'Timestamp', 'memberStatus': 'MemberStatus', 'membershipId': 'UUID', 'membershipArn': 'MembershipArn', 'analyticsEngine': 'AnalyticsEngine'}, 'required': ['id', 'arn', 'name', 'creatorAccountId', 'creatorDisplayName', 'createTime', 'updateTime', 'memberStatus']},
    'CollaborationSummaryList': {'type': 'list', 'member': 'CollaborationSummary'},
    'ConflictException': {'type': 'structure', 'members': {'message': 'String', 'resourceId': 'String', 'resourceType': 'ResourceType', 'reason': 'ConflictExceptionReason'}},
    'ConflictExceptionReason': {'type': 'string', 'enum': ['ALREADY_EXISTS', 'SUBRESOURCES_EXIST', 'INVALID_STATE']},
    'CreateCollaborationInput': {'type': 'structure', 'members': {'members': 'MemberList', 'name': 'CollaborationName', 'description': 'CollaborationDescription', 'creatorMemberAbilities': 'MemberAbilities', 'creatorMLMemberAbilities': 'MLMemberAbilities', 'creatorDisplayName': 'DisplayName', 'dataEncryptionMetadata': 'DataEncryptionMetadata', 'queryLogStatus': 'CollaborationQueryLogStatus', 'jobLogStatus': 'CollaborationJobLogStatus', 'tags': 'TagMap', 'creatorPaymentConfiguration': 'PaymentConfiguration', 'analyticsEngine': 'AnalyticsEngine', 'autoApprovedChangeRequestTypes': 'AutoApprovedChangeTypeList', 'allowedResultRegions': 'AllowedResultRegions', 'isMetricsEnabled': 'Boolean'}, 'required': ['members', 'name', 'creatorMemberAbilities', 'creatorDisplayName', 'queryLogStatus']},
    'CreateCollaborationOutput': {'type': 'structure', 'members': {'collaboration': 'Collaboration'}, 'required': ['collaboration']},
    'CreateMembershipInput': {'type': 'structure', 'members': {'collaborationIdentifier': 'CollaborationIdentifier', 'queryLogStatus': 'MembershipQueryLogStatus', 'jobLogStatus': 'MembershipJobLogStatus', 'tags': 'TagMap', 'defaultResultConfiguration': 'MembershipProtectedQueryResultConfiguration', 'defaultJobResultConfiguration': 'MembershipProtectedJobResultConfiguration', 'paymentConfiguration': 'MembershipPaymentConfiguration', 'isMetricsEnabled': 'Boolean'}, 'required': ['collaborationIdentifier', 'queryLogStatus']},
    'CreateMembershipOutput': {'type': 'structure', 'members': {'membership': 'Membership'}, 'required': ['membership']},
    'CustomMLMemberAbilities': {'type': 'list', 'member': 'CustomMLMemberAbility'},
    'CustomMLMemberAbility': {'type': 'string', 'enum': ['CAN_RECEIVE_MODEL_OUTPUT', 'CAN_RECEIVE_INFERENCE_OUTPUT']},
    'DataEncryptionMetadata': {'type': 'structure', 'members': {'allowCleartext': 'Boolean', 'allowDuplicates': 'Boolean', 'allowJoinsOnColumnsWithDifferentNames': 'Boolean', 'preserveNulls': 'Boolean'}, 'required': ['allowCleartext', 'allowDuplicates', 'allowJoinsOnColumnsWithDifferentNames', 'preserveNulls']},
    'DisplayName': {'type': 'string', 'min': 1, 'max': 100, 'pattern': '(?!\\s*$)[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDBFF-\\uDC00\\uDFFF\\t]*'},
    'Double': {'type': 'double'},
    'FilterableMemberStatus': {'type': 'string', 'enum': ['INVITED', 'ACTIVE']},
    'GetCollaborationInput': {'type': 'structure', 'members': {'collaborationIdentifier': 'CollaborationIdentifier'}, 'required': ['collaborationIdentifier'], 'locations': {'collaborationIdentifier': ['uri', 'collaborationIdentifier']}},
    'GetCollaborationOutput': {'type': 'structure', 'members': {'collaboration': 'Collaboration'}, 'required': ['collaboration']},
    'GetMembershipInput': {'type': 'structure', 'members': {'membershipIdentifier': 'MembershipIdentifier'}, 'required': ['membershipIdentifier'], 'locations': {'membershipIdentifier': ['uri', 'membershipIdentifier']}},
    'GetMembershipOutput': {'type': 'structure', 'members': {'membership': 'Membership'}, 'required': ['membership']},
    'InternalServerException': {'type': 'structure', 'members': {'message': 'String'}},
    'JobComputePaymentConfig': {'type': 'structure', 'members': {'isResponsible': 'Boolean'}, 'required': ['isResponsible']},
    'KeyPrefix': {'type': 'string', 'min': 0, 'max': 512, 'pattern': '[\\w!.=*/-]*'},
    'ListCollaborationsInput': {'type': 'structure', 'members': {'nextToken': 'PaginationToken', 'maxResults': 'MaxResults', 'memberStatus': 'FilterableMemberStatus'}, 'locations': {'nextToken': ['querystring', 'nextToken'], 'maxResults': ['querystring', 'maxResults'], 'memberStatus': ['querystring', 'memberStatus']}},
    'ListCollaborationsOutput': {'type': 'structure', 'members': {'nextToken': 'PaginationToken', 'collaborationList': 'CollaborationSummaryList'}, 'required': ['collaborationList']},
    'ListMembershipsInput': {'type': 'structure', 'members': {'nextToken': 'PaginationToken', 'maxResults': 'MaxResults', 'status': 'MembershipStatus'}, 'locations': {'nextToken': ['querystring', 'nextToken'], 'maxResults': ['querystring', 'maxResults'], 'status': ['querystring', 'status']}},
    'ListMembershipsOutput': {'type': 'structure', 'members': {'nextToken': 'PaginationToken', 'membershipSummaries': 'MembershipSummaryList'}, 'required': ['membershipSummaries']},
    'MLMemberAbilities': {'type': 'structure', 'members': {'customMLMemberAbilities': 'CustomMLMemberAbilities'}, 'required': ['customMLMemberAbilities']},
    'MLPaymentConfig': {'type': 'structure', 'members': {'modelTraining': 'ModelTrainingPaymentConfig', 'modelInference': 'ModelInferencePaymentConfig', 'syntheticDataGeneration': 'SyntheticDataGenerationPaymentConfig'}},
    'MaxResults': {'type': 'integer', 'min': 1, 'max': 100},
    'MemberAbilities': {'type': 'list', 'member': 'MemberAbility'},
    'MemberAbility': {'type': 'string', 'enum': ['CAN_QUERY', 'CAN_RECEIVE_RESULTS', 'CAN_RUN_JOB', 'CAN_EXPORT_QUERY_ANALYSIS_LOG']},
    'MemberList': {'type': 'list', 'min': 0, 'member': 'MemberSpecification'},
    'MemberSpecification': {'type': 'structure', 'members': {'accountId': 'AccountId', 'memberAbilities': 'MemberAbilities', 'mlMemberAbilities': 'MLMemberAbilities', 'displayName': 'DisplayName', 'paymentConfiguration': 'PaymentConfiguration'}, 'required': ['accountId', 'memberAbilities', 'displayName']},
    'MemberStatus': {'type': 'string', 'enum': ['INVITED', 'ACTIVE', 'LEFT', 'REMOVED']},
    'Membership': {'type': 'structure', 'members': {'id': 'UUID', 'arn': 'MembershipArn', 'collaborationArn': 'CollaborationArn', 'collaborationId': 'UUID', 'collaborationCreatorAccountId': 'AccountId', 'collaborationCreatorDisplayName': 'DisplayName', 'collaborationName': 'CollaborationName', 'createTime': 'Timestamp', 'updateTime': 'Timestamp', 'status': 'MembershipStatus', 'memberAbilities': 'MemberAbilities', 'mlMemberAbilities': 'MLMemberAbilities', 'queryLogStatus': 'MembershipQueryLogStatus', 'jobLogStatus': 'MembershipJobLogStatus', 'defaultResultConfiguration': 'MembershipProtectedQueryResultConfiguration', 'defaultJobResultConfiguration': 'MembershipProtectedJobResultConfiguration', 'paymentConfiguration': 'MembershipPaymentConfiguration', 'isMetricsEnabled': 'Boolean'}, 'required': ['id', 'arn', 'collaborationArn', 'collaborationId', 'collaborationCreatorAccountId', 'collaborationCreatorDisplayName', 'collaborationName', 'createTime', 'updateTime', 'status', 'memberAbilities', 'queryLogStatus', 'paymentConfiguration']},
    'MembershipArn': {'type': 'string', 'min': 0, 'max': 100, 'pattern': 'arn:aws:[\\w]+:[\\w]{2}-[\\w]{4,9}-[\\d]:[\\d]{12}:membership/[\\d\\w-]+'},
    'MembershipIdentifier': {'type': 'string', 'min': 36, 'max': 36, 'pattern': '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'},
    'MembershipJobComputePaymentConfig': {'type': 'structure', 'members': {'isResponsible': 'Boolean'}, 'required': ['isResponsible']},
    'MembershipJobLogStatus': {'type': 'string', 'enum': ['ENABLED', 'DISABLED']},
    'MembershipMLPaymentConfig': {'type': 'structure', 'members': {'modelTraining': 'MembershipModelTrainingPaymentConfig', 'modelInference': 'MembershipModelInferencePaymentConfig', 'syntheticDataGeneration': 'MembershipSyntheticDataGenerationPaymentConfig'}},
    'MembershipModelInferencePaymentConfig': {'type': 'structure', 'members': {'isResponsible': 'Boolean'}, 'required': ['isResponsible']},
    'MembershipModelTrainingPaymentConfig': {'type': 'structure', 'members': {'isResponsible': 'Boolean'}, 'required': ['isResponsible']},
    'MembershipPaymentConfiguration': {'type': 'structure', 'members': {'queryCompute': 'MembershipQueryComputePaymentConfig', 'machineLearning': 'MembershipMLPaymentConfig', 'jobCompute': 'MembershipJobComputePaymentConfig'}, 'required': ['queryCompute']},
    'MembershipProtectedJobOutputConfiguration': {'type': 'structure', 'members': {'s3': 'ProtectedJobS3OutputConfigurationInput'}, 'union': True},
    'MembershipProtectedJobResultConfiguration': {'type': 'structure', 'members': {'outputConfiguration': 'MembershipProtectedJobOutputConfiguration', 'roleArn': 'RoleArn'}, 'required': ['outputConfiguration', 'roleArn']},
    'MembershipProtectedQueryOutputConfiguration': {'type': 'structure', 'members': {'s3': 'ProtectedQueryS3OutputConfiguration'}, 'union': True},
    'MembershipProtectedQueryResultConfiguration': {'type': 'structure', 'members': {'outputConfiguration': 'MembershipProtectedQueryOutputConfiguration', 'roleArn': 'RoleArn'}, 'required': ['outputConfiguration']},
    'MembershipQueryComputePaymentConfig': {'type': 'structure', 'members': {'isResponsible': 'Boolean'}, 'required': ['isResponsible']},
    'MembershipQueryLogStatus': {'type': 'string', 'enum': ['ENABLED', 'DISABLED']},
    'MembershipStatus': {'type': 'string', 'enum': ['ACTIVE', 'REMOVED', 'COLLABORATION_DELETED']},
    'MembershipSummary': {'type': 'structure', 'members': {'id': 'UUID', 'arn': 'MembershipArn', 'collaborationArn': 'CollaborationArn', 'collaborationId': 'CollaborationIdentifier', 'collaborationCreatorAccountId': 'AccountId', 'collaborationCreatorDisplayName': 'DisplayName', 'collaborationName': 'CollaborationName', 'createTime': 'Timestamp', 'updateTime': 'Timestamp', 'status': 'MembershipStatus', 'memberAbilities': 'MemberAbilities', 'mlMemberAbilities': 'MLMemberAbilities', 'paymentConfiguration': 'MembershipPaymentConfiguration'}, 'required': ['id', 'arn', 'collaborationArn', 'collaborationId', 'collaborationCreatorAccountId', 'collaborationCreatorDisplayName', 'collaborationName', 'createTime', 'updateTime', 'status', 'memberAbilities', 'paymentConfiguration']},
    'MembershipSummaryList': {'type': 'list', 'member': 'MembershipSummary'},
    'MembershipSyntheticDataGenerationPaymentConfig': {'type': 'structure', 'members': {'isResponsible': 'Boolean'}, 'required': ['isResponsible']},
    'ModelInferencePaymentConfig': {'type': 'structure', 'members': {'isResponsible': 'Boolean'}, 'required': ['isResponsible']},
    'ModelTrainingPaymentConfig': {'type': 'structure', 'members': {'isResponsible': 'Boolean'}, 'required': ['isResponsible']},
    'PaginationToken': {'type': 'string', 'min': 0, 'max': 10240},
    'PaymentConfiguration': {'type': 'structure', 'members': {'queryCompute': 'QueryComputePaymentConfig', 'machineLearning': 'MLPaymentConfig', 'jobCompute': 'JobComputePaymentConfig'}, 'required': ['queryCompute']},
    'ProtectedJobS3OutputConfigurationInput': {'type': 'structure', 'members': {'resultFormat': 'ResultFormat', 'bucket': 'ProtectedJobS3OutputConfigurationInputBucketString', 'keyPrefix': 'KeyPrefix'}, 'required': ['bucket']},
    'ProtectedJobS3OutputConfigurationInputBucketString': {'type': 'string', 'min': 3, 'max': 63, 'pattern': '.*(?!^(\\d+\\.)+\\d+$)(^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])$).*'},
    'ProtectedQueryS3OutputConfiguration': {'type': 'structure', 'members': {'resultFormat': 'ResultFormat', 'bucket': 'ProtectedQueryS3OutputConfigurationBucketString', 'keyPrefix': 'KeyPrefix', 'singleFileOutput': 'Boolean'}, 'required': ['resultFormat', 'bucket']},
    'ProtectedQueryS3OutputConfigurationBucketString': {'type': 'string', 'min': 3, 'max': 63, 'pattern': '.*(?!^(\\d+\\.)+\\d+$)(^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])$).*'},
    'QueryComputePaymentConfig': {'type': 'structure', 'members': {'isResponsible': 'Boolean'}, 'required': ['isResponsible']},
    'ResourceNotFoundException': {'type': 'structure', 'members': {'message': 'String', 'resourceId': 'String', 'resourceType': 'ResourceType'}, 'required': ['message', 'resourceId', 'resourceType']},
    'ResourceType': {'type': 'string', 'enum': ['CONFIGURED_TABLE', 'COLLABORATION', 'MEMBERSHIP', 'CONFIGURED_TABLE_ASSOCIATION']},
    'ResultFormat': {'type': 'string', 'enum': ['CSV', 'PARQUET']},
    'RoleArn': {'type': 'string', 'min': 32, 'max': 512, 'pattern': 'arn:aws:iam::[\\w]+:role/[\\w+=./@-]+'},
    'ServiceQuotaExceededException': {'type': 'structure', 'members': {'message': 'String', 'quotaName': 'String', 'quotaValue': 'Double'}, 'required': ['message', 'quotaName', 'quotaValue']},
    'String': {'type': 'string'},
    'SupportedS3Region': {'type': 'string', 'enum': ['us-west-1', 'us-west-2', 'us-east-1', 'us-east-2', 'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-5', 'ap-southeast-4', 'ap-southeast-7', 'ap-south-1', 'ap-northeast-3', 'ap-northeast-1', 'ap-northeast-2', 'ca-central-1', 'ca-west-1', 'eu-south-1', 'eu-west-3', 'eu-south-2', 'eu-central-2', 'eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-2', 'me-south-1', 'me-central-1', 'il-central-1', 'sa-east-1', 'mx-central-1']},
    'SyntheticDataGenerationPaymentConfig': {'type': 'structure', 'members': {'isResponsible': 'Boolean'}, 'required': ['isResponsible']},
    'TagKey': {'type': 'string', 'min': 1, 'max': 128},
    'TagMap': {'type': 'map', 'min': 0, 'max': 200, 'key': 'TagKey', 'value': 'TagValue'},
    'TagValue': {'type': 'string', 'min': 0, 'max': 256},
    'ThrottlingException': {'type': 'structure', 'members': {'message': 'String'}},
    'Timestamp': {'type': 'timestamp'},
    'UUID': {'type': 'string', 'min': 36, 'max': 36, 'pattern': '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'},
    'ValidationException': {'type': 'structure', 'members': {'message': 'String', 'reason': 'ValidationExceptionReason', 'fieldList': 'ValidationExceptionFieldList'}},
    'ValidationExceptionField': {'type': 'structure', 'members': {'name': 'String', 'message': 'String'}, 'required': ['name', 'message']},
    'ValidationExceptionFieldList': {'type': 'list', 'member': 'ValidationExceptionField'},
    'ValidationExceptionReason': {'type': 'string', 'enum': ['FIELD_VALIDATION_FAILED', 'INVALID_CONFIGURATION', 'INVALID_QUERY', 'IAM_SYNCHRONIZATION_DELAY']},
}

# operation -> HTTP method, request URI, success status, input shape, output shape (or None), errors
OPERATIONS: dict[str, tuple] = {
    'CreateCollaboration': ('POST', '/collaborations', 200, 'CreateCollaborationInput', 'CreateCollaborationOutput', ('ServiceQuotaExceededException', 'InternalServerException', 'ValidationException', 'ThrottlingException', 'AccessDeniedException')),
    'CreateMembership': ('POST', '/memberships', 200, 'CreateMembershipInput', 'CreateMembershipOutput', ('ConflictException', 'ServiceQuotaExceededException', 'ResourceNotFoundException', 'InternalServerException', 'ValidationException', 'ThrottlingException', 'AccessDeniedException')),
    'GetCollaboration': ('GET', '/collaborations/{collaborationIdentifier}', 200, 'GetCollaborationInput', 'GetCollaborationOutput', ('InternalServerException', 'ValidationException', 'ThrottlingException', 'AccessDeniedException')),
    'GetMembership': ('GET', '/memberships/{membershipIdentifier}', 200, 'GetMembershipInput', 'GetMembershipOutput', ('ResourceNotFoundException', 'InternalServerException', 'ValidationException', 'ThrottlingException', 'AccessDeniedException')),
    'ListCollaborations': ('GET', '/collaborations', 200, 'ListCollaborationsInput', 'ListCollaborationsOutput', ('InternalServerException', 'ValidationException', 'ThrottlingException', 'AccessDeniedException')),
    'ListMemberships': ('GET', '/memberships', 200, 'ListMembershipsInput', 'ListMembershipsOutput', ('InternalServerException', 'ValidationException', 'ThrottlingException', 'AccessDeniedException')),
}

# error code -> HTTP status
ERRORS: dict[str, int] = {'AccessDeniedException': 403, 'ConflictException': 409, 'InternalServerException': 500, 'ResourceNotFoundException': 404, 'ServiceQuotaExceededException': 402, 'ThrottlingException': 429, 'ValidationException': 400}

# operation -> (input token, output token, limit key, result key)
PAGINATORS: dict[str, tuple] = {
    'ListCollaborations': ('nextToken', 'nextToken', 'maxResults', 'collaborationList'),
    'ListMemberships': ('nextToken', 'nextToken', 'maxResults', 'membershipSummaries'),
}

# waiter -> operation, delay (s), max attempts, acceptors (state, matcher, argument, expected)
WAITERS: dict[str, dict] = {
}
# fmt: on
