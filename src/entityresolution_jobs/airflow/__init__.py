"""Airflow operators, sensors, a trigger and a hook for Entity Resolution jobs.

Install with the ``airflow`` extra (``pip install 'entityresolution-jobs[airflow]'``),
which brings Apache Airflow and its Amazon provider. Connections, regions,
role assumption and the deferrable default work as for the provider's own
AWS operators; the waiting is this library's.

Example:
    ```python
    from entityresolution_jobs.airflow import StartMatchingJobOperator

    match = StartMatchingJobOperator(task_id="match", workflow_name="customers", deferrable=True)
    ```
"""

from ._hook import EntityResolutionHook
from ._operators import StartIdMappingJobOperator, StartMatchingJobOperator
from ._sensors import IdMappingJobSensor, MatchingJobSensor
from ._triggers import EntityResolutionJobTrigger

__all__ = [
    "EntityResolutionHook",
    "EntityResolutionJobTrigger",
    "IdMappingJobSensor",
    "MatchingJobSensor",
    "StartIdMappingJobOperator",
    "StartMatchingJobOperator",
]
