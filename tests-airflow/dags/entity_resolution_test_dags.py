"""The DAGs the Airflow tests run with ``dag.test()``: each sensor mode, each operator."""

from __future__ import annotations

from datetime import datetime, timedelta

try:  # Airflow 3
    from airflow.sdk import DAG, get_current_context, task
except ImportError:  # Airflow 2
    from airflow import DAG  # type: ignore[attr-defined, no-redef, unused-ignore]
    from airflow.decorators import task  # type: ignore[attr-defined, no-redef, unused-ignore]
    from airflow.operators.python import (  # type: ignore[import-not-found, no-redef, unused-ignore]
        get_current_context,
    )

from entityresolution_jobs import MatchingJob
from entityresolution_jobs.airflow import (
    EntityResolutionHook,
    IdMappingJobSensor,
    MatchingJobSensor,
    StartIdMappingJobOperator,
    StartMatchingJobOperator,
)

START = datetime(2026, 1, 1)
FAST = 0.2  # min_delay: the fake's jobs take under a second


def _dag(dag_id: str) -> DAG:
    return DAG(dag_id, schedule=None, start_date=START, catchup=False)


# A sensor per kind and mode, on a job started outside the DAG: the
# workflow and the job id are run params (templated).
for kind, sensor in (("matching", MatchingJobSensor), ("id_mapping", IdMappingJobSensor)):
    for mode in ("poke", "reschedule", "deferrable"):
        with _dag(f"{kind}_sensor_{mode}"):
            sensor(
                task_id="sense",
                workflow_name="{{ params.workflow_name }}",
                job_id="{{ params.job_id }}",
                mode="reschedule" if mode == "reschedule" else "poke",
                deferrable=mode == "deferrable",
                poke_interval=1 if mode == "reschedule" else 0.3,
                timeout=60,
                min_delay=FAST,
            )

# Operators: waiting in the worker, and an ID mapping job whose sensor
# reads the id from the operator's XCom.
with _dag("matching_in_worker"):
    StartMatchingJobOperator(
        task_id="match", workflow_name="customers", deferrable=False, min_delay=FAST
    )

# A start that defers its wait; one retried at once (the retry tests).
with _dag("matching_deferred"):
    StartMatchingJobOperator(
        task_id="match", workflow_name="customers", deferrable=True, min_delay=FAST
    )

with _dag("matching_retried"):
    StartMatchingJobOperator(
        task_id="match", workflow_name="customers", deferrable=False, min_delay=FAST,
        retries=1, retry_delay=timedelta(0),
    )  # fmt: skip

with _dag("id_mapping_then_sensor"):
    started = StartIdMappingJobOperator(
        task_id="map",
        workflow_name="ids",
        job_type="{{ params.job_type }}",
        wait_for_completion=False,
    )
    sensed = IdMappingJobSensor(
        task_id="sense",
        workflow_name="ids",
        job_id="{{ ti.xcom_pull(task_ids='map') }}",
        deferrable=True,
        timeout=60,
        min_delay=FAST,
    )
    started >> sensed

# A downstream task reads what the job wrote, with its own connection.
with _dag("matching_then_read_output"):
    matched = StartMatchingJobOperator(
        task_id="match", workflow_name="customers", deferrable=True, min_delay=FAST
    )

    @task
    def read() -> dict[str, object]:
        """Count the job's records through the connection's S3, from the folder pushed."""
        ti = get_current_context()["ti"]
        job = MatchingJob.model_validate(ti.xcom_pull(task_ids="match", key="job"))
        jobs = EntityResolutionHook(aws_conn_id="aws_default").jobs
        output = jobs.get_job_output(job, workflow_name="customers")  # one listing
        records = sum(1 for _ in jobs.iter_output_records(output))
        return {"folder": output.folder, "records": records}

    matched >> read()
