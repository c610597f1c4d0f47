"""AsyncEntityResolutionJobs end to end over real HTTP against the moto server."""

from __future__ import annotations

import asyncio
import gc
import logging
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from aiobotocore.session import get_session

from entityresolution_jobs import (
    AsyncEntityResolutionJobs,
    ConflictError,
    IdMappingJob,
    IdMappingJobFailedError,
    IdMappingJobType,
    IdMappingJobWaitTimeoutError,
    InvalidInputError,
    JobFailedError,
    JobStatus,
    MatchingJob,
    OutputSource,
    ResourceNotFoundError,
    ThrottlingError,
    WaitTimeoutError,
)
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

from .support import JOB_ID, JOB_TYPE_SENDABLE, if_modelled, sending_job_type

WORKFLOW = "customers"
T = TypeVar("T")


def run(coroutine: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await coroutine()

    return asyncio.run(main())


@pytest.fixture
def server(moto_server: str) -> str:
    return moto_server


@pytest.fixture
def fake(server: str) -> EntityResolutionMock:
    controls = EntityResolutionMock()
    controls.create_workflow(WORKFLOW)
    return controls


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """aiobotocore's retry backoff, shortened to nothing: the attempts still happen."""
    real_sleep = asyncio.sleep

    async def no_backoff(_seconds: float, *args: Any) -> None:
        await real_sleep(0)

    monkeypatch.setattr("aiobotocore.endpoint.asyncio.sleep", no_backoff)


def test_get_start_and_list_over_http(server: str, fake: EntityResolutionMock) -> None:
    async def scenario() -> tuple[str, MatchingJob, list[str]]:
        async with AsyncEntityResolutionJobs(endpoint_url=server) as er:
            job_id = await er.start_matching_job(WORKFLOW)
            fake.job(WORKFLOW, job_id).succeed(match_ids=9)
            job = await er.get_matching_job(WORKFLOW, job_id)
            listed = [summary.job_id async for summary in er.list_matching_jobs(WORKFLOW)]
            return job_id, job, listed

    job_id, job, listed = run(scenario)

    assert job.status is JobStatus.SUCCEEDED
    assert job.metrics.match_ids == 9
    assert listed == [job_id]


def test_list_walks_every_page(server: str, fake: EntityResolutionMock) -> None:
    started = []
    for _ in range(30):
        job = fake.backend.start_matching_job(WORKFLOW)
        fake.job(WORKFLOW, job.job_id).succeed()
        started.append(job.job_id)

    async def scenario() -> list[str]:
        async with AsyncEntityResolutionJobs(endpoint_url=server) as er:
            return [summary.job_id async for summary in er.list_matching_jobs(WORKFLOW)]

    assert run(scenario) == started


def test_wait_follows_the_job_to_success(server: str, fake: EntityResolutionMock) -> None:
    fake.timeline = JobTimeline(queued_seconds=0.05, running_seconds=0.2)
    seen: list[JobStatus] = []

    async def scenario() -> MatchingJob:
        async with AsyncEntityResolutionJobs(endpoint_url=server) as er:
            job_id = await er.start_matching_job(WORKFLOW)
            return await er.wait_for_matching_job(
                WORKFLOW,
                job_id,
                on_update=lambda job: seen.append(job.status),
                min_delay=0.01,
                max_delay=0.02,
            )

    job = run(scenario)

    assert job.status is JobStatus.SUCCEEDED
    assert seen[-1] is JobStatus.SUCCEEDED
    assert JobStatus.RUNNING in seen


def test_watch_yields_the_failed_state_and_wait_raises(
    server: str, fake: EntityResolutionMock
) -> None:
    job_id = fake.backend.start_matching_job(WORKFLOW).job_id
    fake.job(WORKFLOW, job_id).fail("bad schema")

    async def scenario() -> list[JobStatus]:
        async with AsyncEntityResolutionJobs(endpoint_url=server) as er:
            states = [
                job.status
                async for job in er.watch_matching_job(
                    WORKFLOW, job_id, min_delay=0.01, max_delay=0.02
                )
            ]
            with pytest.raises(JobFailedError, match="bad schema"):
                await er.wait_for_matching_job(WORKFLOW, job_id, min_delay=0.01, max_delay=0.02)
            return states

    assert run(scenario) == [JobStatus.FAILED]


def test_throttling_mid_wait_is_ridden_out(
    server: str, fake: EntityResolutionMock, quick_retries: None
) -> None:
    job_id = fake.backend.start_matching_job(WORKFLOW).job_id
    fake.job(WORKFLOW, job_id).set("RUNNING", input_records=10, processed=1)
    updates: list[str] = []

    def on_update(job: MatchingJob) -> None:
        updates.append(job.raw_status)
        if len(updates) == 1:  # throttle every attempt of the next poll, then finish
            fake.inject_fault("GetMatchingJob", "ThrottlingException", times=3)
            fake.job(WORKFLOW, job_id).succeed()

    async def scenario() -> MatchingJob:
        async with AsyncEntityResolutionJobs(endpoint_url=server) as er:
            return await er.wait_for_matching_job(
                WORKFLOW, job_id, on_update=on_update, min_delay=0.01, max_delay=0.02
            )

    assert run(scenario).status is JobStatus.SUCCEEDED
    assert updates == ["RUNNING", "SUCCEEDED"]
    assert not fake.backend.faults["GetMatchingJob"]


def test_throttling_on_a_plain_call_is_translated(
    server: str, fake: EntityResolutionMock, quick_retries: None
) -> None:
    job_id = fake.backend.start_matching_job(WORKFLOW).job_id
    fake.inject_fault("GetMatchingJob", "ThrottlingException", times=3)

    async def scenario() -> None:
        async with AsyncEntityResolutionJobs(endpoint_url=server) as er:
            await er.get_matching_job(WORKFLOW, job_id)

    with pytest.raises(ThrottlingError):
        run(scenario)


def test_errors_are_the_sync_classes(server: str, fake: EntityResolutionMock) -> None:
    async def scenario() -> None:
        async with AsyncEntityResolutionJobs(endpoint_url=server) as er:
            with pytest.raises(ResourceNotFoundError) as caught:
                await er.get_matching_job(WORKFLOW, JOB_ID)
            assert caught.value.request_id
            with pytest.raises(InvalidInputError):
                await er.get_matching_job("a/b", JOB_ID)
            with pytest.raises(InvalidInputError):
                [job async for job in er.list_matching_jobs("a/b")]
            await er.start_matching_job(WORKFLOW)
            with pytest.raises(ConflictError):
                await er.start_matching_job(WORKFLOW)
            with pytest.raises(WaitTimeoutError):
                await er.wait_for_matching_job(WORKFLOW, fake.jobs(WORKFLOW)[0].job_id, timeout=0)

    run(scenario)


def test_id_mapping_jobs_start_list_and_wait_over_http(server: str) -> None:
    fake = EntityResolutionMock()
    fake.timeline = JobTimeline(queued_seconds=0.05, running_seconds=0.2, mapped_records=40)
    arn = fake.create_id_mapping_workflow("customer-ids")
    output = OutputSource(
        role_arn="arn:aws:iam::123456789012:role/er-ids", output_s3_path="s3://bkt1/o"
    )

    async def scenario() -> tuple[str, IdMappingJob, list[str], list[JobStatus]]:
        async with AsyncEntityResolutionJobs(endpoint_url=server) as er:
            if JOB_TYPE_SENDABLE:
                job_id = await er.start_id_mapping_job(
                    arn, job_type=IdMappingJobType.INCREMENTAL, output_source=output
                )
            else:
                with sending_job_type():
                    await er.start_id_mapping_job(arn, job_type=IdMappingJobType.INCREMENTAL)
                job_id = await er.start_id_mapping_job(arn, output_source=output)
            listed = [summary.job_id async for summary in er.list_id_mapping_jobs(arn)]
            seen = [
                job.status
                async for job in er.watch_id_mapping_job(
                    arn, job_id, min_delay=0.01, max_delay=0.02
                )
            ]
            await er.wait_for_id_mapping_job("customer-ids", job_id, min_delay=0.01)
            job = await er.get_id_mapping_job(arn, job_id)
            return job_id, job, listed, seen

    job_id, job, listed, seen = run(scenario)

    assert listed == [job_id]
    assert seen[-1] is JobStatus.SUCCEEDED
    assert JobStatus.RUNNING in seen
    assert job.metrics.total_mapped_records == 40
    assert job.job_type == if_modelled(
        IdMappingJobType.INCREMENTAL, "GetIdMappingJobOutput", "jobType"
    )
    assert job.output_source == output


def test_id_mapping_waits_raise_their_kinds_errors(server: str) -> None:
    fake = EntityResolutionMock()
    fake.create_id_mapping_workflow("customer-ids")
    failed = fake.backend.start_id_mapping_job("customer-ids").job_id
    fake.id_mapping_job("customer-ids", failed).fail("provider down")
    fake.create_id_mapping_workflow("slow-ids")
    slow = fake.backend.start_id_mapping_job("slow-ids").job_id
    fake.id_mapping_job("slow-ids", slow).set("RUNNING")

    async def scenario() -> None:
        async with AsyncEntityResolutionJobs(endpoint_url=server) as er:
            with pytest.raises(IdMappingJobFailedError, match="provider down") as caught:
                await er.wait_for_id_mapping_job("customer-ids", failed)
            assert isinstance(caught.value.job, IdMappingJob)
            with pytest.raises(IdMappingJobWaitTimeoutError):
                await er.wait_for_id_mapping_job("slow-ids", slow, timeout=0)
            with pytest.raises(InvalidInputError, match="job_type"):
                await er.start_id_mapping_job("slow-ids", job_type=IdMappingJobType.UNKNOWN)
            with pytest.raises(InvalidInputError, match="workflow_name"):
                [job async for job in er.list_id_mapping_jobs("")]

    run(scenario)


def test_invalid_wait_settings_fail_before_any_request(server: str) -> None:
    er = AsyncEntityResolutionJobs(endpoint_url=server)

    with pytest.raises(InvalidInputError, match="min_delay"):
        er.watch_matching_job(WORKFLOW, JOB_ID, min_delay=0)


def test_a_cancelled_wait_stops_cleanly_and_leaves_nothing_open(
    server: str, fake: EntityResolutionMock, caplog: pytest.LogCaptureFixture
) -> None:
    job_id = fake.backend.start_matching_job(WORKFLOW).job_id
    fake.job(WORKFLOW, job_id).set("RUNNING")
    polls: list[str] = []

    async def scenario() -> None:
        async with AsyncEntityResolutionJobs(endpoint_url=server) as er:
            task = asyncio.create_task(
                er.wait_for_matching_job(
                    WORKFLOW,
                    job_id,
                    on_update=lambda job: polls.append(job.raw_status),
                    min_delay=0.01,
                    max_delay=0.02,
                )
            )
            while len(polls) < 3:
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    with caplog.at_level(logging.DEBUG, logger="asyncio"):
        run(scenario)
        gc.collect()

    assert len(polls) >= 3
    assert not [r for r in caplog.records if "Unclosed" in r.getMessage()]


def test_a_client_passed_in_is_used_and_left_open(server: str, fake: EntityResolutionMock) -> None:
    async def scenario() -> bool:
        async with get_session().create_client("entityresolution", endpoint_url=server) as client:
            er = AsyncEntityResolutionJobs(client)
            async with er:
                assert [j async for j in er.list_matching_jobs(WORKFLOW)] == []
            # still usable after the facade closed
            reply = await client.list_matching_jobs(workflowName=WORKFLOW)
            return reply["jobs"] == []

    assert run(scenario)


def test_a_built_client_retries_in_standard_mode(server: str) -> None:
    async def scenario() -> dict[str, Any]:
        async with AsyncEntityResolutionJobs(endpoint_url=server) as er:
            connection = er._connection
            assert connection is not None
            return dict(connection.client.meta.config.retries)  # type: ignore[attr-defined]

    assert run(scenario)["mode"] == "standard"


def test_the_repr_names_region_and_endpoint(server: str) -> None:
    er = AsyncEntityResolutionJobs(region_name="eu-west-1", endpoint_url=server)

    assert (
        repr(er) == f"AsyncEntityResolutionJobs(region_name='eu-west-1', endpoint_url='{server}')"
    )


def test_combining_a_client_with_arguments_is_refused(server: str) -> None:
    async def scenario() -> None:
        async with get_session().create_client("entityresolution", endpoint_url=server) as client:
            with pytest.raises(TypeError, match="either client="):
                AsyncEntityResolutionJobs(client, region_name="us-east-1")

    run(scenario)
    with pytest.raises(TypeError, match="session= or profile_name="):
        AsyncEntityResolutionJobs(session=get_session(), profile_name="x")


def test_without_aiobotocore_the_class_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)

    with pytest.raises(ImportError, match=r"entityresolution-jobs\[async\]"):
        AsyncEntityResolutionJobs()


def test_the_package_imports_without_aiobotocore() -> None:
    code = (
        "import sys; sys.modules['aiobotocore'] = None;"
        "import entityresolution_jobs as e; print(e.EntityResolutionJobs.__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout

    assert out.strip() == "EntityResolutionJobs"
