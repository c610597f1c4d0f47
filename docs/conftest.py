"""The test suite runs the docs' Python samples as a reader pastes them (Sybil).

Each page's samples run in order in one namespace, against what the
testing page's "Running the docs' samples" says to start: ``er-jobs
fake-server`` with the workflows ``customers``, ``suppliers`` and
``customer-ids``, and ``AWS_ENDPOINT_URL`` pointing every client at it.
Here that is the ``entity_resolution_server`` fixture with the same
workflows, and a faster timeline. A sample that cannot run here (a real
AWS account) is marked ``<!-- skip: next -->``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sybil import Sybil
from sybil.integration.pytest import SybilItem
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser

from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

if TYPE_CHECKING:
    from _pytest._code.code import Traceback

RUN = ["index.md", "errors.md"]
"""The pages whose samples run; every page's are checked for syntax (tests/test_docs_samples.py)."""


@pytest.fixture
def fake_service(entity_resolution_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The pages' prelude: the fake, its workflows, and every client pointed at it."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", entity_resolution_server)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    fake = EntityResolutionMock()
    fake.timeline = JobTimeline(queued_seconds=0, running_seconds=0.5)
    for name in ("customers", "suppliers"):
        fake.create_workflow(name, create_bucket=True)
    fake.create_id_mapping_workflow("customer-ids", create_bucket=True)
    return entity_resolution_server


_shorten_traceback = SybilItem._traceback_filter


def _whole_traceback_if_cut_short(
    self: SybilItem, excinfo: pytest.ExceptionInfo[BaseException]
) -> Traceback:
    # Sybil's filter reads the second entry of a traceback pytest may have cut
    # to one (simplistix/sybil#118): a failing sample then ended the whole run
    # as an INTERNALERROR that hid it. The whole traceback names the sample.
    try:
        return _shorten_traceback(self, excinfo)
    except IndexError:
        return excinfo.traceback


SybilItem._traceback_filter = _whole_traceback_if_cut_short  # type: ignore[method-assign]

pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser(), SkipParser()],
    patterns=RUN,
    fixtures=["fake_service"],
).pytest()
