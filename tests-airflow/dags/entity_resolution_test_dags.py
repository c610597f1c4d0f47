"""The DAGs the Airflow tests run with ``dag.test()``: each sensor mode, each operator."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG

from entityresolution_jobs.airflow import (
    IdMappingJobSensor,
    MatchingJobSensor,
    StartIdMappingJobOperator,
    StartMatchingJobOperator,
)

START = datetime(2026, 1, 1)
FAST = 0.2  # min_delay: the fake's jobs take under a second


def _dag(dag_id: str) -> DAG:
    return DAG(dag_id, schedule=None, start_date=START, catchup=False)


# A sensor per mode, on a job started outside the DAG (its id is a run param).
for mode in ("poke", "reschedule"):
    with _dag(f"matching_sensor_{mode}"):
        MatchingJobSensor(
            task_id="sense",
            workflow_name="{{ params.workflow_name }}",
            job_id="{{ params.job_id }}",
            mode=mode,
            poke_interval=0.3 if mode == "poke" else 1,
            timeout=60,
            deferrable=False,
        )

with _dag("matching_sensor_deferrable"):
    MatchingJobSensor(
        task_id="sense",
        workflow_name="{{ params.workflow_name }}",
        job_id="{{ params.job_id }}",
        deferrable=True,
        timeout=60,
        min_delay=FAST,
    )

with _dag("id_mapping_sensor_deferrable"):
    IdMappingJobSensor(
        task_id="sense",
        workflow_name="{{ params.workflow_name }}",
        job_id="{{ params.job_id }}",
        deferrable=True,
        timeout=60,
        min_delay=FAST,
    )

# Operators: waiting in the worker, and an ID mapping job whose sensor
# reads the id from the operator's XCom.
with _dag("matching_in_worker"):
    StartMatchingJobOperator(
        task_id="match", workflow_name="customers", deferrable=False, min_delay=FAST
    )

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
