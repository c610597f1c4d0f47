"""Mistakes with the Airflow adapter a type checker must catch; each comment names the error.

tests-airflow/test_typing.py runs mypy on this file and checks that exactly
these lines fail, each for the reason given.
"""

from __future__ import annotations

from entityresolution_jobs.airflow import (
    EntityResolutionHook,
    EntityResolutionJobTrigger,
    MatchingJobSensor,
    StartIdMappingJobOperator,
    StartMatchingJobOperator,
)

StartMatchingJobOperator(task_id="m", workflow_name=42)  # E: incompatible type "int"
StartMatchingJobOperator(task_id="m", workflow_name="w", min_delay="2")  # E: type "str"
StartMatchingJobOperator(task_id="m", workflow_name="w", wait_for_completion="no")  # E: "str"
StartMatchingJobOperator(task_id="m", workflow_name="w", reattach="never")  # E: "str"
StartIdMappingJobOperator(task_id="i", workflow_name="w", job_type=3)  # E: incompatible type "int"
MatchingJobSensor(task_id="s", workflow_name="w")  # E: Missing named argument "job_id"
EntityResolutionJobTrigger(job_kind="matchin", workflow_name="w", job_id="j")  # E: "job_kind"
EntityResolutionHook().jobs.get_matching_job("w")  # E: Missing positional argument "job_id"
EntityResolutionHook().async_jobs(max_rate="5/s")  # E: "str"
job = EntityResolutionHook().jobs.get_matching_job("w", "j")
_ = job.metrics.match_id  # E: has no attribute "match_id"
