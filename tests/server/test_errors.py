"""The negative matrix of the spec (§7.5): status and `__type` exactly, message prefixes, and no retries.

boto3 cases use the legacy retry mode (the default of boto3 and the aws CLI v1:
up to 5 attempts), so `RetryAttempts == 0` proves the answer is final for an SDK.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import botocore
import pytest
from botocore.auth import SigV4Auth
from botocore.config import Config

from aml_cli.server import protocols
from tests.server.support import KEY_ID, SECRET, client, json_headers, send


def _error(call) -> dict:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call()
    return caught.value.response


def _final(response: dict, status: int, code: str, message: str = "") -> None:
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert response["Error"]["Code"] == code
    assert response["Error"]["Message"].startswith(message), response["Error"]["Message"]
    assert response["ResponseMetadata"]["RetryAttempts"] == 0


@pytest.fixture
def url(serve):
    return serve().url


def test_no_authorization_is_missing_authentication_token(url):
    ml = client(url, attempts=0, signature_version=botocore.UNSIGNED)
    _final(_error(lambda: ml.describe_ml_models()), 400, "MissingAuthenticationTokenException",
           "Missing Authentication Token")


def test_garbage_authorization_is_an_incomplete_signature(url):
    answer = send(url, "POST", "/", b"{}", {**json_headers("DescribeMLModels"), "Authorization": "X",
                                             "X-Amz-Date": "20261123T115418Z"}, sign=False)
    assert (answer.status, answer.code) == (400, "IncompleteSignatureException")
    assert answer.message.startswith("Authorization header requires 'Credential' parameter.")
    assert answer.headers["x-amzn-errortype"] == "IncompleteSignatureException"


def test_an_unknown_key_id_is_an_unrecognized_client(url):
    ml = client(url, attempts=0, key="AKIDX")
    _final(_error(lambda: ml.describe_ml_models()), 400, "UnrecognizedClientException",
           "The security token included in the request is invalid.")


def test_a_wrong_secret_is_an_invalid_signature(url):
    ml = client(url, attempts=0, secret="nope")
    _final(_error(lambda: ml.describe_ml_models()), 400, "InvalidSignatureException",
           "The request signature we calculated does not match")


def test_a_body_changed_after_signing_is_an_invalid_signature(url):
    from tests.server.support import signed_headers

    headers = signed_headers(url, "POST", "/", b'{"Limit": 1}', json_headers("DescribeMLModels"))
    answer = send(url, "POST", "/", b'{"Limit": 2}', headers, sign=False)
    assert (answer.status, answer.code) == (400, "InvalidSignatureException")


def test_a_scope_for_another_service_is_an_invalid_signature(url, monkeypatch):
    original = SigV4Auth.__init__

    def as_dynamodb(self, credentials, service_name, region_name, *args, **kwargs):
        original(self, credentials, "dynamodb", region_name, *args, **kwargs)

    monkeypatch.setattr(SigV4Auth, "__init__", as_dynamodb)
    ml = client(url, attempts=0)
    _final(_error(lambda: ml.describe_ml_models()), 400, "InvalidSignatureException",
           "Credential should be scoped to correct service: 'machinelearning'. ")


@pytest.mark.parametrize(("minutes", "message"), [(-20, "Signature expired: "), (20, "Signature not yet current: ")])
def test_a_signature_outside_fifteen_minutes_is_refused(url, monkeypatch, minutes, message):
    signed_at = datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=minutes)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: signed_at)
    ml = client(url, attempts=0)
    response = _error(lambda: ml.describe_ml_models())
    _final(response, 400, "InvalidSignatureException", message)
    assert response["Error"]["Message"].endswith("- 15 min.)" if minutes < 0 else "+ 15 min.)")


def test_a_signature_ten_minutes_old_is_accepted(url, monkeypatch):
    signed_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=10)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: signed_at)
    assert client(url, attempts=0).describe_ml_models()["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.parametrize("headers", [
    json_headers("NoSuchOperation"), json_headers("DynamoDB_20120810.ListTables"), json_headers(None),
    json_headers("DescribeMLModels", content_type="text/plain")], ids=["unknown", "foreign", "none", "text-plain"])
def test_requests_naming_no_operation_are_unknown_operation(url, headers):
    answer = send(url, "POST", "/", b"{}", headers)
    assert (answer.status, answer.code) == (400, "UnknownOperationException")


@pytest.mark.parametrize("body", [b"{not json", b"[]", b""], ids=["malformed", "array", "empty"])
def test_bodies_that_are_no_json_object_are_serialization_errors(url, body):
    answer = send(url, "POST", "/", body, json_headers("DescribeMLModels"))
    assert (answer.status, answer.code) == (400, "SerializationException")


def test_json_nested_ten_thousand_deep_is_a_serialization_error_not_a_500(url):
    deep = b'{"DataSourceId": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    answer = send(url, "POST", "/", deep, json_headers("GetDataSource"))
    assert (answer.status, answer.code) == (400, "SerializationException")
    rest = send(url, "POST", "/collaborations", deep, {"Content-Type": "application/json"}, service="cleanrooms")
    assert (rest.status, rest.code) == (400, "SerializationException")


def test_a_lone_surrogate_in_a_name_is_invalid_input_and_the_store_still_answers(url):
    ml = client(url, attempts=0)
    body = b'{"DataSourceId": "ds-1", "DataSourceName": "x\\ud800"}'
    answer = send(url, "POST", "/", body, json_headers("UpdateDataSource"))
    assert (answer.status, answer.code) == (400, "InvalidInputException")
    assert ml.describe_data_sources()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_a_missing_required_member_is_invalid_input_even_unvalidated_by_the_client(url):
    ml = client(url, attempts=0, parameter_validation=False)
    _final(_error(lambda: ml.get_ml_model()), 400, "InvalidInputException", "1 validation error detected")


def test_an_id_breaking_the_pattern_is_invalid_input(url):
    ml = client(url, attempts=0)
    _final(_error(lambda: ml.get_ml_model(MLModelId="a b")), 400, "InvalidInputException",
           "1 validation error detected: Value 'a b' at 'mLModelId' failed to satisfy constraint")


def test_a_body_over_the_limit_is_413_and_closes_the_connection(url):
    ml = client(url, attempts=0)
    record = {"big": "x" * (9 * 1024 * 1024)}
    response = _error(lambda: ml.predict(MLModelId="m", Record=record, PredictEndpoint=url))
    _final(response, 413, "RequestEntityTooLargeException")
    assert response["ResponseMetadata"]["HTTPHeaders"]["connection"] == "close"


def _exchange(url: str, raw: bytes) -> bytes:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_chunked_body_without_length_is_411_and_closes(url):
    raw = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AmazonML_20141212.DescribeMLModels\r\n"
           b"Content-Type: application/x-amz-json-1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
    answer = _exchange(url, raw)  # returns only because the server closes the connection
    assert answer.startswith(b"HTTP/1.1 411 ")
    assert b"MissingContentLengthException" in answer and b"Connection: close" in answer


def test_get_slash_is_405_with_allow_post(url):
    answer = send(url, "GET", "/")
    assert (answer.status, answer.code, answer.headers["allow"]) == (405, "UnknownOperationException", "POST")


def test_a_bug_in_a_service_function_is_500_and_retried_as_sdks_do(serve, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    url = serve(dispatch=broken).url
    monkeypatch.setattr(botocore.endpoint.time, "sleep", lambda seconds: None)
    response = _error(lambda: client(url, attempts=0).describe_ml_models())
    assert response["Error"]["Code"] == "InternalServerException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert response["ResponseMetadata"]["RetryAttempts"] == 4  # five attempts under legacy


def test_no_auth_answers_only_loopback_host_names(serve):
    running = serve(auth=False)
    port = running.server.server_port
    evil = send(running.url, "POST", "/", b"{}", {**json_headers("DescribeMLModels"),
                                                  "Host": f"evil.example:{port}"}, sign=False)
    assert (evil.status, evil.code) == (403, "AccessDeniedException")
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        fine = send(running.url, "POST", "/", b"{}", {**json_headers("DescribeMLModels"), "Host": host}, sign=False)
        assert fine.status == 200, host
    ml = client(running.url, attempts=0, signature_version=botocore.UNSIGNED)
    assert ml.describe_ml_models()["Results"] == []


def test_rest_json_auth_failures_are_403_with_the_error_type_header(url):
    api = client(url, "cleanroomsml", attempts=0, signature_version=botocore.UNSIGNED)
    _final(_error(lambda: api.list_configured_model_algorithms()), 403, "MissingAuthenticationTokenException")
    api = client(url, "cleanroomsml", attempts=0, secret="nope")
    response = _error(lambda: api.list_configured_model_algorithms())
    _final(response, 403, "InvalidSignatureException")
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "InvalidSignatureException"


def test_a_rest_request_signed_for_amazon_ml_is_scoped_wrong(url):
    answer = send(url, "GET", "/configured-model-algorithms", service="machinelearning")
    assert (answer.status, answer.code) == (403, "InvalidSignatureException")
    assert answer.message == "Credential should be scoped to correct service: 'cleanrooms-ml'. "


def test_rest_routing_failures_are_404_and_405(url):
    assert send(url, "GET", "/no-such-thing", service="cleanrooms-ml").status == 404
    answer = send(url, "PUT", "/configured-model-algorithms", service="cleanrooms-ml")
    assert (answer.status, answer.code, answer.headers["allow"]) == (405, "UnknownOperationException", "GET, POST")


def test_a_rest_service_error_carries_the_models_status_and_extra_members(serve):
    from aml_cli.api.errors import ServiceQuotaExceededException

    def over_quota(*args, **kwargs):
        raise ServiceQuotaExceededException("too many", quotaName="models", quotaValue=5.0)

    api = client(serve(dispatch=over_quota).url, "cleanroomsml", attempts=0)
    response = _error(lambda: api.list_configured_model_algorithms())
    _final(response, 402, "ServiceQuotaExceededException", "too many")
    assert (response["quotaName"], response["quotaValue"]) == ("models", 5.0)


def test_every_answer_has_a_request_id_and_errors_name_their_type_both_ways(url):
    answer = send(url, "POST", "/", b"{}", json_headers("GetMLModel"))
    assert answer.status == 400 and answer.headers["x-amzn-requestid"]
    assert answer.code == answer.headers["x-amzn-errortype"] == "InvalidInputException"
    assert answer.headers["content-type"] == protocols.content_type(None)


def test_security_tokens_are_accepted_and_ignored(url):
    session = botocore.session.get_session()
    ml = session.create_client("machinelearning", region_name="us-east-1", endpoint_url=url,
                               aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET,
                               aws_session_token="a-session-token", config=Config(retries={"total_max_attempts": 1}))
    assert ml.describe_ml_models()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_too_many_headers_are_refused_as_json_and_the_connection_closed(url):
    headers = "".join(f"X-Extra-{i}: {i}\r\n" for i in range(120))
    answer = _exchange(url, f"POST / HTTP/1.1\r\nHost: x\r\n{headers}Content-Length: 2\r\n\r\n{{}}".encode())
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert b'"__type":"RequestHeaderFieldsTooLargeException"' in answer and b"Connection: close" in answer


def test_head_and_other_methods_are_405(url):
    assert _exchange(url, b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n").startswith(b"HTTP/1.1 405 ")
    answer = send(url, "OPTIONS", "/")
    assert (answer.status, answer.code) == (405, "UnknownOperationException")
    assert _exchange(url, b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n").startswith(b"HTTP/1.1 405 ")


def test_connections_beyond_the_cap_get_503_and_are_closed(serve):
    running = serve()
    running.server.max_connections = 2
    host, port = running.url.removeprefix("http://").rsplit(":", 1)
    held = [socket.create_connection((host, int(port))) for _ in range(2)]
    try:
        import time

        time.sleep(0.2)  # both accepted and counted
        with socket.create_connection((host, int(port)), timeout=10) as third:
            answer = third.recv(65536)
        assert answer.startswith(b"HTTP/1.1 503 ") and b"ServiceUnavailableException" in answer
    finally:
        for sock in held:
            sock.close()


def test_requests_beyond_the_working_cap_get_a_retryable_503(serve, monkeypatch):
    import threading

    from aml_cli.server import http as server_http

    monkeypatch.setattr(server_http, "QUEUE_WAIT", 0.05)
    running = serve()
    running.server.slots = threading.BoundedSemaphore(1)
    running.server.slots.acquire()  # the one slot is taken by a request that never ends
    answer = send(running.url, "POST", "/", b"{}", json_headers("DescribeMLModels"))
    assert (answer.status, answer.code) == (503, "ServiceUnavailableException")


def test_unsigned_input_is_never_parsed(url):
    answer = send(url, "POST", "/", b"{not json", json_headers("DescribeMLModels"), sign=False)
    assert (answer.status, answer.code) == (400, "MissingAuthenticationTokenException")
