"""The resume token of a paginated listing, written as botocore's paginators and the AWS CLI write it.

base64 of a JSON object holding the service's own token(s) and how many results
of that page were already handed out (`boto3`'s `StartingToken`, the AWS CLI's
`--starting-token`); a token that is not ours is the service's own.
"""

from __future__ import annotations

import base64
import binascii
import json

_ENCODED_KEYS = "boto_encoded_keys"


def encode_token(d: dict) -> str:
    """base64 of `json.dumps(d)` with default separators; bytes values travel base64-encoded and listed."""
    plain = dict(d)
    encoded = [key for key, value in plain.items() if isinstance(value, bytes)]
    for key in encoded:
        plain[key] = base64.b64encode(plain[key]).decode("ascii")
    if encoded:
        plain[_ENCODED_KEYS] = [[key] for key in encoded]
    return base64.b64encode(json.dumps(plain).encode("utf-8")).decode("ascii")


def decode_token(s: str) -> dict:
    """Inverse of `encode_token`; anything that is not base64 JSON is the service's own token."""
    decoded = decode_ours(s)
    return {"NextToken": s} if decoded is None else decoded


def decode_ours(s: str) -> dict | None:
    try:
        decoded = json.loads(base64.b64decode(s.encode("utf-8")).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return None
    if not isinstance(decoded, dict):
        return None
    for path in decoded.pop(_ENCODED_KEYS, []):
        if path and path[0] in decoded:
            decoded[path[0]] = base64.b64decode(decoded[path[0]])
    return decoded
