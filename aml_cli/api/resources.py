"""Resource kinds and their lifecycles as data, declared once per service.

The store checks every status move against `Lifecycle.allowed` inside its
write transaction and stamps the fields the move names; the worker asks the
lifecycle for its running, done and failed statuses; the reaper writes a dead
worker's cause where the kind keeps its message. Nothing in `store` or `jobs`
names a status: they read these declarations.
"""

from collections.abc import Mapping
from typing import NamedTuple


class Lifecycle(NamedTuple):
    """The statuses of one kind of resource and the moves between them."""

    start: str  # where a create leaves it (PENDING, CREATE_PENDING)
    running: str  # while its job runs (INPROGRESS, CREATE_IN_PROGRESS)
    done: str  # its job finished (COMPLETED, ACTIVE)
    failed: str  # its job failed or its worker died (FAILED, CREATE_FAILED)
    allowed: Mapping[str, frozenset[str]]  # status -> the statuses that may follow it
    stamps: Mapping[str, tuple[str, ...]]  # status -> fields set to the time of the move into it
    message_field: str  # where a failure's cause goes: "Message" (text) or "statusDetails" ({statusCode, message})
    compute_time_field: str | None = None  # CPU milliseconds of the job, set when it is done
    failure_code: str | None = None  # the statusCode of a failure nobody named (a dead worker): INTERNAL_ERROR
    # Cancel, for kinds whose work may be asked to stop (None: it cannot): where Cancel* moves the resource,
    # where its job moves it on seeing the request, and where it ends with nothing kept. A result finished
    # after the request, or a worker that dies meanwhile, also ends in `cancelled`, never in `done`.
    cancel_requested: str | None = None  # CANCEL_PENDING
    cancelling: str | None = None  # CANCEL_IN_PROGRESS
    cancelled: str | None = None  # INACTIVE

    @property
    def statuses(self) -> frozenset[str]:
        return frozenset(self.allowed) | frozenset(s for nxt in self.allowed.values() for s in nxt)

    @property
    def settled(self) -> frozenset[str]:
        """Statuses no job will move on from: a dependency in one of these is finished, for better or worse."""
        return frozenset(s for s in self.statuses if s not in (self.start, self.running))

    @property
    def cancelling_statuses(self) -> frozenset[str]:
        """The statuses of a resource whose work was asked to stop."""
        return frozenset(s for s in (self.cancel_requested, self.cancelling) if s)

    def may_move(self, current: str, new: str) -> bool:
        return new in self.allowed.get(current, frozenset())

    def stamp(self, status: str, moment: float) -> dict:
        """The fields a move into `status` sets to the time of the move."""
        return dict.fromkeys(self.stamps.get(status, ()), moment)

    def failure(self, message: str, code: str | None = None) -> dict:
        """The fields that record a failure's cause, in this kind's own form."""
        if self.failure_code is None:
            return {self.message_field: message}
        return {self.message_field: {"statusCode": code or self.failure_code, "message": message}}


class ResourceKind(NamedTuple):
    """One kind of resource: how the API names it, where the store keeps it, which job builds it."""

    name: str  # the store's key for its records, unique across services ("MLModel", "TrainedModel")
    service: str  # the service's CLI name
    noun: str  # in messages: "model", "trained model"
    id_member: str  # "MLModelId"
    module: str  # the service module holding its operations: aml_cli.service.<service>.<module>
    lifecycle: Lifecycle | None = None  # None: a resource without statuses (an ML configuration)
    job: str | None = None  # "module:function" of the handler that does its work, recorded with each job
    filters: Mapping[str, str] = {}  # Describe* FilterVariable -> record field (never mutated)
    # "module:function" called (store, resource_id) when its job's worker is found dead, before the resource
    # is failed: removes what the dead job left outside the store (a batch prediction's staging folder)
    cleanup: str | None = None


def transitions(spec: Mapping[str, str]) -> dict[str, frozenset[str]]:
    """`{"PENDING": "INPROGRESS FAILED", ...}` -> the allowed table (statuses separated by spaces)."""
    return {status: frozenset(following.split()) for status, following in spec.items()}
