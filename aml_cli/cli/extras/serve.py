"""`aml serve`: the HTTP server boto3, the aws CLI and other SDKs talk to (see `aml_cli.server`).

This is the server's front end: it reads the environment once (the data
directory, the local identity), creates the credentials file on first start,
and prints `AML_ENDPOINT_URL=...` as its first line so a script can read the
port it got (`--port 0`).
"""

from __future__ import annotations

import shlex
import sys
import threading

# Exit codes: 2 for settings that contradict each other (as the spec asks), 255 for a server that cannot start.
BAD_SETTINGS = 2
CANNOT_START = 255


def command():
    import click

    from aml_cli.cli.extras import EXTRAS
    from aml_cli.server import DEFAULT_HOST, DEFAULT_PORT
    from aml_cli.server.http import DEFAULT_MAX_BODY

    @click.command("serve", help=EXTRAS["serve"].summary + " Point a client at it with the variables "
                   "`aml serve --print-env` prints (AWS_ENDPOINT_URL, AWS_SHARED_CREDENTIALS_FILE).")
    @click.option("--host", default=DEFAULT_HOST, show_default=True,
                  help="The address to listen on; anything but loopback is plain HTTP on the network.")
    @click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
                  help="The port; 0 picks a free one (read it from the first line printed).")
    @click.option("--no-auth", is_flag=True,
                  help="Accept unsigned requests (aws --no-sign-request); only on a loopback --host.")
    @click.option("--advertise-url", default=None,
                  help="The URL clients reach this server at, returned as EndpointUrl (default: http://<Host>).")
    @click.option("--max-body-bytes", type=click.IntRange(1024), default=DEFAULT_MAX_BODY, show_default=True,
                  help="Larger request bodies are refused with 413.")
    @click.option("--print-env", is_flag=True,
                  help="Print the environment a client needs (export lines for a shell) and exit.")
    @click.pass_obj
    def serve(options, host: str, port: int, no_auth: bool, advertise_url: str | None, max_body_bytes: int,
              print_env: bool) -> int:
        from aml_cli.server import Settings

        settings = Settings(host=host, port=port, auth=not no_auth, advertise_url=advertise_url,
                            max_body_bytes=max_body_bytes, region=getattr(options, "region", None) or "us-east-1")
        if advertise_url is not None and not _is_base_url(advertise_url):
            print(f"aml serve: --advertise-url must be an http:// or https:// URL with a host, not {advertise_url!r}.",
                  file=sys.stderr)
            return BAD_SETTINGS
        return print_environment(settings) if print_env else start(settings)

    return serve


def _is_base_url(url: str) -> bool:
    """SDKs send Predict to this URL's scheme and host (botocore crashes on a value without a scheme)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def print_environment(settings) -> int:
    """`export` lines for `eval "$(aml serve --print-env)"`: the key file, the endpoint, a region."""
    from aml_cli.server import url_of

    path = _credentials(settings)
    if path is None:
        return CANNOT_START
    url = settings.advertise_url or url_of(settings.host, settings.port)
    for name, value in (("AWS_SHARED_CREDENTIALS_FILE", str(path)), ("AWS_ENDPOINT_URL", url),
                        ("AWS_DEFAULT_REGION", settings.region)):
        print(f"export {name}={shlex.quote(value)}")
    return 0


def start(settings) -> int:
    from aml_cli.server import build, is_loopback, run
    from aml_cli.service.context import local_identity
    from aml_cli.store import Store

    if not settings.auth and not is_loopback(settings.host):
        print(f"aml serve: --no-auth is allowed only on a loopback --host (127.0.0.1, ::1, localhost), "
              f"not {settings.host}.", file=sys.stderr)
        return BAD_SETTINGS
    keys = _keys(settings)
    if keys is None:
        return CANNOT_START
    try:
        server = build(settings, Store(), keys, local_caller=local_identity())
    except OSError as exc:
        print(f"aml serve: cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}", file=sys.stderr)
        return CANNOT_START
    _notes(settings, server)
    threading.Thread(target=_warm, daemon=True).start()
    return run(server)


def _warm() -> None:
    """Imports the scoring code while the server already answers, so the first Predict does not pay ~0.5 s."""
    import aml_cli.ml.features
    import aml_cli.ml.predict  # noqa: F401


def _credentials(settings):
    """The key file, created 0600 on first use; None (with the reason on stderr) if it is unusable."""
    from aml_cli.server.credentials import CredentialsError, credentials_path, ensure, load
    from aml_cli.store import aml_home

    path = credentials_path(aml_home())
    if ensure(path):
        print(f"aml serve: created {path} (a new key pair, mode 0600)", file=sys.stderr)
    try:
        load(path)
    except CredentialsError as exc:
        print(f"aml serve: {exc}", file=sys.stderr)
        return None
    return path


def _keys(settings):
    if not settings.auth:
        return {}
    path = _credentials(settings)
    if path is None:
        return None
    from aml_cli.server.credentials import load

    return load(path)


def _notes(settings, server) -> None:
    from aml_cli.server import is_loopback
    from aml_cli.server.credentials import credentials_path
    from aml_cli.store import aml_home

    if settings.auth:
        print(f"aml serve: signed requests only; keys in AWS_SHARED_CREDENTIALS_FILE={credentials_path(aml_home())}",
              file=sys.stderr)
    else:
        print("aml serve: --no-auth: unsigned requests are answered, from loopback Host names only", file=sys.stderr)
    if not is_loopback(settings.host):
        print(f"aml serve: WARNING: listening on {settings.host} over plain HTTP: signatures stop forgery, "
              "not eavesdropping or replay within 15 minutes", file=sys.stderr)
