"""An Airflow DAG: run a matching workflow, wait for it in the triggerer, report its metrics.

Put this file in your DAGs folder. It needs an AWS connection
(``aws_default`` unless you pass ``aws_conn_id``) and a matching workflow;
the workflow's name is a DAG param, so a manual run can name another.
``make test-airflow`` runs it with ``dag.test()`` against the fake service.
"""

from __future__ import annotations

from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import DAG, Param, get_current_context, task
except ImportError:  # Airflow 2.11 (Amazon MWAA's 2.x line); type-checked against Airflow 3
    from airflow import DAG  # type: ignore[attr-defined, no-redef, unused-ignore]
    from airflow.decorators import task  # type: ignore[attr-defined, no-redef, unused-ignore]
    from airflow.models.param import Param  # type: ignore[import-not-found, no-redef, unused-ignore]
    from airflow.operators.python import (  # type: ignore[import-not-found, no-redef, unused-ignore]
        get_current_context,
    )

from entityresolution_jobs import MatchingJob
from entityresolution_jobs.airflow import StartMatchingJobOperator

with DAG(
    dag_id="entity_resolution_pipeline",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={"workflow_name": Param("customers", type="string")},
    tags=["entity-resolution"],
) as dag:
    # Starts the job, then frees its worker slot: the triggerer waits,
    # polling as this library plans, and the task resumes when the job ends.
    match = StartMatchingJobOperator(
        task_id="match",
        workflow_name="{{ params.workflow_name }}",
        deferrable=True,
    )

    @task
    def report() -> dict[str, int | None]:
        """Read the final job `match` pushed (service names) back into a typed model."""
        ti = get_current_context()["ti"]
        job_id = ti.xcom_pull(task_ids="match")
        finished = MatchingJob.model_validate(ti.xcom_pull(task_ids="match", key="job"))
        output = finished.output_source
        where = output.output_s3_path if output else "the workflow's output location"
        print(f"job {job_id}: {finished.metrics.match_ids} match ids, written to {where}")
        return {
            "input_records": finished.metrics.input_records,
            "match_ids": finished.metrics.match_ids,
        }

    match >> report()
