"""Clean Rooms' two resource kinds aml keeps: collaborations and memberships.

Neither has a job: a collaboration is created with the caller as its
creator, and the one local account's membership is ACTIVE at once (spec §2.2).
"""

from aml_cli.api.resources import ResourceKind

KINDS = (
    ResourceKind(
        name="Collaboration",
        service="cleanrooms",
        noun="collaboration",
        id_member="collaborationIdentifier",
        module="collaborations",
    ),
    ResourceKind(
        name="Membership",
        service="cleanrooms",
        noun="membership",
        id_member="membershipIdentifier",
        module="memberships",
    ),
)
