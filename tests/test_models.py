"""MatchingJob, JobMetrics, OutputSource and JobStatus as specifications."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from dateutil.tz import tzlocal
from pydantic import BaseModel, ValidationError

from entityresolution_jobs import (
    IdMappingJob,
    IdMappingJobMetrics,
    IdMappingJobSummary,
    JobMetrics,
    JobStatus,
    MatchingJob,
    MatchingJobSummary,
    OutputSource,
)
from entityresolution_jobs._models import _DEFERRED_BUILD_WORKS  # pyright: ignore[reportPrivateUsage]

from .support import JOB_ID, full_job_reply

START = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def non_utc_local_zone() -> Iterator[None]:
    """Run the test with the process's local time zone far from UTC."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Kolkata"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def test_a_service_reply_validates_as_it_is() -> None:
    job = MatchingJob.model_validate(full_job_reply())

    assert job.job_id == JOB_ID
    assert job.status is JobStatus.SUCCEEDED
    assert job.raw_status == "SUCCEEDED"
    assert job.start_time == START
    assert job.end_time == START + timedelta(minutes=30)
    assert job.metrics == JobMetrics(
        input_records=1000,
        total_records_processed=990,
        records_not_processed=10,
        delete_records_processed=5,
        match_ids=420,
    )
    assert job.error_message == "10 records had no matching key"
    assert job.output_sources == (
        OutputSource(
            role_arn="arn:aws:iam::123456789012:role/er-output",
            output_s3_path="s3://example-bucket/output/",
            kms_arn="arn:aws:kms:us-east-1:123456789012:key/abc",
        ),
    )
    assert job.output_source is job.output_sources[0]


def test_a_running_job_needs_only_id_status_and_start_time() -> None:
    job = MatchingJob.model_validate({"jobId": JOB_ID, "status": "RUNNING", "startTime": START})

    assert job.end_time is None
    assert job.duration is None
    assert job.metrics == JobMetrics()
    assert job.metrics.match_ids is None
    assert job.error_message is None
    assert job.output_sources == ()
    assert job.output_source is None
    assert not job.is_terminal


def test_partial_metrics_leave_the_rest_none() -> None:
    job = MatchingJob.model_validate(full_job_reply(metrics={"inputRecords": 7}))

    assert job.metrics.input_records == 7
    assert job.metrics.total_records_processed is None
    assert job.metrics.delete_records_processed is None


@pytest.mark.parametrize("raw", ["PAUSED", "CANCELLED", "", "running"])
def test_an_unknown_status_becomes_unknown_and_keeps_its_text(raw: str) -> None:
    job = MatchingJob.model_validate(full_job_reply(status=raw))

    assert job.status is JobStatus.UNKNOWN
    assert job.raw_status == raw
    assert not job.is_terminal


def test_job_status_of_unknown_text_is_unknown_but_of_a_non_string_is_an_error() -> None:
    assert JobStatus("NEW_STATE_2030") is JobStatus.UNKNOWN
    with pytest.raises(ValueError, match="is not a valid JobStatus"):
        JobStatus(3)


@pytest.mark.parametrize(
    ("status", "terminal"),
    [
        (JobStatus.QUEUED, False),
        (JobStatus.RUNNING, False),
        (JobStatus.SUCCEEDED, True),
        (JobStatus.FAILED, True),
        (JobStatus.UNKNOWN, False),
    ],
)
def test_only_succeeded_and_failed_are_terminal(status: JobStatus, terminal: bool) -> None:
    assert status.is_terminal is terminal


def test_constructing_with_status_alone_fills_raw_status() -> None:
    job = MatchingJob(job_id=JOB_ID, status=JobStatus.QUEUED, start_time=START)

    assert job.raw_status == "QUEUED"


def test_botocore_local_time_stamps_become_utc(non_utc_local_zone: None) -> None:
    local = START.astimezone(tzlocal())
    assert local.utcoffset() == timedelta(hours=5, minutes=30)

    job = MatchingJob.model_validate(full_job_reply(startTime=local, endTime=local))

    assert job.start_time.tzinfo is timezone.utc
    assert job.start_time == START
    assert job.start_time.hour == 12
    assert job.end_time is not None
    assert job.end_time.tzinfo is timezone.utc


def test_a_naive_time_stamp_is_taken_as_utc() -> None:
    job = MatchingJob.model_validate(full_job_reply(startTime=datetime(2024, 5, 1, 12, 0)))

    assert job.start_time == START
    assert job.start_time.tzinfo is timezone.utc


def test_epoch_seconds_and_iso_strings_are_read_as_utc() -> None:
    from_epoch = MatchingJob.model_validate(full_job_reply(startTime=START.timestamp()))
    from_iso = MatchingJob.model_validate(full_job_reply(startTime="2024-05-01T14:00:00+02:00"))

    assert from_epoch.start_time == START
    assert from_iso.start_time == START
    assert from_iso.start_time.tzinfo is timezone.utc


def test_duration_is_end_minus_start() -> None:
    job = MatchingJob.model_validate(full_job_reply())

    assert job.duration == timedelta(minutes=30)


@pytest.mark.parametrize(
    ("metrics", "progress"),
    [
        ({"inputRecords": 1000, "totalRecordsProcessed": 250}, 0.25),
        ({"inputRecords": 1000, "totalRecordsProcessed": 990, "recordsNotProcessed": 10}, 1.0),
        ({"inputRecords": 10, "totalRecordsProcessed": 20}, 1.0),
        ({"inputRecords": 0, "totalRecordsProcessed": 0}, None),
        ({"totalRecordsProcessed": 5}, None),
        ({"inputRecords": 10}, 0.0),
    ],
)
def test_progress_is_the_share_of_input_records_dealt_with(
    metrics: dict[str, int], progress: float | None
) -> None:
    assert MatchingJob.model_validate(full_job_reply(metrics=metrics)).metrics.progress == progress


def test_model_dump_round_trips() -> None:
    job = MatchingJob.model_validate(full_job_reply())

    assert MatchingJob.model_validate(job.model_dump()) == job


def test_json_round_trips() -> None:
    job = MatchingJob.model_validate(full_job_reply(status="PAUSED"))

    again = MatchingJob.model_validate_json(job.model_dump_json())

    assert again == job
    assert again.raw_status == "PAUSED"
    assert again.status is JobStatus.UNKNOWN


def test_model_dump_uses_our_field_names() -> None:
    dumped = MatchingJob.model_validate(full_job_reply()).model_dump(mode="json")

    assert set(dumped) == {
        "job_id",
        "status",
        "raw_status",
        "start_time",
        "end_time",
        "metrics",
        "error_message",
        "output_sources",
    }
    assert dumped["status"] == "SUCCEEDED"
    assert dumped["start_time"] == "2024-05-01T12:00:00Z"
    assert set(dumped["metrics"]) == {
        "input_records",
        "total_records_processed",
        "records_not_processed",
        "delete_records_processed",
        "match_ids",
    }


@pytest.mark.parametrize(
    "model",
    [
        MatchingJob,
        MatchingJobSummary,
        JobMetrics,
        OutputSource,
        IdMappingJob,
        IdMappingJobSummary,
        IdMappingJobMetrics,
    ],
)
def test_the_json_schema_of_the_output_requires_every_field(model: type[BaseModel]) -> None:
    schema = model.model_json_schema(mode="serialization")

    assert set(schema["required"]) == set(schema["properties"]) == set(model.model_fields)


def test_fields_the_service_adds_later_are_ignored() -> None:
    reply = full_job_reply(
        newTopLevelField={"x": 1}, metrics={"inputRecords": 3, "futureCounter": 9}
    )

    job = MatchingJob.model_validate(reply)

    assert job.metrics.input_records == 3
    assert "newTopLevelField" not in job.model_dump()


def test_models_are_frozen() -> None:
    job = MatchingJob.model_validate(full_job_reply())

    with pytest.raises(ValidationError, match="frozen"):
        job.status = JobStatus.FAILED  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        job.metrics.match_ids = 1  # type: ignore[misc]


def test_models_are_hashable_and_pickle() -> None:
    job = MatchingJob.model_validate(full_job_reply())

    assert pickle.loads(pickle.dumps(job)) == job
    assert hash(job.metrics) == hash(JobMetrics.model_validate(job.metrics.model_dump()))


def _run_fresh(code: str) -> list[str]:
    """Run ``code`` in a new interpreter, where no model has been used yet; its output lines."""
    ran = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, ran.stderr
    return ran.stdout.split()


def test_models_are_built_at_load_only_where_pydantic_needs_it() -> None:
    # pydantic-core serializes a value of an undeclared type (an Any field,
    # to_json) through type(value).__pydantic_serializer__; pydantic before
    # 2.14 fails there on a deferred model nothing has built yet, so there
    # every model is built when loaded. From 2.14 each is built on first use.
    built = _run_fresh("""
        from pydantic_core import SchemaSerializer, SchemaValidator
        from entityresolution_jobs import _models
        for model in (_models.JobMetrics, _models.OutputSource, _models.MatchingJobSummary,
                      _models.MatchingJob, _models.StartedJob, _models.MatchingJobsPage,
                      _models.IdMappingJobMetrics, _models.IdMappingJobSummary,
                      _models.IdMappingJob, _models.IdMappingJobsPage):
            print(isinstance(model.__dict__["__pydantic_validator__"], SchemaValidator)
                  and isinstance(model.__dict__["__pydantic_serializer__"], SchemaSerializer))
    """)

    assert built == [str(not _DEFERRED_BUILD_WORKS)] * 10


def test_an_unpickled_job_serializes_in_a_process_that_never_built_the_models() -> None:
    # As in a task queue's worker: the job arrives pickled; nothing else ran.
    pickled = pickle.dumps(MatchingJob.model_validate(full_job_reply(metrics={"matchIDs": 7})))

    out = _run_fresh(f"""
        import pickle
        from typing import Any
        from pydantic import BaseModel
        from pydantic_core import to_json

        class Report(BaseModel):
            details: Any

        job = pickle.loads({pickled!r})
        print(to_json(job.metrics).decode(), Report(details=job).model_dump()["details"]["status"])
    """)

    assert out == ['{"input_records":null,"total_records_processed":null,'
                   '"records_not_processed":null,"delete_records_processed":null,"match_ids":7}',
                   "JobStatus.SUCCEEDED"]  # fmt: skip


@pytest.mark.parametrize(
    ("reply", "field"),
    [
        ({"status": "RUNNING", "startTime": START}, "jobId"),
        ({"jobId": JOB_ID, "startTime": START}, "status"),
        ({"jobId": JOB_ID, "status": "RUNNING"}, "startTime"),
        ({"jobId": JOB_ID, "status": "RUNNING", "startTime": "yesterday"}, "startTime"),
        (full_job_reply(metrics={"inputRecords": "many"}), "inputRecords"),
        (full_job_reply(outputSourceConfig=[{"roleArn": "arn:aws:iam::1:role/r"}]), "outputS3Path"),
    ],
)
def test_an_invalid_reply_names_the_offending_field(reply: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        MatchingJob.model_validate(reply)

    assert field in str(caught.value)


def test_to_service_dict_gives_back_the_reply_it_was_read_from() -> None:
    reply = full_job_reply()

    assert MatchingJob.model_validate(reply).to_service_dict() == reply


def test_to_service_dict_leaves_out_what_the_service_did_not_send() -> None:
    job = MatchingJob.model_validate(
        {"jobId": JOB_ID, "status": "PAUSED", "startTime": START, "metrics": {"inputRecords": 4}}
    )

    assert job.to_service_dict() == {
        "jobId": JOB_ID,
        "status": "PAUSED",
        "startTime": START,
        "metrics": {"inputRecords": 4},
    }
    assert MatchingJob.model_validate(job.to_service_dict()) == job


def test_a_summary_in_the_service_shape_has_only_its_own_fields() -> None:
    summary = MatchingJobSummary.model_validate(full_job_reply())

    assert summary.to_service_dict() == {
        "jobId": JOB_ID,
        "status": "SUCCEEDED",
        "startTime": START,
        "endTime": START + timedelta(minutes=30),
    }
