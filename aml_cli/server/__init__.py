"""`aml serve`: the services over HTTP, so boto3, the aws CLI and every AWS SDK talk to aml unchanged.

One HTTP/1.1 server carries every described service: Amazon ML as AWS JSON 1.1
(`X-Amz-Target`), Clean Rooms and Clean Rooms ML as REST-JSON (method and URI
template). Requests are SigV4-signed with a key pair from the server's own
shared-credentials file, and each is answered by the same service functions
the CLI calls, with a request context built from the signer (detached jobs,
no progress bar, the server's URL as Predict's EndpointUrl).

Layers: `sigv4` (the verifier), `credentials` (the key file), `routing` and
`protocols` (both derived from `aml_cli.api`), `app` (the checks in order,
no sockets), `http` (the stdlib server and its limits). `start` runs one in a
thread (tests, benchmarks); `run` is the foreground server of `aml serve`.
"""

from __future__ import annotations

import ipaddress
import signal
import sys
import threading
from dataclasses import dataclass
from typing import TextIO

from aml_cli.server.http import DEFAULT_MAX_BODY, DRAIN_SECONDS, MAX_IN_FLIGHT, READ_TIMEOUT, Server

DEFAULT_PORT = 8764
DEFAULT_HOST = "127.0.0.1"


@dataclass(frozen=True)
class Settings:
    """How `aml serve` was asked to run."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    auth: bool = True
    advertise_url: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY
    max_in_flight: int = MAX_IN_FLIGHT
    timeout: float = READ_TIMEOUT
    region: str = "us-east-1"


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: the only binds where --no-auth is allowed."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_of(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def loopback_hosts(port: int, advertise_url: str | None) -> frozenset[str]:
    """Host header values a --no-auth server answers (a DNS-rebinding guard): loopback names with our port."""
    hosts = {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}
    if advertise_url:
        from urllib.parse import urlsplit

        hosts.add(urlsplit(advertise_url).netloc.lower())
    return frozenset(hosts)


def build(settings: Settings, store, keys, *, local_caller: str, log: TextIO | None = sys.stderr,
          dispatch=None, clock=None) -> Server:
    """A bound (not yet serving) server; port 0 picks a free one (read it from `server.server_port`)."""
    from aml_cli.server.app import App

    address = (settings.host.strip("[]"), settings.port)
    app = App(store=store, keys=keys if settings.auth else None, advertise_url=settings.advertise_url,
              region=settings.region, local_caller=local_caller, dispatch=dispatch, clock=clock)
    server = Server(address, app, max_body=settings.max_body_bytes, max_in_flight=settings.max_in_flight,
                    timeout=settings.timeout, log=log)
    app.hosts = loopback_hosts(server.server_port, settings.advertise_url)
    return server


class Running:
    """A server serving from a background thread (tests and benchmarks)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.url = url_of(str(server.server_address[0]), server.server_port)
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.drain()
        self.server.server_close()
        self._thread.join(5)


def start(settings: Settings, store, keys, *, local_caller: str = "arn:aws:iam::000000000000:user/local",
          log: TextIO | None = None, dispatch=None, clock=None) -> Running:
    return Running(build(settings, store, keys, local_caller=local_caller, log=log, dispatch=dispatch,
                         clock=clock))


def run(server: Server, out: TextIO = sys.stdout, drain_seconds: float = DRAIN_SECONDS) -> int:
    """Serves in the foreground until SIGTERM or SIGINT, then drains in-flight requests and returns 0."""
    def stop(signum, frame) -> None:  # serve_forever runs in this thread: shut it down from another
        threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    print(f"AML_ENDPOINT_URL={url_of(str(server.server_address[0]), server.server_port)}", file=out, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
        drained = server.drain(drain_seconds)
        server.write_log("aml serve: stopped" + ("" if drained else f" ({server.in_flight} requests cut off)"))
    finally:
        server.server_close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
