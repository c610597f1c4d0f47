"""Where the facade's per-call CPU time goes: each part added alone to the raw call.

``call_overhead.py`` measures the facade against the raw call; this takes
the facade apart. On one canned boto3 client (HTTP answered in memory, as
there) it times these ways of making a call, each against the raw call:

- the facade, ``EntityResolutionJobs.get_matching_job``;
- the shell only: the facade's checks, error translation and call, with a
  reader that hands the reply back unread;
- the raw call, then the facade's reader (pydantic-core and UTC);
- the raw call, then only the UTC normalisation of its two time stamps;
- the raw call, then ``model_construct()`` of the job from botocore's
  already-typed values (the "skip validation" option: no pydantic-core
  validation, but the same models);
- the raw call, then the smallest pydantic model: six untyped fields,
  no nesting, no conversion: what any per-call pydantic model costs at least.

In two regimes: **warm**, 10-call batches back to back (as
``call_overhead.py``); and **cold**, one call at a time after writing
64 MiB, so that the call starts with caches holding other work, as when an
application does something else between two polls. Each round runs every
way once, in a shuffled order; a way's ratio is the median over rounds of
its time over the raw call's in that round. A second raw run is the
control.

It also prints what reading one reply costs alone, in a tight loop of its
own: the cost the target was set from.

Run: make bench   (or: python benchmarks/overhead_parts.py [rounds])
"""

from __future__ import annotations

import random
import statistics
import sys
import time
import timeit
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel, ConfigDict

from _canned import JOB_ID, WORKFLOW, canned_client
from call_overhead import batch_cpu_ns
from entityresolution_jobs import (
    EntityResolutionJobs,
    JobMetrics,
    JobStatus,
    MatchingJob,
    OutputSource,
)
from entityresolution_jobs._core import MATCHING, Operation

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

CALLS_PER_BATCH = 10
EVICT = bytearray(64 << 20)


class SmallestModel(BaseModel):
    """Six untyped fields read by their wire names: the floor of a per-call model."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    jobId: Any  # noqa: N815 - the wire names, so that no alias is needed
    status: Any
    startTime: Any  # noqa: N815
    endTime: Any = None  # noqa: N815
    metrics: Any = None
    outputSourceConfig: Any = None  # noqa: N815


def _utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


def constructed(reply: Mapping[str, Any]) -> MatchingJob:
    """The job built with ``model_construct()`` from botocore's typed values: no validation."""
    counts = reply.get("metrics", {})
    return MatchingJob.model_construct(
        job_id=reply["jobId"],
        status=JobStatus(reply["status"]),
        raw_status=reply["status"],
        start_time=_utc(reply["startTime"]),
        end_time=_utc(reply["endTime"]) if "endTime" in reply else None,
        metrics=JobMetrics.model_construct(
            input_records=counts.get("inputRecords"),
            total_records_processed=counts.get("totalRecordsProcessed"),
            records_not_processed=counts.get("recordsNotProcessed"),
            delete_records_processed=counts.get("deleteRecordsProcessed"),
            match_ids=counts.get("matchIDs"),
        ),
        error_message=reply.get("errorDetails", {}).get("errorMessage"),
        output_sources=tuple(
            OutputSource.model_construct(
                role_arn=source["roleArn"],
                output_s3_path=source["outputS3Path"],
                kms_arn=source.get("KMSArn"),
            )
            for source in reply.get("outputSourceConfig", ())
        ),
    )


def ways() -> dict[str, Callable[[], object]]:
    """The ways of making one call, all on one canned client; "raw" first."""
    client = canned_client()
    facade = EntityResolutionJobs(client)
    read = MATCHING.get.read
    # The facade's own call path with a reader that leaves the reply as it is
    # (set where the operation caches its reader).
    unread: Operation[object] = Operation(MATCHING.get.name, MATCHING.get.method, "MatchingJob")
    vars(unread)["read"] = lambda reply: reply
    smallest = SmallestModel.__pydantic_validator__.validate_python

    def raw() -> Any:
        return client.get_matching_job(workflowName=WORKFLOW, jobId=JOB_ID)

    def utc_only() -> object:
        reply = raw()
        return _utc(reply["startTime"]), _utc(reply["endTime"])

    return {
        "raw boto3 call": raw,
        "raw again (control)": raw,
        "facade": lambda: facade.get_matching_job(WORKFLOW, JOB_ID),
        "shell only (reply not read)": lambda: facade._call(
            unread, workflowName=WORKFLOW, jobId=JOB_ID
        ),
        "raw + the facade's reader": lambda: read(raw()),
        "raw + UTC of the two times": utc_only,
        "raw + model_construct()": lambda: constructed(raw()),
        "raw + smallest pydantic model": lambda: smallest(raw()),
    }


def _warm(call: Callable[[], object]) -> int:
    return batch_cpu_ns(call, CALLS_PER_BATCH)


def _cold(call: Callable[[], object]) -> int:
    EVICT[::64] = b"\x01" * (len(EVICT) // 64)  # one write per cache line
    start = time.process_time_ns()
    call()
    return time.process_time_ns() - start


def ratios(
    calls: dict[str, Callable[[], object]],
    timed: Callable[[Callable[[], object]], int],
    rounds: int,
) -> dict[str, float]:
    """Per way, the median over shuffled rounds of its time over the raw call's."""
    names = list(calls)
    per_round: dict[str, list[float]] = {name: [] for name in names[1:]}
    shuffle = random.Random(2).shuffle
    for _ in range(rounds):
        shuffle(names)
        times = {name: timed(calls[name]) for name in names}
        base = times["raw boto3 call"]
        for name, ratios_so_far in per_round.items():
            ratios_so_far.append(times[name] / base)
    return {name: statistics.median(values) for name, values in per_round.items()}


def main(rounds: int = 300) -> dict[str, dict[str, float]]:
    calls = ways()
    assert constructed(_reply(calls)) == calls["facade"](), "model_construct() built another job"
    for _ in range(300):  # warm every path
        for call in calls.values():
            call()
    results = {"warm": ratios(calls, _warm, rounds), "cold": ratios(calls, _cold, rounds)}
    print(
        "get_matching_job, the facade's parts: CPU time over the raw call's,"
        f" median of {rounds} rounds"
    )
    print(f"  {'way':<32} {'warm':>7} {'cold':>7}")
    for name in results["warm"]:
        print(f"  {name:<32} {results['warm'][name]:7.3f} {results['cold'][name]:7.3f}")
    print(f"  reading one reply alone, in a tight loop: {_alone_us(calls):.1f} us per reply")
    return results


def _reply(calls: dict[str, Callable[[], object]]) -> Mapping[str, Any]:
    return cast("Mapping[str, Any]", calls["raw boto3 call"]())


def _alone_us(calls: dict[str, Callable[[], object]]) -> float:
    """Microseconds the facade's reader takes per reply when it runs on nothing else."""
    reply = _reply(calls)
    read = MATCHING.get.read
    best = min(timeit.repeat(lambda: read(reply), number=2000, repeat=5))
    return best / 2000 * 1e6


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))
