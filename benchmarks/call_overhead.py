"""CPU cost of EntityResolutionJobs.get_matching_job (and get_id_mapping_job) against raw boto3.

Both run on the same boto3 client, whose HTTP layer is replaced by a
``before-send`` handler answering from memory, so what differs is only the
facade's work: argument checks, error translation and the pydantic model.

This machine is noisy (a shared VM: the same loop drifts by several percent
between seconds), so the two sides are interleaved finely: many short
batches, raw and facade back to back, alternating which goes first. The
ratio reported is the median of the per-pair ratios; a raw-vs-raw control
run the same way shows the method's own error.

Run: make bench   (or: python benchmarks/call_overhead.py [pairs] [calls_per_batch])
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import TYPE_CHECKING

from _canned import raw_and_facade
from entityresolution_jobs import IdMappingJob, JobStatus, MatchingJob

if TYPE_CHECKING:
    from collections.abc import Callable

TARGET = 1.03


def batch_cpu_ns(call: Callable[[], object], calls: int) -> int:
    """CPU nanoseconds that ``calls`` calls of ``call`` take, back to back."""
    start = time.process_time_ns()
    for _ in range(calls):
        call()
    return time.process_time_ns() - start


def paired_ratio(
    base: Callable[[], object], other: Callable[[], object], pairs: int, calls: int
) -> tuple[float, float, float]:
    """Return (median ratio other/base, median base us/call, median other us/call)."""
    base_times, other_times, ratios = [], [], []
    for index in range(pairs):
        if index % 2:
            t_other, t_base = batch_cpu_ns(other, calls), batch_cpu_ns(base, calls)
        else:
            t_base, t_other = batch_cpu_ns(base, calls), batch_cpu_ns(other, calls)
        base_times.append(t_base)
        other_times.append(t_other)
        ratios.append(t_other / t_base)
    per_call = 1e-3 / calls
    return (
        statistics.median(ratios),
        statistics.median(base_times) * per_call,
        statistics.median(other_times) * per_call,
    )


def measure(method: str, model: type[object], pairs: int, calls: int) -> float:
    """Print and return the facade/raw CPU-time ratio of one Get*Job method."""
    raw, typed = raw_and_facade(method)
    job = typed()
    assert isinstance(job, model), job
    assert getattr(job, "status", None) is JobStatus.SUCCEEDED
    for _ in range(300):  # warm both paths
        raw()
        typed()

    control, _, _ = paired_ratio(raw, raw, pairs // 2, calls)
    ratio, per_raw, per_typed = paired_ratio(raw, typed, pairs, calls)
    print(f"{method}: {pairs} pairs of {calls}-call batches, CPU time per call")
    print(f"  raw boto3 call       {per_raw:7.1f} us")
    print(f"  EntityResolutionJobs {per_typed:7.1f} us")
    print(f"  control raw/raw      {control:.3f}  (the method's own error)")
    verdict = "ok" if ratio <= TARGET else "OVER TARGET"
    print(f"  ratio facade/raw     {ratio:.3f}  target <= {TARGET}: {verdict}")
    return ratio


def main(pairs: int = 600, calls: int = 10) -> float:
    ratio = measure("get_matching_job", MatchingJob, pairs, calls)
    measure("get_id_mapping_job", IdMappingJob, pairs, calls)
    return ratio


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
