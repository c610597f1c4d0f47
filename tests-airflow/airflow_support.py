"""Helpers of the Airflow tests: running DAGs and triggers, a task context to call methods with."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, cast

from airflow.dag_processing.dagbag import DagBag
from airflow.models.xcom import XComModel
from airflow.utils.session import create_session
from airflow.utils.state import DagRunState

if TYPE_CHECKING:
    from airflow.models.dagrun import DagRun
    from airflow.sdk import Context
    from airflow.triggers.base import BaseTrigger, TriggerEvent

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
        query = XComModel.get_many(run_id=run.run_id, key=key, dag_ids=run.dag_id, task_ids=task_id)
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
