"""``--debug``: botocore's logs and tracebacks on stderr, with credentials scrubbed."""

from __future__ import annotations

import logging
import os
import re
import sys
from dataclasses import dataclass


@dataclass
class DebugFlag:
    """Whether ``--debug`` was given to the running command."""

    enabled: bool = False


DEBUG = DebugFlag()

_log = logging.getLogger("entityresolution_jobs.cli")


def log_request_id(what: str, job_id: str, request_id: str | None) -> None:
    """Under ``--debug``, log the request id of the reply a result was read from."""
    if DEBUG.enabled:
        _log.debug("%s %s: request id %s", what, job_id, request_id)


# Values of these, in botocore's debug output (request headers, dumped
# configuration), are replaced before any line is written.
_SECRET_FIELDS = re.compile(
    r"(?i)(x-amz-security-token|authorization|x-amz-credential|signature|"
    r"aws_secret_access_key|aws_session_token|secret_key|session_token|token)"
    r"(['\"]?\s*[:=]\s*b?['\"]?)([^'\",}\s]+)"
)


class RedactSecrets(logging.Filter):
    """Scrubs credentials from log records: known field names, and the live secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message without secrets; never drops a record."""
        message = _SECRET_FIELDS.sub(r"\1\2***", record.getMessage())
        for secret in _live_secrets():
            message = message.replace(secret, "***")
        record.msg, record.args = message, None
        return True


def _live_secrets() -> tuple[str, ...]:
    secrets = (os.environ.get("AWS_SECRET_ACCESS_KEY"), os.environ.get("AWS_SESSION_TOKEN"))
    # Real secrets are long; a short placeholder ("demo") would blank out words.
    return tuple(secret for secret in secrets if secret and len(secret) >= 8)


def log_everything() -> None:
    """Send every logger's records, botocore's included, to stderr, scrubbed."""
    root = logging.getLogger()
    if any(isinstance(f, RedactSecrets) for h in root.handlers for f in h.filters):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactSecrets())
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
