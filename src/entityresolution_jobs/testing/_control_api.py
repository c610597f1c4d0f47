"""The fake's controls over HTTP: a small JSON API beside the service, as moto's ``/moto-api/``.

``er-jobs fake-server`` and the ``entity_resolution_server`` fixture serve
it under ``/moto-api/entityresolution/``, so that a test suite in another
language, a docker-compose set-up or an Airflow deployment test can drive
the fake as a Python test does. Each endpoint calls the in-process
controls (`EntityResolutionMock`, `JobControl`, `IdMappingJobControl`):
one implementation, two ways in.

Every request is a ``POST`` with a JSON object; ``accountId`` (12 digits)
and ``region`` choose the fake (moto's default account and ``us-east-1`` if
left out). Every field is checked before anything changes: a request that
cannot be carried out (malformed JSON, a field the control does not take,
an unknown job, state, operation or fault, a value out of range or
inconsistent with another) gets a 4xx reply with ``{"message": ...}``,
in the API's own names, and changes nothing.
"""

from __future__ import annotations

import dataclasses
import json
import re
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from moto.core.models import DEFAULT_ACCOUNT_ID
from werkzeug.wrappers import Request, Response

from ._exceptions import FAULTS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from . import EntityResolutionMock
    from ._models import JobTimeline

PREFIX = "/moto-api/entityresolution/"
ACCOUNT_ID = re.compile(r"[0-9]{12}")
STATUSES = ("QUEUED", "RUNNING", "SUCCEEDED", "FAILED")


class ControlError(Exception):
    """A control request that cannot be carried out: its HTTP status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ControlAPI:
    """WSGI middleware: the control endpoints under `PREFIX`, everything else to ``app``."""

    def __init__(
        self, app: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
    ) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX):
            return self.app(environ, start_response)
        response = _handle(Request(environ), path.removeprefix(PREFIX).strip("/"))
        return response(environ, start_response)


def _handle(request: Request, action: str) -> Response:
    try:
        handler = ACTIONS.get(action)
        if handler is None:
            raise ControlError(
                404, f"no control {action!r}; there are: {', '.join(sorted(ACTIONS))}"
            )
        if request.method != "POST":
            raise ControlError(405, "controls are POST requests with a JSON object")
        body = _json_object(request)
        _only(body, FIELDS[action])
        return _reply(200, handler(_mock(body), body))
    except ControlError as error:
        return _reply(error.status, {"message": str(error)})


def _reply(status: int, document: Mapping[str, object]) -> Response:
    return Response(json.dumps(document, default=str), status, mimetype="application/json")


def _json_object(request: Request) -> dict[str, Any]:
    raw = request.get_data(as_text=True) or "{}"
    try:
        body: object = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ControlError(400, f"the body is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return cast("dict[str, Any]", body)


def _mock(body: Mapping[str, Any]) -> EntityResolutionMock:
    from . import EntityResolutionMock  # noqa: PLC0415 - the package imports this module

    account = body.get("accountId", DEFAULT_ACCOUNT_ID)
    region = body.get("region", "us-east-1")
    if not isinstance(account, str) or not isinstance(region, str):
        raise ControlError(400, "accountId and region must be strings")
    if not ACCOUNT_ID.fullmatch(account):
        raise ControlError(400, f"accountId must be 12 digits; got {account!r}")
    mock = EntityResolutionMock(region_name=region, account_id=account)
    try:
        mock.backend  # noqa: B018 - looked up now, so that an unknown region is a 400
    except KeyError:
        raise ControlError(400, f"no such region: {region!r}") from None
    return mock


def _only(body: Mapping[str, Any], fields: tuple[str, ...]) -> None:
    """Refuse a field the control does not take (a misspelt ``regoin`` would be ignored)."""
    allowed = (*fields, "accountId", "region")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise ControlError(
            400, f"unknown fields: {', '.join(unknown)}; this control takes: {', '.join(allowed)}"
        )


def _count(name: str, value: object) -> int:
    """A count as the service reports one: a whole number, 0 or more."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ControlError(400, f"{name} must be a whole number >= 0; got {value!r}")
    return value


def _consistent(counts: Mapping[str, object], where: str = "") -> None:
    """Refuse counts a job could not report: more records dealt with than it read."""
    total = counts.get("inputRecords")
    if not isinstance(total, int):
        return
    for parts in (
        ("totalRecordsProcessed", "recordsNotProcessed"),
        ("matchIDs",),
        ("totalMappedRecords",),
        ("mappedRecords",),
    ):
        present = [name for name in parts if isinstance(counts.get(name), int)]
        dealt = sum(cast("int", counts[name]) for name in present)
        if present and dealt > total:
            names = " + ".join(f"{where}{name}" for name in present)
            raise ControlError(
                400, f"{names} ({dealt}) cannot exceed {where}inputRecords ({total})"
            )


def _text(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise ControlError(400, f"{name} is required: a string")
    return value


def _job(mock: EntityResolutionMock, body: Mapping[str, Any]) -> Any:
    workflow, job_id = _text(body, "workflowName"), _text(body, "jobId")
    kind = body.get("kind", "matching")
    try:
        if kind == "matching":
            return mock.job(workflow, job_id)
        if kind == "idMapping":
            return mock.id_mapping_job(workflow, job_id)
    except KeyError:
        raise ControlError(404, f"no {kind} job {job_id} of workflow {workflow}") from None
    raise ControlError(400, f"kind must be matching or idMapping; got {kind!r}")


def _job_reply(control: Any) -> dict[str, object]:
    return {
        "workflowName": control.workflow_name,
        "jobId": control.job_id,
        "status": control.status,
    }


def set_job(mock: EntityResolutionMock, body: Mapping[str, Any]) -> dict[str, object]:
    """Pin a job to ``status``, with ``metrics`` (service names) and ``errorMessage``."""
    control = _job(mock, body)
    status = body.get("status")
    if status not in STATUSES:
        raise ControlError(400, f"status must be one of {', '.join(STATUSES)}; got {status!r}")
    metrics: object = body.get("metrics") or {}
    if not isinstance(metrics, dict):
        raise ControlError(400, "metrics must be an object of whole numbers")
    counts = {
        name: _count(f"metrics.{name}", value)
        for name, value in cast("dict[str, object]", metrics).items()
    }
    error = body.get("errorMessage")
    if error is not None and not isinstance(error, str):
        raise ControlError(400, "errorMessage must be a string")
    if error is not None and status == "SUCCEEDED":
        raise ControlError(400, "errorMessage is for a FAILED job, not a SUCCEEDED one")
    unknown = set(counts) - set(control._job.metrics(1.0))  # the job's own count names
    if unknown:
        raise ControlError(400, f"unknown metrics for this kind of job: {sorted(unknown)}")
    _consistent(counts, "metrics.")
    control._pin(status, counts, error)  # what set() and succeed() call
    return _job_reply(control)


def succeed_job(mock: EntityResolutionMock, body: Mapping[str, Any]) -> dict[str, object]:
    """Finish a job now, SUCCEEDED with its timeline's final metrics."""
    control = _job(mock, body)
    control.succeed()
    return _job_reply(control)


def fail_job(mock: EntityResolutionMock, body: Mapping[str, Any]) -> dict[str, object]:
    """Fail a job now with ``errorMessage``."""
    control = _job(mock, body)
    control.fail(_text(body, "errorMessage"))
    return _job_reply(control)


def inject_fault(mock: EntityResolutionMock, body: Mapping[str, Any]) -> dict[str, object]:
    """Make the next ``times`` calls of ``operation`` fail with ``error``."""
    operation = _text(body, "operation")
    if operation not in _operations():
        raise ControlError(
            400,
            f"the service has no operation {operation!r}; it has: {', '.join(_operations())}",
        )
    error = body.get("error", "ThrottlingException")
    times = body.get("times", 1)
    if error not in FAULTS:
        raise ControlError(400, f"error must be one of {', '.join(sorted(FAULTS))}; got {error!r}")
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise ControlError(400, f"times must be a positive whole number; got {times!r}")
    message = body.get("message", "Injected by entityresolution_jobs.testing")
    if not isinstance(message, str):
        raise ControlError(400, f"message must be a string; got {message!r}")
    mock.inject_fault(operation, error, times=times, message=message)
    return {"operation": operation, "error": error, "times": times}


def set_quota(mock: EntityResolutionMock, body: Mapping[str, Any]) -> dict[str, object]:
    """Set ``concurrentJobs``: jobs of each kind that run at once; 0 or null lifts the quota.

    0 means what ``er-jobs fake-server --concurrent-jobs 0`` means.
    """
    if "concurrentJobs" not in body:
        raise ControlError(400, "concurrentJobs is required: a whole number >= 0, or null")
    limit = body["concurrentJobs"]
    if limit is not None:
        limit = _count("concurrentJobs", limit) or None  # 0: no limit, as on the command line
    mock.concurrent_jobs = limit
    return {"concurrentJobs": mock.concurrent_jobs}


TIMELINE_FIELDS = {
    "queuedSeconds": "queued_seconds",
    "runningSeconds": "running_seconds",
    "inputRecords": "input_records",
    "recordsNotProcessed": "records_not_processed",
    "matchIDs": "match_ids",
    "mappedRecords": "mapped_records",
    "errorMessage": "error_message",
}
"""The timeline's fields, in the API's names and `JobTimeline`'s."""


def set_timeline(mock: EntityResolutionMock, body: Mapping[str, Any]) -> dict[str, object]:
    """Change the timeline jobs started from now on follow; return all of it.

    The fields given replace those of the current timeline, the others
    stay (a merge): ``{"runningSeconds": 60}`` keeps the record counts.
    ``errorMessage: null`` (as the reply shows it) means jobs succeed.
    """
    given = {key: value for key, value in body.items() if key in TIMELINE_FIELDS}
    for key, value in given.items():
        if key == "errorMessage":
            if value is not None and not isinstance(value, str):
                raise ControlError(400, "errorMessage must be a string or null")
        elif key.endswith("Seconds"):
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ControlError(400, f"{key} must be a number of seconds >= 0; got {value!r}")
        else:
            _count(key, value)
    _consistent({**_timeline_document(mock.timeline), **given})
    changes: dict[str, Any] = {TIMELINE_FIELDS[key]: value for key, value in given.items()}
    mock.timeline = dataclasses.replace(mock.timeline, **changes)
    return _timeline_document(mock.timeline)


def _timeline_document(timeline: JobTimeline) -> dict[str, object]:
    return {key: getattr(timeline, name) for key, name in TIMELINE_FIELDS.items()}


WORKFLOW_KINDS = {"matching": "CreateMatchingWorkflow", "idMapping": "CreateIdMappingWorkflow"}
S3_LOCATION = re.compile(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?")


def create_workflow(mock: EntityResolutionMock, body: Mapping[str, Any]) -> dict[str, object]:
    """Create a ready workflow: a minimal valid configuration, and its output bucket in S3.

    ``workflowName`` is checked as the service checks it; ``outputS3Path``
    defaults to the in-process helpers' (``s3://example-bucket/...``).
    """
    from . import ID_MAPPING_OUTPUT, MATCHING_OUTPUT  # noqa: PLC0415 - the package imports this
    from ._exceptions import ConflictException, ValidationException  # noqa: PLC0415
    from ._responses import check_input_member  # noqa: PLC0415

    name = _text(body, "workflowName")
    kind = body.get("kind", "matching")
    if kind not in WORKFLOW_KINDS:
        raise ControlError(400, f"kind must be matching or idMapping; got {kind!r}")
    matching = kind == "matching"
    output = body.get("outputS3Path", MATCHING_OUTPUT if matching else ID_MAPPING_OUTPUT)
    if not isinstance(output, str) or not S3_LOCATION.fullmatch(output):
        raise ControlError(400, f"outputS3Path must be s3://bucket/...; got {output!r}")
    try:
        check_input_member(WORKFLOW_KINDS[kind], "workflowName", name)
        create = mock.create_workflow if matching else mock.create_id_mapping_workflow
        arn = create(name, output_s3_path=output, create_bucket=True)
    except ValidationException as error:
        raise ControlError(400, f"workflowName: {error.message}") from None
    except ConflictException as error:
        raise ControlError(409, error.message) from None
    return {"workflowName": name, "workflowArn": arn, "kind": kind, "outputS3Path": output}


def reset(mock: EntityResolutionMock, body: Mapping[str, Any]) -> dict[str, object]:
    """Forget every workflow, job and fault of this fake (moto's other services are untouched)."""
    mock.backend.reset()
    return {"reset": True}


_JOB_FIELDS = ("workflowName", "jobId", "kind")
FIELDS: dict[str, tuple[str, ...]] = {
    "jobs/set": (*_JOB_FIELDS, "status", "metrics", "errorMessage"),
    "jobs/succeed": _JOB_FIELDS,
    "jobs/fail": (*_JOB_FIELDS, "errorMessage"),
    "faults": ("operation", "error", "times", "message"),
    "quota": ("concurrentJobs",),
    "timeline": tuple(TIMELINE_FIELDS),
    "workflows": ("workflowName", "kind", "outputS3Path"),
    "reset": (),
}
"""The fields each control takes, besides ``accountId`` and ``region``."""


@cache
def _operations() -> tuple[str, ...]:
    """The service's operations, from botocore's model of it."""
    from moto.core.utils import get_service_model  # noqa: PLC0415

    return tuple(get_service_model("entityresolution").operation_names)


ACTIONS: dict[str, Callable[[EntityResolutionMock, Mapping[str, Any]], dict[str, object]]] = {
    "jobs/set": set_job,
    "jobs/succeed": succeed_job,
    "jobs/fail": fail_job,
    "faults": inject_fault,
    "quota": set_quota,
    "timeline": set_timeline,
    "workflows": create_workflow,
    "reset": reset,
}
