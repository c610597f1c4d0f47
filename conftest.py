"""The test suite runs the samples of README.md and docs/ as a reader pastes them (Sybil).

The Python samples of README.md, the overview, the guide and the errors
page run in order in one namespace a page, against what the testing
page's "Running the docs' samples" says to start: ``er-jobs fake-server``
with the workflows ``customers``, ``suppliers`` and ``customer-ids``, and
``AWS_ENDPOINT_URL`` pointing every client at it. Here that is the
session's fake server, emptied for each page, with the same workflows and
a faster timeline. The testing page's samples stand alone, each as a
reader uses it (a test function as a test); the Airflow page's need
Airflow and run in ``make test-airflow``. Every page's shell samples run
in bash against the same fake (tests/doc_samples.py says how). A sample
that cannot run here (a real AWS account, an install from PyPI) is marked
``<!-- skip: next "why" -->``, and reported skipped with that reason; every
sample is checked for syntax by tests/test_docs_samples.py.

pytest loads this file for every run under the repository, the Airflow
environments' too (``make test-airflow``), which have no Sybil: there it
collects nothing, and imports nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from _pytest._code.code import Traceback

PRELUDE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}
"""What the testing page's "Running the docs' samples" exports, besides the endpoint."""

RUN = ["README.md", "docs/index.md", "docs/guide.md", "docs/errors.md"]
"""The pages whose Python samples run in order against the fake, from the repository's root."""
SHELL_ONLY = ["docs/cli.md", "docs/aws.md", "docs/development.md", "docs/performance.md"]
"""The pages with shell samples and no Python."""


@pytest.fixture(scope="module")  # a page: its samples build on each other
def fake_service(_entity_resolution_server_url: str) -> Iterator[str]:
    """The pages' prelude: the fake, its workflows, and every client pointed at it.

    The session's fake server, emptied for each page (moto's reset), with
    the environment the testing page exports.
    """
    import boto3  # noqa: PLC0415 - loaded only where samples run
    import requests  # noqa: PLC0415

    from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline  # noqa: PLC0415

    requests.post(f"{_entity_resolution_server_url}/moto-api/reset", timeout=10)
    with pytest.MonkeyPatch.context() as environment:
        for name, value in PRELUDE_ENVIRONMENT.items():
            environment.setenv(name, value)
        environment.setenv("AWS_ENDPOINT_URL", _entity_resolution_server_url)
        environment.setattr(boto3, "DEFAULT_SESSION", None)  # none left over from a test
        fake = EntityResolutionMock()
        fake.timeline = JobTimeline(queued_seconds=0, running_seconds=0.5)
        for name in ("customers", "suppliers"):
            fake.create_workflow(name, create_bucket=True)
        fake.create_id_mapping_workflow("customer-ids", create_bucket=True)
        yield _entity_resolution_server_url


@pytest.fixture(scope="module")
def botocore_sends_job_type() -> bool:
    """Whether this botocore models an ID mapping job's type (from 1.40.37), for a guide sample."""
    import botocore.session  # noqa: PLC0415 - loaded only where samples run

    model = botocore.session.get_session().get_service_model("entityresolution")
    return "jobType" in model.shape_for("StartIdMappingJobInput").members  # type: ignore[attr-defined]


@pytest.fixture
def fixture_value(request: pytest.FixtureRequest) -> Callable[[str], object]:
    """`request.getfixturevalue`, for the samples' evaluators (tests/doc_samples.py)."""
    return request.getfixturevalue


def _samples_collector() -> Callable[..., object] | None:
    """Sybil's collection hook for README.md and docs/; None without Sybil (a dev tool)."""
    try:
        from sybil import Sybil  # noqa: PLC0415
        from sybil.integration.pytest import SybilItem, pytest_integration  # noqa: PLC0415
        from sybil.parsers.markdown import (  # noqa: PLC0415
            CodeBlockParser,
            PythonCodeBlockParser,
            SkipParser,
        )
    except ImportError:
        return None
    from tests import doc_samples  # noqa: PLC0415 - imports Sybil's types

    shorten_traceback = SybilItem._traceback_filter

    def whole_traceback_if_cut_short(
        self: SybilItem, excinfo: pytest.ExceptionInfo[BaseException]
    ) -> Traceback:
        # Sybil's filter reads the second entry of a traceback pytest may have
        # cut to one (simplistix/sybil#118): a failing sample then ended the
        # whole run as an INTERNALERROR that hid it. The whole one names it.
        try:
            return shorten_traceback(self, excinfo)
        except IndexError:
            return excinfo.traceback

    SybilItem._traceback_filter = whole_traceback_if_cut_short  # type: ignore[method-assign]

    def shell() -> CodeBlockParser:
        return CodeBlockParser("sh", doc_samples.run_shell_sample)

    # A page's skip directive applies to its next sample of any language, so
    # each page has one Sybil with a parser for every language it runs.
    collector: Callable[..., object] = pytest_integration(
        Sybil(
            parsers=[PythonCodeBlockParser(), shell(), SkipParser()],
            patterns=RUN,
            fixtures=["fake_service", "botocore_sends_job_type", "fixture_value"],
        ),
        Sybil(
            parsers=[
                CodeBlockParser("python", doc_samples.run_testing_page_sample),
                shell(),
                SkipParser(),
            ],
            patterns=["docs/testing.md"],
            fixtures=["botocore_sends_job_type", "fixture_value"],
        ),
        Sybil(
            parsers=[CodeBlockParser("python", doc_samples.run_in_airflow), shell(), SkipParser()],
            patterns=["docs/airflow.md"],
            fixtures=["fixture_value"],
        ),
        Sybil(parsers=[shell(), SkipParser()], patterns=SHELL_ONLY, fixtures=["fixture_value"]),
    )
    return collector


_collect_samples = _samples_collector()
if _collect_samples is not None:
    pytest_collect_file = _collect_samples
