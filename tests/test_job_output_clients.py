"""The S3 client that reads a job's output, and the async shell reading it over HTTP."""

from __future__ import annotations

import asyncio
import gzip
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import boto3
import pytest
from aiobotocore.session import get_session
from botocore.config import Config

from entityresolution_jobs import (
    AsyncEntityResolutionJobs,
    ConfigurationError,
    EntityResolutionJobs,
    JobNotSucceededError,
    MatchingJob,
    OutputNotInS3Error,
    ResourceNotFoundError,
    ResponseError,
)
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

BUCKET = "er-output"
ROOT = f"s3://{BUCKET}/entity-resolution/"


class TestTheDockerComposeEnvironment:
    """The settings testing.md's docker-compose example gives the app's container."""

    ENDPOINT = "http://entityresolution:4566"

    def test_one_endpoint_serves_entity_resolution_and_s3_by_path(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("AWS_ENDPOINT_URL", self.ENDPOINT)
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        er = EntityResolutionJobs()

        s3 = er._s3()
        url = s3.generate_presigned_url("get_object", Params={"Bucket": "out", "Key": "k"})

        assert er.client.meta.endpoint_url == self.ENDPOINT
        assert url.startswith(f"{self.ENDPOINT}/out/k?")  # no out.entityresolution host

    def test_without_aws_default_region_boto3_has_no_region(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("AWS_ENDPOINT_URL", self.ENDPOINT)
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        monkeypatch.delenv("AWS_DEFAULT_REGION")

        with pytest.raises(ConfigurationError, match="region"):
            EntityResolutionJobs().get_matching_job("customers", "0" * 32)


class TestTheS3Client:
    def test_it_is_built_from_the_same_session_region_and_retry_settings(self) -> None:
        session = boto3.session.Session(
            aws_access_key_id="AKIASESSIONKEY", aws_secret_access_key="s", region_name="eu-west-1"
        )
        er = EntityResolutionJobs(session=session, config=Config(retries={"max_attempts": 7}))

        s3 = er._s3()

        assert s3.meta.service_model.service_name == "s3"
        assert s3.meta.region_name == "eu-west-1"
        assert s3._request_signer._credentials.access_key == "AKIASESSIONKEY"
        retries: dict[str, object] = getattr(s3.meta.config, "retries", None) or {}
        assert retries == getattr(er.client.meta.config, "retries", None)
        assert retries["mode"] == "standard"
        assert er._s3() is s3  # built once

    def test_it_follows_the_environments_s3_endpoint_not_the_entity_resolution_one(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
        er = EntityResolutionJobs(endpoint_url="http://127.0.0.1:8")

        assert er._s3().meta.endpoint_url == "http://127.0.0.1:9"
        assert er.client.meta.endpoint_url == "http://127.0.0.1:8"

    def test_beside_a_client_passed_in_it_takes_that_clients_region_and_config(self) -> None:
        client = boto3.client(
            "entityresolution", region_name="ap-south-1", config=Config(connect_timeout=3)
        )
        er = EntityResolutionJobs(client)

        s3 = er._s3()

        assert s3.meta.region_name == "ap-south-1"
        assert s3.meta.config.connect_timeout == 3

    def test_an_s3_client_passed_in_is_used_as_it_is_and_left_open(self) -> None:
        s3 = boto3.client("s3", region_name="us-west-2")
        er = EntityResolutionJobs(s3_client=s3)

        er.close()

        assert er._s3() is s3

    def test_an_s3_client_of_another_service_is_refused(self) -> None:
        with pytest.raises(TypeError, match="expected an 's3' client"):
            EntityResolutionJobs(s3_client=boto3.client("entityresolution"))

    def test_nothing_of_the_output_feature_loads_until_it_is_used(self) -> None:
        code = """
            import sys
            from botocore.stub import Stubber
            from entityresolution_jobs import EntityResolutionJobs

            er = EntityResolutionJobs(region_name="us-east-1")
            with Stubber(er.client) as stub:
                stub.add_response("get_matching_job", {
                    "jobId": "0123456789abcdef0123456789abcdef", "status": "RUNNING",
                    "startTime": 0,
                })
                er.get_matching_job("wf", "0123456789abcdef0123456789abcdef")
            loaded = [m for m in ("entityresolution_jobs._output", "entityresolution_jobs._records")
                      if m in sys.modules]
            print(loaded, er._s3_client)
        """
        ran = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            capture_output=True,
            text=True,
            check=True,
        )

        assert ran.stdout.strip() == "[] None"


@pytest.fixture
def over_http(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """moto's server, S3 included, reached as AWS_ENDPOINT_URL_S3 says."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_server)
    boto3.client("s3", endpoint_url=moto_server).create_bucket(Bucket=BUCKET)
    return moto_server


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


class TestTheAsyncShell:
    def test_a_matching_jobs_output_is_found_and_its_records_streamed(self, over_http: str) -> None:
        fake = EntityResolutionMock()
        fake.create_workflow("wf", output_s3_path=ROOT)

        async def main() -> tuple[Any, Any, list[dict[str, str]], list[dict[str, str]]]:
            async with AsyncEntityResolutionJobs(endpoint_url=over_http) as er:
                job_id = await er.start_matching_job("wf")
                fake.job("wf", job_id).succeed()
                job = await er.get_matching_job("wf", job_id)
                output = await er.get_job_output(job)
                records = [row async for row in er.iter_output_records(output)]
                errors = [row async for row in er.iter_output_records(output, errors=True)]
                return job, output, records, errors

        job, output, records, errors = run(main())

        assert output.folder == f"{ROOT}wf/{job.job_id}/"
        assert [f.key[-22:] for f in output.success] == [
            f"success/part-0000{i}.csv" for i in range(3)
        ]
        assert len(records) == job.metrics.total_records_processed
        assert len(errors) == job.metrics.records_not_processed

    def test_an_id_mapping_jobs_output_one_level_deeper_with_gzip_parts(
        self, over_http: str, tmp_path: Path
    ) -> None:
        fake = EntityResolutionMock()
        fake.create_id_mapping_workflow("ids", output_s3_path="s3://nested-output/er/")
        s3 = boto3.client("s3", endpoint_url=over_http)
        progress: list[int] = []

        async def main() -> tuple[Any, list[dict[str, str]], list[Path]]:
            async with AsyncEntityResolutionJobs(endpoint_url=over_http) as er:
                job_id = await er.start_id_mapping_job("ids")
                fake.id_mapping_job("ids", job_id).succeed()
                # Read before its bucket exists, so the fake writes nothing:
                # the files are laid out by hand, a folder per workflow.
                job = await er.get_id_mapping_job("ids", job_id)
                s3.create_bucket(Bucket="nested-output")
                rows = "".join(f"r{i},t{i}\n" for i in range(5_000)).encode()
                s3.put_object(
                    Bucket="nested-output",
                    Key=f"er/ids/{job_id}/success/part-00000.csv.gz",
                    Body=gzip.compress(b"RecordId,MappedRecordId\n" + rows),
                )
                output = await er.get_job_output(job)
                records = [row async for row in er.iter_output_records(output)]
                paths = await er.download_job_output(
                    output, tmp_path, on_progress=lambda _f, n: progress.append(n)
                )
                again = await er.download_job_output(output, tmp_path)  # there: skipped
                assert again == paths
                return output, records, paths

        output, records, paths = run(main())

        assert output.folder == f"s3://nested-output/er/ids/{output.job_id}/"
        assert len(records) == 5_000
        assert records[-1] == {"RecordId": "r4999", "MappedRecordId": "t4999"}
        assert [p.relative_to(tmp_path).as_posix() for p in paths] == ["success/part-00000.csv.gz"]
        assert sum(progress) == output.total_size == paths[0].stat().st_size

    def test_a_reply_without_a_location_reads_the_workflows_and_customer_profiles_is_refused(
        self, over_http: str
    ) -> None:
        fake = EntityResolutionMock()
        fake.create_workflow("wf", output_s3_path=ROOT)
        fake.create_workflow("profiles", output_s3_path="")
        boto3.client("s3", endpoint_url=over_http).create_bucket(Bucket=BUCKET)

        async def main() -> tuple[Any, Any]:
            async with AsyncEntityResolutionJobs(endpoint_url=over_http) as er:
                job_id = await er.start_matching_job("wf")
                fake.job("wf", job_id).succeed()
                read = await er.get_matching_job("wf", job_id)
                # Built from JSON without its location: the workflow's is read.
                bare = MatchingJob.model_validate({**read.model_dump(), "output_sources": ()})
                output = await er.get_job_output(bare, workflow_name="wf")
                profiles_id = await er.start_matching_job("profiles")
                fake.job("profiles", profiles_id).succeed()
                profiles = await er.get_matching_job("profiles", profiles_id)
                with pytest.raises(OutputNotInS3Error, match="Customer Profiles"):
                    await er.get_job_output(profiles)
                return read, output

        read, output = run(main())

        assert output.folder == f"{ROOT}wf/{read.job_id}/"
        assert output.total_files == 4

    def test_errors_are_the_sync_shells(self, over_http: str) -> None:
        fake = EntityResolutionMock()
        fake.create_workflow("wf", output_s3_path="s3://no-such-bucket/out/")
        fake.create_workflow("slow", output_s3_path=ROOT)
        fake.timeline = JobTimeline(queued_seconds=0, running_seconds=600)

        async def main() -> None:
            async with AsyncEntityResolutionJobs(endpoint_url=over_http) as er:
                running = await er.get_matching_job("slow", await er.start_matching_job("slow"))
                with pytest.raises(JobNotSucceededError, match="RUNNING"):
                    await er.get_job_output(running)
                job_id = await er.start_matching_job("wf")
                fake.job("wf", job_id).succeed()
                job = await er.get_matching_job("wf", job_id)
                with pytest.raises(ResourceNotFoundError, match="s3://no-such-bucket/out/"):
                    await er.get_job_output(job)

        run(main())

    def test_an_unreadable_part_is_an_error_naming_its_key(self, over_http: str) -> None:
        fake = EntityResolutionMock()
        fake.create_workflow("wf", output_s3_path=ROOT)
        s3 = boto3.client("s3", endpoint_url=over_http)

        async def main() -> None:
            async with AsyncEntityResolutionJobs(endpoint_url=over_http) as er:
                job_id = await er.start_matching_job("wf")
                fake.job("wf", job_id).succeed()
                output = await er.get_job_output(await er.get_matching_job("wf", job_id))
                key = output.success[0].key
                s3.put_object(Bucket=BUCKET, Key=key, Body=b"Obj\x01avro-data")
                with pytest.raises(ResponseError, match=f"{key} is Avro, not CSV"):
                    _ = [row async for row in er.iter_output_records(output)]

        run(main())

    def test_beside_a_client_passed_in_one_is_built_in_its_region(self, over_http: str) -> None:
        async def main() -> tuple[str, str]:
            session = get_session()
            async with session.create_client(
                "entityresolution", region_name="eu-west-1", endpoint_url=over_http
            ) as client:
                er = AsyncEntityResolutionJobs(client)
                s3 = await er._s3()
                region, endpoint = s3.meta.region_name, s3.meta.endpoint_url
                await er.aclose()
                return region, endpoint

        assert run(main()) == ("eu-west-1", over_http)

    def test_an_s3_client_passed_in_is_used_and_left_open(self, over_http: str) -> None:
        fake = EntityResolutionMock()
        fake.create_workflow("wf", output_s3_path=ROOT)

        async def main() -> int:
            async with get_session().create_client("s3", endpoint_url=over_http) as s3:
                async with AsyncEntityResolutionJobs(endpoint_url=over_http, s3_client=s3) as er:
                    job_id = await er.start_matching_job("wf")
                    fake.job("wf", job_id).succeed()
                    output = await er.get_job_output(await er.get_matching_job("wf", job_id))
                    assert await er._s3() is s3
                listed = await s3.list_objects_v2(Bucket=BUCKET)  # still open
                return output.total_files + 0 * len(listed)

        assert run(main()) == 4


def test_closing_closes_the_s3_client_it_built_and_the_next_use_builds_another() -> None:
    er = EntityResolutionJobs(region_name="us-east-1")
    first = er._s3()

    er.close()

    assert er._s3_client is None
    assert er._s3() is not first
