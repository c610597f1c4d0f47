"""Request handlers of the fake service, on moto's ``BaseResponse``.

moto routes a request to the method named after its operation, parses its
parameters from botocore's service model (``automated_parameter_parsing``)
and serializes each ``ActionResult`` back in the service's rest-json wire
format. What is left here is the service's own behaviour: input checks with
the service's messages, injected faults, and the reply of each operation.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.model import Shape, StructureShape
from botocore.validate import ParamValidator
from moto.core.exceptions import InvalidToken
from moto.core.responses import ActionResult, BaseResponse
from moto.core.utils import get_service_model

from ._exceptions import ValidationException
from ._models import EntityResolutionBackend, entityresolution_backends

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._models import FakeJob, FakeWorkflow

SERVICE = "entityresolution"


class EntityResolutionResponse(BaseResponse):
    """Handler for Entity Resolution requests and responses."""

    def __init__(self) -> None:
        super().__init__(service_name=SERVICE)
        self.automated_parameter_parsing = True

    @property
    def backend(self) -> EntityResolutionBackend:
        """The backend of the account and region the request was signed for."""
        return entityresolution_backends[self.current_account][self.region]

    def _begin(self, operation: str) -> dict[str, Any]:
        """Inject a queued fault, check the input, and return it."""
        self.backend.raise_injected_fault(operation)
        shape = get_service_model(SERVICE).operation_model(operation).input_shape
        params = {name: self._get_param(name) for name in shape.members}
        params = {name: value for name, value in params.items() if value is not None}
        _check(shape, params)
        return params

    # Matching workflows and jobs

    def create_matching_workflow(self) -> ActionResult:
        """CreateMatchingWorkflow."""
        return self._create("CreateMatchingWorkflow", self.backend.create_matching_workflow)

    def get_matching_workflow(self) -> ActionResult:
        """GetMatchingWorkflow."""
        return self._get_workflow("GetMatchingWorkflow", self.backend.get_matching_workflow)

    def list_matching_workflows(self) -> ActionResult:
        """ListMatchingWorkflows."""
        return self._list("ListMatchingWorkflows", self.backend.list_matching_workflows)

    def delete_matching_workflow(self) -> ActionResult:
        """DeleteMatchingWorkflow."""
        return self._delete("DeleteMatchingWorkflow", self.backend.delete_matching_workflow)

    def start_matching_job(self) -> ActionResult:
        """StartMatchingJob."""
        params = self._begin("StartMatchingJob")
        return ActionResult(
            {"jobId": self.backend.start_matching_job(params["workflowName"]).job_id}
        )

    def get_matching_job(self) -> ActionResult:
        """GetMatchingJob."""
        return self._get_job("GetMatchingJob", self.backend.get_matching_job)

    def list_matching_jobs(self) -> ActionResult:
        """ListMatchingJobs."""
        return self._list("ListMatchingJobs", self.backend.list_matching_jobs)

    # ID mapping workflows and jobs

    def create_id_mapping_workflow(self) -> ActionResult:
        """CreateIdMappingWorkflow."""
        return self._create("CreateIdMappingWorkflow", self.backend.create_id_mapping_workflow)

    def get_id_mapping_workflow(self) -> ActionResult:
        """GetIdMappingWorkflow."""
        return self._get_workflow("GetIdMappingWorkflow", self.backend.get_id_mapping_workflow)

    def list_id_mapping_workflows(self) -> ActionResult:
        """ListIdMappingWorkflows."""
        return self._list("ListIdMappingWorkflows", self.backend.list_id_mapping_workflows)

    def delete_id_mapping_workflow(self) -> ActionResult:
        """DeleteIdMappingWorkflow."""
        return self._delete("DeleteIdMappingWorkflow", self.backend.delete_id_mapping_workflow)

    def start_id_mapping_job(self) -> ActionResult:
        """StartIdMappingJob."""
        params = self._begin("StartIdMappingJob")
        job = self.backend.start_id_mapping_job(
            params["workflowName"], params.get("jobType"), params.get("outputSourceConfig")
        )
        reply: dict[str, Any] = {"jobId": job.job_id, "jobType": job.job_type}
        if job.output_source_config:
            reply["outputSourceConfig"] = job.output_source_config
        return ActionResult(reply)

    def get_id_mapping_job(self) -> ActionResult:
        """GetIdMappingJob."""
        return self._get_job("GetIdMappingJob", self.backend.get_id_mapping_job)

    def list_id_mapping_jobs(self) -> ActionResult:
        """ListIdMappingJobs."""
        return self._list("ListIdMappingJobs", self.backend.list_id_mapping_jobs)

    # The shapes of reply both kinds share

    def _create(
        self, operation: str, create: Callable[[str, dict[str, Any]], FakeWorkflow]
    ) -> ActionResult:
        params = self._begin(operation)
        name = params.pop("workflowName")
        return ActionResult(_shaped(operation, create(name, params).describe()))

    def _get_workflow(self, operation: str, get: Callable[[str], FakeWorkflow]) -> ActionResult:
        workflow = get(self._begin(operation)["workflowName"])
        return ActionResult(_shaped(operation, workflow.describe()))

    def _delete(self, operation: str, delete: Callable[[str], None]) -> ActionResult:
        name = self._begin(operation)["workflowName"]
        delete(name)
        return ActionResult({"message": f"The workflow {name} has been deleted."})

    def _get_job(self, operation: str, get: Callable[[str, str], FakeJob]) -> ActionResult:
        params = self._begin(operation)
        job = get(params["workflowName"], params["jobId"])
        return ActionResult(job.describe(self.backend.clock()))

    def _list(
        self, operation: str, paginated: Callable[..., tuple[list[Any], str | None]]
    ) -> ActionResult:
        """A List* operation: workflows (``workflowSummaries``) or a workflow's ``jobs``."""
        params = self._begin(operation)
        pages = {"max_results": params.get("maxResults"), "next_token": params.get("nextToken")}
        if "workflowName" in params:
            pages["workflow_name"] = params["workflowName"]
        try:
            items, token = paginated(**pages)
        except InvalidToken as error:
            # moto's own error, which the service model does not have: SDKs
            # would raise a generic one. The service's modelled answer is a
            # ValidationException (its wording is not documented: this is ours).
            raise ValidationException(
                f"The nextToken {params['nextToken']!r} is not valid for {operation}."
            ) from error
        reply: dict[str, Any]
        if operation.endswith("Jobs"):
            now = self.backend.clock()
            reply = {"jobs": [job.summary(now) for job in items]}
        else:
            reply = {"workflowSummaries": [workflow.summary() for workflow in items]}
        if token:
            reply["nextToken"] = token
        return ActionResult(reply)


def _shaped(operation: str, reply: dict[str, Any]) -> dict[str, Any]:
    """``reply`` without what the operation's output shape does not have (tags, times)."""
    shape = get_service_model(SERVICE).operation_model(operation).output_shape
    assert isinstance(shape, StructureShape)
    return {name: value for name, value in reply.items() if name in shape.members}


def _check(shape: StructureShape, params: dict[str, Any]) -> None:
    """Raise ValidationException, with the service's wording, for invalid input."""
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        raise ValidationException(f"1 validation error detected: {report.generate_report()}")
    for name, member in shape.members.items():
        value = params.get(name)
        if value is not None:
            _check_member(name, member, value)


def check_input_member(operation: str, name: str, value: object) -> None:
    """Raise ValidationException, with the service's wording, if ``value`` breaks ``name``'s rules.

    ``name`` is a top-level member of ``operation``'s input (``workflowName``).
    """
    shape = get_service_model(SERVICE).operation_model(operation).input_shape
    assert isinstance(shape, StructureShape)
    _check_member(name, shape.members[name], value)


def _check_member(name: str, member: Shape, value: object) -> None:
    constraint = _violated(member.metadata, value) or _not_listed(member, value)
    if constraint:
        raise ValidationException(
            f"1 validation error detected: Value {value!r} at '{name}' failed to "
            f"satisfy constraint: Member must {constraint}"
        )


def _violated(metadata: dict[str, Any], value: object) -> str | None:
    low, high, pattern = metadata.get("min"), metadata.get("max"), metadata.get("pattern")
    if isinstance(value, str):
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            return f"have length between {low} and {high}, inclusive"
        if pattern is not None and _compiled(pattern).fullmatch(value) is None:
            return f"satisfy regular expression pattern: {pattern}"
    elif isinstance(value, int) and (
        (low is not None and value < low) or (high is not None and value > high)
    ):
        return f"have value between {low} and {high}, inclusive"
    return None


def _not_listed(shape: Shape, value: object) -> str | None:
    allowed: list[str] = getattr(shape, "enum", None) or []
    if allowed and value not in allowed:
        return f"satisfy enum value set: [{', '.join(allowed)}]"
    return None


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)
