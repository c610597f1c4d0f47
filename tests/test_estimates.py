"""When a job will end: the planner's prediction, `estimate_job_end`, a wait's ``on_estimate``."""

from __future__ import annotations

import asyncio
import io
import json
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from rich.console import Console

from entityresolution_jobs import (
    AsyncEntityResolutionJobs,
    EntityResolutionJobs,
    EstimateBasis,
    InvalidInputError,
    JobEstimate,
    JobStatus,
)
from entityresolution_jobs._planning import Estimate, Plan, history_estimate
from entityresolution_jobs._waiting import WaitPolicy
from entityresolution_jobs.cli import _jobs
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

from .support import WORKFLOW, SharedClock

HOUR = 3600.0


def requests_of(er: EntityResolutionJobs) -> list[str]:
    """The Entity Resolution operations the facade sends, in order."""
    sent: list[str] = []
    er.client.meta.events.register(
        "before-call.entityresolution", lambda model, **_: sent.append(model.name)
    )
    return sent


class TestThePlansPrediction:
    def test_long_before_the_end_it_is_the_estimate_and_its_middle_90_percent(self) -> None:
        plan = Plan(WaitPolicy(), estimate=Estimate(HOUR, 360.0, "history", 5))

        end = plan.predicted_end(600.0)

        assert end is not None
        assert end.expected == pytest.approx(HOUR)
        assert (end.earliest, end.latest) == pytest.approx((HOUR - 592.2, HOUR + 592.2), abs=1)
        assert (end.basis, end.runs) == ("history", 5)

    def test_a_job_past_its_likely_end_is_expected_later_and_never_before_now(self) -> None:
        plan = Plan(WaitPolicy(), estimate=Estimate(HOUR, 360.0, "caller"))

        end = plan.predicted_end(HOUR + 360.0)

        assert end is not None
        assert HOUR + 360.0 <= end.earliest < end.expected < end.latest
        assert end.basis == "caller"

    def test_a_job_that_outran_its_estimate_has_no_prediction(self) -> None:
        plan = Plan(WaitPolicy(), estimate=Estimate(HOUR, 360.0, "caller"))

        assert plan.predicted_end(HOUR + 4 * 360.0) is None

    def test_growing_counts_win_and_give_a_quarter_of_the_time_left_either_way(self) -> None:
        plan = Plan(WaitPolicy(), estimate=Estimate(HOUR, 360.0, "history", 3))
        plan.observe(100.0, 100, 1000)
        plan.observe(200.0, 200, 1000)  # 1 record a second: the end at 1000 s

        end = plan.predicted_end(200.0)

        assert end is not None
        assert (end.earliest, end.expected, end.latest) == pytest.approx((800.0, 1000.0, 1200.0))
        assert end.basis == "progress"

    def test_the_history_estimate_counts_its_runs(self) -> None:
        estimate = history_estimate([60.0, 61.0, 59.0])

        assert estimate is not None
        assert estimate.runs == 3

    def test_runs_near_the_median_are_kept_however_small_their_deviation(self) -> None:
        # These five runs' MAD is 128 s: three robust deviations alone would
        # drop 22705 and 19591, which are ordinary runs 8% from the median.
        runs = [21047.0, 22705.0, 21112.0, 20919.0, 19591.0]

        estimate = history_estimate(runs)

        assert estimate is not None
        assert estimate.runs == 5
        assert estimate.duration == pytest.approx(sum(runs) / 5)


@pytest.fixture
def clock(entity_resolution: EntityResolutionMock) -> SharedClock:
    """The fake's clock, with three finished runs of an hour in workflow WORKFLOW."""
    shared = SharedClock()
    entity_resolution.clock = shared.wall
    entity_resolution.create_workflow(WORKFLOW)
    entity_resolution.timeline = JobTimeline(queued_seconds=0, running_seconds=HOUR)
    er = EntityResolutionJobs()
    for _ in range(3):
        er.start_matching_job(WORKFLOW)
        shared.sleep(HOUR + 60)
    return shared


class TestEstimateJobEnd:
    def test_a_running_job_is_expected_to_end_as_its_workflows_runs_did(
        self, clock: SharedClock
    ) -> None:
        er = EntityResolutionJobs()
        job_id = er.start_matching_job(WORKFLOW)
        clock.sleep(600)
        job = er.get_matching_job(WORKFLOW, job_id)
        sent = requests_of(er)

        estimate = er.estimate_job_end(WORKFLOW, job, now=clock.wall)

        assert sent == ["ListMatchingJobs"]
        assert estimate.basis is EstimateBasis.HISTORY
        assert estimate.runs == 3
        assert estimate.expected_end == job.start_time + timedelta(hours=1)
        assert estimate.earliest is not None
        assert estimate.latest is not None
        assert clock.wall() <= estimate.earliest < estimate.expected_end < estimate.latest
        assert estimate.remaining == timedelta(minutes=50)
        assert (estimate.status, estimate.queued, estimate.made_at) == (
            JobStatus.RUNNING, False, clock.wall(),
        )  # fmt: skip

    def test_an_ended_job_is_its_end_and_nothing_is_sent(self, clock: SharedClock) -> None:
        er = EntityResolutionJobs()
        job = next(iter(er.list_matching_jobs(WORKFLOW)))
        full = er.get_matching_job(WORKFLOW, job.job_id)
        sent = requests_of(er)

        estimate = er.estimate_job_end(WORKFLOW, full, now=clock.wall)

        assert sent == []
        assert estimate.basis is EstimateBasis.ENDED
        assert estimate.expected_end == estimate.earliest == estimate.latest == full.end_time
        assert estimate.remaining == timedelta(0)

    def test_a_queued_job_counts_from_now(
        self, entity_resolution: EntityResolutionMock, clock: SharedClock
    ) -> None:
        entity_resolution.timeline = JobTimeline(queued_seconds=HOUR, running_seconds=HOUR)
        er = EntityResolutionJobs()
        job = er.get_matching_job(WORKFLOW, er.start_matching_job(WORKFLOW))

        estimate = er.estimate_job_end(WORKFLOW, job, now=clock.wall)

        assert job.status is JobStatus.QUEUED
        assert estimate.queued
        assert estimate.expected_end == clock.wall() + timedelta(hours=1)

    def test_the_callers_expected_duration_wins_and_sends_nothing(self, clock: SharedClock) -> None:
        er = EntityResolutionJobs()
        job = er.get_matching_job(WORKFLOW, er.start_matching_job(WORKFLOW))
        sent = requests_of(er)

        estimate = er.estimate_job_end(WORKFLOW, job, expected_duration=1800, now=clock.wall)

        assert sent == []
        assert (estimate.basis, estimate.runs) == (EstimateBasis.CALLER, 0)
        assert estimate.expected_end == job.start_time + timedelta(minutes=30)

    def test_without_history_nothing_is_known(
        self, entity_resolution: EntityResolutionMock
    ) -> None:
        entity_resolution.create_workflow("new")
        er = EntityResolutionJobs()
        job = er.get_matching_job("new", er.start_matching_job("new"))

        estimate = er.estimate_job_end("new", job)

        assert estimate.basis is EstimateBasis.NOTHING
        assert (estimate.expected_end, estimate.remaining) == (None, None)

    def test_an_id_mapping_job_reads_its_own_kinds_history(
        self, entity_resolution: EntityResolutionMock
    ) -> None:
        entity_resolution.create_id_mapping_workflow("ids")
        er = EntityResolutionJobs()
        job = er.get_id_mapping_job("ids", er.start_id_mapping_job("ids"))
        sent = requests_of(er)

        estimate = er.estimate_job_end("ids", job)

        assert sent == ["ListIdMappingJobs"]
        assert estimate.job_id == job.job_id

    def test_anything_but_a_job_is_refused_before_any_request(
        self, entity_resolution: EntityResolutionMock
    ) -> None:
        er = EntityResolutionJobs()

        with pytest.raises(InvalidInputError, match="job must be a MatchingJob"):
            er.estimate_job_end(WORKFLOW, "0" * 32)  # type: ignore[arg-type]

    def test_it_is_json_in_its_own_names(self, clock: SharedClock) -> None:
        er = EntityResolutionJobs()
        job = er.get_matching_job(WORKFLOW, er.start_matching_job(WORKFLOW))

        estimate = er.estimate_job_end(WORKFLOW, job, now=clock.wall)

        assert JobEstimate.model_validate_json(estimate.model_dump_json()) == estimate


class TestOnEstimate:
    def test_a_wait_hands_each_estimate_as_it_sharpens_without_extra_requests(
        self, entity_resolution: EntityResolutionMock, clock: SharedClock
    ) -> None:
        entity_resolution.timeline = JobTimeline(
            queued_seconds=0, running_seconds=HOUR, input_records=1_000_000
        )
        er = EntityResolutionJobs()
        job_id = er.start_matching_job(WORKFLOW)
        sent = requests_of(er)
        estimates: list[JobEstimate] = []

        job = er.wait_for_matching_job(
            WORKFLOW, job_id, on_estimate=estimates.append,
            clock=clock.monotonic, sleep=clock.sleep, now=clock.wall,
        )  # fmt: skip

        bases = [estimate.basis for estimate in estimates]
        assert bases[0] is EstimateBasis.HISTORY  # the history is read after the first poll
        assert EstimateBasis.PROGRESS in bases  # then the counts take over
        assert bases[-1] is EstimateBasis.ENDED
        assert estimates[-1].expected_end == job.end_time
        assert len(estimates) == sent.count("GetMatchingJob")  # one a poll, nothing sent for it
        assert sent.count("ListMatchingJobs") == 1

    def test_the_async_shell_too(self, moto_server: str) -> None:
        fake, clock = EntityResolutionMock(), SharedClock()
        fake.clock = clock.wall
        fake.timeline = JobTimeline(queued_seconds=0, running_seconds=HOUR)
        fake.create_workflow(WORKFLOW)

        async def main() -> tuple[JobEstimate, list[JobEstimate]]:
            estimates: list[JobEstimate] = []
            async with AsyncEntityResolutionJobs(endpoint_url=moto_server) as er:
                for _ in range(2):
                    await er.start_matching_job(WORKFLOW)
                    clock.sleep(HOUR + 60)
                job_id = await er.start_matching_job(WORKFLOW)
                job = await er.get_matching_job(WORKFLOW, job_id)
                first = await er.estimate_job_end(WORKFLOW, job, now=clock.wall)
                await er.wait_for_matching_job(
                    WORKFLOW, job_id, on_estimate=estimates.append,
                    clock=clock.monotonic, sleep=clock.async_sleep, now=clock.wall,
                )  # fmt: skip
            return first, estimates

        first, estimates = asyncio.run(main())

        assert (first.basis, first.runs) == (EstimateBasis.HISTORY, 2)
        assert estimates[0].basis is EstimateBasis.HISTORY
        assert estimates[-1].basis is EstimateBasis.ENDED


class TestWatchesHandEstimates:
    def test_watching_one_job_gives_each_states_estimate_before_the_state(
        self, clock: SharedClock
    ) -> None:
        er = EntityResolutionJobs()
        job_id = er.start_matching_job(WORKFLOW)
        sent = requests_of(er)
        seen: list[object] = []

        for job in er.watch_matching_job(
            WORKFLOW, job_id, on_estimate=seen.append,
            clock=clock.monotonic, sleep=clock.sleep, now=clock.wall,
        ):  # fmt: skip
            seen.append(job)

        estimates = [item for item in seen if isinstance(item, JobEstimate)]
        assert len(estimates) == sent.count("GetMatchingJob") == len(seen) // 2
        assert all(isinstance(item, JobEstimate) for item in seen[::2])  # before each state
        assert estimates[0].basis is EstimateBasis.HISTORY
        assert estimates[-1].basis is EstimateBasis.ENDED
        assert sent.count("ListMatchingJobs") == 1

    def test_watching_many_jobs_names_the_job_of_each_estimate(self, clock: SharedClock) -> None:
        er = EntityResolutionJobs()
        jobs = [(WORKFLOW, er.start_matching_job(WORKFLOW))]
        sent = requests_of(er)
        estimates: list[JobEstimate] = []

        watch = er.watch_matching_jobs(
            jobs, on_estimate=estimates.append,
            clock=clock.monotonic, sleep=clock.sleep, now=clock.wall,
        )  # fmt: skip
        ended = list(watch)

        assert [job.job_id for job in ended] == [jobs[0][1]]
        assert {estimate.job_id for estimate in estimates} == {jobs[0][1]}
        # One a poll, but the poll after which the history was still to be
        # listed: its estimate comes with the listing.
        assert estimates[0].basis is EstimateBasis.HISTORY
        assert estimates[-1].basis is EstimateBasis.ENDED
        assert sent.count("ListMatchingJobs") == 1
        assert len(estimates) == sent.count("GetMatchingJob")

    def test_the_async_watches_too(self, moto_server: str) -> None:
        fake, clock = EntityResolutionMock(), SharedClock()
        fake.clock = clock.wall
        fake.timeline = JobTimeline(queued_seconds=0, running_seconds=HOUR)
        fake.create_workflow(WORKFLOW)

        async def main() -> tuple[list[JobEstimate], list[JobEstimate]]:
            one: list[JobEstimate] = []
            many: list[JobEstimate] = []
            async with AsyncEntityResolutionJobs(endpoint_url=moto_server) as er:
                for _ in range(2):
                    await er.start_matching_job(WORKFLOW)
                    clock.sleep(HOUR + 60)
                settings: dict[str, Any] = {
                    "clock": clock.monotonic, "sleep": clock.async_sleep, "now": clock.wall,
                }  # fmt: skip
                job_id = await er.start_matching_job(WORKFLOW)
                async for _ in er.watch_matching_job(
                    WORKFLOW, job_id, on_estimate=one.append, **settings
                ):
                    pass
                job_id = await er.start_matching_job(WORKFLOW)
                async for _ in er.watch_matching_jobs(
                    [(WORKFLOW, job_id)], on_estimate=many.append, **settings
                ):
                    pass
            return one, many

        one, many = asyncio.run(main())

        # The second job's history holds the first one's run too.
        for estimates, runs in ((one, 2), (many, 3)):
            assert (estimates[0].basis, estimates[0].runs) == (EstimateBasis.HISTORY, runs)
            assert estimates[-1].basis is EstimateBasis.ENDED


class TestOnTheCommandLine:
    @staticmethod
    def _estimate(**fields: object) -> JobEstimate:
        made = datetime(2026, 12, 5, 13, 50, tzinfo=timezone.utc)
        values: dict[str, object] = {
            "job_id": "0" * 32,
            "status": JobStatus.RUNNING,
            "basis": EstimateBasis.HISTORY,
            "expected_end": made + timedelta(minutes=15),
            "earliest": made + timedelta(minutes=12),
            "latest": made + timedelta(minutes=18),
            "runs": 5,
            "made_at": made,
        }
        return JobEstimate.model_validate({**values, **fields})

    def test_the_expected_end_reads_as_a_time_a_range_and_a_basis(self) -> None:
        assert self._estimate().describe() == (
            "expected about 14:05 UTC, 12-18 min from now, from the last 5 runs"
        )

    def test_ranges_read_in_one_unit_that_fits(self) -> None:
        made = self._estimate().made_at

        def text(low: float, high: float) -> str:
            return self._estimate(
                earliest=made + timedelta(seconds=low), latest=made + timedelta(seconds=high)
            ).describe()

        assert "40-55 s from now" in text(40, 55)
        assert "12-18 min from now" in text(720, 1080)
        assert "2.5-3.0 h from now" in text(9000, 10800)
        assert "3 min from now" in text(170, 190)  # one value when both ends round alike

    def test_nothing_known_or_an_ended_job_says_nothing(self) -> None:
        nothing = self._estimate(basis=EstimateBasis.NOTHING, expected_end=None)
        ended = self._estimate(basis=EstimateBasis.ENDED)

        assert nothing.describe() == ended.describe() == ""
        assert not ended.moved(None)

    def test_a_queued_job_is_expected_once_it_runs(self) -> None:
        text = self._estimate(queued=True, status=JobStatus.QUEUED).describe()

        assert text.startswith("expected about 14:05 UTC once it runs, ")

    def test_a_move_of_more_than_a_tenth_of_the_time_left_is_news(self) -> None:
        told = self._estimate()
        made = told.made_at
        small = self._estimate(expected_end=made + timedelta(minutes=16))
        large = self._estimate(expected_end=made + timedelta(minutes=17))

        assert told.moved(None)
        assert not small.moved(told)  # 1 of 15 minutes
        assert large.moved(told)  # 2 of 15 minutes

    def test_er_jobs_wait_prints_the_expected_end_beside_the_progress(
        self, er_jobs: Any, entity_resolution: EntityResolutionMock
    ) -> None:
        entity_resolution.create_workflow(WORKFLOW)
        entity_resolution.timeline = JobTimeline(queued_seconds=0, running_seconds=0.3)
        er = EntityResolutionJobs()
        for _ in range(2):  # two finished runs of 0.3 s
            er.start_matching_job(WORKFLOW)
            time.sleep(0.35)
        # The job waited on runs 2 s: still running at the first poll on a slow machine.
        entity_resolution.timeline = JobTimeline(queued_seconds=0, running_seconds=2)
        job_id = er.start_matching_job(WORKFLOW)

        run = er_jobs("wait", WORKFLOW, job_id, "--output", "json")

        assert run.code == 0
        assert "expected about" in run.err
        assert "s from now, from the last 2 runs" in run.err
        assert json.loads(run.out)["status"] == "SUCCEEDED"  # the final object, unchanged

    def test_a_terminal_shows_it_in_the_progress_bar(
        self, er_jobs: Any, entity_resolution: EntityResolutionMock,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        screen = io.StringIO()
        monkeypatch.setattr(
            _jobs, "terminal_stderr", lambda: Console(file=screen, force_terminal=True)
        )
        entity_resolution.create_workflow(WORKFLOW)
        entity_resolution.timeline = JobTimeline(queued_seconds=0, running_seconds=0.3)
        er = EntityResolutionJobs()
        for _ in range(2):
            er.start_matching_job(WORKFLOW)
            time.sleep(0.35)
        # The job waited on runs 2 s: still running at the first poll on a slow machine.
        entity_resolution.timeline = JobTimeline(queued_seconds=0, running_seconds=2)

        run = er_jobs("wait", WORKFLOW, er.start_matching_job(WORKFLOW))

        assert run.code == 0
        assert "from the last 2 runs" in screen.getvalue()

    def test_er_jobs_wait_on_several_jobs_gives_a_running_jobs_line_its_expected_end(
        self, er_jobs: Any, entity_resolution: EntityResolutionMock
    ) -> None:
        entity_resolution.create_workflow(WORKFLOW)
        entity_resolution.timeline = JobTimeline(queued_seconds=0, running_seconds=0.3)
        er = EntityResolutionJobs()
        ended = []
        for _ in range(2):
            ended.append(er.start_matching_job(WORKFLOW))
            time.sleep(0.35)
        # Still running after the history is listed, however slow the machine:
        # polls of a job past its expected end are min_delay (2 s) apart.
        entity_resolution.timeline = JobTimeline(queued_seconds=0, running_seconds=6)
        running = er.start_matching_job(WORKFLOW)  # one at a time in a workflow

        run = er_jobs("wait", WORKFLOW, ended[0], running)

        assert run.code == 0
        told = [line for line in run.err.splitlines() if "expected about" in line]
        assert {line.split()[1] for line in told} == {running}, run.err  # not the ended job
        assert "from the last 2 runs" in told[0]
