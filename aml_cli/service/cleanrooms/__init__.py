"""AWS Clean Rooms, the part Clean Rooms ML needs: collaborations and memberships (spec §2.2).

One local account: it creates collaborations, is their creator member, and its
membership of each is ACTIVE as soon as it is created. Other accounts named in
`members` are stored as invited and cannot act.
"""

OTHER_ROUTES: dict[str, str] = {}
AML_OPERATIONS: tuple[str, ...] = ()
