"""The request context: who calls, from where, and how their long work should run.

Every front end builds one per call: the CLI from its options and the
environment (read once, there), the server from the request's signature, the
Python client from its own settings. Services read it and never the
environment, so one process can serve many callers with different settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

LOCAL_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class RequestContext:
    """One caller's settings for one service call."""

    account: str = LOCAL_ACCOUNT
    caller_arn: str = f"arn:aws:iam::{LOCAL_ACCOUNT}:user/local"  # CreatedByIamUser, creatorAccountId
    region: str = DEFAULT_REGION
    synchronous: bool = False  # run Create*'s work inside the call instead of in a detached worker
    progress: Callable[[str], Any] | None = None  # description -> a sink with update(fraction, text), close()
    endpoint_url: str | None = None  # where this front end is reached (a server's own URL): Predict's EndpointUrl

    def but(self, **changes: Any) -> RequestContext:
        return replace(self, **changes)


def local_identity() -> str:
    """The caller of a local front end: `AML_IAM_USER`, else an ARN with this login's name.

    For front ends only (the CLI, the Python client): they read the environment once, services never.
    """
    import os

    configured = os.environ.get("AML_IAM_USER")
    if configured:
        return configured
    login = next((os.environ[name] for name in ("LOGNAME", "USER", "LNAME", "USERNAME") if os.environ.get(name)), "")
    if not login:  # getpass's last resort, without importing getpass (and termios) on every command
        try:
            import pwd

            login = pwd.getpwuid(os.getuid()).pw_name
        except (ImportError, KeyError, OSError):
            login = "local"
    return f"arn:aws:iam::{LOCAL_ACCOUNT}:user/{login or 'local'}"


def synchronous_by_default() -> bool:
    """`AML_SYNC=1` asks a local front end to run Create*'s work inside the call (front ends only)."""
    import os

    return os.environ.get("AML_SYNC", "").strip().lower() in ("1", "true", "yes", "on")


_default = RequestContext()


def default_context() -> RequestContext:
    """The context of an in-process caller that passes none (detached work, the local identity)."""
    return _default


def use_default(context: RequestContext) -> RequestContext:
    """Makes `context` the one callers without a context get; returns the previous one (tests restore it)."""
    global _default
    previous, _default = _default, context
    return previous
