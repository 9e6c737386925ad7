"""The HTTP/1.1 server: the standard library's threading server with the settings this load needs.

- HTTP/1.1 keep-alive with `Content-Length` on every answer, `TCP_NODELAY`, and
  each response written in one `send`: with the defaults a keep-alive call
  costs ~44 ms (Nagle's algorithm meeting delayed ACKs), with these ~1 ms.
- A 60 s timeout on every read, a cap on open connections (the rest get 503
  and are closed) and a cap on requests being worked on at once (32: the
  rest wait a moment, then get 503 ServiceUnavailableException, which every
  SDK retries). A slow client holds its own thread only.
- The method and the length are checked before the body is read; a request
  refused then (411, 413, ...) closes its connection, or its unread body would
  be read as the next request.
- Threads are daemons and counted while they work on a request: `drain`
  waits for those (at most 10 s), never for idle keep-alive connections.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TextIO

from aml_cli.server import protocols
from aml_cli.server.app import App, Failure, Response, error_response
from aml_cli.server.sigv4 import Request

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
BODY_METHODS = ("POST", "PUT", "PATCH")
DEFAULT_MAX_BODY = 8 * 1024 * 1024  # DataSchema and Recipe, the largest members, are ~0.8 MB each once escaped
MAX_IN_FLIGHT = 32
MAX_CONNECTIONS = 256
READ_TIMEOUT = 60.0
QUEUE_WAIT = 2.0  # how long a request waits for a free worker slot before 503
DRAIN_SECONDS = 10.0

# The stdlib's own refusals (bad request line, headers too large, ...) as JSON errors.
_STDLIB_ERRORS = {400: "SerializationException", 414: "RequestURITooLongException",
                  431: "RequestHeaderFieldsTooLargeException", 501: "UnknownOperationException",
                  505: "UnknownOperationException"}


class Server(ThreadingHTTPServer):
    """One listening socket; a daemon thread per connection; counters for the caps and the drain."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: App, *, max_body: int = DEFAULT_MAX_BODY,
                 max_in_flight: int = MAX_IN_FLIGHT, max_connections: int = MAX_CONNECTIONS,
                 timeout: float = READ_TIMEOUT, log: TextIO | None = sys.stderr) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.app, self.max_body, self.log = app, max_body, log
        self.max_connections = max_connections
        self.slots = threading.BoundedSemaphore(max_in_flight)
        self.handler_timeout = timeout
        self.draining = False
        self._lock = threading.Lock()
        self.connections = 0
        self.in_flight = 0
        self._log_lock = threading.Lock()
        super().__init__(address, Handler)

    def server_bind(self) -> None:  # HTTPServer's getfqdn() can stall for seconds on a machine without DNS
        socket.socket.setsockopt(self.socket, socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def process_request(self, request, client_address) -> None:
        with self._lock:
            full = self.connections >= self.max_connections
            if not full:
                self.connections += 1
        if full:
            _refuse(request, 503, "ServiceUnavailableException", "Too many open connections; try again.")
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._lock:
                self.connections -= 1

    def working(self, delta: int) -> None:
        with self._lock:
            self.in_flight += delta

    def drain(self, seconds: float = DRAIN_SECONDS) -> bool:
        """Waits for requests being worked on to be answered; True if none was left."""
        self.draining = True
        deadline = time.monotonic() + seconds
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self.in_flight

    def write_log(self, line: str) -> None:
        if self.log is not None:
            with self._log_lock:
                print(line, file=self.log, flush=True)


def _refuse(sock: socket.socket, status: int, code: str, message: str) -> None:
    body = protocols.encode({"__type": code, "message": message})
    head = (f"HTTP/1.1 {status} Error\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-ErrorType: {code}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    with contextlib.suppress(OSError):
        sock.sendall(head.encode("ascii") + body)


class Handler(BaseHTTPRequestHandler):
    """Reads one request at a time off a keep-alive connection and answers it with `App.respond`."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "aml"
    sys_version = ""
    server: Server

    def setup(self) -> None:
        self.timeout = self.server.handler_timeout
        super().setup()

    def do_GET(self) -> None:
        self._exchange()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def do_HEAD(self) -> None:
        self.close_connection = True
        self.send_response_only(405)
        self.send_header("Allow", ", ".join(METHODS))
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    do_OPTIONS = do_TRACE = do_CONNECT = do_GET

    def _exchange(self) -> None:
        started = time.perf_counter()
        self.server.working(+1)
        try:
            response = self._answer()
            if response is not None:
                self._send(response)
                self._log(response, started)
        finally:
            self.server.working(-1)

    def _answer(self) -> Response | None:
        try:
            body = self._body()
        except Failure as failure:
            return error_response(failure, None, str(uuid.uuid4()), f"{self.command} {self.path[:80]}")
        if body is None:  # the client went away in the middle of its body
            self.close_connection = True
            return None
        request = Request(self.command, *_split_target(self.path), _headers(self), body)
        if not self.server.slots.acquire(timeout=QUEUE_WAIT):
            failure = Failure(503, "ServiceUnavailableException", "The server is busy; try again.")
            return error_response(failure, None, str(uuid.uuid4()), f"{self.command} {self.path[:80]}")
        try:
            return self.server.app.respond(request)
        finally:
            self.server.slots.release()

    def _body(self) -> bytes | None:
        """Method and length first; only then the body. Any refusal here closes the connection."""
        if self.command not in METHODS:
            raise Failure(405, "UnknownOperationException", f"{self.command} is not a method this API uses.",
                          headers=[("Allow", ", ".join(METHODS))], close=True)
        if self.headers.get("Transfer-Encoding"):
            raise Failure(411, "MissingContentLengthException", "Send a Content-Length; chunked bodies are not "
                          "accepted.", close=True)
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            if self.command in BODY_METHODS:
                raise Failure(411, "MissingContentLengthException", "The request needs a Content-Length header.",
                              close=True)
            return b""
        if not length_text.strip().isdigit():
            raise Failure(400, "SerializationException", "Content-Length is not a number.", close=True)
        length = int(length_text)
        if length > self.server.max_body:
            raise Failure(413, "RequestEntityTooLargeException", f"The request body is {length} bytes; the limit "
                          f"is {self.server.max_body}.", close=True)
        body = self.rfile.read(length) if length else b""
        return body if len(body) == length else None

    def _send(self, response: Response) -> None:
        """Status line, headers and body in one write (no Nagle stall between them)."""
        close = response.close or self.server.draining or self.close_connection
        self.send_response_only(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("x-amzn-RequestId", response.request_id)
        self.send_header("Date", self.date_time_string())
        self.send_header("Content-Length", str(len(response.body)))
        if close:
            self.send_header("Connection", "close")
        self._headers_buffer.append(b"\r\n" + response.body)
        self.flush_headers()
        self.close_connection = close

    def _log(self, response: Response, started: float) -> None:
        """One line a request: when, operation, status, milliseconds, request id (never a header's value)."""
        ms = (time.perf_counter() - started) * 1000
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.server.write_log(f"{stamp} {response.label} {response.status} {ms:.1f}ms {response.request_id}")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's refusals (a malformed request line, too many or too long headers) as JSON, then close."""
        status = 405 if code == 501 else code
        failure = Failure(status, _STDLIB_ERRORS.get(code, "SerializationException"), message or explain or "",
                          close=True)
        self.close_connection = True
        with contextlib.suppress(OSError):
            self._send(error_response(failure, None, str(uuid.uuid4()), f"{self.command or '-'} (refused)"))

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Our own line is written by `_log`."""

    def log_message(self, format: str, *args) -> None:
        self.server.write_log("aml serve: " + (format % args))


def _split_target(target: str) -> tuple[str, str]:
    """Raw path and raw query of the request target (origin form, or absolute form from a proxy)."""
    if not target.startswith("/"):
        from urllib.parse import urlsplit

        parts = urlsplit(target)
        return parts.path or "/", parts.query
    path, _, query = target.partition("?")
    return path, query


def _headers(handler: BaseHTTPRequestHandler) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in handler.headers.items():
        headers.setdefault(name.lower(), []).append(value)
    return headers
