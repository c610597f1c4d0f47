"""Plugs the Entity Resolution backend into moto.

moto has no public plug-in hook, so this does by hand the two things moto
does for its own services, and nothing else:

1. ``moto.backend_index.backend_url_patterns`` gets the service's URL
   pattern: both ``mock_aws()`` (botocore's ``before-send`` hook) and the
   server (``moto.server``) look a request's service up there.
2. ``sys.modules["moto.entityresolution"]`` is this package's backend
   module: ``moto.backends.get_backend("entityresolution")`` imports
   ``moto.<service>`` and takes its ``entityresolution_backends``.

Both are idempotent. `check_moto_internals` fails loudly, naming the moto
version, if either internal has moved; the tests call it, and the
``testing`` extra pins the moto versions this was tested with.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata

from . import _models  # pyright: ignore[reportPrivateUsage] - a module of this package

SERVICE = "entityresolution"
MODULE = f"moto.{SERVICE}"
URL_PATTERN = re.compile(r"https?://entityresolution\.(.+)\.amazonaws\.com")


def register() -> None:
    """Make moto serve Entity Resolution; calling it again changes nothing."""
    import moto.backend_index  # noqa: PLC0415 - imported when registering, not before

    sys.modules.setdefault(MODULE, _models)
    patterns = moto.backend_index.backend_url_patterns
    if not any(name == SERVICE for name, _ in patterns):
        patterns.insert(0, (SERVICE, URL_PATTERN))


def check_moto_internals() -> None:
    """Raise RuntimeError if moto no longer finds the backend where registered."""
    import moto.backends  # noqa: PLC0415

    version = metadata.version("moto")
    try:
        found = moto.backends.get_backend(SERVICE)  # type: ignore[call-overload]
    except Exception as error:  # any failure here means moto's lookup changed
        raise RuntimeError(
            f"moto {version} no longer loads backends the way entityresolution_jobs.testing "
            f"registers them ({error!r}); pin moto to a version the testing extra allows"
        ) from error
    if found is not _models.entityresolution_backends:
        raise RuntimeError(f"moto {version} resolved {SERVICE!r} to another backend: {found!r}")
    if moto.backends.get_service_from_url(f"https://{SERVICE}.us-east-1.amazonaws.com") != SERVICE:
        raise RuntimeError(f"moto {version} no longer routes {SERVICE} URLs through backend_index")
