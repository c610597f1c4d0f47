"""EntityResolutionHook: this library's clients, built from an Airflow AWS connection."""

from __future__ import annotations

from contextlib import asynccontextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

from .._aio import AsyncEntityResolutionJobs
from .._client import EntityResolutionJobs
from ._shared_clients import RequestBudget

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Callable

    from botocore.client import BaseClient


class EntityResolutionHook(AwsBaseHook):
    """An Amazon provider AWS hook that hands out this library's clients.

    Everything an Airflow AWS connection can say applies: credentials,
    role assumption, ``region_name``, the ``endpoint_url`` (or a
    service-specific one), ``verify`` and the botocore ``config``, read by
    the provider's `AwsBaseHook`. Retries follow that botocore configuration
    (``config_kwargs`` in the connection's extra, or ``AWS_RETRY_MODE``), as
    for every provider hook; waits ride out throttling and 5xx on top.

    Args:
        *args: Passed to `AwsBaseHook` (``aws_conn_id``, ``region_name``,
            ``verify``, ``config``); ``client_type`` is always
            ``entityresolution``.
        **kwargs: As ``*args``.

    Example:
        ```python
        hook = EntityResolutionHook(aws_conn_id="aws_default", region_name="eu-west-1")
        job = hook.jobs.get_matching_job("customers", job_id)

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
        return EntityResolutionJobs(client=cast("BaseClient", self.conn))

    @asynccontextmanager
    async def async_jobs(
        self, *, max_rate: int | None = None
    ) -> AsyncGenerator[AsyncEntityResolutionJobs, None]:
        """An async client on a new aiobotocore client from the connection, closed on exit.

        Args:
            max_rate: If given, the client sends at most this many requests
                (retries included) in any one-second window, whoever uses it.
        """
        # The provider leaves this untyped; it returns aiobotocore's client context.
        async with await self.get_async_conn() as client:  # type: ignore[no-untyped-call]
            aws = cast("BaseClient", client)
            if max_rate is not None:
                # aiobotocore awaits an async handler; botocore's stubs know sync ones only.
                handler = cast("Callable[..., None]", RequestBudget(max_rate).before_send)
                aws.meta.events.register("before-send", handler)
            yield AsyncEntityResolutionJobs(client=aws)
