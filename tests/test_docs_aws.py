"""docs/aws.md: the IAM policy a reader pastes names real actions on real resources."""

from __future__ import annotations

import json
import re
from pathlib import Path

import botocore.session
import pytest

PAGE = Path(__file__).parent.parent / "docs" / "aws.md"


def _policy() -> dict[str, object]:
    blocks = re.findall(r"```json\n(.*?)```", PAGE.read_text(), flags=re.DOTALL)
    assert len(blocks) == 1
    policy: dict[str, object] = json.loads(blocks[0])
    return policy


def _statements() -> list[dict[str, object]]:
    statements = _policy()["Statement"]
    assert isinstance(statements, list)
    return statements


def _listed(value: object) -> list[str]:
    return [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def model() -> botocore.model.ServiceModel:
    return botocore.session.get_session().get_service_model("entityresolution")


def test_the_policy_is_a_policy_document() -> None:
    policy = _policy()

    assert policy["Version"] == "2012-10-17"
    assert all(statement["Effect"] == "Allow" for statement in _statements())


def test_its_entity_resolution_actions_are_the_operations_the_library_calls(
    model: botocore.model.ServiceModel,
) -> None:
    actions = {
        action.removeprefix("entityresolution:")
        for statement in _statements()
        for action in _listed(statement["Action"])
        if action.startswith("entityresolution:")
    }

    assert actions <= set(model.operation_names)
    assert actions == {
        f"{verb}{kind}Job{plural}"
        for verb, plural in (("Get", ""), ("Start", ""), ("List", "s"))
        for kind in ("Matching", "IdMapping")
    }


def test_its_workflow_arns_match_the_models_pattern(model: botocore.model.ServiceModel) -> None:
    summary = model.shape_for("MatchingWorkflowSummary")
    id_mapping = model.shape_for("IdMappingWorkflowSummary")
    patterns = [
        re.compile(shape.members["workflowArn"].metadata["pattern"])  # type: ignore[attr-defined]
        for shape in (summary, id_mapping)
    ]
    arns = [
        arn
        for statement in _statements()
        for arn in _listed(statement["Resource"])
        if arn.startswith("arn:aws:entityresolution:")
    ]

    assert len(arns) == 2
    assert all(any(pattern.fullmatch(arn) for pattern in patterns) for arn in arns), arns
