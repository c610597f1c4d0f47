"""The defaults of waits and watches: how long, how often, and the clock.

Their own module, so that the shells' signatures can name them without
importing the waiter and the scheduler, which load on a wait's first use.
"""

from __future__ import annotations

from datetime import datetime, timezone

DEFAULT_TIMEOUT = 24 * 3600.0
"""Seconds a wait lasts at most unless told otherwise: jobs can run for hours."""
DEFAULT_MIN_DELAY = 2.0
"""Seconds before the first re-poll; short jobs are seen to end within seconds."""
DEFAULT_MAX_DELAY = 64.0
"""Longest pause between polls. With jitter the pauses average about 33 s, so
long jobs cost fewer calls than polling every 30 s."""
DEFAULT_MAX_RATE = 5
"""Requests per second a many-job watch sends at most: a fraction of the
service's per-account request quota, leaving room for everything else."""


def utc_now() -> datetime:
    """The current time, UTC: what a job's age is measured against."""
    return datetime.now(timezone.utc)
