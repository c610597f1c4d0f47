"""The fake's output: a job that ends SUCCEEDED writes its files into moto's S3.

Where, and in what shape, as far as AWS's own material goes:

- AWS's user guide ("Troubleshooting matching workflows") documents that
  each run writes to a folder named after the job id, with a ``success``
  folder of several part files and an ``error`` folder, the reasons a
  record lands in the error file, and the reserved column names.
- Where that folder sits it does not say. The one public AWS sample that
  reads real output (aws-samples/sample-c360-text2sql-segmentation-
  entityresolution: ``lib/data-integration-workflow.ts`` and
  ``lambda/integrated_customer_updater/index.py``) reads
  ``<outputS3Path><workflowName>/<jobId>/success/``; this fake writes there.
- The success columns follow that sample's table: ``InputSourceARN``, then
  ``ConfidenceLevel`` (ML-based matching; ``MatchRule`` stands in the same
  place for rule-based matching, a guess from the reserved names), the
  workflow's output fields (a SHA-256 digest in hex where ``hashed`` is set:
  the service's hashing format is not documented), ``RecordId`` and
  ``MatchID``, with one header row.
- The error rows' columns (``RecordId``, ``ErrorReason``) are this fake's:
  the guide lists the reasons but not the file's columns. Neither does any
  public source describe an ID mapping run's files; this fake writes a
  ``RecordId``, ``MappedRecordId`` table in the same layout.

The files agree with the job's metrics: as many success rows as records
processed, as many error rows as records not processed, and for a matching
job as many distinct MatchIDs as ``matchIDs``. A run that processed no
record, and an ID mapping ``DELETE_ONLY`` run, write no file. Nothing is
written when the location's bucket does not exist in moto's S3 (in this
account), so tests that do not care about output need no bucket.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

SUCCESS_PARTS = 3  # success rows are spread over at most this many part files
ERROR_REASONS = (  # worded as the user guide lists them
    "The Unique ID is missing in a row of data",
    "The Unique ID is repeated in another row of data in the data table",
    "One of the fields in the schema mapping includes a reserved name: MatchID",
)


def output_files(
    workflow_name: str,
    job_id: str,
    output_s3_path: str,
    metrics: dict[str, int],
    config: dict[str, Any],
    *,
    matching: bool,
) -> tuple[str, dict[str, bytes]]:
    """The bucket, and each key under it with the CSV it holds, of a SUCCEEDED job.

    ``config`` is the workflow's configuration, as it was created.
    """
    bucket, _, prefix = output_s3_path.removeprefix("s3://").partition("/")
    location = f"{prefix.rstrip('/')}/" if prefix.strip("/") else ""
    folder = f"{location}{workflow_name}/{job_id}/"
    processed = metrics.get("totalRecordsProcessed", 0)
    not_processed = metrics.get("recordsNotProcessed", 0)
    files: dict[str, bytes] = {}
    header, rows = (
        _matching_rows(config, processed, metrics.get("matchIDs", processed))
        if matching
        else (
            ["RecordId", "MappedRecordId"],
            ([_record_id(i), f"mapped-{i:07d}"] for i in range(processed)),
        )
    )
    per_part = max(1, math.ceil(processed / SUCCESS_PARTS))
    for part, chunk in enumerate(_chunks(rows, per_part)):
        files[f"{folder}success/part-{part:05d}.csv"] = _csv(header, chunk)
    if not_processed:
        errors = (
            [_record_id(processed + i), ERROR_REASONS[i % len(ERROR_REASONS)]]
            for i in range(not_processed)
        )
        files[f"{folder}error/part-00000.csv"] = _csv(["RecordId", "ErrorReason"], errors)
    return bucket, files


def write_output(
    s3: Any,
    *,
    workflow_name: str,
    job_id: str,
    output_s3_path: str,
    metrics: dict[str, int],
    config: dict[str, Any],
    matching: bool,
) -> bool:
    """Write a SUCCEEDED job's files through moto's S3 backend ``s3`` (False: no bucket).

    ``s3`` is moto's ``S3Backend`` of the job's account, untyped as moto is.
    """
    bucket, files = output_files(
        workflow_name, job_id, output_s3_path, metrics, config, matching=matching
    )
    if bucket not in s3.buckets:
        return False
    for key, body in files.items():
        s3.put_object(bucket, key, body)
    return True


def _record_id(i: int) -> str:
    return f"record-{i:07d}"


def _matching_rows(
    config: dict[str, Any], processed: int, match_ids: int
) -> tuple[list[str], Iterable[list[str]]]:
    """The success table of a matching workflow: its header and its rows."""
    source_arn = str(_first(config, "inputSourceConfig").get("inputSourceARN", ""))
    outputs: list[dict[str, Any]] = _first(config, "outputSourceConfig").get("output") or []
    fields = [(str(f["name"]), bool(f.get("hashed"))) for f in outputs if "name" in f]
    techniques: dict[str, Any] = config.get("resolutionTechniques") or {}
    rule = str(
        _first(techniques.get("ruleBasedProperties") or {}, "rules").get("ruleName", "Rule 1")
    )
    # The column saying why records matched, by the kind of matching, and its value.
    kinds: dict[str, tuple[str, str]] = {
        "ML_MATCHING": ("ConfidenceLevel", "0.9"),
        "RULE_MATCHING": ("MatchRule", rule),
    }
    why: tuple[str, ...] = kinds.get(str(techniques.get("resolutionType")), ())
    header = ["InputSourceARN", *why[:1], *(name for name, _ in fields), "RecordId", "MatchID"]
    groups = max(1, match_ids)

    def row(i: int) -> list[str]:
        values = [
            hashlib.sha256(f"{name}-{i:07d}".encode()).hexdigest() if hashed else f"{name}-{i:07d}"
            for name, hashed in fields
        ]
        return [source_arn, *why[1:], *values, _record_id(i), f"match-{i % groups:07d}"]

    return header, (row(i) for i in range(processed))


def _first(config: dict[str, Any], key: str) -> dict[str, Any]:
    """The first entry of the list ``config[key]``; empty if there is none."""
    entries: list[dict[str, Any]] = config.get(key) or [{}]
    return entries[0]


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
