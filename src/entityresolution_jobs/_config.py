"""The botocore client configuration this library asks for.

A client the library builds itself retries in botocore's ``standard`` mode
(3 attempts in all, with backoff and jitter) unless the user's own AWS
configuration names a retry mode: ``AWS_RETRY_MODE`` or the profile's
``retry_mode``. ``AWS_MAX_ATTEMPTS`` / ``max_attempts`` are left to botocore,
which reads them itself. A ``Config`` the caller passes wins over both.
"""

from __future__ import annotations

from botocore.config import Config
from botocore.configprovider import ConfigChainFactory
from botocore.session import Session as BotocoreSession

from ._version import __version__

SERVICE_NAME = "entityresolution"
DEFAULT_RETRY_MODE = "standard"
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
    retries: dict[str, object] = dict(getattr(config, "retries", None) or {})
    if "mode" not in retries and user_retry_mode(session) is None:
        retries["mode"] = DEFAULT_RETRY_MODE
    ours = Config(user_agent_extra=USER_AGENT)
    merged = ours if config is None else ours.merge(config)
    return merged.merge(Config(retries=retries)) if retries else merged
