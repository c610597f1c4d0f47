"""How a wait ends in Airflow: the trigger's event, then the task's success or failure.

A wait in the worker and a wait in the triggerer end the same way: their
outcome becomes one event payload (JSON data), and `finish` turns that
payload into the task's result, so the two paths cannot drift apart. A
job that SUCCEEDED also has its output folder pushed, when the task asks
(`OutputFolderOf`), found in the worker with the task's connection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol, cast

from .._errors import EntityResolutionError, InvalidInputError, JobFailedError, WaitTimeoutError
from ._compat import AirflowException, AirflowFailException
from ._jobs import JOB_TITLES, job_document

if TYPE_CHECKING:
    from airflow.sdk import Context

    from ._jobs import Job, JobKindName

SUCCESS, FAILED, ERROR = "success", "failed", "error"
OUTPUT_FOLDER_KEY = "output_folder"
"""The XCom key of a SUCCEEDED job's output folder (``s3://bucket/.../JOB_ID/``)."""

OutputFolderOf = Callable[["JobKindName", str, Mapping[str, object]], str]
"""Finds the output folder of a SUCCEEDED job, given its kind and its document."""


class Log(Protocol):
    """What `finish` needs of a task's logger."""

    def info(self, message: str, /) -> object: ...
    def warning(self, message: str, /) -> object: ...
    def error(self, message: str, /) -> object: ...


def event_payload(
    kind: JobKindName, workflow_name: str, job_id: str, outcome: Job | EntityResolutionError
) -> dict[str, object]:
    """The event a wait ends with: the final job (service names) or the error's class and message.

    ``status`` is ``success``, ``failed`` (the job FAILED) or ``error`` (the
    wait could not go on: a service error, or its time ran out).
    """
    payload: dict[str, object] = {
        "job_kind": kind,
        "workflow_name": workflow_name,
        "job_id": job_id,
    }
    if not isinstance(outcome, EntityResolutionError):
        return {**payload, "status": SUCCESS, "job": job_document(outcome)}
    payload |= {"error": type(outcome).__name__, "message": str(outcome)}
    if isinstance(outcome, JobFailedError):
        return {**payload, "status": FAILED, "job": job_document(outcome.job)}
    if isinstance(outcome, WaitTimeoutError) and outcome.job is not None:
        payload["job"] = job_document(outcome.job)
    return {**payload, "status": ERROR}


def task_failure(error: EntityResolutionError) -> AirflowException:
    """The Airflow exception that fails a task on ``error``, naming its class.

    Bad input fails without retries (`AirflowFailException`): a retry would
    send the same input again.
    """
    failure = AirflowFailException if isinstance(error, InvalidInputError) else AirflowException
    return failure(f"{type(error).__name__}: {error}")


def finish(
    context: Context, event: object, log: Log, output_folder_of: OutputFolderOf | None = None
) -> dict[str, object]:
    """End the task as the event says: push and return the job, or raise.

    The final job, when there is one, is pushed to XCom under ``job``
    whatever the outcome, so that a failed job's metrics can be read too.
    A job that SUCCEEDED has its output folder pushed under
    ``output_folder`` too, if ``output_folder_of`` finds it; if it cannot
    (no S3 permission, say), a warning says why and the task still succeeds.

    Raises:
        AirflowException: The job FAILED (its message and id are logged
            first), or the wait ended in an error; the message names the
            error's class.
    """
    payload: Mapping[str, object] = (
        cast("Mapping[str, object]", event) if isinstance(event, Mapping) else {}
    )
    if payload.get("status") not in (SUCCESS, FAILED, ERROR):
        raise AirflowException(f"the trigger sent an event this task cannot read: {event!r}")
    job = payload.get("job")
    document = dict(cast("Mapping[str, object]", job)) if isinstance(job, Mapping) else None
    if document is not None:
        # Airflow always gives a task its "ti"; the TypedDict marks every key optional.
        context["ti"].xcom_push(key="job", value=document)  # pyright: ignore[reportTypedDictNotRequiredAccess]
    status, error, message = payload["status"], payload.get("error"), payload.get("message")
    job_id, workflow_name = payload.get("job_id"), payload.get("workflow_name")
    if status == SUCCESS and document is not None:
        kind: JobKindName = "matching" if payload.get("job_kind") == "matching" else "id_mapping"
        log.info(f"{JOB_TITLES[kind]} {job_id} SUCCEEDED: {document.get('metrics', {})}")
        if output_folder_of is not None:
            workflow = workflow_name if isinstance(workflow_name, str) else ""
            _push_output_folder(
                context, log, output_folder_of, kind=kind, workflow_name=workflow, document=document
            )
        return document
    if status == FAILED:
        log.error(f"{message} (workflow {workflow_name}, job {job_id})")
    failure = AirflowFailException if error == InvalidInputError.__name__ else AirflowException
    raise failure(f"{error}: {message}")


def _push_output_folder(
    context: Context,
    log: Log,
    output_folder_of: OutputFolderOf,
    *,
    kind: JobKindName,
    workflow_name: str,
    document: Mapping[str, object],
) -> None:
    try:
        folder = output_folder_of(kind, workflow_name, document)
    except EntityResolutionError as error:
        log.warning(
            f"{JOB_TITLES[kind]} {document.get('jobId')} SUCCEEDED, but its output folder "
            f"was not found, so none is pushed to XCom: {type(error).__name__}: {error}"
        )
        return
    context["ti"].xcom_push(key=OUTPUT_FOLDER_KEY, value=folder)  # pyright: ignore[reportTypedDictNotRequiredAccess]
    log.info(f"{JOB_TITLES[kind]} {document.get('jobId')} wrote its output to {folder}")
