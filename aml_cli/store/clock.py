"""The one clock of aml's records: epoch seconds to the millisecond, as the services stamp their resources.

In `store` because every layer that stamps a record (the services, the job worker, the reaper) may import it.
"""

import time


def now() -> float:
    return round(time.time(), 3)
