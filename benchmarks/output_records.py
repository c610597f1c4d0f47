"""Streaming a job's output records: time per row and memory, against a hand-written loop.

A job's output of 200,000 rows in 20 CSV parts is written to moto's S3,
served over HTTP on 127.0.0.1 by ``er-jobs fake-server`` in a child
process (so that the server's memory is not this process's), twice: parts
totalling about 10 MB and about 100 MB (longer rows).

- **Time per row**: ``iter_output_records`` against the loop a user
  would write by hand on the same files (``get_object`` and
  ``csv.DictReader`` over ``io.TextIOWrapper``, the fastest of the usual
  ones), on the same S3 client, interleaved over rounds; the median of
  each, and their ratio (target: within 1.10x).
- **Memory**: while every record is streamed, each size in a fresh child
  process, the peak of Python's allocations (tracemalloc) over what was
  allocated before, and the peak resident memory over the resident memory
  before. The target: the same growth for 100 MB as for 10 MB, within 20%.

Run: make bench-output (or: .venv/bin/python benchmarks/output_records.py)
"""

from __future__ import annotations

import csv
import io
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from _fake_server import fake_server

ROWS, PARTS, ROUNDS = 200_000, 20, 5
BUCKET = "bench-output"
SIZES = {"10 MB": 10 * 1024 * 1024, "100 MB": 100 * 1024 * 1024}


def _environment(endpoint: str) -> dict[str, str]:
    return {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": endpoint,
    }


def _part(first: int, rows: int, width: int) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["RecordId", "MatchID", "Name", "Payload"])
    padding = "x" * max(0, width - 40)
    for i in range(first, first + rows):
        writer.writerow([f"record-{i:07d}", f"match-{i % 9973:05d}", f"Name {i}", padding])
    return text.getvalue().encode()


def _write_output(s3: Any, folder: str, total: int) -> None:
    per_part = ROWS // PARTS
    width = total // ROWS
    for part in range(PARTS):
        body = _part(part * per_part, per_part, width)
        s3.put_object(Bucket=BUCKET, Key=f"{folder}success/part-{part:05d}.csv", Body=body)


def _job(job_id: str, folder: str) -> Any:
    from entityresolution_jobs import MatchingJob

    return MatchingJob.model_validate({
        "jobId": job_id,
        "status": "SUCCEEDED",
        "startTime": "2026-12-01T00:00:00Z",
        "outputSourceConfig": [{
            "roleArn": "arn:aws:iam::123456789012:role/er",
            "outputS3Path": f"s3://{BUCKET}/{folder}",
        }],
    })  # fmt: skip


def hand_written(s3: Any, keys: list[str]) -> int:
    """The loop a user writes without the library: get_object, csv.DictReader."""
    count = 0
    for key in keys:
        body = s3.get_object(Bucket=BUCKET, Key=key)["Body"]
        for _row in csv.DictReader(io.TextIOWrapper(body, encoding="utf-8", newline="")):
            count += 1
    return count


def library(er: Any, output: Any) -> int:
    count = 0
    for _row in er.iter_output_records(output):
        count += 1
    return count


def _timed(run: Any) -> tuple[float, int]:
    started = time.perf_counter()
    count = run()
    return time.perf_counter() - started, count


def child_memory(job_id: str, folder: str) -> None:
    """Stream every record of one output, twice; print memory figures as JSON.

    First for resident memory: the peak (VmHWM, reset through clear_refs)
    over the resident memory before. Then under tracemalloc, whose own
    bookkeeping would swell the first figure: the peak of Python's
    allocations over those before.
    """
    import tracemalloc

    from entityresolution_jobs import EntityResolutionJobs

    er = EntityResolutionJobs()
    output = er.get_job_output(_job(job_id, folder))
    next(iter(er.iter_output_records(output)))  # connections and decoders warmed up
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # the peak resident memory starts again from now
    rss_before = _status_kib("VmRSS")
    count = library(er, output)
    rss_growth = _status_kib("VmHWM") - rss_before
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    assert library(er, output) == count
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({
        "rows": count,
        "traced_peak_kib": (peak - before) / 1024,
        "rss_growth_kib": rss_growth,
        "size": output.total_size,
    }))  # fmt: skip


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field}")


def main() -> None:
    with fake_server() as endpoint:
        os.environ.update(_environment(endpoint))
        run(endpoint)


def run(endpoint: str) -> None:
    import boto3

    from entityresolution_jobs import EntityResolutionJobs

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    print(f"{ROWS:,} rows in {PARTS} CSV parts, moto's S3 over HTTP ({endpoint})\n")
    jobs = {}
    for index, (name, total) in enumerate(SIZES.items()):
        job_id = f"{index:032x}"
        folder = f"out-{index}/"
        _write_output(s3, f"{folder}{job_id}/", total)
        jobs[name] = (job_id, folder)

    er = EntityResolutionJobs(s3_client=s3)
    job_id, folder = jobs["10 MB"]
    output = er.get_job_output(_job(job_id, folder))
    keys = [part.key for part in output.success]
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(ROUNDS):
        for way, times in (
            (lambda: library(er, output), ours),
            (lambda: hand_written(s3, keys), theirs),
        ):
            seconds, count = _timed(way)
            assert count == ROWS, count
            times.append(seconds)
    print(f"Time per row, 10 MB parts, median of {ROUNDS} interleaved rounds:")
    for label, times in (
        ("hand-written get_object + csv.DictReader", theirs),
        ("iter_output_records", ours),
    ):
        print(f"  {label:<42}{statistics.median(times) / ROWS * 1e6:7.3f} µs")
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"  ratio                                     {ratio:7.3f}x (target <= 1.10x)\n")

    print("Memory while every record streams (a fresh process per size):")
    growth = {}
    for name, (job_id, folder) in jobs.items():
        measured = subprocess.run(
            [sys.executable, __file__, "--child", job_id, folder],
            capture_output=True, text=True, check=True, env=_environment(endpoint),
        )  # fmt: skip
        figures = json.loads(measured.stdout)
        growth[name] = figures["traced_peak_kib"]
        print(
            f"  {name:>6} ({figures['size'] / 1e6:6.1f} MB, {figures['rows']:,} rows): "
            f"peak Python allocations +{figures['traced_peak_kib']:7.1f} KiB, "
            f"peak resident +{figures['rss_growth_kib']:6d} KiB"
        )
    small, large = growth["10 MB"], growth["100 MB"]
    print(f"  100 MB / 10 MB growth: {large / small:.2f} (target: within 20%, 0.80 to 1.20)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child_memory(sys.argv[2], sys.argv[3])
    else:
        main()
