"""The one clock of the services: epoch seconds to the millisecond, as the services stamp their resources."""

import time


def now() -> float:
    return round(time.time(), 3)
