"""The botocore client configuration this library asks for.

A client the library builds itself retries in botocore's ``standard`` mode
(3 attempts in all, with backoff and jitter) unless the user's own AWS
configuration names a retry mode: ``AWS_RETRY_MODE`` or the profile's
``retry_mode``. ``AWS_MAX_ATTEMPTS`` / ``max_attempts`` are left to botocore,
which reads them itself. A ``Config`` the caller passes wins over both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, cast

from botocore.config import Config
from botocore.configprovider import ConfigChainFactory

from ._version import __version__

if TYPE_CHECKING:
    from botocore.config import _RetryDict  # pyright: ignore[reportPrivateUsage]
    from botocore.session import Session as BotocoreSession

SERVICE_NAME: Final = "entityresolution"
DEFAULT_RETRY_MODE: Final = "standard"
USER_AGENT = f"entityresolution-jobs/{__version__}"


def user_retry_mode(session: BotocoreSession) -> str | None:
    """Return the retry mode the user configured (environment or profile), or ``None``.

    botocore's own chain for ``retry_mode`` ends in a default, which would
    hide whether the user said anything; this chain has none.
    """
    chain = ConfigChainFactory(session=session).create_config_chain(
        env_var_names="AWS_RETRY_MODE", config_property_names="retry_mode"
    )
    mode: object = chain.provide()
    return mode if isinstance(mode, str) and mode else None


def client_config(session: BotocoreSession, config: Config | None) -> Config:
    """Return the client ``Config``: our defaults under the caller's own."""
    ours = Config(user_agent_extra=USER_AGENT)
    merged = ours if config is None else ours.merge(config)
    retries = cast("_RetryDict", getattr(merged, "retries", None) or {})
    if "mode" in retries or user_retry_mode(session) is not None:
        return merged
    # A caller's retries={"max_attempts": ...} replaces the whole dict, so
    # the mode goes into theirs rather than beside it.
    return merged.merge(Config(retries={**retries, "mode": DEFAULT_RETRY_MODE}))
