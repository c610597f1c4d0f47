"""What moved between Airflow 2.10 and 3.x, imported from where this Airflow keeps it.

Airflow 3 moved the task-facing exceptions and the configuration into its
task SDK (``airflow.sdk``); Airflow 2 has them in ``airflow.exceptions``
and ``airflow.configuration``. The Amazon provider's own shim for this
(``airflow.providers.common.compat.sdk``) needs a newer provider than an
Amazon MWAA environment's constraint file pins, so the adapter keeps these
few names here instead. Type checkers see Airflow 3's names. The provider
itself changed how a hook hands out an aiobotocore client: `async_client_context`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the task SDK's conf is a lazy module attribute; the core's is typed
    from contextlib import AbstractAsyncContextManager

    from airflow.configuration import conf
    from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook
    from airflow.sdk.exceptions import AirflowException, AirflowFailException, TaskDeferred
else:
    try:  # Airflow 3.1+
        from airflow.sdk.exceptions import AirflowException, AirflowFailException, TaskDeferred
    except ImportError:  # pragma: no cover - Airflow 2 and 3.0 (their own test lines)
        from airflow.exceptions import AirflowException, AirflowFailException, TaskDeferred
    try:  # Airflow 3.1+
        from airflow.sdk.configuration import conf
    except ImportError:  # pragma: no cover - Airflow 2 and 3.0 (their own test lines)
        from airflow.configuration import conf

__all__ = [
    "AirflowException",
    "AirflowFailException",
    "TaskDeferred",
    "async_client_context",
    "default_deferrable",
]


def default_deferrable() -> bool:
    """Airflow's ``[operators] default_deferrable`` setting, as the provider's operators read it."""
    # The parser's **kwargs are untyped.
    setting = conf.getboolean("operators", "default_deferrable", fallback=False)  # pyright: ignore[reportUnknownMemberType]
    return bool(setting)


async def async_client_context(hook: AwsBaseHook) -> AbstractAsyncContextManager[Any]:
    """The hook's aiobotocore client, to open with ``async with``.

    The provider's ``get_async_conn()`` (9.x); before it (8.28, on MWAA's
    Airflow 2.10.1), its ``async_conn`` property, which later providers deprecate.
    """
    get_async_conn = getattr(hook, "get_async_conn", None)
    if get_async_conn is not None:
        # The provider leaves it untyped; it returns aiobotocore's client context.
        context: AbstractAsyncContextManager[Any] = await get_async_conn()
        return context
    return hook.async_conn  # type: ignore[no-any-return]  # pragma: no cover - provider 8.x
