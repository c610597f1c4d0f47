"""A job's output through the fake service and moto's S3: find it, read its records, download it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.core import enable_iam_authentication
from pydantic import ValidationError

from entityresolution_jobs import (
    AccessDeniedError,
    EntityResolutionJobs,
    IdMappingJob,
    IdMappingJobType,
    InvalidInputError,
    JobNotSucceededError,
    JobOutput,
    JobStatus,
    MatchingJob,
    OutputNotFoundError,
    OutputNotInS3Error,
    ResourceNotFoundError,
    ResponseError,
)
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

from .support import JOB_TYPE_SENDABLE

BUCKET = "er-output"
ROOT = f"s3://{BUCKET}/entity-resolution/"
OTHER_JOB = "fedcba9876543210fedcba9876543210"


@pytest.fixture
def s3(entity_resolution: EntityResolutionMock) -> Any:
    return bucket_now()


@pytest.fixture
def er(entity_resolution: EntityResolutionMock) -> EntityResolutionJobs:
    return EntityResolutionJobs()


def count_s3_requests(er: EntityResolutionJobs) -> dict[str, int]:
    """Count the requests the facade's S3 client sends, by operation."""
    counts: dict[str, int] = {}

    def count(model: Any, **_: object) -> None:
        counts[model.name] = counts.get(model.name, 0) + 1

    er._s3().meta.events.register("before-call.s3", count)
    return counts


def count_entity_resolution_requests(er: EntityResolutionJobs) -> dict[str, int]:
    """Count the requests the facade's Entity Resolution client sends, by operation."""
    counts: dict[str, int] = {}

    def count(model: Any, **_: object) -> None:
        counts[model.name] = counts.get(model.name, 0) + 1

    er._connect().client.meta.events.register("before-call.entityresolution", count)
    return counts


def succeeded_matching_job(
    fake: EntityResolutionMock, er: EntityResolutionJobs, path: str = ROOT, workflow: str = "wf"
) -> MatchingJob:
    fake.create_workflow(workflow, output_s3_path=path)
    job_id = er.start_matching_job(workflow)
    fake.job(workflow, job_id).succeed()
    return er.get_matching_job(workflow, job_id)


def bucket_now() -> Any:
    """The output bucket, created after the job was read: the fake wrote nothing into it."""
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    return s3


def put(s3: Any, key: str, body: bytes) -> None:
    s3.put_object(Bucket=BUCKET, Key=key, Body=body)


class TestFindingTheOutput:
    def test_a_matching_jobs_parts_are_listed_in_key_order_with_totals(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        job = succeeded_matching_job(entity_resolution, er)

        requests = count_s3_requests(er)

        output = er.get_job_output(job)

        folder = f"entity-resolution/wf/{job.job_id}/"
        assert requests == {"ListObjectsV2": 1}  # where the service writes, found at once
        assert output.job_id == job.job_id
        assert output.status is JobStatus.SUCCEEDED
        assert output.folder == f"s3://{BUCKET}/{folder}"
        assert [f.key for f in output.success] == [
            f"{folder}success/part-0000{i}.csv" for i in range(3)
        ]
        assert [f.key for f in output.errors] == [f"{folder}error/part-00000.csv"]
        assert output.total_files == 4
        listed = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
        assert output.total_size == sum(item["Size"] for item in listed)
        assert output.success[0].s3_uri == f"s3://{BUCKET}/{folder}success/part-00000.csv"
        assert output.success[0].last_modified.tzinfo is not None
        assert not output.empty

    def test_an_id_mapping_jobs_output_is_found_the_same_way(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        entity_resolution.create_id_mapping_workflow("ids", output_s3_path=f"{ROOT}ids")
        job_id = er.start_id_mapping_job("ids")
        entity_resolution.id_mapping_job("ids", job_id).succeed()
        job = er.get_id_mapping_job("ids", job_id)

        output = er.get_job_output(job)

        assert isinstance(job, IdMappingJob)
        assert output.folder == f"{ROOT}ids/ids/{job_id}/"
        records = list(er.iter_output_records(output))
        assert len(records) == job.metrics.total_records_processed
        assert set(records[0]) == {"RecordId", "MappedRecordId"}

    def test_a_job_built_from_json_finds_its_folder_one_level_deeper_and_ignores_others(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs
    ) -> None:
        # The job is read before its bucket exists, so the fake writes nothing:
        # the files are laid out by hand, a folder per workflow.
        read = succeeded_matching_job(entity_resolution, er)
        job = MatchingJob.model_validate_json(read.model_dump_json())
        s3 = bucket_now()
        mine = f"entity-resolution/wf/{job.job_id}/"
        put(s3, f"{mine}success/part-00000.csv", b"RecordId,MatchID\n1,m1\n")
        put(s3, f"{mine}error/part-00000.csv", b"RecordId,ErrorReason\n2,Missing unique ID\n")
        put(s3, f"entity-resolution/wf/{OTHER_JOB}/success/part-00000.csv", b"x\n")
        put(s3, f"entity-resolution/wf/{job.job_id}-old/success/part-00000.csv", b"x\n")
        put(s3, f"entity-resolution/{OTHER_JOB}/success/part-00000.csv", b"x\n")
        put(s3, f"elsewhere/wf/{job.job_id}/success/part-00000.csv", b"x\n")
        requests = count_s3_requests(er)

        output = er.get_job_output(job)

        assert (read.workflow_name, job.workflow_name) == ("wf", None)
        assert output.folder == f"s3://{BUCKET}/{mine}"
        assert [f.key for f in output.files] == [
            f"{mine}success/part-00000.csv",
            f"{mine}error/part-00000.csv",
        ]
        assert output.locations == (f"{ROOT}{job.job_id}/", f"s3://{BUCKET}/{mine}")
        # Right under the location, its subfolders, then the one subfolder
        # not named like a job (another run's folder is not a level).
        assert requests == {"ListObjectsV2": 3}
        assert list(er.iter_output_records(output, errors=True)) == [
            {"RecordId": "2", "ErrorReason": "Missing unique ID"}
        ]

    def test_an_argument_names_the_workflow_of_a_job_that_does_not_know_it(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        read = succeeded_matching_job(entity_resolution, er)
        job = MatchingJob.model_validate(read.model_dump())
        requests = count_s3_requests(er)

        output = er.get_job_output(job, workflow_name="wf")

        assert output == er.get_job_output(read)
        assert requests == {"ListObjectsV2": 2}  # one each

    def test_a_workflow_sharing_its_output_path_with_20_others_costs_one_listing(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        for n in range(20):
            put(s3, f"entity-resolution/other-{n}/{OTHER_JOB}/success/part-00000.csv", b"x\n")
        job = succeeded_matching_job(entity_resolution, er)
        requests = count_s3_requests(er)

        output = er.get_job_output(job)

        assert output.folder == f"{ROOT}wf/{job.job_id}/"
        assert requests == {"ListObjectsV2": 1}

    def test_a_workflow_named_like_a_job_id_is_its_jobs_folder_not_another_run(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        job = succeeded_matching_job(entity_resolution, er, workflow=OTHER_JOB)
        unknown = MatchingJob.model_validate(job.model_dump())

        output = er.get_job_output(job)
        named = er.get_job_output(unknown, workflow_name=OTHER_JOB)

        assert output.folder == named.folder == f"{ROOT}{OTHER_JOB}/{job.job_id}/"
        assert output.total_files == 4

    def test_an_id_mapping_workflow_named_by_its_arn_is_looked_for_by_its_name(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        arn = entity_resolution.create_id_mapping_workflow("ids", output_s3_path=ROOT)
        job_id = er.start_id_mapping_job(arn)
        entity_resolution.id_mapping_job("ids", job_id).succeed()
        job = er.get_id_mapping_job(arn, job_id)
        requests = count_s3_requests(er)

        output = er.get_job_output(job)

        assert job.workflow_name == arn
        assert output.folder == f"{ROOT}ids/{job_id}/"
        assert requests == {"ListObjectsV2": 1}

    def test_a_workflow_name_that_is_no_name_is_refused_before_any_request(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        job = succeeded_matching_job(entity_resolution, er)
        requests = count_s3_requests(er)

        with pytest.raises(InvalidInputError, match="workflow_name must be") as raised:
            er.get_job_output(job, workflow_name="../other")

        assert raised.value.parameter == "workflow_name"
        assert requests == {}

    def test_a_folder_of_1000_and_more_parts_is_listed_page_by_page(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs
    ) -> None:
        job = succeeded_matching_job(entity_resolution, er)
        s3 = bucket_now()
        folder = f"entity-resolution/wf/{job.job_id}/"
        for part in range(1_205):
            put(s3, f"{folder}success/part-{part:05d}.csv", f"id\n{part}\n".encode())
        requests = count_s3_requests(er)

        output = er.get_job_output(job)

        assert len(output.success) == 1_205
        assert requests == {"ListObjectsV2": 2}  # S3 pages hold 1,000 keys
        keys = [f.key for f in output.success]
        assert keys == sorted(keys)
        assert sum(1 for _ in er.iter_output_records(output)) == 1_205

    def test_a_succeeded_job_whose_folder_is_nowhere_names_every_location_searched(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs
    ) -> None:
        job = succeeded_matching_job(entity_resolution, er)
        s3 = bucket_now()
        put(s3, "entity-resolution/wf/other-file.csv", b"x\n")

        with pytest.raises(OutputNotFoundError) as raised:
            er.get_job_output(job)

        searched = (f"{ROOT}wf/{job.job_id}/", f"{ROOT}{job.job_id}/")
        assert raised.value.locations == searched
        assert "its counts say it wrote records" in str(raised.value)
        assert all(location in str(raised.value) for location in searched)

    def test_a_job_without_a_location_or_a_workflow_is_refused_before_any_request(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs
    ) -> None:
        job = MatchingJob(
            job_id=OTHER_JOB, status=JobStatus.SUCCEEDED, start_time="2026-12-01T00:00:00Z"
        )
        requests = count_s3_requests(er)

        with pytest.raises(OutputNotFoundError, match="pass workflow_name") as raised:
            er.get_job_output(job)

        assert "names no output location" in str(raised.value)
        assert requests == {}


class TestWhereTheReplyNamesNoLocation:
    def test_the_workflows_location_is_read_when_the_reply_has_none(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        # An ID mapping workflow without a role: the fake's job reports no
        # outputSourceConfig, as the model allows.
        entity_resolution.create_id_mapping_workflow("ids", output_s3_path=ROOT, role_arn=None)
        job_id = er.start_id_mapping_job("ids")
        entity_resolution.id_mapping_job("ids", job_id).succeed()
        job = er.get_id_mapping_job("ids", job_id)
        calls = count_entity_resolution_requests(er)

        output = er.get_job_output(job)

        assert job.output_sources == ()
        assert calls == {"GetIdMappingWorkflow": 1}
        assert output.folder == f"{ROOT}ids/{job_id}/"
        assert output.total_files >= 1

    def test_a_workflow_writing_to_customer_profiles_is_a_clear_error(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        entity_resolution.create_workflow("profiles", output_s3_path="")
        job_id = er.start_matching_job("profiles")
        entity_resolution.job("profiles", job_id).succeed()
        job = er.get_matching_job("profiles", job_id)
        requests = count_s3_requests(er)

        with pytest.raises(OutputNotInS3Error, match="Customer Profiles, not to S3") as raised:
            er.get_job_output(job)

        assert isinstance(raised.value, OutputNotFoundError)
        assert job.output_sources == ()
        assert requests == {}


class TestRunsThatWroteNothing:
    def test_a_succeeded_run_that_processed_no_record_is_an_empty_output(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        entity_resolution.timeline = JobTimeline(input_records=0, records_not_processed=0)
        job = succeeded_matching_job(entity_resolution, er)

        output = er.get_job_output(job)

        assert job.metrics.total_records_processed == 0
        assert (output.empty, output.folder, output.files) == (True, None, ())
        assert output.locations == (f"{ROOT}wf/{job.job_id}/", f"{ROOT}{job.job_id}/")
        assert list(er.iter_output_records(output)) == []

    def test_an_id_mapping_delete_only_run_is_an_empty_output(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        if not JOB_TYPE_SENDABLE:
            pytest.skip("this botocore cannot send jobType")
        entity_resolution.create_id_mapping_workflow("ids", output_s3_path=ROOT)
        job_id = er.start_id_mapping_job("ids", job_type=IdMappingJobType.DELETE_ONLY)
        entity_resolution.id_mapping_job("ids", job_id).succeed()
        job = er.get_id_mapping_job("ids", job_id)

        output = er.get_job_output(job)

        assert job.job_type is IdMappingJobType.DELETE_ONLY
        assert output.empty
        assert output.model_dump(by_alias=True)["empty"] is True


class TestJobsKnowTheirWorkflow:
    def test_every_job_and_summary_the_library_reads_names_its_workflow(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs
    ) -> None:
        entity_resolution.create_workflow("wf", output_s3_path=ROOT)
        entity_resolution.create_id_mapping_workflow("ids", output_s3_path=ROOT)
        job_id = er.start_matching_job("wf")
        entity_resolution.job("wf", job_id).succeed()
        ids_job = er.start_id_mapping_job("ids")
        entity_resolution.id_mapping_job("ids", ids_job).succeed()

        read = [
            er.get_matching_job("wf", job_id),
            er.wait_for_matching_job("wf", job_id, sleep=lambda _: None),
            *er.list_matching_jobs("wf"),
            *er.watch_matching_jobs([("wf", job_id)], sleep=lambda _: None),
        ]
        mapped = [er.get_id_mapping_job("ids", ids_job), *er.list_id_mapping_jobs("ids")]

        assert [job.workflow_name for job in read] == ["wf"] * 4
        assert [job.workflow_name for job in mapped] == ["ids"] * 2
        # Not a field: equality, model_dump() and JSON are the job's alone.
        assert "workflow_name" not in read[0].model_dump()
        assert read[0] == MatchingJob.model_validate(read[0].model_dump())


class TestJobsThatHaveNotSucceeded:
    def test_a_running_job_is_refused_naming_its_status_and_nothing_is_sent(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        entity_resolution.create_workflow("wf", output_s3_path=ROOT)
        entity_resolution.timeline = JobTimeline(queued_seconds=0, running_seconds=600)
        job = er.get_matching_job("wf", er.start_matching_job("wf"))
        requests = count_s3_requests(er)

        with pytest.raises(JobNotSucceededError, match="is RUNNING, not SUCCEEDED") as raised:
            er.get_job_output(job)

        assert raised.value.job is job
        assert isinstance(raised.value, InvalidInputError)
        assert requests == {}

    def test_with_partial_a_running_job_shows_what_it_has_written_so_far(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        entity_resolution.create_workflow("wf", output_s3_path=ROOT)
        entity_resolution.timeline = JobTimeline(queued_seconds=0, running_seconds=600)
        job = er.get_matching_job("wf", er.start_matching_job("wf"))

        empty = er.get_job_output(job, partial=True)
        put(s3, f"entity-resolution/wf/{job.job_id}/success/part-00000.csv", b"id\n1\n")
        so_far = er.get_job_output(job, partial=True)

        assert (empty.folder, empty.files, empty.status) == (None, (), JobStatus.RUNNING)
        assert [f.key[-20:] for f in so_far.success] == ["success/part-00000.csv"[-20:]]
        assert list(er.iter_output_records(so_far)) == [{"id": "1"}]

    def test_a_failed_jobs_error_files_can_be_read_with_partial(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        entity_resolution.create_workflow("wf", output_s3_path=ROOT)
        job_id = er.start_matching_job("wf")
        entity_resolution.job("wf", job_id).fail("bad input")
        job = er.get_matching_job("wf", job_id)
        put(
            s3,
            f"entity-resolution/wf/{job_id}/error/part-00000.csv",
            b"RecordId,ErrorReason\n7,x\n",
        )

        with pytest.raises(JobNotSucceededError, match="is FAILED"):
            er.get_job_output(job)
        output = er.get_job_output(job, partial=True)

        assert [row["RecordId"] for row in er.iter_output_records(output, errors=True)] == ["7"]


class TestReadingRecords:
    def test_the_records_agree_with_the_jobs_metrics(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        job = succeeded_matching_job(entity_resolution, er)
        output = er.get_job_output(job)

        records = list(er.iter_output_records(output))
        errors = list(er.iter_output_records(output, errors=True))

        assert len(records) == job.metrics.total_records_processed
        assert len({row["MatchID"] for row in records}) == job.metrics.match_ids
        assert len(errors) == job.metrics.records_not_processed
        assert all(row["ErrorReason"] for row in errors)

    def test_gzip_parts_are_read_as_they_stream(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs
    ) -> None:
        job = succeeded_matching_job(entity_resolution, er)
        s3 = bucket_now()
        folder = f"entity-resolution/wf/{job.job_id}/success/"
        rows = "".join(f"{i},m{i % 7}\n" for i in range(20_000))
        put(s3, f"{folder}part-00000.csv.gz", gzip.compress(f"RecordId,MatchID\n{rows}".encode()))
        put(s3, f"{folder}part-00001.csv", b"RecordId,MatchID\nlast,m0\n")

        records = list(er.iter_output_records(er.get_job_output(job)))

        assert len(records) == 20_001
        assert records[0] == {"RecordId": "0", "MatchID": "m0"}
        assert records[-1] == {"RecordId": "last", "MatchID": "m0"}

    def test_an_unreadable_part_is_an_error_naming_its_key_and_the_listing_still_works(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs
    ) -> None:
        job = succeeded_matching_job(entity_resolution, er)
        s3 = bucket_now()
        key = f"entity-resolution/wf/{job.job_id}/success/part-00000.parquet"
        put(s3, key, b"PAR1\x15\x04\x15\x00\x15\x00" + b"\x00" * 64)

        output = er.get_job_output(job)
        records = er.iter_output_records(output)

        assert [f.key for f in output.success] == [key]
        with pytest.raises(ResponseError, match=f"output part {key} is Parquet, not CSV"):
            next(records)

    def test_a_part_deleted_after_the_listing_is_not_found_naming_it(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        output = er.get_job_output(succeeded_matching_job(entity_resolution, er))
        s3.delete_object(Bucket=BUCKET, Key=output.success[0].key)

        with pytest.raises(ResourceNotFoundError, match=output.success[0].s3_uri) as raised:
            next(er.iter_output_records(output))

        assert raised.value.code == "NoSuchKey"

    def test_anything_but_a_job_output_is_refused_before_any_request(
        self, er: EntityResolutionJobs
    ) -> None:
        with pytest.raises(InvalidInputError, match="output must be a JobOutput"):
            er.iter_output_records({"success": []})  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError, match="job must be a MatchingJob or IdMappingJob"):
            er.get_job_output("0123456789abcdef0123456789abcdef")  # type: ignore[arg-type]

    def test_a_job_output_reads_back_from_its_model_dump_and_json(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        # As an Airflow task hands it to the next through XCom: computed
        # fields (total_size, s3_uri, ...) are written, and ignored on reading.
        output = er.get_job_output(succeeded_matching_job(entity_resolution, er))

        assert "total_size" in output.model_dump()
        assert JobOutput.model_validate(output.model_dump()) == output
        assert JobOutput.model_validate_json(output.model_dump_json()) == output

    def test_a_job_output_holds_only_files_in_the_jobs_folder(self) -> None:
        folder = f"{ROOT}{OTHER_JOB}/"
        outside = {
            "bucket": BUCKET,
            "key": "entity-resolution/secrets.csv",
            "size": 1,
            "last_modified": "2026-12-01T00:00:00Z",
        }

        with pytest.raises(ValidationError, match="is not in"):
            JobOutput(
                job_id=OTHER_JOB,
                status=JobStatus.SUCCEEDED,
                folder=folder,
                success=(outside,),
            )


class TestS3Errors:
    def test_a_missing_bucket_is_resource_not_found_naming_it(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs
    ) -> None:
        job = succeeded_matching_job(entity_resolution, er, path="s3://no-such-bucket/out/")
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)

        with pytest.raises(ResourceNotFoundError, match="s3://no-such-bucket/out/") as raised:
            er.get_job_output(job)

        assert raised.value.code == "NoSuchBucket"
        assert raised.value.http_status == 404

    def test_a_bucket_the_credentials_may_not_read_is_access_denied_naming_it(
        self, entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any
    ) -> None:
        job = succeeded_matching_job(entity_resolution, er)
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_user(UserName="reader")
        policy = {"Effect": "Allow", "Action": "entityresolution:*", "Resource": "*"}
        iam.put_user_policy(
            UserName="reader",
            PolicyName="no-s3",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [policy]}),
        )
        key = iam.create_access_key(UserName="reader")["AccessKey"]
        session = boto3.session.Session(
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
            region_name="us-east-1",
        )
        reader = EntityResolutionJobs(session=session)

        with enable_iam_authentication(), pytest.raises(AccessDeniedError) as raised:
            reader.get_job_output(job)

        assert f"s3://{BUCKET}/entity-resolution/" in str(raised.value)
        assert raised.value.code == "AccessDenied"
        assert key["SecretAccessKey"] not in str(raised.value)


class TestDownloading:
    def test_the_parts_are_written_below_the_folder_as_they_sit_in_the_job_folder(
        self,
        entity_resolution: EntityResolutionMock,
        er: EntityResolutionJobs,
        s3: Any,
        tmp_path: Path,
    ) -> None:
        output = er.get_job_output(succeeded_matching_job(entity_resolution, er))
        progress: list[tuple[str, int]] = []

        paths = er.download_job_output(
            output, tmp_path / "out", on_progress=lambda f, n: progress.append((f.key, n))
        )

        assert [p.relative_to(tmp_path / "out").as_posix() for p in paths] == [
            "success/part-00000.csv",
            "success/part-00001.csv",
            "success/part-00002.csv",
            "error/part-00000.csv",
        ]
        for part, path in zip(output.files, paths, strict=True):
            body = s3.get_object(Bucket=BUCKET, Key=part.key)["Body"].read()
            assert path.read_bytes() == body
        assert sum(n for _, n in progress) == output.total_size
        assert not list((tmp_path / "out").rglob("*.download"))

    def test_files_already_there_with_the_same_size_are_not_fetched_again(
        self,
        entity_resolution: EntityResolutionMock,
        er: EntityResolutionJobs,
        s3: Any,
        tmp_path: Path,
    ) -> None:
        output = er.get_job_output(succeeded_matching_job(entity_resolution, er))
        paths = er.download_job_output(output, tmp_path)
        paths[0].write_bytes(b"short")  # a different size: fetched again
        requests = count_s3_requests(er)
        progress: list[tuple[str, int]] = []

        er.download_job_output(
            output, tmp_path, on_progress=lambda f, n: progress.append((f.key, n))
        )

        assert requests == {"GetObject": 1}
        assert paths[0].stat().st_size == output.success[0].size
        assert sum(n for _, n in progress) == output.total_size  # skipped files count whole

    def test_a_key_that_would_leave_the_folder_is_refused(
        self,
        entity_resolution: EntityResolutionMock,
        er: EntityResolutionJobs,
        tmp_path: Path,
    ) -> None:
        job = succeeded_matching_job(entity_resolution, er)
        s3 = bucket_now()
        put(s3, f"entity-resolution/wf/{job.job_id}/success/../../../escape.csv", b"id\n1\n")
        output = er.get_job_output(job)

        with pytest.raises(ResponseError, match="no local path"):
            er.download_job_output(output, tmp_path / "out")

        assert not (tmp_path / "escape.csv").exists()
        assert not list(tmp_path.rglob("*.csv"))
