"""Helpers of the Airflow tests: running DAGs and triggers, a task context to call methods with."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, cast

import airflow
import botocore.session
import pytest
from airflow.utils.session import create_session
from airflow.utils.state import DagRunState
from packaging.version import Version

try:  # Airflow 3.1+
    from airflow.dag_processing.dagbag import DagBag
except ImportError:  # Airflow 2.11 and 3.0
    from airflow.models.dagbag import DagBag  # type: ignore[no-redef,attr-defined,unused-ignore]

if TYPE_CHECKING:
    from airflow.models.dagrun import DagRun
    from airflow.sdk import Context
    from airflow.triggers.base import BaseTrigger, TriggerEvent

# MWAA's lines before Airflow 2.11.2 pin a botocore whose model has no ID mapping job type.
_START_ID_MAPPING = (
    botocore.session.get_session()
    .get_service_model("entityresolution")
    .operation_model("StartIdMappingJob")
    .input_shape
)
JOB_TYPE_SENDABLE = _START_ID_MAPPING is not None and "jobType" in _START_ID_MAPPING.members

AIRFLOW_VERSION = Version(airflow.__version__)
AIRFLOW_2 = AIRFLOW_VERSION.major == 2
ROOT = Path(__file__).parent.parent
EXAMPLE_DAGS = ROOT / "examples" / "airflow"
TEST_DAGS = Path(__file__).parent / "dags"


def run_dag(folder: Path, dag_id: str, **conf: object) -> DagRun:
    """Run one DAG of ``folder`` with ``dag.test()``, as its author would; return the run."""
    bag = DagBag(dag_folder=str(folder))
    assert not bag.import_errors, bag.import_errors
    dag = bag.dags[dag_id]
    run: DagRun = dag.test(run_conf=dict(conf))
    return run


def xcom(run: DagRun, task_id: str, key: str = "return_value") -> object:
    """The value a task of ``run`` pushed under ``key``, or None."""
    with create_session() as session:
        if AIRFLOW_2:
            from airflow.models.xcom import XCom

            return XCom.get_one(  # type: ignore[attr-defined,unused-ignore]
                run_id=run.run_id, key=key, dag_id=run.dag_id, task_id=task_id, session=session
            )
        from airflow.models.xcom import XComModel

        query = XComModel.get_many(run_id=run.run_id, key=key, dag_ids=run.dag_id, task_ids=task_id)
        if AIRFLOW_VERSION.release < (3, 1):  # a Query of its own session, not a select()
            row = query.with_session(session).first()  # type: ignore[attr-defined,unused-ignore]
        else:
            row = session.scalars(query).first()
        return None if row is None else XComModel.deserialize_value(row)


def succeeded(run: DagRun) -> bool:
    """Whether the whole run succeeded."""
    return bool(run.state == DagRunState.SUCCESS)


def task_state(run: DagRun, task_id: str) -> str | None:
    """The final state of one task of ``run``."""
    with create_session() as session:
        instance = run.get_task_instance(task_id, session=session)
        return None if instance is None else str(instance.state)


def task_log_lines(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> list[str]:
    """What tasks logged so far (Airflow 3's task logger writes to the output, 2's to logging)."""
    lines = capfd.readouterr().out.splitlines()
    return lines + [f"[{r.levelname.lower()}] {r.getMessage()}" for r in caplog.records]


def try_number(run: DagRun, task_id: str) -> int | None:
    """The try a task of ``run`` ended on."""
    with create_session() as session:
        instance = run.get_task_instance(task_id, session=session)
        return None if instance is None else int(instance.try_number)


def run_trigger(trigger: BaseTrigger) -> list[TriggerEvent]:
    """Every event a trigger yields, run to its end as the triggerer would."""

    async def collect() -> list[TriggerEvent]:
        return [event async for event in trigger.run()]

    return asyncio.run(collect())


class RecordingTaskInstance:
    """What the operators use of a task instance: XCom pushes, recorded here."""

    def __init__(self) -> None:
        self.pushed: dict[str, object] = {}

    def xcom_push(self, key: str, value: object) -> None:
        """Record ``value`` under ``key``."""
        self.pushed[key] = value


def context_of(ti: RecordingTaskInstance) -> Context:
    """A task context holding only ``ti``, for calling execute methods directly."""
    return cast("Context", {"ti": ti})


def stored_trigger(trigger: BaseTrigger) -> BaseTrigger:
    """``trigger`` rebuilt from ``serialize()`` as the triggerer's database row stores it."""
    classpath, kwargs = trigger.serialize()
    try:  # Airflow 3.3's Trigger model stores kwargs with the task SDK's serde
        from airflow.sdk._shared.module_loading import import_string
        from airflow.sdk.serde import deserialize, serialize

        stored = deserialize(serialize(kwargs))
    except ImportError:  # Airflow 2.11 and 3.0: BaseSerialization
        from airflow.serialization.serialized_objects import BaseSerialization
        from airflow.utils.module_loading import (  # type: ignore[import-not-found, no-redef, unused-ignore]
            import_string,
        )

        stored = BaseSerialization.deserialize(BaseSerialization.serialize(kwargs))
    assert isinstance(stored, dict)
    rebuilt: BaseTrigger = import_string(classpath)(**stored)
    return rebuilt
