"""EntityResolutionHook: this library's clients, built from an Airflow AWS connection."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

from .._aio import AsyncEntityResolutionJobs
from .._client import EntityResolutionJobs
from ._compat import async_client_context
from ._shared_clients import RequestBudget

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Callable

    from botocore.client import BaseClient


class _ConnectionJobs(EntityResolutionJobs):
    """The hook's client: reading output builds S3 from the connection too, on first use."""

    def __init__(self, client: BaseClient, s3_client: Callable[[], BaseClient]) -> None:
        super().__init__(client=client)
        self._connection_s3_client = s3_client

    def _build_s3_client(self, er: BaseClient) -> BaseClient:
        return self._connection_s3_client()


class _AsyncConnectionJobs(AsyncEntityResolutionJobs):
    """The hook's async client: S3 from the connection too, opened on first use."""

    def __init__(
        self,
        client: BaseClient,
        s3_client: Callable[[], AbstractAsyncContextManager[BaseClient]],
    ) -> None:
        super().__init__(client=client)
        self._connection_s3_client = s3_client

    def _s3_client_context(self, er: BaseClient) -> AbstractAsyncContextManager[BaseClient]:
        return self._connection_s3_client()


class EntityResolutionHook(AwsBaseHook):
    """An Amazon provider AWS hook that hands out this library's clients.

    Everything an Airflow AWS connection can say applies: credentials,
    role assumption, ``region_name``, the ``endpoint_url`` (or a
    service-specific one), ``verify`` and the botocore ``config``, read by
    the provider's `AwsBaseHook`. Retries follow that botocore configuration
    (``config_kwargs`` in the connection's extra, or ``AWS_RETRY_MODE``), as
    for every provider hook; waits ride out throttling and 5xx on top.

    Reading a job's output (``get_job_output``, ``iter_output_records``,
    ``download_job_output``) uses an S3 client built from the same
    connection, on first use: its credentials, region, ``verify``, config
    and S3 endpoint (the connection's ``service_config`` for ``s3``, else
    its ``endpoint_url``), never the worker's own AWS identity.

    Args:
        *args: Passed to `AwsBaseHook` (``aws_conn_id``, ``region_name``,
            ``verify``, ``config``); ``client_type`` is always
            ``entityresolution``.
        **kwargs: As ``*args``.

    Example:
        ```python
        hook = EntityResolutionHook(aws_conn_id="aws_default", region_name="eu-west-1")
        job = hook.jobs.get_matching_job("customers", job_id)
        output = hook.jobs.get_job_output(job)  # S3 with the same connection

        async with hook.async_jobs() as jobs:  # in a trigger
            job = await jobs.wait_for_matching_job("customers", job_id)
        ```
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["client_type"] = "entityresolution"
        super().__init__(*args, **kwargs)

    @cached_property
    def jobs(self) -> EntityResolutionJobs:
        """A client on the connection's boto3 ``entityresolution`` client (built once)."""
        return _ConnectionJobs(cast("BaseClient", self.conn), self.s3_client)

    def s3_client(self) -> BaseClient:
        """A new boto3 ``s3`` client from the connection, as the provider builds its own clients."""
        # boto3-stubs types client("s3") only with its s3 extra: the session is untyped here.
        session: Any = self.get_session(region_name=self.region_name)
        return cast("BaseClient", session.client("s3", **self._s3_settings()))

    def async_s3_client(self) -> AbstractAsyncContextManager[BaseClient]:
        """A new aiobotocore ``s3`` client from the connection, to open with ``async with``."""
        # The provider hands out aiobotocore's session for deferrable=True; it leaves it untyped.
        session: Any = self.get_session(region_name=self.region_name, deferrable=True)
        return cast(
            "AbstractAsyncContextManager[BaseClient]",
            session.create_client("s3", **self._s3_settings()),
        )

    def _s3_settings(self) -> dict[str, object]:
        """The connection's S3 endpoint, botocore config and ``verify``, for either client."""
        return {
            "endpoint_url": self.conn_config.get_service_endpoint_url("s3"),
            "config": self.config,
            "verify": self.verify,
        }

    @asynccontextmanager
    async def async_jobs(
        self, *, max_rate: int | None = None
    ) -> AsyncGenerator[AsyncEntityResolutionJobs, None]:
        """An async client on a new aiobotocore client from the connection, closed on exit.

        Reading output opens an aiobotocore S3 client from the same
        connection, closed with it.

        Args:
            max_rate: If given, the client sends at most this many requests
                (retries included) in any one-second window, whoever uses it.
        """
        async with await async_client_context(self) as client:
            aws = cast("BaseClient", client)
            if max_rate is not None:
                # aiobotocore awaits an async handler; botocore's stubs know sync ones only.
                handler = cast("Callable[..., None]", RequestBudget(max_rate).before_send)
                aws.meta.events.register("before-send", handler)
            jobs = _AsyncConnectionJobs(aws, self.async_s3_client)
            try:
                yield jobs
            finally:
                await jobs.aclose()  # the S3 client it opened; the client above is ours
