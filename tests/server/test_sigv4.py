"""The verifier against botocore's signer (the oracle): what botocore signs is accepted; one changed byte is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import given, settings
from hypothesis import strategies as st

from aml_cli.server import sigv4

SECRETS = {"AKIDTEST": "the-secret"}
HOST = "127.0.0.1:8764"


def _signed(method: str, path: str, query: str, body: bytes, headers: dict[str, str], *,
            service: str = "machinelearning", token: str | None = None) -> tuple[sigv4.Request, AWSRequest]:
    url = f"http://{HOST}{path}" + (f"?{query}" if query else "")
    request = AWSRequest(method=method, url=url, data=body, headers={"Host": HOST, **headers})
    SigV4Auth(Credentials("AKIDTEST", "the-secret", token), service, "eu-west-1").add_auth(request)
    received = {}
    for name, value in request.headers.items():
        received.setdefault(name.lower(), []).append(value)
    return sigv4.Request(method, path, query, received, body), request


def _oracle_canonical(request: AWSRequest) -> str:
    signer = SigV4Auth(Credentials("AKIDTEST", "the-secret"), "machinelearning", "eu-west-1")
    return signer.canonical_request(request)


header_values = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(body=st.binary(max_size=2000), extra=st.dictionaries(
    st.sampled_from(["x-amz-meta-a", "accept-encoding", "x-custom", "content-length-ish"]), header_values,
    max_size=3), token=st.none() | st.text(st.characters(min_codepoint=48, max_codepoint=122), min_size=1,
                                            max_size=40))
def test_whatever_botocore_signs_is_accepted(body, extra, token):
    request, _ = _signed("POST", "/", "", body, {"X-Amz-Target": "AmazonML_20141212.GetMLModel", **extra},
                         token=token)
    assert sigv4.verify(request, SECRETS, "machinelearning").access_key == "AKIDTEST"


@settings(max_examples=60, deadline=None)
@given(body=st.binary(min_size=1, max_size=500), position=st.integers(min_value=0))
def test_one_changed_body_byte_breaks_the_signature(body, position):
    request, _ = _signed("POST", "/", "", body, {"X-Amz-Target": "AmazonML_20141212.GetMLModel"})
    index = position % len(body)
    changed = body[:index] + bytes([body[index] ^ 1]) + body[index + 1:]
    with pytest.raises(sigv4.AuthError) as caught:
        sigv4.verify(request._replace(body=changed), SECRETS, "machinelearning")
    assert caught.value.code == "InvalidSignatureException"


@pytest.mark.parametrize("header", ["x-amz-target", "host", "x-amz-date", "content-type"])
def test_one_changed_signed_header_byte_breaks_the_signature(header):
    request, _ = _signed("POST", "/", "", b"{}", {"X-Amz-Target": "AmazonML_20141212.GetMLModel",
                                                   "Content-Type": "application/x-amz-json-1.1"})
    headers = dict(request.headers)
    value = headers[header][0]
    headers[header] = [value[:-1] + chr(ord(value[-1]) ^ 1)]
    with pytest.raises(sigv4.AuthError) as caught:
        sigv4.verify(request._replace(headers=headers), SECRETS, "machinelearning")
    assert caught.value.code in ("InvalidSignatureException", "IncompleteSignatureException")


def test_rest_paths_are_quoted_again_as_botocore_signs_them():
    arn = "arn%3Aaws%3Acleanrooms-ml%3Aus-east-1%3A000000000000%3Amembership%2Fm-1%2Ftrained-model%2Ft-1"
    path = f"/memberships/m-1/trained-models/{arn}"
    query = "maxResults=5&nextToken=a%20b%2Fc&versionIdentifier=v%2B1"
    request, oracle = _signed("GET", path, query, b"", {}, service="cleanrooms-ml")
    ours = sigv4.canonical_request(request, sorted(request.headers))
    theirs = _oracle_canonical(oracle)
    assert ours.split("\n")[1] == theirs.split("\n")[1] == path.replace("%", "%25")
    assert ours.split("\n")[2] == theirs.split("\n")[2]
    assert sigv4.verify(request, SECRETS, "cleanrooms-ml").service == "cleanrooms-ml"


@pytest.mark.parametrize(("raw", "canonical"), [
    ("", "/"), ("/", "/"), ("/a/./b/../c", "/a/c"), ("//a//b/", "/a/b/"), ("/a b~", "/a%20b~")])
def test_the_canonical_uri_drops_dot_and_empty_segments(raw, canonical):
    assert sigv4.canonical_uri(raw) == canonical


def test_the_canonical_query_is_encoded_and_sorted():
    assert sigv4.canonical_query("b=2&a=x y&a=1&c") == "a=1&a=x%20y&b=2&c="


def test_the_check_order_reports_the_first_failure():
    request, _ = _signed("POST", "/", "", b"{}", {})
    later = datetime.now(UTC) + timedelta(hours=1)
    with pytest.raises(sigv4.AuthError) as caught:  # wrong service and stale: the service is named first
        sigv4.verify(request, {}, "cleanrooms", later)
    assert caught.value.message.startswith("Credential should be scoped to correct service")
    with pytest.raises(sigv4.AuthError) as caught:  # stale and unknown key: the clock first
        sigv4.verify(request, {}, "machinelearning", later)
    assert caught.value.message.startswith("Signature expired")
    with pytest.raises(sigv4.AuthError) as caught:
        sigv4.verify(request, {}, "machinelearning")
    assert caught.value.code == "UnrecognizedClientException"


def test_host_must_be_signed():
    request, _ = _signed("POST", "/", "", b"{}", {})
    authorization = request.headers["authorization"][0].replace("SignedHeaders=host;", "SignedHeaders=")
    with pytest.raises(sigv4.AuthError) as caught:
        sigv4.verify(request._replace(headers={**request.headers, "authorization": [authorization]}), SECRETS,
                     "machinelearning")
    assert caught.value.code == "IncompleteSignatureException"
