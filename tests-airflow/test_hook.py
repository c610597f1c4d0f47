"""EntityResolutionHook: this library's clients, from what an Airflow AWS connection says."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from conftest import REGION, WORKFLOW
from entityresolution_jobs import EntityResolutionJobs, JobStatus, ResourceNotFoundError
from entityresolution_jobs.airflow import EntityResolutionHook
from entityresolution_jobs.testing import EntityResolutionMock


def test_the_client_uses_the_connections_region_and_endpoint(
    service: EntityResolutionMock, fake_service_url: str
) -> None:
    jobs = EntityResolutionHook(aws_conn_id="aws_default").jobs

    assert isinstance(jobs, EntityResolutionJobs)
    assert (
        repr(jobs)
        == f"EntityResolutionJobs(region_name={REGION!r}, endpoint_url={fake_service_url!r})"
    )
    # The workflow exists in the connection's region of the fake only.
    job_id = jobs.start_matching_job(WORKFLOW)
    assert jobs.get_matching_job(WORKFLOW, job_id).job_id == job_id


def test_a_region_given_to_the_hook_wins_over_the_connections(
    service: EntityResolutionMock,
) -> None:
    jobs = EntityResolutionHook(region_name="us-east-1").jobs

    assert jobs.client.meta.region_name == "us-east-1"
    with pytest.raises(ResourceNotFoundError):
        jobs.start_matching_job(WORKFLOW)


def test_verify_and_the_botocore_config_reach_the_client(service: EntityResolutionMock) -> None:
    client: Any = EntityResolutionHook(verify=False, config={"read_timeout": 7}).jobs.client

    assert client.meta.config.read_timeout == 7
    assert client._endpoint.http_session._verify is False


def test_the_connection_can_assume_a_role(
    service: EntityResolutionMock, fake_service_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection = {
        "conn_type": "aws",
        "login": "testing",
        "password": "testing",
        "extra": {
            "region_name": REGION,
            "endpoint_url": fake_service_url,
            # The provider never sends AssumeRole to endpoint_url: STS is named apart.
            "service_config": {"sts": {"endpoint_url": fake_service_url}},
            "role_arn": "arn:aws:iam::123456789012:role/airflow",
        },
    }
    monkeypatch.setenv("AIRFLOW_CONN_ROLE", json.dumps(connection))

    jobs = EntityResolutionHook(aws_conn_id="role").jobs
    job_id = jobs.start_matching_job(WORKFLOW)

    client: Any = jobs.client
    credentials = client._request_signer._credentials.get_frozen_credentials()
    assert credentials.access_key != "testing"  # the assumed role's, from STS
    assert jobs.get_matching_job(WORKFLOW, job_id).status in set(JobStatus)


def test_the_async_client_uses_the_connection_too(service: EntityResolutionMock) -> None:
    job_id = EntityResolutionHook().jobs.start_matching_job(WORKFLOW)

    async def fetch() -> str:
        async with EntityResolutionHook().async_jobs() as jobs:
            return (await jobs.get_matching_job(WORKFLOW, job_id)).job_id

    assert asyncio.run(fetch()) == job_id


def test_credentials_do_not_appear_in_the_clients_repr(service: EntityResolutionMock) -> None:
    assert "testing" not in repr(EntityResolutionHook().jobs)
