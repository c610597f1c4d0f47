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

from botocore.validate import ParamValidator
from moto.core.responses import ActionResult, BaseResponse
from moto.core.utils import get_service_model

from ._exceptions import ValidationException
from ._models import EntityResolutionBackend, entityresolution_backends

if TYPE_CHECKING:
    from botocore.model import StructureShape

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

    def create_matching_workflow(self) -> ActionResult:
        """CreateMatchingWorkflow."""
        params = self._begin("CreateMatchingWorkflow")
        name = params.pop("workflowName")
        workflow = self.backend.create_matching_workflow(name, params)
        reply = workflow.describe()
        reply.pop("createdAt")
        reply.pop("updatedAt")
        return ActionResult(reply)

    def get_matching_workflow(self) -> ActionResult:
        """GetMatchingWorkflow."""
        params = self._begin("GetMatchingWorkflow")
        return ActionResult(self.backend.get_matching_workflow(params["workflowName"]).describe())

    def list_matching_workflows(self) -> ActionResult:
        """ListMatchingWorkflows."""
        params = self._begin("ListMatchingWorkflows")
        workflows, token = self.backend.list_matching_workflows(
            max_results=params.get("maxResults"), next_token=params.get("nextToken")
        )
        reply: dict[str, Any] = {"workflowSummaries": [w.summary() for w in workflows]}
        if token:
            reply["nextToken"] = token
        return ActionResult(reply)

    def delete_matching_workflow(self) -> ActionResult:
        """DeleteMatchingWorkflow."""
        name = self._begin("DeleteMatchingWorkflow")["workflowName"]
        self.backend.delete_matching_workflow(name)
        return ActionResult({"message": f"The workflow {name} has been deleted."})

    def start_matching_job(self) -> ActionResult:
        """StartMatchingJob."""
        params = self._begin("StartMatchingJob")
        return ActionResult(
            {"jobId": self.backend.start_matching_job(params["workflowName"]).job_id}
        )

    def get_matching_job(self) -> ActionResult:
        """GetMatchingJob."""
        params = self._begin("GetMatchingJob")
        job = self.backend.get_matching_job(params["workflowName"], params["jobId"])
        return ActionResult(job.describe(self.backend.clock()))

    def list_matching_jobs(self) -> ActionResult:
        """ListMatchingJobs."""
        params = self._begin("ListMatchingJobs")
        jobs, token = self.backend.list_matching_jobs(
            workflow_name=params["workflowName"],
            max_results=params.get("maxResults"),
            next_token=params.get("nextToken"),
        )
        now = self.backend.clock()
        reply: dict[str, Any] = {"jobs": [job.summary(now) for job in jobs]}
        if token:
            reply["nextToken"] = token
        return ActionResult(reply)


def _check(shape: StructureShape, params: dict[str, Any]) -> None:
    """Raise ValidationException, with the service's wording, for invalid input."""
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        raise ValidationException(f"1 validation error detected: {report.generate_report()}")
    for name, member in shape.members.items():
        value = params.get(name)
        if value is None:
            continue
        constraint = _violated(member.metadata, value)
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


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)
