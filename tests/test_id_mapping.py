"""ID mapping jobs through boto3, with botocore's Stubber or raw replies: as matching jobs."""

from __future__ import annotations

import logging
import pickle
from datetime import datetime, timedelta, timezone

import pytest
from botocore.stub import Stubber

from entityresolution_jobs import (
    AccessDeniedError,
    ConflictError,
    EntityResolutionJobs,
    IdMappingJob,
    IdMappingJobFailedError,
    IdMappingJobMetrics,
    IdMappingJobSummary,
    IdMappingJobType,
    IdMappingJobWaitTimeoutError,
    InternalServerError,
    InvalidInputError,
    JobFailedError,
    JobStatus,
    MatchingJobFailedError,
    OutputSource,
    ResourceNotFoundError,
    ResponseError,
    ServiceError,
    ServiceValidationError,
    ThrottlingError,
    WaitTimeoutError,
)

from .support import (
    ID_MAPPING_METRICS,
    JOB_ID,
    JOB_TYPE_SENDABLE,
    WORKFLOW,
    Wire,
    id_mapping_job_reply,
    if_modelled,
    modelled,
    sending_job_type,
)

EXPECTED = {"workflowName": WORKFLOW, "jobId": JOB_ID}
START = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
ARN = "arn:aws:entityresolution:eu-west-1:111122223333:idmappingworkflow/shared-ids"
ROLE = "arn:aws:iam::123456789012:role/er-output"
BAD_KMS = OutputSource(role_arn=ROLE, output_s3_path="s3://bkt/x", kms_arn="k")


class FakeTime:
    """A clock that only the waiter's sleep moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _state(status: str, **extra: object) -> dict[str, object]:
    return {"jobId": JOB_ID, "status": status, "startTime": START, **extra}


class TestGet:
    def test_every_field_of_the_reply_reaches_the_model(
        self, er: EntityResolutionJobs, stubber: Stubber
    ) -> None:
        stubber.add_response("get_id_mapping_job", id_mapping_job_reply(), EXPECTED)

        job = er.get_id_mapping_job(WORKFLOW, JOB_ID)

        assert job == IdMappingJob(
            job_id=JOB_ID,
            status=JobStatus.SUCCEEDED,
            start_time=START,
            end_time=datetime(2024, 5, 1, 12, 30, tzinfo=timezone.utc),
            # Counts newer than this botocore's model read as None.
            metrics=IdMappingJobMetrics.model_validate(
                {
                    name: if_modelled(count, "IdMappingJobMetrics", name)
                    for name, count in ID_MAPPING_METRICS.items()
                }
            ),
            error_message="10 records had no matching key",
            output_sources=(
                OutputSource(
                    role_arn=ROLE,
                    output_s3_path="s3://example-bucket/output/",
                    kms_arn="arn:aws:kms:us-east-1:123456789012:key/abc",
                ),
            ),
            job_type=if_modelled(IdMappingJobType.INCREMENTAL, "GetIdMappingJobOutput", "jobType"),
        )
        assert job.raw_status == "SUCCEEDED"
        assert job.raw_job_type == if_modelled("INCREMENTAL", "GetIdMappingJobOutput", "jobType")
        assert job.metrics.input_records == 1000

    def test_every_count_of_the_service_model_is_a_field(self, er: EntityResolutionJobs) -> None:
        shape = er.client.meta.service_model.operation_model("GetIdMappingJob").output_shape
        assert shape is not None
        counts = shape.members["metrics"].members  # type: ignore[attr-defined]

        metrics = IdMappingJobMetrics.model_validate(ID_MAPPING_METRICS)

        # The newest model's 15; an older botocore's model has fewer, never others.
        assert set(counts) == {c for c in ID_MAPPING_METRICS if modelled("IdMappingJobMetrics", c)}
        assert len(IdMappingJobMetrics.model_fields) == len(ID_MAPPING_METRICS) == 15
        assert None not in metrics.model_dump().values()

    @pytest.mark.parametrize("status", ["QUEUED", "RUNNING"])
    def test_a_job_in_progress_has_no_end_time_type_or_metrics(
        self, er: EntityResolutionJobs, stubber: Stubber, status: str
    ) -> None:
        stubber.add_response("get_id_mapping_job", _state(status), EXPECTED)

        job = er.get_id_mapping_job(WORKFLOW, JOB_ID)

        assert (job.status, job.end_time, job.duration) == (JobStatus(status), None, None)
        assert (job.job_type, job.raw_job_type) == (None, None)
        assert job.metrics == IdMappingJobMetrics()
        assert job.metrics.progress is None

    def test_a_job_type_added_later_is_unknown_and_keeps_its_text(
        self, er: EntityResolutionJobs, wire: Wire
    ) -> None:
        wire.reply(body={**_state("RUNNING", jobType="NIGHTLY"), "startTime": 1714564800})

        job = er.get_id_mapping_job(WORKFLOW, JOB_ID)

        if not modelled("GetIdMappingJobOutput", "jobType"):  # botocore's parser drops it
            assert (job.job_type, job.raw_job_type) == (None, None)
            return
        assert job.job_type is IdMappingJobType.UNKNOWN
        assert job.raw_job_type == "NIGHTLY"
        assert job.to_service_dict()["jobType"] == "NIGHTLY"

    def test_progress_counts_processed_and_not_processed(self) -> None:
        metrics = IdMappingJobMetrics(
            input_records=200, total_records_processed=90, records_not_processed=10
        )

        assert metrics.progress == 0.5

    @pytest.mark.parametrize(
        ("code", "status", "expected"),
        [
            ("ThrottlingException", 429, ThrottlingError),
            ("InternalServerException", 500, InternalServerError),
            ("ResourceNotFoundException", 404, ResourceNotFoundError),
            ("AccessDeniedException", 403, AccessDeniedError),
            ("ValidationException", 400, ServiceValidationError),
        ],
    )
    def test_each_modeled_error_is_raised_as_its_class(
        self,
        er: EntityResolutionJobs,
        stubber: Stubber,
        code: str,
        status: int,
        expected: type[ServiceError],
    ) -> None:
        stubber.add_client_error(
            "get_id_mapping_job",
            code,
            "the service said no",
            status,
            expected_params=EXPECTED,
            response_meta={"RequestId": "req-7"},
        )

        with pytest.raises(expected) as caught:
            er.get_id_mapping_job(WORKFLOW, JOB_ID)

        assert (caught.value.code, caught.value.http_status, caught.value.request_id) == (
            code,
            status,
            "req-7",
        )
        assert type(caught.value.__cause__).__name__ == code

    def test_a_reply_without_a_status_is_a_response_error(
        self, er: EntityResolutionJobs, wire: Wire
    ) -> None:
        wire.reply(body={"jobId": JOB_ID, "startTime": 1714564800})

        with pytest.raises(ResponseError, match=r"GetIdMappingJob .*status"):
            er.get_id_mapping_job(WORKFLOW, JOB_ID)

    def test_a_workflow_arn_is_sent_encoded_in_the_path(
        self, er: EntityResolutionJobs, wire: Wire
    ) -> None:
        wire.reply(body={**_state("RUNNING"), "startTime": 1714564800})

        er.get_id_mapping_job(ARN, JOB_ID)

        path = wire.requests[0].split("amazonaws.com", 1)[1]
        assert path == (
            "/idmappingworkflows/arn%3Aaws%3Aentityresolution%3Aeu-west-1%3A111122223333%3A"
            f"idmappingworkflow%2Fshared-ids/jobs/{JOB_ID}"
        )

    @pytest.mark.parametrize(
        ("workflow_name", "job_id", "parameter", "reason"),
        [
            ("", JOB_ID, "workflow_name", "must not be empty"),
            ("customers ids", JOB_ID, "workflow_name", "must match the pattern"),
            (ARN.replace("idmappingworkflow", "matchingworkflow"), JOB_ID, "workflow_name", "must"),
            (WORKFLOW, "", "job_id", "must not be empty"),
            (WORKFLOW, JOB_ID.upper(), "job_id", "must match the pattern"),
            (None, JOB_ID, "workflow_name", "is required"),
        ],
    )
    def test_bad_arguments_raise_invalid_input_and_send_nothing(
        self,
        er: EntityResolutionJobs,
        wire: Wire,
        workflow_name: object,
        job_id: str,
        parameter: str,
        reason: str,
    ) -> None:
        with pytest.raises(InvalidInputError) as caught:
            er.get_id_mapping_job(workflow_name, job_id)  # type: ignore[arg-type]

        assert caught.value.parameter == parameter
        assert reason in str(caught.value)
        assert wire.requests == []


class TestStart:
    def test_omitted_arguments_are_not_sent(
        self, er: EntityResolutionJobs, stubber: Stubber
    ) -> None:
        stubber.add_response("start_id_mapping_job", {"jobId": JOB_ID}, {"workflowName": WORKFLOW})

        assert er.start_id_mapping_job(WORKFLOW) == JOB_ID

    def test_the_job_type_and_output_location_are_sent_as_the_service_names_them(
        self, er: EntityResolutionJobs, stubber: Stubber
    ) -> None:
        output = OutputSource(
            role_arn=ROLE,
            output_s3_path="s3://bucket/run-7/",
            kms_arn="arn:aws:kms:us-east-1:123456789012:key/k",
        )
        sent = {
            "workflowName": ARN,
            "jobType": "DELETE_ONLY",
            "outputSourceConfig": [
                {
                    "roleArn": ROLE,
                    "outputS3Path": "s3://bucket/run-7/",
                    "KMSArn": "arn:aws:kms:us-east-1:123456789012:key/k",
                }
            ],
        }
        if JOB_TYPE_SENDABLE:
            reply = {"jobId": JOB_ID, "jobType": "DELETE_ONLY"}
            stubber.add_response("start_id_mapping_job", reply, sent)

        with sending_job_type():
            job_id = er.start_id_mapping_job(
                ARN, job_type=IdMappingJobType.DELETE_ONLY, output_source=output
            )
            assert job_id == JOB_ID

    def test_the_output_location_alone_is_sent_on_every_botocore(
        self, er: EntityResolutionJobs, stubber: Stubber
    ) -> None:
        output = OutputSource(role_arn=ROLE, output_s3_path="s3://bucket/run-7/")
        sent = {
            "workflowName": WORKFLOW,
            "outputSourceConfig": [{"roleArn": ROLE, "outputS3Path": "s3://bucket/run-7/"}],
        }
        stubber.add_response("start_id_mapping_job", {"jobId": JOB_ID}, sent)

        assert er.start_id_mapping_job(WORKFLOW, output_source=output) == JOB_ID

    def test_a_job_in_progress_is_a_conflict(
        self, er: EntityResolutionJobs, stubber: Stubber
    ) -> None:
        stubber.add_client_error("start_id_mapping_job", "ConflictException", "busy", 400)

        with pytest.raises(ConflictError):
            er.start_id_mapping_job(WORKFLOW)

    @pytest.mark.parametrize(
        ("arguments", "parameter", "reason"),
        [
            ({"job_type": IdMappingJobType.UNKNOWN}, "job_type", "BATCH, INCREMENTAL, DELETE_ONLY"),
            ({"job_type": "NIGHTLY"}, "job_type", "got 'NIGHTLY'"),
            ({"output_source": {"roleArn": ROLE}}, "output_source", "must be an OutputSource"),
            (
                {"output_source": OutputSource(role_arn="role", output_s3_path="s3://bucket/x")},
                "output_source.role_arn",
                "32 to 512 characters long",
            ),
            (
                {"output_source": OutputSource(role_arn=ROLE, output_s3_path="/tmp/out")},
                "output_source.output_s3_path",
                "must match the pattern",
            ),
            (
                {
                    "output_source": OutputSource(
                        role_arn=ROLE, output_s3_path="s3://bkt/x", kms_arn="k"
                    )
                },
                "output_source.kms_arn",
                "must match the pattern",
            ),
        ],
    )
    def test_bad_arguments_raise_invalid_input_and_send_nothing(
        self,
        er: EntityResolutionJobs,
        wire: Wire,
        arguments: dict[str, object],
        parameter: str,
        reason: str,
    ) -> None:
        with pytest.raises(InvalidInputError) as caught:
            er.start_id_mapping_job(WORKFLOW, **arguments)  # type: ignore[arg-type]

        assert caught.value.parameter == parameter
        assert str(caught.value).startswith(parameter)
        assert reason in str(caught.value)
        assert wire.requests == []

    def test_a_plain_string_naming_a_job_type_is_accepted(
        self, er: EntityResolutionJobs, stubber: Stubber
    ) -> None:
        if JOB_TYPE_SENDABLE:
            stubber.add_response(
                "start_id_mapping_job",
                {"jobId": JOB_ID},
                {"workflowName": WORKFLOW, "jobType": "BATCH"},
            )

        with sending_job_type():
            assert er.start_id_mapping_job(WORKFLOW, job_type="BATCH") == JOB_ID  # type: ignore[arg-type]


class TestList:
    def test_walks_every_page_lazily(self, er: EntityResolutionJobs, wire: Wire) -> None:
        first = {"jobId": "a" * 32, "status": "SUCCEEDED", "startTime": 1, "endTime": 2}
        second = {"jobId": "b" * 32, "status": "RUNNING", "startTime": 3}
        wire.reply(body={"jobs": [first], "nextToken": "page-2"})
        wire.reply(body={"jobs": [second]})

        jobs = er.list_id_mapping_jobs(ARN)
        assert wire.requests == []
        listed = list(jobs)

        assert [type(job) for job in listed] == [IdMappingJobSummary, IdMappingJobSummary]
        assert [job.job_id for job in listed] == ["a" * 32, "b" * 32]
        assert listed[0].duration == timedelta(seconds=1)
        assert len(wire.requests) == 2
        assert "idmappingworkflow%2Fshared-ids/jobs" in wire.requests[0]
        assert "nextToken=page-2" in wire.requests[1]

    def test_an_error_on_a_later_page_is_translated(
        self, er: EntityResolutionJobs, wire: Wire
    ) -> None:
        wire.reply(body={"jobs": [], "nextToken": "page-2"})
        wire.error(403, "AccessDeniedException", "no")

        with pytest.raises(AccessDeniedError):
            list(er.list_id_mapping_jobs(WORKFLOW))

    def test_an_invalid_name_is_refused_when_called(self, er: EntityResolutionJobs) -> None:
        with pytest.raises(InvalidInputError, match="workflow_name"):
            er.list_id_mapping_jobs("two words")


class TestWait:
    def test_returns_the_job_once_it_succeeds(
        self, er: EntityResolutionJobs, stubber: Stubber
    ) -> None:
        time = FakeTime()
        for status in ("QUEUED", "RUNNING"):
            stubber.add_response("get_id_mapping_job", _state(status), EXPECTED)
        stubber.add_response("get_id_mapping_job", id_mapping_job_reply(), EXPECTED)
        seen: list[IdMappingJob] = []

        job = er.wait_for_id_mapping_job(
            WORKFLOW, JOB_ID, on_update=seen.append, clock=time.clock, sleep=time.sleep
        )

        assert job.metrics.total_mapped_records == 600
        assert [j.raw_status for j in seen] == ["QUEUED", "RUNNING", "SUCCEEDED"]

    def test_a_failed_job_raises_its_kinds_error_which_job_failed_error_catches(
        self, er: EntityResolutionJobs, stubber: Stubber
    ) -> None:
        time = FakeTime()
        failed = _state("FAILED", endTime=START, errorDetails={"errorMessage": "no target rows"})
        stubber.add_response("get_id_mapping_job", failed, EXPECTED)

        with pytest.raises(JobFailedError) as caught:
            er.wait_for_id_mapping_job(WORKFLOW, JOB_ID, clock=time.clock, sleep=time.sleep)

        error = caught.value
        assert type(error) is IdMappingJobFailedError
        assert not isinstance(error, MatchingJobFailedError)
        assert isinstance(error.job, IdMappingJob)
        assert str(error) == (
            f"ID mapping job {JOB_ID} of workflow {WORKFLOW} FAILED: no target rows"
        )
        assert pickle.loads(pickle.dumps(error)).job == error.job

    def test_running_out_of_time_raises_its_kinds_timeout_with_the_last_state(
        self, er: EntityResolutionJobs, stubber: Stubber
    ) -> None:
        time = FakeTime()
        stubber.add_response("get_id_mapping_job", _state("RUNNING"), EXPECTED)

        with pytest.raises(WaitTimeoutError) as caught:
            er.wait_for_id_mapping_job(
                WORKFLOW, JOB_ID, timeout=1, clock=time.clock, sleep=time.sleep
            )

        assert type(caught.value) is IdMappingJobWaitTimeoutError
        assert isinstance(caught.value, TimeoutError)
        assert isinstance(caught.value.job, IdMappingJob)
        assert str(caught.value) == (
            f"ID mapping job {JOB_ID} of workflow {WORKFLOW} did not finish within 1 s"
        )

    def test_transient_errors_are_ridden_out_and_others_raised(
        self, er: EntityResolutionJobs, stubber: Stubber
    ) -> None:
        time = FakeTime()
        stubber.add_client_error("get_id_mapping_job", "ThrottlingException", "slow", 429)
        stubber.add_client_error("get_id_mapping_job", "ResourceNotFoundException", "gone", 404)

        with pytest.raises(ResourceNotFoundError):
            er.wait_for_id_mapping_job(WORKFLOW, JOB_ID, clock=time.clock, sleep=time.sleep)

        assert time.now > 0

    def test_watch_yields_every_state_and_the_failed_one_last(
        self, er: EntityResolutionJobs, stubber: Stubber
    ) -> None:
        time = FakeTime()
        stubber.add_response("get_id_mapping_job", _state("RUNNING"), EXPECTED)
        stubber.add_response("get_id_mapping_job", _state("FAILED", endTime=START), EXPECTED)

        states = er.watch_id_mapping_job(WORKFLOW, JOB_ID, clock=time.clock, sleep=time.sleep)

        assert [job.status for job in states] == [JobStatus.RUNNING, JobStatus.FAILED]

    def test_bad_ids_are_refused_before_any_request(
        self, er: EntityResolutionJobs, wire: Wire
    ) -> None:
        with pytest.raises(InvalidInputError, match="job_id"):
            er.watch_id_mapping_job(WORKFLOW, "not-a-job-id")
        with pytest.raises(InvalidInputError, match="min_delay"):
            er.wait_for_id_mapping_job(WORKFLOW, JOB_ID, min_delay=0)

        assert wire.requests == []

    def test_status_changes_are_logged_naming_the_kind(
        self, er: EntityResolutionJobs, stubber: Stubber, caplog: pytest.LogCaptureFixture
    ) -> None:
        time = FakeTime()
        stubber.add_response("get_id_mapping_job", _state("RUNNING"), EXPECTED)
        stubber.add_response("get_id_mapping_job", id_mapping_job_reply(), EXPECTED)
        caplog.set_level(logging.INFO, logger="entityresolution_jobs")

        er.wait_for_id_mapping_job(WORKFLOW, JOB_ID, clock=time.clock, sleep=time.sleep)

        assert [record.getMessage() for record in caplog.records] == [
            f"ID mapping job {JOB_ID} of workflow {WORKFLOW}: started waiting RUNNING",
            f"ID mapping job {JOB_ID} of workflow {WORKFLOW}: RUNNING -> SUCCEEDED",
        ]


class TestModels:
    def test_the_reply_round_trips_through_every_dump(self) -> None:
        reply = id_mapping_job_reply()
        job = IdMappingJob.model_validate(reply)

        assert job.to_service_dict() == reply
        assert IdMappingJob.model_validate(job.model_dump()) == job
        assert IdMappingJob.model_validate_json(job.model_dump_json()) == job

    def test_keyword_construction_fills_the_raw_texts(self) -> None:
        job = IdMappingJob(
            job_id=JOB_ID,
            status=JobStatus.RUNNING,
            start_time=START,
            job_type=IdMappingJobType.BATCH,
        )

        assert (job.raw_status, job.raw_job_type) == ("RUNNING", "BATCH")

    def test_a_job_is_a_summary_of_its_own_kind_only(self) -> None:
        from entityresolution_jobs import MatchingJobSummary

        job = IdMappingJob.model_validate(id_mapping_job_reply())

        assert isinstance(job, IdMappingJobSummary)
        assert not isinstance(job, MatchingJobSummary)

    def test_unknown_fields_are_ignored_and_models_frozen(self) -> None:
        job = IdMappingJob.model_validate(id_mapping_job_reply(futureField=1))

        assert "futureField" not in job.model_dump()
        with pytest.raises(ValueError, match="frozen"):
            job.job_type = IdMappingJobType.BATCH  # type: ignore[misc]
