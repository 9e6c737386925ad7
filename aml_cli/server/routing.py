"""Which service and operation a request is for, from the API descriptions alone.

A request with `X-Amz-Target` (or a `POST /` without one) speaks AWS JSON 1.1
and names its operation in the target. Any other request is REST-JSON: its
method and path are matched against every REST operation's URI template. The
match runs on the raw path split at `/` (an encoded ARN keeps its `%2F`
inside one segment); each label is percent-decoded only afterwards. Routing
covers every described service, answered or not, so that signing and errors
behave the same before a service is implemented.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple
from urllib.parse import unquote

from aml_cli.api import Operation, Service, service, service_names

JSON_CONTENT_TYPES = ("application/x-amz-json-1.1",)


class RouteError(Exception):
    """No operation answers this request; `status` is 404, 405 or 400, `allow` the methods the path takes."""

    def __init__(self, status: int, message: str, allow: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.allow = allow


class Route(NamedTuple):
    service: Service
    operation: Operation
    labels: dict[str, str]  # URI label -> its decoded value


class Template(NamedTuple):
    service: Service
    operation: Operation
    segments: tuple[str, ...]  # literal text, "{label}" or "{label+}" (greedy)
    literals: int  # how specific: templates with more literal segments win ties


def is_json_request(method: str, path: str, headers: dict[str, list[str]]) -> bool:
    return "x-amz-target" in headers or (method == "POST" and path in ("", "/"))


def json_route(headers: dict[str, list[str]]) -> Route:
    """The JSON 1.1 operation named by `X-Amz-Target`; the content type is checked first, as Coral does."""
    media = (headers.get("content-type") or [""])[0].split(";")[0].strip().lower()
    if media not in JSON_CONTENT_TYPES:
        raise RouteError(400, f"Content-Type {media or '(none)'} is not application/x-amz-json-1.1.")
    target = (headers.get("x-amz-target") or [""])[0]
    prefix, _, name = target.rpartition(".")
    for described in _json_services():
        if prefix == described.protocol.target_prefix and name in described.operation_names():
            return Route(described, described.operation(name), {})
    raise RouteError(400, f"No operation answers X-Amz-Target {target!r}." if target else
                     "The request names no operation (no X-Amz-Target header).")


def rest_route(method: str, raw_path: str) -> Route:
    """The REST operation whose template the path matches with this method; 404 or 405 otherwise."""
    segments = tuple(raw_path.split("/")[1:]) if raw_path.startswith("/") else ()
    matches = [(template, labels) for template in _templates()
               if (labels := _match(template.segments, segments)) is not None]
    if not matches:
        if raw_path in ("", "/"):
            raise RouteError(405, f"{method} / is not an operation; AWS JSON 1.1 calls are POST /.", allow="POST")
        raise RouteError(404, f"No operation answers {method} {raw_path[:300]}.")
    chosen = [(t, labels) for t, labels in matches if t.operation.http.method == method]
    if not chosen:
        allow = ", ".join(sorted({t.operation.http.method for t, _ in matches}))
        raise RouteError(405, f"{raw_path[:300]} takes {allow}, not {method}.", allow=allow)
    template, labels = max(chosen, key=lambda item: item[0].literals)
    return Route(template.service, template.operation, labels)


def _match(template: tuple[str, ...], segments: tuple[str, ...]) -> dict[str, str] | None:
    labels: dict[str, str] = {}
    for index, part in enumerate(template):
        if part.startswith("{") and part.endswith("+}"):
            rest = segments[index:]
            if not rest or not "".join(rest):
                return None
            labels[part[1:-2]] = unquote("/".join(rest))
            return labels
        if index >= len(segments):
            return None
        if part.startswith("{") and part.endswith("}"):
            if not segments[index]:
                return None
            labels[part[1:-1]] = unquote(segments[index])
        elif part != segments[index]:
            return None
    return labels if len(segments) == len(template) else None


@cache
def _json_services() -> tuple[Service, ...]:
    return tuple(s for s in map(service, service_names()) if s.protocol.name == "json")


@cache
def _templates() -> tuple[Template, ...]:
    found = []
    for described in map(service, service_names()):
        if described.protocol.name != "rest-json":
            continue
        for name in described.operation_names():
            op = described.operation(name)
            path = op.http.uri.split("?")[0]
            segments = tuple(path.split("/")[1:])
            literals = sum(1 for s in segments if not s.startswith("{"))
            found.append(Template(described, op, segments, literals))
    return tuple(found)


def templates() -> tuple[Template, ...]:
    """Every REST operation's route (the tests check that no path reaches two operations)."""
    return _templates()
