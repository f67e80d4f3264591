"""Utilities for testing aiohttp applications, with any test framework.

- Servers on a loopback socket: :class:`TestServer` (an :class:`~aiohttp.web.Application`),
  :class:`RawTestServer` (a bare request handler), both :class:`BaseTestServer`.
- :class:`TestClient`: a :class:`~aiohttp.ClientSession` bound to one of them, taking paths
  relative to the server's root.
- :class:`AioHTTPTestCase`: a :class:`unittest.IsolatedAsyncioTestCase` that starts an
  application, a server and a client around every test.
- Event loops for tests: :func:`loop_context`, :func:`setup_test_loop`,
  :func:`teardown_test_loop`.
- Fakes: :func:`make_mocked_request` (a real request over mocked connection pieces),
  :func:`make_mocked_coro`.
- Ports: :func:`unused_port`, :func:`get_unused_port_socket`, :func:`get_port_socket`.

The pytest fixtures built on these are in :mod:`aiohttp.pytest_plugin`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import warnings
from abc import ABC, abstractmethod
from types import TracebackType
from typing import TYPE_CHECKING, Generic, Optional, TypeVar, cast, overload
from unittest import IsolatedAsyncioTestCase

from typing_extensions import NoReturn, Self, Unpack
from yarl import URL

from . import hdrs
from ._awaitable_context import _ClosingContext
from ._client_options import RequestOptions as _RequestOptions, WSConnectOptions
from ._test_event_loop import (
    loop_context as loop_context,
    setup_test_loop as setup_test_loop,
    teardown_test_loop as teardown_test_loop,
)
from ._test_mocks import (
    make_mocked_coro as make_mocked_coro,
    make_mocked_request as make_mocked_request,
)
from ._test_options import (
    _RawHandler,
    _ServerOptions,
    _SessionOptions,
    _SocketFactory,
    _TestServerKwargs,
)
from ._test_sockets import (
    REUSE_ADDRESS as REUSE_ADDRESS,
    get_port_socket as get_port_socket,
    get_unused_port_socket as get_unused_port_socket,
    unused_port as unused_port,
)
from ._web_app_options import RunnerOptions
from .abc import AbstractCookieJar
from .client import ClientSession, _RequestContextManager
from .client_reqrep import ClientResponse
from .client_ws import ClientWebSocketResponse
from .cookiejar import CookieJar
from .helpers import sentinel as sentinel
from .streams import EMPTY_PAYLOAD as EMPTY_PAYLOAD
from .typedefs import StrOrURL as StrOrURL
from .web_app import Application
from .web_protocol import _RequestHandlerOptions
from .web_request import BaseRequest, Request
from .web_runner import AppRunner, BaseRunner, ServerRunner, SockSite
from .web_server import Server

if TYPE_CHECKING:
    from ssl import SSLContext

_Request = TypeVar("_Request", bound=BaseRequest)
_ApplicationNone = TypeVar("_ApplicationNone", Application, None)
_F = TypeVar("_F")


class BaseTestServer(ABC):
    """A server on a loopback socket for tests; subclasses say what it serves.

    ``port=None`` binds a free port (read it from :attr:`port` once started).  ``scheme``
    defaults to ``https`` when started with ``ssl``, else ``http``.  ``kwargs`` are
    :meth:`start_server` defaults (the runner's options such as ``access_log``,
    ``shutdown_timeout``; ``ssl``).  ``skip_url_asserts`` lets :meth:`make_url` accept any
    string, appended to the root as is.
    """

    __test__ = False  # not a test class, despite the name

    def __init__(
        self,
        *,
        scheme: str = "",
        loop: Optional[asyncio.AbstractEventLoop] = None,
        host: str = "127.0.0.1",
        port: Optional[int] = None,
        skip_url_asserts: bool = False,
        socket_factory: _SocketFactory = get_port_socket,
        **kwargs: Unpack[_ServerOptions],
    ) -> None:
        self._loop = loop
        #: The runner serving requests (``None`` until started).
        self.runner: Optional[BaseRunner] = None
        self._root: Optional[URL] = None
        #: The host the socket is bound to.
        self.host = host
        #: The bound port (``None`` before start when none was asked for, and after close).
        self.port = port
        #: ``http`` or ``https`` (decided at start when not given).
        self.scheme = scheme
        self.skip_url_asserts = skip_url_asserts
        self.socket_factory = socket_factory
        self._defaults = kwargs
        self._closed = False

    async def start_server(
        self,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        **kwargs: Unpack[_ServerOptions],
    ) -> None:
        """Bind the socket and start serving; does nothing if already started.

        :raises RuntimeError: the server was closed (a closed server does not restart).
        """
        if self._closed:
            raise RuntimeError("The test server is closed; create a new one")
        if self.runner is not None:
            return
        self._loop = loop if loop is not None else asyncio.get_running_loop()
        options: _ServerOptions = {**self._defaults, **kwargs}
        ssl = options.pop("ssl", None)
        runner = await self._make_runner(**cast(RunnerOptions, options))
        self.runner = runner
        try:
            await self._listen(runner, ssl)
        except BaseException:
            self.runner = None
            await runner.cleanup()
            raise

    async def _listen(self, runner: BaseRunner, ssl: Optional[SSLContext]) -> None:
        await runner.setup()
        try:
            version = ipaddress.ip_address(self.host).version
        except ValueError:  # a host name: IPv4, as 3.13 does
            version = 4
        family = socket.AF_INET6 if version == 6 else socket.AF_INET
        sock = self.socket_factory(self.host, self.port or 0, family)
        try:
            self.host, self.port = sock.getsockname()[:2]
            site = SockSite(runner, sock, ssl_context=ssl)
            await site.start()
        except BaseException:
            sock.close()
            raise
        if not self.scheme:
            self.scheme = "https" if ssl is not None else "http"
        authority = f"[{self.host}]" if version == 6 else self.host
        self._root = URL(f"{self.scheme}://{authority}:{self.port}")

    @abstractmethod
    async def _make_runner(self, **kwargs: Unpack[RunnerOptions]) -> BaseRunner:
        """A runner (not yet set up) for what this server serves."""

    def make_url(self, path: StrOrURL) -> URL:
        """The absolute URL of ``path`` (relative, e.g. ``/a?b=1``) on this server.

        :raises RuntimeError: the server is not started (or closed).
        :raises ValueError: ``path`` is absolute (unless ``skip_url_asserts``).
        """
        root = self._root
        if root is None:
            raise RuntimeError("The test server is not started")
        if self.skip_url_asserts:
            return URL(str(root) + str(path))
        url = URL(path)
        if url.absolute:
            raise ValueError(f"A test server URL takes a relative path, not {path!r}")
        return root.join(url)

    @property
    def started(self) -> bool:
        """True once :meth:`start_server` ran (still true after :meth:`close`, see
        :attr:`closed`)."""
        return self.runner is not None

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran on a started server."""
        return self._closed

    @property
    def handler(self) -> Server:
        """The :class:`~aiohttp.web.Server` handling the connections.

        :raises RuntimeError: the server is not started.
        """
        runner = self.runner
        server = runner.server if runner is not None else None
        if server is None:
            raise RuntimeError("The test server is not started")
        return server

    async def close(self) -> None:
        """Stop serving and shut the application down (``on_shutdown``, ``on_cleanup``).

        Idempotent; does nothing on a server that never started.
        """
        runner = self.runner
        if runner is None or self._closed:
            return
        self._closed = True
        self._root = None
        self.port = None
        await runner.cleanup()

    def __enter__(self) -> NoReturn:
        raise TypeError("Use async with instead")

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        """Never reached (:meth:`__enter__` raises); present for the protocol."""
        return None

    async def __aenter__(self) -> Self:
        await self.start_server(loop=self._loop)
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        await self.close()


class TestServer(BaseTestServer):
    """Serves ``app`` (an :class:`~aiohttp.web.Application`) through an
    :class:`~aiohttp.web.AppRunner`; :meth:`close` runs its shutdown and cleanup."""

    def __init__(
        self,
        app: Application,
        *,
        scheme: str = "",
        host: str = "127.0.0.1",
        port: Optional[int] = None,
        **kwargs: Unpack[_TestServerKwargs],
    ) -> None:
        if not isinstance(app, Application):
            raise TypeError(f"TestServer serves a web.Application, got {app!r}")
        #: The application served.
        self.app = app
        super().__init__(scheme=scheme, host=host, port=port, **kwargs)

    async def _make_runner(self, **kwargs: Unpack[RunnerOptions]) -> BaseRunner:
        kwargs.setdefault("handler_cancellation", True)
        return AppRunner(self.app, **kwargs)


class RawTestServer(BaseTestServer):
    """Serves ``handler`` (``async (BaseRequest) -> StreamResponse``) through a low-level
    :class:`~aiohttp.web.Server` (in debug mode, as 3.13)."""

    def __init__(
        self,
        handler: _RawHandler,
        *,
        scheme: str = "",
        host: str = "127.0.0.1",
        port: Optional[int] = None,
        **kwargs: Unpack[_TestServerKwargs],
    ) -> None:
        self._handler = handler
        super().__init__(scheme=scheme, host=host, port=port, **kwargs)

    async def _make_runner(self, **kwargs: Unpack[RunnerOptions]) -> BaseRunner:
        shutdown_timeout = kwargs.pop("shutdown_timeout", 60.0)
        cancellation = kwargs.pop("handler_cancellation", True)
        kwargs.setdefault("debug", True)
        # What is left are the request handler's options.
        options = cast(_RequestHandlerOptions, kwargs)
        server = Server(
            self._handler, handler_cancellation=cancellation, loop=self._loop, **options
        )
        return ServerRunner(server, shutdown_timeout=shutdown_timeout)


class TestClient(Generic[_Request, _ApplicationNone]):
    """A client for one test server; request paths are relative to its root.

    Generic in the request type the server's handlers get and the application it serves:
    ``TestClient[web.Request, web.Application]`` for a :class:`TestServer`,
    ``TestClient[web.BaseRequest, None]`` for a :class:`RawTestServer`.  ``cookie_jar``
    defaults to an unsafe :class:`~aiohttp.CookieJar` (cookies of IP hosts are kept);
    ``kwargs`` go to the :class:`~aiohttp.ClientSession`.  Create it in a running loop.

    :raises TypeError: ``server`` is not a :class:`BaseTestServer`.
    """

    __test__ = False  # not a test class, despite the name

    @overload
    def __init__(
        self: TestClient[Request, Application],
        server: TestServer,
        *,
        cookie_jar: Optional[AbstractCookieJar] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        **kwargs: Unpack[_SessionOptions],
    ) -> None: ...

    @overload
    def __init__(
        self: TestClient[BaseRequest, None],
        server: BaseTestServer,
        *,
        cookie_jar: Optional[AbstractCookieJar] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        **kwargs: Unpack[_SessionOptions],
    ) -> None: ...

    def __init__(
        self,
        server: BaseTestServer,
        *,
        cookie_jar: Optional[AbstractCookieJar] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        **kwargs: Unpack[_SessionOptions],
    ) -> None:
        if not isinstance(server, BaseTestServer):
            raise TypeError(
                f"server must be a TestServer or RawTestServer instance, got {type(server)!r}"
            )
        self._server = server
        self._loop = loop
        if cookie_jar is None:
            cookie_jar = CookieJar(unsafe=True, loop=loop)
        self._session = ClientSession(loop=loop, cookie_jar=cookie_jar, **kwargs)
        # A test wants to see the first failure, not a silent reconnect.
        self._session._retry_connection = False
        self._closed = False
        self._responses: list[ClientResponse] = []
        self._websockets: list[ClientWebSocketResponse] = []

    async def start_server(self) -> None:
        """Start the server (if it is not running yet)."""
        await self._server.start_server(loop=self._loop)

    @property
    def host(self) -> str:
        """The server's host."""
        return self._server.host

    @property
    def port(self) -> Optional[int]:
        """The server's port (``None`` until started)."""
        return self._server.port

    @property
    def server(self) -> BaseTestServer:
        """The test server."""
        return self._server

    @property
    def app(self) -> _ApplicationNone:
        """The application the server serves (``None`` for a raw server)."""
        return cast(_ApplicationNone, getattr(self._server, "app", None))

    @property
    def session(self) -> ClientSession:
        """The underlying session; unlike the client's methods it needs absolute URLs
        (:meth:`make_url`)."""
        return self._session

    def make_url(self, path: StrOrURL) -> URL:
        """The absolute URL of ``path`` on the server."""
        return self._server.make_url(path)

    async def _request(
        self, method: str, path: StrOrURL, **kwargs: Unpack[_RequestOptions]
    ) -> ClientResponse:
        if self._closed:
            raise RuntimeError("The test client is closed")
        resp = await self._session.request(method, self.make_url(path), **kwargs)
        self._responses.append(resp)
        return resp

    def request(
        self, method: str, path: StrOrURL, **kwargs: Unpack[_RequestOptions]
    ) -> _RequestContextManager:
        """Send a ``method`` request for ``path`` (see :meth:`aiohttp.ClientSession.request`).

        :raises RuntimeError: when awaited after :meth:`close`.
        """
        return _RequestContextManager(self._request(method, path, **kwargs))

    def get(self, path: StrOrURL, **kwargs: Unpack[_RequestOptions]) -> _RequestContextManager:
        """A ``GET`` request for ``path``."""
        return self.request(hdrs.METH_GET, path, **kwargs)

    def post(self, path: StrOrURL, **kwargs: Unpack[_RequestOptions]) -> _RequestContextManager:
        """A ``POST`` request for ``path``."""
        return self.request(hdrs.METH_POST, path, **kwargs)

    def options(self, path: StrOrURL, **kwargs: Unpack[_RequestOptions]) -> _RequestContextManager:
        """An ``OPTIONS`` request for ``path``."""
        return self.request(hdrs.METH_OPTIONS, path, **kwargs)

    def head(self, path: StrOrURL, **kwargs: Unpack[_RequestOptions]) -> _RequestContextManager:
        """A ``HEAD`` request for ``path``."""
        return self.request(hdrs.METH_HEAD, path, **kwargs)

    def put(self, path: StrOrURL, **kwargs: Unpack[_RequestOptions]) -> _RequestContextManager:
        """A ``PUT`` request for ``path``."""
        return self.request(hdrs.METH_PUT, path, **kwargs)

    def patch(self, path: StrOrURL, **kwargs: Unpack[_RequestOptions]) -> _RequestContextManager:
        """A ``PATCH`` request for ``path``."""
        return self.request(hdrs.METH_PATCH, path, **kwargs)

    def delete(self, path: StrOrURL, **kwargs: Unpack[_RequestOptions]) -> _RequestContextManager:
        """A ``DELETE`` request for ``path``."""
        return self.request(hdrs.METH_DELETE, path, **kwargs)

    def ws_connect(
        self, path: StrOrURL, **kwargs: Unpack[WSConnectOptions]
    ) -> _ClosingContext[ClientWebSocketResponse]:
        """Open a WebSocket to ``path`` (see :meth:`aiohttp.ClientSession.ws_connect`);
        await it, or ``async with`` it to close it at the end of the block."""
        return _ClosingContext(self._ws_connect(path, **kwargs))

    async def _ws_connect(
        self, path: StrOrURL, **kwargs: Unpack[WSConnectOptions]
    ) -> ClientWebSocketResponse:
        if self._closed:
            raise RuntimeError("The test client is closed")
        ws = await self._session.ws_connect(self.make_url(path), **kwargs)
        self._websockets.append(ws)
        return ws

    async def close(self) -> None:
        """Close the responses and WebSockets opened, the session and the server.

        Idempotent.  The server is closed too, even when it was started elsewhere.
        """
        if self._closed:
            return
        self._closed = True
        for resp in self._responses:
            resp.close()
        for ws in self._websockets:
            await ws.close()
        await self._session.close()
        await self._server.close()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran."""
        return self._closed

    def __enter__(self) -> NoReturn:
        raise TypeError("Use async with instead")

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        """Never reached (:meth:`__enter__` raises); present for the protocol."""
        return None

    async def __aenter__(self) -> Self:
        await self.start_server()
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.close()


def unittest_run_loop(func: _F, *args: object, **kwargs: object) -> _F:
    """Deprecated no-op decorator: :class:`AioHTTPTestCase` runs ``async def`` tests itself
    since aiohttp 3.8."""
    warnings.warn(
        "Decorator `@unittest_run_loop` is no longer needed in aiohttp 3.8+",
        DeprecationWarning,
        stacklevel=2,
    )
    return func


class AioHTTPTestCase(IsolatedAsyncioTestCase):
    """A :class:`unittest.IsolatedAsyncioTestCase` testing one application.

    Before each test, :meth:`asyncSetUp` builds :attr:`app` (:meth:`get_application`),
    :attr:`server` (:meth:`get_server`) and :attr:`client` (:meth:`get_client`) and starts
    them; :meth:`asyncTearDown` closes the client (and so the server).  Tests are
    ``async def`` methods using ``self.client``.  Override ``asyncSetUp``/``asyncTearDown``
    with a ``super()`` call to add your own steps.
    """

    app: Application
    server: TestServer
    client: TestClient[Request, Application]
    loop: asyncio.AbstractEventLoop

    async def get_application(self) -> Application:
        """The application to test; override this (the default calls :meth:`get_app`)."""
        return self.get_app()

    def get_app(self) -> Application:
        """Deprecated synchronous spelling of :meth:`get_application`.

        :raises RuntimeError: neither this nor :meth:`get_application` was overridden.
        """
        raise RuntimeError("Did you forget to define get_application()?")

    async def get_server(self, app: Application) -> TestServer:
        """The server for ``app`` (override to pass options)."""
        return TestServer(app, loop=self.loop)

    async def get_client(self, server: TestServer) -> TestClient[Request, Application]:
        """The client for ``server`` (override to pass session options)."""
        return TestClient(server, loop=self.loop)

    async def asyncSetUp(self) -> None:
        """Build and start the application, server and client."""
        self.loop = asyncio.get_running_loop()
        await self.setUpAsync()

    async def setUpAsync(self) -> None:
        """The setup steps of :meth:`asyncSetUp` (kept for code written before 3.8)."""
        self.app = await self.get_application()
        self.server = await self.get_server(self.app)
        self.client = await self.get_client(self.server)
        await self.client.start_server()

    async def asyncTearDown(self) -> None:
        """Close the client and the server."""
        await self.tearDownAsync()

    async def tearDownAsync(self) -> None:
        """The teardown steps of :meth:`asyncTearDown` (kept for code written before 3.8)."""
        await self.client.close()
