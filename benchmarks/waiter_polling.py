"""How many GetMatchingJob calls a wait costs, and how late it notices the end.

Simulated time, no I/O: a job starts when the wait starts and ends after
about 10 s, 10 min or 6 h (each run draws the exact end within +-20%, so
that no strategy's poll times happen to line up with it); each strategy
polls at once and then after its delays, and the first poll at or after the
end notices it. Calls are assumed to take no time. Our waiter uses its real
delay rule (`WaitPolicy`, defaults: 2 s to 64 s with jitter). Every figure
is the mean over the same runs for every strategy.

Strategies compared:
- this library's waiter, defaults;
- a hand-written loop that sleeps 5 s between polls;
- a hand-written loop that polls every 30 s;
- botocore's usual waiter shape: a fixed 15 s delay and at most 40 attempts
  (most botocore waiters are configured like that, e.g. EC2 InstanceRunning).

Run: make bench   (or: python benchmarks/waiter_polling.py [seeds])
"""

from __future__ import annotations

import random
import statistics
import sys
from typing import TYPE_CHECKING

from entityresolution_jobs._waiting import WaitPolicy

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

JOBS = {"10 s": 10.0, "10 min": 600.0, "6 h": 6 * 3600.0}
BOTOCORE_DELAY, BOTOCORE_MAX_ATTEMPTS = 15.0, 40


def _ours(seed: int) -> Iterator[float]:
    policy = WaitPolicy(uniform=random.Random(seed).uniform)
    now, attempt = 0.0, 0
    while True:
        yield now
        attempt += 1
        delay = policy.next_delay(attempt, now)
        if delay is None:
            return
        now += delay


def _fixed(interval: float, max_attempts: int | None = None) -> Callable[[int], Iterator[float]]:
    def polls(_seed: int) -> Iterator[float]:
        attempt = 0
        while max_attempts is None or attempt < max_attempts:
            yield attempt * interval
            attempt += 1

    return polls


def _run(polls: Iterator[float], ends_at: float) -> tuple[int, float | None]:
    """(calls made, seconds from the end to noticing it, or None if the wait gave up)."""
    calls = 0
    for at in polls:
        calls += 1
        if at >= ends_at:
            return calls, at - ends_at
    return calls, None


STRATEGIES: dict[str, Callable[[int], Iterator[float]]] = {
    "this waiter (2-64 s, jitter)": _ours,
    "sleep(5) loop": _fixed(5.0),
    "poll every 30 s": _fixed(30.0),
    "botocore shape (15 s x 40)": _fixed(BOTOCORE_DELAY, BOTOCORE_MAX_ATTEMPTS),
}


def main(seeds: int = 500) -> list[tuple[str, str, float, str]]:
    rows = []
    for job, ends_at in JOBS.items():
        ends = [ends_at * random.Random(-seed).uniform(0.8, 1.2) for seed in range(seeds)]
        for name, strategy in STRATEGIES.items():
            runs = [_run(strategy(seed), end) for seed, end in zip(range(seeds), ends, strict=True)]
            calls = statistics.mean(c for c, _ in runs)
            latencies = [lat for _, lat in runs if lat is not None]
            gave_up = 100 * (len(runs) - len(latencies)) / len(runs)
            if not latencies:
                latency = "gave up before the end in every run"
            else:
                latency = f"{statistics.mean(latencies):.1f} s (max {max(latencies):.1f} s)"
                if gave_up:
                    latency += f"; gave up before the end in {gave_up:.0f}% of runs"
            rows.append((job, name, calls, latency))
    print(f"| job | strategy | GetMatchingJob calls | detection latency (mean over {seeds} runs) |")
    print("|---|---|---:|---|")
    for job, name, calls, latency in rows:
        print(f"| {job} | {name} | {calls:.1f} | {latency} |")
    return rows


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))
