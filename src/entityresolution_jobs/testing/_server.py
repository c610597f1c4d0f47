"""The fake service over HTTP: moto's server application with the control API in front.

`application` is what ``er-jobs fake-server`` serves, through `FakeServer`
(waitress: HTTP/1.1, connections kept alive); `ThreadedFakeServer` serves it
from a thread of this process, for the ``entity_resolution_server`` fixture
(as moto's ``ThreadedMotoServer`` serves moto's application).
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from moto.moto_server.werkzeug_app import (  # pyright: ignore[reportMissingTypeStubs]
    DomainDispatcherApplication,
    create_backend_app,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from waitress.server import BaseWSGIServer

from . import _registration
from ._control_api import ControlAPI

_registration.register()


def application() -> ControlAPI:
    """A WSGI application: the control API under ``/moto-api/entityresolution/``, then moto."""
    return ControlAPI(DomainDispatcherApplication(create_backend_app))


SERVER_THREADS = 16
"""Requests served at once; more wait their turn (werkzeug's server had a thread each)."""

LOOP_SECONDS = 0.25
"""How often the serving loop looks whether `FakeServer.close` was called, at least."""

CLOSE_SECONDS = 10.0
"""How long `FakeServer.close` waits, at most, for the serving thread to close everything."""


class FakeServer:
    """`application` on ``host:port`` (0: any free port), served by waitress.

    HTTP/1.1 with connections kept alive between requests, as the service
    and S3 keep them: werkzeug's development server, which served the fake
    before, closes every connection after one reply (and drains the socket
    after it, so it cannot be taught otherwise), so neither connection
    reuse nor what a client pays without it could be measured here.

    Raises:
        OSError: The address cannot be listened on.
    """

    def __init__(self, host: str, port: int) -> None:
        from waitress.server import BaseWSGIServer, create_server  # noqa: PLC0415 - testing's

        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        listening = socket.create_server((host, port), family=family)
        self.port: int = listening.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        # Its own map of sockets, so that `close` can reach every connection.
        self._sockets: dict[int, Any] = {}
        self._closing = threading.Event()
        self._closed = threading.Event()
        self._shutting = threading.Lock()
        self._serving = False
        # ident=None: no Server header of waitress's own (moto's replies name AWS's).
        server = create_server(
            _as_served(application()), map=self._sockets, sockets=[listening],
            threads=SERVER_THREADS, ident=None,
        )  # fmt: skip
        # One listening socket: a single server with its trigger, not a MultiSocketServer.
        assert isinstance(server, BaseWSGIServer)
        self._server: BaseWSGIServer = server

    def serve_forever(self) -> None:
        """Serve until `close` (from another thread) or Ctrl-C; then close everything, here."""
        from waitress import wasyncore  # noqa: PLC0415

        self._serving = True
        try:
            while not self._closing.is_set():
                wasyncore.loop(timeout=LOOP_SECONDS, map=self._sockets, count=1)
        finally:
            self._shut()

    def close(self) -> None:
        """Stop listening and close every connection, kept-alive ones included.

        While another thread serves, that thread is told to stop and closes
        them itself, and this waits for it: a socket closed under the poll
        watching it failed the serving thread (``EBADF``), and a request
        still being answered with it.
        """
        self._closing.set()
        if self._serving and not self._closed.is_set():
            with contextlib.suppress(OSError):  # the loop has just closed its trigger itself
                self._server.pull_trigger()  # wake it now, not at its next timeout
            self._closed.wait(timeout=CLOSE_SECONDS)
        else:
            self._shut()

    def _shut(self) -> None:
        """Let the requests in flight finish, then close every socket (once)."""
        from waitress import wasyncore  # noqa: PLC0415

        with self._shutting:
            if self._closed.is_set():
                return
            self._server.task_dispatcher.shutdown()  # waits for the requests in flight
            self._server.close()  # the listening socket and the loop's trigger
            wasyncore.close_all(self._sockets)
            self._closed.set()


ACCOUNT_KEY = re.compile(r"Credential=([0-9]{12})/")
"""An access key id of 12 digits, in a SigV4 ``Authorization`` header or ``X-Amz-Credential``."""


def _as_served(app: WSGIApplication) -> WSGIApplication:
    """``app``, with what moto needs from a request that waitress does not give it.

    - ``RAW_URI``: the path as it arrived, as werkzeug gives it. moto routes
      a request by its encoded path, so that a workflow name with ``%2F`` in
      it stays one path segment; waitress names that ``REQUEST_URI``.
    - The account of an access key id of 12 digits is that number (as
      LocalStack does), through moto's ``x-moto-account-id`` header, for
      every service alike (S3 included): two keys, two accounts. Other keys
      are moto's: its default account unless its IAM made the key.
    """

    def call(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ.setdefault("RAW_URI", environ.get("REQUEST_URI", ""))
        signed = environ.get("HTTP_AUTHORIZATION", "") or unquote(environ.get("QUERY_STRING", ""))
        key = ACCOUNT_KEY.search(signed.replace("X-Amz-Credential=", "Credential="))
        if key is not None:
            environ.setdefault("HTTP_X_MOTO_ACCOUNT_ID", key.group(1))
        return app(environ, start_response)

    return call


class ThreadedFakeServer:
    """`application` served on ``host:port`` (0: any free port) from a daemon thread."""

    def __init__(self, host: str, port: int) -> None:
        self._server = FakeServer(host, port)
        self.url = self._server.url
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.close()
        self._thread.join()
