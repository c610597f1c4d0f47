"""Triggers in one triggerer share a client per connection, and its request budget."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from aiobotocore.endpoint import AioEndpoint

from conftest import REGION, WORKFLOW
from entityresolution_jobs import EntityResolutionJobs
from entityresolution_jobs.airflow import EntityResolutionHook, EntityResolutionJobTrigger
from entityresolution_jobs.airflow._compat import async_client_context
from entityresolution_jobs.airflow._shared_clients import RequestBudget, shared_client_count
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

HOOK_MODULE = "entityresolution_jobs.airflow._hook"  # where the hook looks the opener up


def _jobs_in_workflows(service: EntityResolutionMock, count: int) -> list[tuple[str, str]]:
    """One job in each of ``count`` new workflows (the service runs one job per workflow)."""
    jobs: EntityResolutionJobs = EntityResolutionHook().jobs
    service.concurrent_jobs = None  # all running at once: the waits overlap
    started: list[tuple[str, str]] = []
    for number in range(count):
        workflow = f"{WORKFLOW}-{number}"
        service.create_workflow(workflow)
        started.append((workflow, jobs.start_matching_job(workflow)))
    return started


def _trigger(workflow: str, job_id: str, **kwargs: Any) -> EntityResolutionJobTrigger:
    return EntityResolutionJobTrigger(
        job_kind="matching", workflow_name=workflow, job_id=job_id, min_delay=0.1, **kwargs
    )


def _run_together(triggers: list[EntityResolutionJobTrigger]) -> list[dict[str, Any]]:
    """Run triggers as the triggerer does, as tasks of one event loop; their events' payloads."""

    async def run(trigger: EntityResolutionJobTrigger) -> dict[str, Any]:
        events = [event async for event in trigger.run()]
        assert len(events) == 1
        payload: dict[str, Any] = events[0].payload
        return payload

    async def together() -> list[dict[str, Any]]:
        return list(await asyncio.gather(*(run(trigger) for trigger in triggers)))

    return asyncio.run(together())


@pytest.fixture
def clients_built(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The region of every aiobotocore client the hook builds."""
    built: list[str | None] = []
    connect = async_client_context

    async def counting(hook: EntityResolutionHook) -> Any:
        built.append(hook.region_name)
        return await connect(hook)

    monkeypatch.setattr(f"{HOOK_MODULE}.async_client_context", counting)
    return built


def test_triggers_with_one_connection_share_one_client_closed_after_the_last(
    service: EntityResolutionMock, clients_built: list[str | None]
) -> None:
    service.timeline = JobTimeline(queued_seconds=0.1, running_seconds=0.5)
    triggers = [_trigger(w, j) for w, j in _jobs_in_workflows(service, 3)]

    payloads = _run_together(triggers)

    assert [p["status"] for p in payloads] == ["success"] * 3
    assert len(clients_built) == 1
    assert shared_client_count() == 0  # closed when the last trigger was done


def test_triggers_with_other_connection_settings_get_clients_of_their_own(
    service: EntityResolutionMock, clients_built: list[str | None]
) -> None:
    service.timeline = JobTimeline(queued_seconds=0.1, running_seconds=0.3)
    (first, second) = _jobs_in_workflows(service, 2)

    _run_together([_trigger(*first, region_name=REGION), _trigger(*second, verify=False)])

    assert len(clients_built) == 2


def test_a_trigger_after_the_last_one_ended_builds_a_new_client(
    service: EntityResolutionMock, clients_built: list[str | None]
) -> None:
    service.timeline = JobTimeline(queued_seconds=0.1, running_seconds=0.2)
    (first, second) = _jobs_in_workflows(service, 2)

    async def one_after_the_other() -> None:
        for workflow, job_id in (first, second):
            _ = [event async for event in _trigger(workflow, job_id).run()]

    asyncio.run(one_after_the_other())

    assert len(clients_built) == 2
    assert shared_client_count() == 0


def test_triggers_waiting_for_a_client_that_cannot_be_built_all_get_its_error(
    service: EntityResolutionMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[str] = []

    class ConnectionBrokenError(Exception):
        pass

    async def broken(hook: EntityResolutionHook) -> Any:
        attempts.append("connect")
        await asyncio.sleep(0.05)  # the other triggers queue up meanwhile
        raise ConnectionBrokenError("no such connection")

    monkeypatch.setattr(f"{HOOK_MODULE}.async_client_context", broken)
    triggers = [_trigger(WORKFLOW, "f" * 32) for _ in range(3)]

    async def together() -> list[BaseException | dict[str, Any]]:
        async def run(trigger: EntityResolutionJobTrigger) -> dict[str, Any]:
            async for event in trigger.run():
                payload: dict[str, Any] = event.payload
                return payload
            raise AssertionError("the trigger fired no event")

        return list(await asyncio.gather(*(run(t) for t in triggers), return_exceptions=True))

    outcomes = asyncio.run(together())

    assert [type(outcome) for outcome in outcomes] == [ConnectionBrokenError] * 3
    assert attempts == ["connect"]
    assert shared_client_count() == 0


def test_many_waits_keep_to_one_request_budget(
    service: EntityResolutionMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.timeline = JobTimeline(queued_seconds=0.2, running_seconds=2.5)
    started = _jobs_in_workflows(service, 10)
    sent: list[float] = []  # when each HTTP request leaves, as the budget sees it
    send = AioEndpoint._send  # type: ignore[attr-defined]  # private: not in the stubs

    async def recording(self: AioEndpoint, request: object) -> object:
        sent.append(time.monotonic())
        return await send(self, request)

    monkeypatch.setattr(AioEndpoint, "_send", recording)

    payloads = _run_together([_trigger(w, j, use_history=False) for w, j in started])

    assert [p["status"] for p in payloads] == ["success"] * 10
    # Counted where they leave: where they arrive, a connection's first
    # requests come late enough to blur a one-second window.
    busiest = max(sum(1 for t in sent if start <= t < start + 1) for start in sent)
    assert len(sent) > 10  # polls beyond the first round waited their turn
    assert busiest <= 5  # the library's default budget, whatever the waits asked


class TestRequestBudget:
    """The sliding one-second window, on a simulated clock."""

    @staticmethod
    def _budget(max_rate: int) -> tuple[RequestBudget, list[float]]:
        now = [0.0]

        async def sleep(seconds: float) -> None:
            now[0] += seconds

        return RequestBudget(max_rate, clock=lambda: now[0], sleep=sleep), now

    def test_requests_within_the_rate_go_at_once(self) -> None:
        budget, now = self._budget(3)

        async def three() -> None:
            for _ in range(3):
                await budget.acquire()

        asyncio.run(three())

        assert now == [0.0]

    def test_the_next_request_waits_until_the_oldest_leaves_the_window(self) -> None:
        budget, now = self._budget(2)
        sent: list[float] = []

        async def five() -> None:
            for _ in range(5):
                await budget.acquire()
                sent.append(now[0])

        asyncio.run(five())

        assert sent == [0.0, 0.0, 1.0, 1.0, 2.0]

    def test_a_sleep_that_wakes_a_hair_early_is_slept_again(self) -> None:
        now = [0.0]
        woken: list[float] = []

        async def early(seconds: float) -> None:  # the first wakes a clock tick early
            now[0] += seconds - (0.0 if woken else 1e-9)
            woken.append(now[0])

        budget = RequestBudget(1, clock=lambda: now[0], sleep=early)
        sent: list[float] = []

        async def two() -> None:
            for _ in range(2):
                await budget.acquire()
                sent.append(now[0])

        asyncio.run(two())

        assert len(woken) == 2  # slept again for what was left
        assert sent[1] - sent[0] >= 1.0

    def test_the_handler_lets_botocore_send_the_request(self) -> None:
        budget, _ = self._budget(1)

        assert asyncio.run(budget.before_send(request=object(), event_name="before-send")) is None
