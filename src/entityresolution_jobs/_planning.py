"""When to poll a job next, from what is known about when it will end. No I/O.

A `Plan` decides each gap between two polls of one job. It knows the job's
age (the time since its run began: see `Waiter`, which does not count time
spent QUEUED behind the account's other jobs), and may know an `Estimate` of its
duration (the caller's ``expected_duration``, or the durations of the
workflow's recent finished jobs) and the job's progress (its record counts
growing towards ``input_records``). It uses the most specific of these:

- **progress**, once two RUNNING polls have shown the counts grow: the
  rate predicts the end, and each gap is half the predicted time left, so
  the polls close in on the end (about log2 of the duration polls);
- **an estimate** (mean E, spread sigma, durations taken as normally
  distributed): each gap is ``g0 * sqrt(0.798 * S(z) / phi(z))`` for the
  job's age ``z`` in sigmas from E, ``S`` and ``phi`` the normal's survival
  and density. That is the gap that minimises calls plus waiting, which
  goes as one over the square root of the end's hazard rate; ``g0``, the gap
  at t = E, is `PEAK_GAP_FACTOR` times ``min_delay`` (22 s by default), or
  a quarter of sigma if that is less (a 10-minute job's). Polls are rare
  long before the likely end and dense around it;
- **neither** (or a prediction proved wrong: the job runs past E + 3 sigma,
  or past the progress-predicted end): the Smithy rule of `WaitPolicy`,
  counted as if the wait had begun when the job started, so that a wait
  on a job two hours old does not start at 2 s.

While the job is QUEUED the gaps double from ``min_delay`` up to what a
plan would allow before the estimate's end (`_queued_gap`): the queue
says nothing about the run.

Gaps never exceed the caller's ``max_delay``; without one, a planned gap is
at most a quarter of the predicted duration, between ``min_delay`` and
`LONGEST_PLANNED_GAP`: a job of a few seconds is polled every ``min_delay``,
not every ``max_delay`` (a gap twenty times its whole run, as it once was).
The deadline rule is `WaitPolicy`'s.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from ._errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._waiting import WaitPolicy

LONGEST_PLANNED_GAP = 900.0
"""The longest gap a plan makes unless the caller's ``max_delay`` allows more."""
HISTORY_PAGE = 25
"""How many of a workflow's jobs a wait lists, once: one page, the most the service sends."""
HISTORY_JOBS = 10
"""How many of a workflow's most recent finished jobs an estimate is made from."""
MIN_HISTORY = 2
"""Fewer finished jobs than this give no estimate."""
CALLER_SPREAD = 0.1
"""The spread assumed around ``expected_duration``, as a share of it."""
MIN_SPREAD = 0.02
"""The least spread of an estimate, as a share of its duration."""
PRIOR_SPREAD = 0.1
"""The run-to-run spread assumed before any history, as a share of the duration."""
PRIOR_RUNS = 2
"""How many runs' worth of weight that prior spread has against the history's."""
OUTLIER_DEVIATIONS = 3.0
"""Runs further than this many robust standard deviations from the median are left out..."""
OUTLIER_SHARE = 0.25
"""... if they are also further than this share of it."""
SPREAD_MARGIN = 1.25
"""A history estimate's spread is widened by this much, for safety."""
WINDOW_SIGMAS = 3.0
"""How far past its estimate a job may run before the estimate counts as wrong."""
PEAK_GAP_FACTOR = 11.0
"""The gap at the estimated end, in multiples of ``min_delay``."""
PEAK_GAP_SPREAD_SHARE = 0.25
"""... and at most this share of the estimate's spread (at least ``min_delay``)."""

_PEAK_HAZARD = math.sqrt(2 / math.pi)  # sigma * hazard of a normal at its mean


@dataclass(frozen=True)
class Estimate:
    """A job's predicted duration, from its start to its end, in seconds.

    Attributes:
        duration: The most likely duration (E).
        spread: Its standard deviation (sigma).
        source: Where it comes from: ``"caller"`` or ``"history"``.
        runs: How many finished runs it was made from (0 for the caller's).
    """

    duration: float
    spread: float
    source: str
    runs: int = 0


def caller_estimate(expected_duration: float) -> Estimate:
    """The estimate of a caller's ``expected_duration``.

    Raises:
        InvalidInputError: It is not a positive, finite number of seconds.
    """
    value = cast("object", expected_duration)  # callers without a type checker pass anything
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(
            f"expected_duration must be a number of seconds; got {value!r}",
            parameter="expected_duration",
        )
    if not math.isfinite(value) or value <= 0:
        raise InvalidInputError(
            f"expected_duration must be > 0 and finite; got {value!r}",
            parameter="expected_duration",
        )
    return Estimate(float(value), CALLER_SPREAD * value, "caller")


def history_estimate(durations: Sequence[float]) -> Estimate | None:
    """The estimate from past runs' durations (seconds), or None with fewer than two.

    E is the mean of the runs, leaving out those further from their median
    than both `OUTLIER_DEVIATIONS` robust standard deviations (1.4826
    median absolute deviations) and `OUTLIER_SHARE` of it: a test run on a
    tenth of the data does not drag E, and ordinary runs give their mean,
    which predicts the next run better than their median. A few runs tell the spread poorly (five
    runs' standard deviation comes out under half the true one about one
    time in ten), so their variance is pooled with a prior spread of
    `PRIOR_SPREAD` of E worth `PRIOR_RUNS` runs; widened for the
    uncertainty of E itself (a new run spreads around a sample's mean by
    ``sigma * sqrt(1 + 1/n)``) and by `SPREAD_MARGIN`; and at least
    `MIN_SPREAD` of E.
    """
    usable = [d for d in durations if d > 0]
    if len(usable) < MIN_HISTORY:
        return None
    median = statistics.median(usable)
    deviation = statistics.median(abs(d - median) for d in usable) * 1.4826
    # Five runs' MAD is often tiny: never call a run within OUTLIER_SHARE an outlier.
    reach = max(OUTLIER_DEVIATIONS * deviation, OUTLIER_SHARE * median)
    kept = [d for d in usable if abs(d - median) <= reach]  # the median's neighbours: >= 2
    n = len(kept)
    mean = statistics.fmean(kept)
    pooled = ((n - 1) * statistics.variance(kept) + PRIOR_RUNS * (PRIOR_SPREAD * mean) ** 2) / (
        n - 1 + PRIOR_RUNS
    )
    sigma = math.sqrt(pooled * (1 + 1 / n)) * SPREAD_MARGIN
    return Estimate(mean, max(sigma, MIN_SPREAD * mean), "history", n)


@dataclass
class Progress:
    """The job's record counts over time: the first growth seen and the latest.

    Two points, not a history: memory stays constant however long the wait.
    """

    total: int = 0
    first: tuple[float, int] | None = None
    last: tuple[float, int] | None = None

    def observe(self, at: float, done: int, total: int) -> None:
        """Take in ``done`` of ``total`` records at job age ``at``."""
        if total <= 0 or done <= 0 or total != self.total:
            # Nothing yet, or a new total: start again from here.
            self.total, self.first, self.last = total, (at, done), None
            return
        anchor = self.last or self.first
        if anchor is not None and done > anchor[1] and at > anchor[0]:
            self.last = (at, done)

    def predicted_end(self) -> float | None:
        """The job age at which the counts reach the total, if they have been seen to grow."""
        if self.first is None or self.last is None or self.last[1] >= self.total:
            return None
        (t1, d1), (t2, d2) = self.first, self.last
        rate = (d2 - d1) / (t2 - t1)
        return t2 + (self.total - d2) / rate


END_RANGE = 0.9
"""The share of likely ends that an end's range (earliest to latest) covers."""
PROGRESS_UNCERTAINTY = 0.25
"""A progress-predicted end's range: this share of the time left, either way.

Counts whose rate swings 30% either way over the run end inside it 83-87% of
the time (`benchmarks/estimate_accuracy.py`); a tenth held the end 27-30%.
"""


@dataclass(frozen=True)
class PredictedEnd:
    """When a job is likely to end, in seconds of its age (from its run's start).

    Attributes:
        earliest: The start of the range (`END_RANGE` of the likely ends).
        expected: The most likely end: the median of what remains possible.
        latest: The end of the range.
        basis: What it rests on: ``"progress"``, ``"history"`` or ``"caller"``.
        runs: The finished runs a history estimate was made from.
    """

    earliest: float
    expected: float
    latest: float
    basis: str
    runs: int = 0


@dataclass
class Plan:
    """The gaps between the polls of one job (see the module docstring).

    Args:
        policy: The Smithy rule, deadline and jitter.
        cap: The caller's ``max_delay``, a hard cap; None for the default.
        estimate: The caller's estimate, if any; `use_history` sets one later.
    """

    policy: WaitPolicy
    cap: float | None = None
    estimate: Estimate | None = None
    progress: Progress = field(default_factory=Progress)
    rule: str = "smithy"
    _smithy_attempt: int = 0
    _queued_attempt: int = 0
    _start_variance: float = 0.0
    _estimate_failed: bool = False

    def start(self, age: float, *, uncertainty: float = 0.0) -> None:
        """Begin at the first poll of a job's run, which is ``age`` seconds old.

        The Smithy rule counts the attempts it would have made since the
        run started: about log2 of its age in ``min_delay``s.
        ``uncertainty`` is the width of the window the run started in, when
        that was only seen between two polls (a job that left QUEUED): an
        estimate's spread widens by its standard deviation (``w / sqrt(12)``,
        the start being anywhere in it).
        """
        since_start = int(math.log2(max(age, 0.0) / self.policy.min_delay + 1))
        self._smithy_attempt = max(self._smithy_attempt, since_start)
        self._start_variance = uncertainty * uncertainty / 12

    def observe(self, age: float, done: int | None, total: int | None) -> None:
        """Take in a RUNNING poll's counts at job age ``age`` (either may be missing)."""
        if done is not None and total is not None:
            self.progress.observe(age, done, total)

    def next_delay(self, age: float, remaining: float, *, queued: bool = False) -> float | None:
        """Seconds until the next poll of a job now ``age`` seconds old, or None: time is up.

        ``remaining`` is the time left before the wait's deadline; ``queued``
        says the job was QUEUED at the last poll (see `_queued_gap`).
        """
        policy = self.policy
        if remaining <= policy.min_delay:
            return None
        if queued:
            waiting = self._queued_gap()
            drawn = policy.uniform(max(policy.min_delay, 0.9 * waiting), waiting)
            return min(drawn, remaining - policy.min_delay)
        gap = self._progress_gap(age)
        if gap is None:
            gap = self._estimate_gap(age)
        if gap is None:
            if self.rule != "smithy":
                # A prediction ran out (proved wrong, or the counts are
                # complete): the job may end any moment, so start over.
                self._smithy_attempt = 0
            self.rule = "smithy"
            self._smithy_attempt += 1
            delay = policy.next_delay(self._smithy_attempt, policy.timeout - remaining)
            assert delay is not None  # remaining > min_delay, checked above
            return delay
        delay = policy.uniform(0.9 * gap, gap)
        if remaining - delay <= policy.min_delay:
            delay = remaining - policy.min_delay
        return delay

    def predicted_end(self, age: float) -> PredictedEnd | None:
        """When the job is likely to end, as its gaps assume; None if nothing is known.

        The same sources, in the same order, as `next_delay`: the counts'
        rate, then the estimate while the job has not outrun it. From an
        estimate (normal, its spread widened by the start's uncertainty),
        the range is the middle `END_RANGE` of the ends still possible at
        ``age``; from the counts, the end they predict give or take
        `PROGRESS_UNCERTAINTY` of the time left (at least `MIN_SPREAD` of
        the whole).
        """
        end = self.progress.predicted_end()
        if end is not None and age <= end + max(
            PEAK_GAP_FACTOR * self.policy.min_delay, MIN_SPREAD * end
        ):
            give = max(PROGRESS_UNCERTAINTY * max(end - age, 0.0), MIN_SPREAD * end)
            return PredictedEnd(max(age, end - give), max(age, end), end + give, "progress")
        estimate = self.estimate
        if estimate is None or self._estimate_failed:
            return None
        spread = math.sqrt(estimate.spread**2 + self._start_variance)
        if age > estimate.duration + WINDOW_SIGMAS * spread:
            return None  # outrun: the plan has fallen back to the Smithy rule
        durations = statistics.NormalDist(estimate.duration, spread)
        passed = durations.cdf(age)  # the ends already ruled out: it still runs
        left = 1.0 - passed
        tail = (1.0 - END_RANGE) / 2

        def quantile(share: float) -> float:
            return max(age, durations.inv_cdf(min(passed + share * left, 1 - 1e-12)))

        return PredictedEnd(
            quantile(tail), quantile(0.5), quantile(1 - tail), estimate.source, estimate.runs
        )

    def _queued_gap(self) -> float:
        """The gap while the job waits QUEUED, which says nothing about its running time.

        It doubles from ``min_delay`` as the Smithy rule does, counted from
        the first QUEUED poll, up to a quarter of the job's expected
        duration but no less than ``max_delay`` (as the Smithy rule would
        while it waits), or ``max_delay`` with no estimate: once it runs,
        a long job is not expected to end sooner than that, so seeing its
        run start later costs no detection latency at its end.
        """
        self.rule = "queued"
        self._queued_attempt += 1
        policy = self.policy
        estimate = None if self._estimate_failed else self.estimate
        if self.cap is not None:
            cap = self.cap
        elif estimate is not None:
            cap = min(LONGEST_PLANNED_GAP, max(policy.max_delay, estimate.duration / 4))
        else:
            cap = policy.max_delay
        doubled: float = policy.min_delay * 2.0 ** min(self._queued_attempt - 1, 60)
        return max(policy.min_delay, min(cap, doubled))

    def _progress_gap(self, age: float) -> float | None:
        end = self.progress.predicted_end()
        if end is None:
            return None
        margin = max(PEAK_GAP_FACTOR * self.policy.min_delay, MIN_SPREAD * end)
        if age > end + margin:  # the counts promised an end that did not come
            self.progress = Progress()  # until they are seen to grow again
            return None
        self.rule = "progress"
        return self._bounded((end - age) / 2, end)

    def _estimate_gap(self, age: float) -> float | None:
        estimate = self.estimate
        if estimate is None or self._estimate_failed:
            return None
        spread = math.sqrt(estimate.spread**2 + self._start_variance)
        z = (age - estimate.duration) / spread
        if z > WINDOW_SIGMAS:  # longer than the estimate allows for
            self._estimate_failed = True
            return None
        self.rule = estimate.source
        # Within a quarter of the spread, so that the end's hazard barely changes
        # within a gap: a gap near the spread's own size is where ends fall most.
        peak_gap = min(
            PEAK_GAP_FACTOR * self.policy.min_delay,
            max(PEAK_GAP_SPREAD_SHARE * spread, self.policy.min_delay),
        )
        density = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
        survival = math.erfc(z / math.sqrt(2)) / 2
        if density < 1e-300:
            gap = math.inf
        else:
            gap = peak_gap * math.sqrt(_PEAK_HAZARD * survival / density)
        return self._bounded(max(gap, peak_gap / 2), estimate.duration)

    def _bounded(self, gap: float, duration: float) -> float:
        if self.cap is not None:
            cap = self.cap
        else:
            cap = min(LONGEST_PLANNED_GAP, max(self.policy.min_delay, duration / 4))
        return min(max(gap, self.policy.min_delay), cap)
