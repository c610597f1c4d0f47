"""The Python samples of docs/airflow.md, run through Airflow as a reader pastes them.

`make test` skips them (no Airflow there; the root conftest.py says so for
each); here they run as the page says: in order in one namespace, against
the fake service with ``aws_default`` pointing at it and a workflow
``customers`` whose output bucket exists; a test function runs as a test,
with the fixtures it names. A sample marked ``<!-- skip: next "why" -->``
(the example DAG's file, which test_example_dag.py runs) is not run.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from types import CodeType

import pytest
from tests.sample_tests import call_tests, defines_tests

from conftest import REGION, ROOT, WORKFLOW
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

PAGE = ROOT / "docs" / "airflow.md"
# A skip directive, or a fence (its language and body), in the page's order.
_PIECE = re.compile(
    r'^<!-- skip: next "(?P<reason>[^"]+)" -->$|^```(?P<language>[a-z]*)\n(?P<body>.*?)^```$',
    flags=re.DOTALL | re.MULTILINE,
)


@dataclass(frozen=True)
class Sample:
    """A Python sample of the page: its first line's number, its code, why it is skipped."""

    line: int
    code: str
    skipped: str | None

    def compiled(self) -> CodeType:
        """The code, compiled so that a traceback names the page and its line."""
        return compile("\n" * self.line + self.code, str(PAGE), "exec")


def _samples() -> list[Sample]:
    text = PAGE.read_text()
    found: list[Sample] = []
    reason: str | None = None
    for piece in _PIECE.finditer(text):
        if piece["reason"]:
            reason = piece["reason"]
            continue
        if piece["language"] == "python":
            found.append(Sample(text.count("\n", 0, piece.start()) + 1, piece["body"], reason))
        reason = None  # a directive skips the next sample of any language
    return found


SAMPLES = _samples()
IN_ORDER = [s for s in SAMPLES if not s.skipped and not defines_tests(s.code)]
TESTS = [s for s in SAMPLES if not s.skipped and defines_tests(s.code)]


def test_every_sample_of_the_page_is_run_here_but_the_example_dags_file() -> None:
    assert len(SAMPLES) == 7
    assert [s.skipped for s in SAMPLES if s.skipped] == [
        "the file examples/airflow/entity_resolution_pipeline.py, which make test-airflow runs "
        "with dag.test()"
    ]
    assert len(IN_ORDER) == 5
    assert len(TESTS) == 1


def test_the_samples_run_in_order_against_the_fake(
    fake_service_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = EntityResolutionMock(region_name=REGION)
    fake.timeline = JobTimeline(queued_seconds=0.2, running_seconds=0.6)
    fake.create_workflow(WORKFLOW, create_bucket=True)
    namespace: dict[str, object] = {"__name__": "docs_airflow"}

    for sample in IN_ORDER:
        exec(sample.compiled(), namespace)

    # What the page says they do: a job started and read through the hook, its
    # errors printed from S3, operators and a sensor built, an event's shape.
    assert [job.status for job in fake.jobs(WORKFLOW)] == ["SUCCEEDED"]
    assert "The Unique ID is missing in a row of data" in capsys.readouterr().out
    assert {"hook", "job_id", "output", "match", "ids", "sense"} <= namespace.keys()


@pytest.mark.parametrize("sample", TESTS, ids=lambda sample: f"airflow.md:{sample.line}")
def test_a_test_function_of_the_page_passes(
    sample: Sample, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page's DAG module is the example DAG: its folder on sys.path, as the page says.
    monkeypatch.syspath_prepend(str(ROOT / "examples" / "airflow"))
    namespace: dict[str, object] = {"__name__": "docs_airflow_test"}
    try:
        exec(sample.compiled(), namespace)
        call_tests(sample.code, namespace, request.getfixturevalue)
    finally:
        sys.modules.pop("entity_resolution_pipeline", None)  # imported by the sample
