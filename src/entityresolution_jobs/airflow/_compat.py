"""What moved between Airflow 2.11 and 3.x, imported from where this Airflow keeps it.

Airflow 3 moved the task-facing exceptions and the configuration into its
task SDK (``airflow.sdk``); Airflow 2.11 has them in ``airflow.exceptions``
and ``airflow.configuration``. The Amazon provider's own shim for this
(``airflow.providers.common.compat.sdk``) needs a newer provider than an
Amazon MWAA environment's constraint file pins, so the adapter keeps these
few names here instead. Type checkers see Airflow 3's names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the task SDK's conf is a lazy module attribute; the core's is typed
    from airflow.configuration import conf
    from airflow.sdk.exceptions import AirflowException, AirflowFailException, TaskDeferred
else:
    try:  # Airflow 3.1+
        from airflow.sdk.exceptions import AirflowException, AirflowFailException, TaskDeferred
    except ImportError:  # pragma: no cover - Airflow 2.11 and 3.0 (their own test lines)
        from airflow.exceptions import AirflowException, AirflowFailException, TaskDeferred
    try:  # Airflow 3.1+
        from airflow.sdk.configuration import conf
    except ImportError:  # pragma: no cover - Airflow 2.11 and 3.0 (their own test lines)
        from airflow.configuration import conf

__all__ = ["AirflowException", "AirflowFailException", "TaskDeferred", "default_deferrable"]


def default_deferrable() -> bool:
    """Airflow's ``[operators] default_deferrable`` setting, as the provider's operators read it."""
    # The parser's **kwargs are untyped.
    setting = conf.getboolean("operators", "default_deferrable", fallback=False)  # pyright: ignore[reportUnknownMemberType]
    return bool(setting)
