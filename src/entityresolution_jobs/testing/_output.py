"""The fake's output: a job that ends SUCCEEDED writes its files into moto's S3.

The files follow the layout the service documents: a folder named after
the job id right under the job's output location, holding ``success/``
part files (the processed records) and ``error/`` part files (the records
not processed, each with a reason). They are consistent with the job's
metrics: as many success rows as records processed, as many error rows as
records not processed, and for a matching job as many distinct MatchIDs
as ``matchIDs``. The columns are this fake's (CSV with a header row); real
output carries the workflow's own columns.

Nothing is written when the location's bucket does not exist in moto's S3
(in this account), so tests that do not care about output need no bucket.
"""

from __future__ import annotations

import csv
import io
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

SUCCESS_PARTS = 3  # success rows are spread over at most this many part files
ERROR_REASONS = (
    "Missing unique ID",
    "Repeated unique ID",
    "Column name 'MatchID' is reserved",
)


def output_files(
    job_id: str, output_s3_path: str, metrics: dict[str, int], *, matching: bool
) -> tuple[str, dict[str, bytes]]:
    """The bucket, and each key under it with the CSV it holds, of a SUCCEEDED job."""
    bucket, _, prefix = output_s3_path.removeprefix("s3://").partition("/")
    folder = f"{prefix.rstrip('/')}/{job_id}/" if prefix.strip("/") else f"{job_id}/"
    processed = metrics.get("totalRecordsProcessed", 0)
    not_processed = metrics.get("recordsNotProcessed", 0)
    files: dict[str, bytes] = {}
    header = ["RecordId", "MatchID"] if matching else ["RecordId", "MappedRecordId"]
    groups = max(1, metrics.get("matchIDs", processed)) if matching else 1
    rows = (
        [f"record-{i:07d}", f"match-{i % groups:07d}" if matching else f"mapped-{i:07d}"]
        for i in range(processed)
    )
    per_part = max(1, math.ceil(processed / SUCCESS_PARTS))
    for part, chunk in enumerate(_chunks(rows, per_part)):
        files[f"{folder}success/part-{part:05d}.csv"] = _csv(header, chunk)
    if not_processed:
        errors = (
            [f"record-{processed + i:07d}", ERROR_REASONS[i % len(ERROR_REASONS)]]
            for i in range(not_processed)
        )
        files[f"{folder}error/part-00000.csv"] = _csv(["RecordId", "ErrorReason"], errors)
    return bucket, files


def write_output(
    s3: Any, job_id: str, output_s3_path: str, metrics: dict[str, int], *, matching: bool
) -> bool:
    """Write a SUCCEEDED job's files through moto's S3 backend ``s3`` (False: no bucket).

    ``s3`` is moto's ``S3Backend`` of the job's account, untyped as moto is.
    """
    bucket, files = output_files(job_id, output_s3_path, metrics, matching=matching)
    if bucket not in s3.buckets:
        return False
    for key, body in files.items():
        s3.put_object(bucket, key, body)
    return True


def _chunks(rows: Iterable[list[str]], size: int) -> Iterable[Sequence[list[str]]]:
    chunk: list[list[str]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _csv(header: list[str], rows: Iterable[list[str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode()
