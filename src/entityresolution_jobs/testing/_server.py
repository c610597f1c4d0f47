"""The fake service over HTTP: moto's server application with the control API in front.

`application` is what ``er-jobs fake-server`` serves; `ThreadedFakeServer`
serves it from a thread of this process, for the ``entity_resolution_server``
fixture (as moto's ``ThreadedMotoServer`` serves moto's application).
"""

from __future__ import annotations

import threading
from typing import Any

from moto.moto_server import werkzeug_app  # pyright: ignore[reportMissingTypeStubs] - moto ships no types for it
from moto.moto_server.werkzeug_app import (  # pyright: ignore[reportMissingTypeStubs]
    DomainDispatcherApplication,
    create_backend_app,
)
from werkzeug.serving import make_server

from . import _registration
from ._control_api import ControlAPI

_registration.register()


def application() -> ControlAPI:
    """A WSGI application: the control API under ``/moto-api/entityresolution/``, then moto."""
    return ControlAPI(DomainDispatcherApplication(create_backend_app))


class ThreadedFakeServer:
    """`application` served on ``host:port`` (0: any free port) from a daemon thread."""

    def __init__(self, host: str, port: int) -> None:
        # moto's own request handler (it keeps headers with underscores, for
        # S3 metadata) where this moto has one (5.2.1 on); werkzeug's before.
        handler = getattr(werkzeug_app, "MotoRequestHandler", None)
        server: Any = make_server(host, port, application(), threaded=True, request_handler=handler)
        self._server = server
        self.url = f"http://{host}:{server.server_port}"
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
