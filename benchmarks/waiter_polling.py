"""How many calls a wait costs, and how late it notices the end: simulated, no I/O.

Each case draws a job's duration (and the durations of its workflow's past
runs) per run, with a seed per run shared by every strategy. Polls take no
time; the first poll at or after the end notices it. Strategies:

- **planned**: this library's waiter as it is now (`Waiter`, default
  arguments): history read once (one list call, counted), the job's age,
  its progress where the case reports counts;
- **Smithy only**: the waiter before planning, the Smithy rule alone
  (2 s to 64 s with jitter);
- **sleep(30)** and **sleep(5)**: the loops people write by hand.

Cases (durations in seconds; "history" is 5 past runs drawn around the
median with the spread given, and the job itself is drawn the same way
unless the case says otherwise):

- 6 h job, history 10%;  10 min job, history 10%;
- 6 h job whose counts grow steadily, no history;
- 6 h job, no history, no counts (the planner falls back to Smithy);
- history wrong: the job takes 2x, or 0.5x, the history's median;
- a job QUEUED 3 h behind the account's other job (the service runs one
  job of a kind at a time) before its run: 10 min with history, or 6 h
  with neither history nor counts. Its ``startTime`` is when it was
  started; the waiter counts its age from the run's start, seen between
  the last QUEUED poll and the first that was not;
- short runs with a history: 2.5 s (as the fake service's jobs) and 1 min,
  where no gap may outlast what the Smithy rule would notice.

Run: make bench   (or: python benchmarks/waiter_polling.py [runs])
"""

from __future__ import annotations

import random
import statistics
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from entityresolution_jobs import JobMetrics, JobStatus, MatchingJob, MatchingJobSummary
from entityresolution_jobs._core import MATCHING
from entityresolution_jobs._waiting import Waiter, WaitPolicy

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
JOB_ID = "0" * 32
RECORDS = 10_000_000
HOUR = 3600.0


@dataclass(frozen=True)
class Case:
    """One simulated situation."""

    name: str
    median: float  # the history's median duration
    spread: float  # the history's relative spread
    history: bool  # whether the workflow has finished runs
    counts: bool  # whether RUNNING polls report growing counts
    factor: float = 1.0  # the job's duration drawn as the history's, times this
    target: str = ""
    queued: float = 0.0  # seconds QUEUED first, behind the account's other job (the quota)


CASES = [
    Case("6 h job, history of 5 runs spread 10%", 6 * HOUR, 0.1, True, False,
         target="calls <= 1/3 of sleep(30)'s, latency <= 15 s"),
    Case("10 min job, same history", 600.0, 0.1, True, False,
         target="calls <= 1/2 of sleep(30)'s, latency <= 15 s"),
    Case("6 h job, counts grow steadily, no history", 6 * HOUR, 0.1, False, True,
         target="calls <= 100, latency <= 5 s"),
    Case("6 h job, no history, no counts", 6 * HOUR, 0.1, False, False,
         target="within 5% of Smithy only"),
    Case("history wrong: the job takes 2x", 6 * HOUR, 0.1, True, False, factor=2.0,
         target="<= 1.1x Smithy only"),
    Case("history wrong: the job ends at 0.5x", 6 * HOUR, 0.1, True, False, factor=0.5,
         target="calls <= Smithy only's; latency <= half the largest gap"),
    Case("10 min job QUEUED 3 h behind another, same history", 600.0, 0.1, True, False,
         queued=3 * HOUR, target="calls <= 1/3 of sleep(30)'s, latency <= 15 s"),
    Case("6 h job QUEUED 3 h behind another, no history, no counts", 6 * HOUR, 0.1, False,
         False, queued=3 * HOUR, target="calls <= Smithy only's"),
    Case("2.5 s job (as the fake's), history of 5 runs", 2.5, 0.1, True, False,
         target="latency <= Smithy only's"),
    Case("1 min job, history of 5 runs", 60.0, 0.1, True, False,
         target="latency <= Smithy only's"),
]  # fmt: skip


@dataclass
class Run:
    """The outcome of one simulated wait."""

    calls: int
    latency: float
    largest_gap: float = 0.0


def _draw(case: Case, seed: int) -> tuple[float, list[float]]:
    rng = random.Random(seed)
    sigma = case.spread * case.median
    history = [max(1.0, rng.gauss(case.median, sigma)) for _ in range(5)]
    return case.factor * max(1.0, rng.gauss(case.median, sigma)), history


def _job(case: Case, duration: float, age: float) -> MatchingJob:
    running = age - case.queued  # its run starts when it leaves QUEUED
    status = JobStatus.SUCCEEDED if running >= duration else JobStatus.RUNNING
    if running < 0:
        status = JobStatus.QUEUED
    metrics = JobMetrics()
    if case.counts and status is JobStatus.RUNNING:
        metrics = JobMetrics(
            input_records=RECORDS, total_records_processed=int(RECORDS * running / duration)
        )
    return MatchingJob(job_id=JOB_ID, status=status, start_time=T0, metrics=metrics)


def _summaries(history: list[float]) -> list[MatchingJobSummary]:
    start = T0 - timedelta(days=len(history) + 1)
    return [
        MatchingJobSummary(
            job_id=f"{number:032x}",
            status=JobStatus.SUCCEEDED,
            start_time=start + timedelta(days=number),
            end_time=start + timedelta(days=number, seconds=duration),
        )
        for number, duration in enumerate(history, start=1)
    ]


@dataclass
class SimulatedTime:
    """Seconds since `T0`, which the simulation advances."""

    seconds: float = 0.0


def simulated_waiter(seed: int, time: SimulatedTime) -> Waiter[MatchingJob]:
    """The waiter as shipped (default arguments, history on), on simulated ``time``."""
    return Waiter(
        MATCHING,
        "workflow",
        JOB_ID,
        WaitPolicy(timeout=48 * HOUR, uniform=random.Random(seed).uniform),
        clock=lambda: time.seconds,
        use_history=True,
        now=lambda: T0 + timedelta(seconds=time.seconds),
    )


def planned(case: Case, seed: int) -> Run:
    """The waiter as shipped, on simulated time."""
    duration, history = _draw(case, seed)
    time = SimulatedTime()
    waiter = simulated_waiter(seed, time)
    calls, largest = 0, 0.0
    for delay in waiter:
        time.seconds += delay
        now = time.seconds
        largest = max(largest, delay)
        job = _job(case, duration, now)
        waiter.record(job)
        calls += 1
        if waiter.needs_history:
            waiter.take_history(_summaries(history) if case.history else [])
            calls += 1
    return Run(calls, now - case.queued - duration, largest)


def _polls(delays: Callable[[int], Iterator[float]]) -> Callable[[Case, int], Run]:
    def run(case: Case, seed: int) -> Run:
        duration, _ = _draw(case, seed)
        end = case.queued + duration
        now, calls = 0.0, 1
        for delay in delays(seed):
            if now >= end:
                break
            now += delay
            calls += 1
        return Run(calls, now - end)

    return run


def _smithy(seed: int) -> Iterator[float]:
    policy = WaitPolicy(timeout=48 * HOUR, uniform=random.Random(seed).uniform)
    now, attempt = 0.0, 0
    while True:
        attempt += 1
        delay = policy.next_delay(attempt, now)
        assert delay is not None
        now += delay
        yield delay


def _every(seconds: float) -> Callable[[int], Iterator[float]]:
    def delays(_seed: int) -> Iterator[float]:
        while True:
            yield seconds

    return delays


STRATEGIES: dict[str, Callable[[Case, int], Run]] = {
    "planned": planned,
    "Smithy only": _polls(_smithy),
    "sleep(30)": _polls(_every(30.0)),
    "sleep(5)": _polls(_every(5.0)),
}


def main(runs: int = 500) -> dict[tuple[str, str], tuple[float, float, float, float]]:
    """Print a table per case; return (mean calls, mean latency, max latency, largest gap)."""
    results = {}
    for case in CASES:
        print(f"\n{case.name}  (target: {case.target}; {runs} runs)")
        print(f"  {'strategy':<12} {'calls':>8} {'mean latency':>13} {'max latency':>12}")
        for name, strategy in STRATEGIES.items():
            outcomes = [strategy(case, seed) for seed in range(runs)]
            calls = statistics.mean(o.calls for o in outcomes)
            mean = statistics.mean(o.latency for o in outcomes)
            worst = max(o.latency for o in outcomes)
            gap = max(o.largest_gap for o in outcomes)
            results[case.name, name] = (calls, mean, worst, gap)
            extra = f"  (largest gap {gap:.0f} s)" if name == "planned" else ""
            print(f"  {name:<12} {calls:8.1f} {mean:11.1f} s {worst:10.1f} s{extra}")
    return results


def many_jobs(jobs: int = 1000, max_rate: int = 10, seed: int = 1) -> dict[str, float]:
    """1000 simulated jobs watched by one `Scheduler` under ``max_rate`` requests a second.

    Jobs start together and run 10 minutes to 2 hours (uniform), reporting no
    counts, with no history: every job is on the Smithy rule and together
    they want far more than the budget. Prints the most requests seen in
    any one-second window, whether every end was seen, and the mean
    detection latency beside the round-robin ideal (each job polled every
    ``jobs / max_rate`` seconds: half that, on average).
    """
    from entityresolution_jobs._scheduling import Scheduler

    rng = random.Random(seed)
    durations = {f"{n:032x}": rng.uniform(600, 2 * HOUR) for n in range(jobs)}
    now = 0.0

    def clock() -> float:
        return now

    waiters = [
        Waiter(
            MATCHING,
            "workflow",
            job_id,
            WaitPolicy(timeout=48 * HOUR, uniform=rng.uniform),
            clock,
            now=lambda: T0 + timedelta(seconds=now),
        )
        for job_id in durations
    ]
    scheduler = Scheduler(waiters, max_rate, clock)
    sent: list[float] = []
    latencies: list[float] = []
    for step in scheduler:
        now += step.delay
        sent.append(now)
        job_id = step.waiter.job_id
        duration = durations[job_id]
        status = JobStatus.SUCCEEDED if now >= duration else JobStatus.RUNNING
        job = MatchingJob(job_id=job_id, status=status, start_time=T0)
        if scheduler.record(step.waiter, job) is not None:
            latencies.append(now - duration)
    scheduler.finish()
    busiest = _busiest_second(sent)
    ideal = jobs / max_rate / 2
    mean = statistics.mean(latencies)
    print(f"\n{jobs} jobs, max_rate={max_rate}: {len(sent)} requests in {now / 3600:.1f} h")
    print(f"  most requests in any one-second window: {busiest} (budget {max_rate})")
    print(f"  ends seen: {len(latencies)} of {jobs}")
    print(f"  mean detection latency {mean:.1f} s (max {max(latencies):.1f} s); "
          f"round-robin ideal {ideal:.1f} s")  # fmt: skip
    return {"busiest": busiest, "seen": len(latencies), "mean": mean, "ideal": ideal}


def _busiest_second(times: list[float]) -> int:
    busiest, first = 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - 1.0:
            first += 1
        busiest = max(busiest, last - first + 1)
    return busiest


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))
    many_jobs()
