"""`client.get_waiter(...)`: poll a Describe* operation until its acceptors say success or failure.

The acceptors, reasons and the WaiterError are botocore's. The pacing is the
local engine's unless the caller sets it: without `WaiterConfig.Delay`, polls
start 0.1 s apart and back off to 5 s (work finishes in moments here, not
minutes); without `WaiterConfig.MaxAttempts`, the limit is the service's
overall time (Delay x MaxAttempts = 30 minutes, `AML_WAITER_TIMEOUT` seconds
overrides it). Given either, it is honoured exactly as botocore does.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aml_cli.client.errors import ClientError, WaiterError

FIRST_DELAY = 0.1
MAX_DELAY = 5.0


@dataclass(frozen=True)
class WaiterModel:
    """`waiter.config`: the service's own delay and attempts."""

    delay: int
    max_attempts: int
    operation: str


class Waiter:
    """Waits for one condition of the service (e.g. every model matched by a filter COMPLETED)."""

    def __init__(self, name: str, spec: Any, method: Callable[..., dict]) -> None:
        self.name = name
        self._spec = spec
        self._method = method
        self.config = WaiterModel(spec.delay, spec.max_attempts, spec.operation)

    def wait(self, **kwargs: Any) -> None:
        """The operation's arguments, plus `WaiterConfig={"Delay": seconds, "MaxAttempts": n}`."""
        config = kwargs.pop("WaiterConfig", None) or {}
        delay, attempts_allowed = config.get("Delay"), config.get("MaxAttempts")
        pause = float(delay) if delay is not None else FIRST_DELAY
        deadline = None
        if attempts_allowed is None:
            limit = delay * self._spec.max_attempts if delay is not None else self._spec.delay * self._spec.max_attempts
            deadline = time.monotonic() + float(os.environ.get("AML_WAITER_TIMEOUT", limit))
        attempt = 0
        while True:
            attempt += 1
            response = self._poll(kwargs)
            if self._judge(response):
                return
            out_of_attempts = attempts_allowed is not None and attempt >= int(attempts_allowed)
            if out_of_attempts or (deadline is not None and time.monotonic() + pause > deadline):
                raise WaiterError(self.name, "Max attempts exceeded", response)
            time.sleep(pause)
            if delay is None:
                pause = min(pause * 2, MAX_DELAY)

    def _poll(self, kwargs: dict) -> dict:
        try:
            return self._method(**kwargs)
        except ClientError as err:
            return err.response

    def _judge(self, response: dict) -> bool:
        """True on success, False to keep waiting; a failure state or an unexpected error raises WaiterError."""
        state, acceptor = _match(self._spec.acceptors, response)
        if state == "success":
            return True
        if state == "failure":
            reason = (f'Waiter encountered a terminal failure state: For expression "{acceptor.argument}" '
                      f'we matched expected path: "{acceptor.expected}"{_how_often(acceptor.matcher)}')
            raise WaiterError(self.name, reason, response)
        if "Error" in response:
            error = response["Error"]
            raise WaiterError(self.name, f"An error occurred ({error['Code']}): {error['Message']}", response)
        return False


def _how_often(matcher: str) -> str:
    return " at least once" if matcher == "pathAny" else (" for all" if matcher == "pathAll" else "")


def _match(acceptors: tuple, response: dict) -> tuple[str | None, Any]:
    """The first acceptor whose matcher holds on `response`, as (state, acceptor)."""
    import jmespath

    for acceptor in acceptors:
        if acceptor.matcher == "error":
            if response.get("Error", {}).get("Code") == acceptor.expected:
                return acceptor.state, acceptor
            continue
        found = jmespath.search(acceptor.argument, response) if acceptor.argument else None
        if acceptor.matcher == "pathAll":
            hit = isinstance(found, list) and bool(found) and all(v == acceptor.expected for v in found)
        elif acceptor.matcher == "pathAny":
            hit = isinstance(found, list) and any(v == acceptor.expected for v in found)
        else:
            hit = acceptor.matcher == "path" and found == acceptor.expected
        if hit:
            return acceptor.state, acceptor
    return None, None
