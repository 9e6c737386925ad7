"""AWS Signature Version 4, verified: the request must have been signed with a key pair we issued.

Written from the public algorithm (hashlib and hmac only; botocore is the tests'
oracle, never imported here). The checks run in a fixed order and the first
failure wins, so a client learns the most basic thing it got wrong:
missing -> incomplete -> scope service -> scope date -> clock skew -> key id
-> signature. The canonical request is built from the request exactly as it
arrived (the raw path quoted once more, as every SDK but S3's signs it; the
query pairs re-encoded and sorted; the signed headers only, `host` among them).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from urllib.parse import quote, unquote

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = timedelta(minutes=15)  # the window ECR, Amazon ML and most JSON services allow
AMZ_DATE = "%Y%m%dT%H%M%SZ"
_PART = re.compile(r"\s*([A-Za-z]+)\s*=\s*([^,\s]*)\s*")


class AuthError(Exception):
    """The request is not signed as we require; `code` is what the JSON services call the failure."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Signed(NamedTuple):
    """What a valid Authorization header told us about its signer."""

    access_key: str
    region: str
    service: str


class Request(NamedTuple):
    """The parts of an HTTP request that SigV4 covers, as received."""

    method: str
    path: str  # raw, still percent-encoded, without the query
    query: str  # raw, after the '?'
    headers: Mapping[str, Sequence[str]]  # lower-case name -> every value received
    body: bytes


def verify(request: Request, secrets: Mapping[str, str], service: str, now: datetime | None = None) -> Signed:
    """The signer of `request` if its signature holds for `service`; AuthError with the first failure otherwise."""
    header = _first(request.headers, "authorization")
    if header is None:
        raise AuthError("MissingAuthenticationTokenException", "Missing Authentication Token")
    fields = _authorization_fields(header)
    amz_date = _first(request.headers, "x-amz-date")
    _require_complete(fields, amz_date, header)
    scope = fields["Credential"].split("/")
    access_key, date, region, scope_service, _ = scope
    signed_headers = fields["SignedHeaders"].split(";")
    if "host" not in signed_headers:
        raise AuthError("IncompleteSignatureException", "'Host' must be a 'SignedHeader' in the AWS Authorization.")
    if scope_service != service:
        raise AuthError("InvalidSignatureException", f"Credential should be scoped to correct service: '{service}'. ")
    assert amz_date is not None  # _require_complete saw to it
    if date != amz_date[:8]:
        raise AuthError("InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD from "
                        f"ISO-8601 version of date from HTTP: '{date}' != '{amz_date[:8]}', from '{amz_date}'.")
    _check_clock(amz_date, now or datetime.now(UTC))
    secret = secrets.get(access_key)
    if secret is None:
        raise AuthError("UnrecognizedClientException", "The security token included in the request is invalid.")
    expected = signature(request, secret, amz_date, "/".join(scope[1:]), signed_headers)
    if not hmac.compare_digest(expected, fields["Signature"].lower()):
        raise AuthError("InvalidSignatureException", "The request signature we calculated does not match the "
                        "signature you provided. Check your AWS Secret Access Key and signing method. "
                        "Consult the service documentation for details.")
    return Signed(access_key, region, scope_service)


def _first(headers: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


# Authorization := "AWS4-HMAC-SHA256" SP Credential=<scope> "," SignedHeaders=<names> "," Signature=<hex>
def _authorization_fields(header: str) -> dict[str, str]:
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        return {}
    fields = {}
    for part in rest.split(","):
        match = _PART.fullmatch(part)
        if match:
            fields[match.group(1)] = match.group(2)
    return fields


def _require_complete(fields: dict[str, str], amz_date: str | None, header: str) -> None:
    """IncompleteSignatureException naming every missing part, as the JSON services word it."""
    problems = [f"Authorization header requires '{name}' parameter." for name in ("Credential", "Signature",
                                                                                  "SignedHeaders")
                if not fields.get(name)]
    if amz_date is None:
        problems.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if problems:
        raise AuthError("IncompleteSignatureException", " ".join(problems) + f" Authorization={header[:200]}")
    scope = fields["Credential"].split("/")
    if len(scope) != 5 or not all(scope[:4]):
        raise AuthError("IncompleteSignatureException", f"Credential must have exactly 5 slash-delimited elements, "
                        f"e.g. keyid/date/region/service/term, got '{fields['Credential'][:200]}'")
    if scope[4] != "aws4_request":
        raise AuthError("InvalidSignatureException",
                        f"Credential should be scoped with a valid terminator: 'aws4_request', not '{scope[4]}'.")
    if not re.fullmatch(r"[0-9a-fA-F]{64}", fields["Signature"]):
        raise AuthError("IncompleteSignatureException", "Signature must be 64 hexadecimal characters.")


def _check_clock(amz_date: str, now: datetime) -> None:
    """A signature is good for 15 minutes either side of our clock; there is no replay protection inside that."""
    try:
        signed_at = datetime.strptime(amz_date, AMZ_DATE).replace(tzinfo=UTC)
    except ValueError:
        message = f"X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\", not {amz_date!r}."
        raise AuthError("IncompleteSignatureException", message) from None
    now = now.astimezone(UTC).replace(microsecond=0)
    earliest, latest = now - MAX_SKEW, now + MAX_SKEW
    if signed_at < earliest:
        raise AuthError("InvalidSignatureException", f"Signature expired: {amz_date} is now earlier than "
                        f"{earliest:{AMZ_DATE}} ({now:{AMZ_DATE}} - 15 min.)")
    if signed_at > latest:
        raise AuthError("InvalidSignatureException", f"Signature not yet current: {amz_date} is still later than "
                        f"{latest:{AMZ_DATE}} ({now:{AMZ_DATE}} + 15 min.)")


def signature(request: Request, secret: str, amz_date: str, scope: str, signed_headers: Sequence[str]) -> str:
    """The hex signature of `request` under `secret`; `scope` is date/region/service/aws4_request."""
    digest = hashlib.sha256(canonical_request(request, signed_headers).encode("utf-8")).hexdigest()
    to_sign = "\n".join((ALGORITHM, amz_date, scope, digest))
    key = ("AWS4" + secret).encode("utf-8")
    for part in scope.split("/"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def canonical_request(request: Request, signed_headers: Sequence[str]) -> str:
    """Method, URI, query, headers, the header list and the body's hash, one per line (SigV4's order)."""
    names = sorted(set(signed_headers))
    lines = [f"{name}:{','.join(' '.join(v.split()) for v in request.headers.get(name, ()))}" for name in names]
    return "\n".join((
        request.method.upper(),
        canonical_uri(request.path),
        canonical_query(request.query),
        "\n".join(lines) + "\n",
        ";".join(names),
        hashlib.sha256(request.body).hexdigest(),
    ))


def canonical_uri(raw_path: str) -> str:
    """The received (already encoded) path without dot segments or empty ones, percent-encoded once more."""
    if not raw_path:
        return "/"
    kept: list[str] = []
    for segment in raw_path.split("/"):
        if segment == "..":
            if kept:
                kept.pop()
        elif segment and segment != ".":
            kept.append(segment)
    path = ("/" if raw_path.startswith("/") else "") + "/".join(kept)
    if raw_path.endswith("/") and kept:
        path += "/"
    return quote(path, safe="/~")


def canonical_query(raw_query: str) -> str:
    """Each name and value URI-encoded (RFC 3986 unreserved characters left alone), sorted by name then value."""
    if not raw_query:
        return ""
    pairs = []
    for pair in raw_query.split("&"):
        name, _, value = pair.partition("=")
        pairs.append((quote(unquote(name), safe="-_.~"), quote(unquote(value), safe="-_.~")))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))
