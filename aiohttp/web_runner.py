"""Runners and sites: serve an application (or a bare :class:`Server`) on sockets.

A runner owns the :class:`~aiohttp.web.Server` and the application's lifecycle:
:meth:`BaseRunner.setup` starts the application (``on_startup``, ``cleanup_ctx``) and
builds the server; sites then listen: :class:`TCPSite` (host and port; port 0 picks a
free one, readable afterwards from :attr:`BaseRunner.addresses` and :attr:`TCPSite.name`),
:class:`UnixSite`, :class:`SockSite` (an already bound socket) and :class:`NamedPipeSite`
(Windows).  :meth:`BaseRunner.cleanup` shuts down gracefully:

1. every site stops listening;
2. idle keep-alive connections are closed;
3. ``on_shutdown`` runs (close websockets and other long-lived work here);
4. in-flight requests get ``shutdown_timeout`` seconds to finish, then are cancelled;
5. the remaining connections close and ``on_cleanup`` (and ``cleanup_ctx``) runs.

With ``handle_signals=True`` SIGINT and SIGTERM raise :class:`GracefulExit` in the loop,
which :func:`~aiohttp.web.run_app` turns into that shutdown.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import warnings
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Optional, Protocol, TypeAlias, cast

from yarl import URL

from ._web_app_options import RunnerOptions, ServerOptions
from .typedefs import PathLike
from .web_app import Application, _check_access_log_class
from .web_log import AccessLogger
from .web_server import Server

if TYPE_CHECKING:
    from ssl import SSLContext

    from typing_extensions import Unpack

__all__ = (
    "BaseSite",
    "TCPSite",
    "UnixSite",
    "NamedPipeSite",
    "SockSite",
    "BaseRunner",
    "AppRunner",
    "ServerRunner",
    "GracefulExit",
)

# socket.getsockname() returns a family-dependent shape: (host, port) for IPv4,
# (host, port, flowinfo, scope_id) for IPv6, a path for Unix sockets.  typeshed spells
# it Any for the same reason; so does 3.13's ``addresses``.
_SockName: TypeAlias = Any  # type: ignore[explicit-any]  # see the comment above


class GracefulExit(SystemExit):
    """Raised in the loop by SIGINT/SIGTERM when a runner handles signals."""

    code = 1


def _raise_graceful_exit() -> None:
    raise GracefulExit()


class BaseSite(ABC):
    """A listening endpoint of a runner; :meth:`start` listens, :meth:`stop` stops.

    Create sites after :meth:`BaseRunner.setup`.  ``shutdown_timeout`` here is deprecated
    (set it on the runner).
    """

    __slots__ = ("_backlog", "_runner", "_server", "_ssl_context")

    def __init__(
        self,
        runner: BaseRunner,
        *,
        shutdown_timeout: float = 60.0,
        ssl_context: Optional[SSLContext] = None,
        backlog: int = 128,
    ) -> None:
        if runner.server is None:
            raise RuntimeError("Call runner.setup() before making a site")
        if shutdown_timeout != 60.0:
            warnings.warn(
                "shutdown_timeout should be set on BaseRunner", DeprecationWarning, stacklevel=2
            )
            runner._shutdown_timeout = shutdown_timeout
        self._runner = runner
        self._ssl_context = ssl_context
        self._backlog = backlog
        self._server: Optional[asyncio.AbstractServer] = None

    @property
    @abstractmethod
    def name(self) -> str:
        """A URL-like description of the endpoint (``http://127.0.0.1:8080``)."""

    @abstractmethod
    async def start(self) -> None:
        """Start listening.  Subclasses call this first: it registers the site."""
        self._runner._reg_site(self)

    async def stop(self) -> None:
        """Stop listening (open connections are left to the runner's cleanup)."""
        self._runner._check_site(self)
        if self._server is not None:
            self._server.close()
        self._runner._unreg_site(self)

    def _server_or_fail(self) -> Server:
        server = self._runner.server
        if server is None:
            raise RuntimeError("The runner was cleaned up; create a new site after setup()")
        return server

    @property
    def _scheme(self) -> str:
        return "https" if self._ssl_context else "http"


class TCPSite(BaseSite):
    """Listen on ``host`` (all interfaces when ``None``) and ``port``.

    ``port`` defaults to 8080 (8443 with ``ssl_context``); 0 picks a free port, which
    :attr:`name` shows once started.
    """

    __slots__ = ("_host", "_port", "_reuse_address", "_reuse_port")

    def __init__(
        self,
        runner: BaseRunner,
        host: Optional[str] = None,
        port: Optional[int] = None,
        *,
        shutdown_timeout: float = 60.0,
        ssl_context: Optional[SSLContext] = None,
        backlog: int = 128,
        reuse_address: Optional[bool] = None,
        reuse_port: Optional[bool] = None,
    ) -> None:
        super().__init__(
            runner, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context, backlog=backlog
        )
        self._host = host
        if port is None:
            port = 8443 if self._ssl_context else 8080
        self._port = port
        self._reuse_address = reuse_address
        self._reuse_port = reuse_port

    @property
    def name(self) -> str:
        """``http(s)://host:port``; the bound port once started when ``port`` was 0."""
        host = self._host or "0.0.0.0"
        port = self._port
        if port == 0 and self._server is not None:
            for sock in getattr(self._server, "sockets", ()):
                port = sock.getsockname()[1]
                break
        return str(URL.build(scheme=self._scheme, host=host, port=port))

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._server_or_fail(),
            self._host,
            self._port,
            ssl=self._ssl_context,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
            reuse_port=self._reuse_port,
        )


class UnixSite(BaseSite):
    """Listen on the Unix domain socket at ``path``."""

    __slots__ = ("_path",)

    def __init__(
        self,
        runner: BaseRunner,
        path: PathLike,
        *,
        shutdown_timeout: float = 60.0,
        ssl_context: Optional[SSLContext] = None,
        backlog: int = 128,
    ) -> None:
        super().__init__(
            runner, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context, backlog=backlog
        )
        self._path = path

    @property
    def name(self) -> str:
        """``http://unix:<path>:``."""
        return f"{self._scheme}://unix:{self._path}:"

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_unix_server(
            self._server_or_fail(), self._path, ssl=self._ssl_context, backlog=self._backlog
        )


class _PipeServer(Protocol):
    def close(self) -> None: ...


class _ProactorLike(Protocol):
    def start_serving_pipe(
        self, protocol_factory: Callable[[], asyncio.BaseProtocol], address: str
    ) -> Awaitable[list[_PipeServer]]: ...


class NamedPipeSite(BaseSite):
    """Listen on the Windows named pipe ``path`` (needs the proactor event loop)."""

    __slots__ = ("_path", "_pipes")

    def __init__(self, runner: BaseRunner, path: str, *, shutdown_timeout: float = 60.0) -> None:
        loop = asyncio.get_event_loop()
        if not hasattr(loop, "start_serving_pipe"):
            raise RuntimeError("Named Pipes only available in proactor loop under windows")
        super().__init__(runner, shutdown_timeout=shutdown_timeout)
        self._path = path
        self._pipes: list[_PipeServer] = []

    @property
    def name(self) -> str:
        """The pipe's path."""
        return self._path

    async def start(self) -> None:
        await super().start()
        loop: _ProactorLike = asyncio.get_running_loop()  # type: ignore[assignment]  # checked in __init__
        self._pipes = await loop.start_serving_pipe(self._server_or_fail(), self._path)

    async def stop(self) -> None:
        self._runner._check_site(self)
        for pipe in self._pipes:
            pipe.close()
        self._pipes = []
        self._runner._unreg_site(self)


class SockSite(BaseSite):
    """Listen on ``sock``, a socket the caller created and bound."""

    __slots__ = ("_name", "_sock")

    def __init__(
        self,
        runner: BaseRunner,
        sock: socket.socket,
        *,
        shutdown_timeout: float = 60.0,
        ssl_context: Optional[SSLContext] = None,
        backlog: int = 128,
    ) -> None:
        super().__init__(
            runner, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context, backlog=backlog
        )
        self._sock = sock
        if hasattr(socket, "AF_UNIX") and sock.family == socket.AF_UNIX:
            self._name = f"{self._scheme}://unix:{sock.getsockname()}:"
        else:
            host, port = sock.getsockname()[:2]
            self._name = str(URL.build(scheme=self._scheme, host=host, port=port))

    @property
    def name(self) -> str:
        """The URL of the socket's bound address."""
        return self._name

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._server_or_fail(), sock=self._sock, ssl=self._ssl_context, backlog=self._backlog
        )


class BaseRunner(ABC):
    """Owns a :class:`Server`, its sites and the graceful shutdown (see the module doc).

    ``kwargs`` are the request handler options (``keepalive_timeout``, ``access_log`` ...).
    """

    __slots__ = (
        "_handle_signals",
        "_kwargs",
        "_needs_cleanup",
        "_server",
        "_shutdown_timeout",
        "_sites",
    )

    def __init__(
        self,
        *,
        handle_signals: bool = False,
        shutdown_timeout: float = 60.0,
        **kwargs: Unpack[ServerOptions],
    ) -> None:
        self._handle_signals = handle_signals
        self._kwargs = kwargs
        self._server: Optional[Server] = None
        self._sites: list[BaseSite] = []
        self._shutdown_timeout = shutdown_timeout
        self._needs_cleanup = False  # setup() began and cleanup() has not finished since

    @property
    def server(self) -> Optional[Server]:
        """The server, between :meth:`setup` and :meth:`cleanup`; else ``None``."""
        return self._server

    @property
    def addresses(self) -> list[_SockName]:
        """The bound address of every listening socket (``getsockname()`` values)."""
        found: list[_SockName] = []
        for site in self._sites:
            server = site._server
            if server is not None:
                for sock in getattr(server, "sockets", ()):
                    found.append(sock.getsockname())
        return found

    @property
    def sites(self) -> set[BaseSite]:
        """The started, not yet stopped, sites."""
        return set(self._sites)

    async def setup(self) -> None:
        """Start the application (``on_startup``) and build the server."""
        loop = asyncio.get_running_loop()
        if self._handle_signals:
            try:
                loop.add_signal_handler(signal.SIGINT, _raise_graceful_exit)
                loop.add_signal_handler(signal.SIGTERM, _raise_graceful_exit)
            except NotImplementedError:  # pragma: no cover  # Windows
                pass
        self._needs_cleanup = True
        self._server = await self._make_server()

    @abstractmethod
    async def shutdown(self) -> None:
        """Step 3 of the graceful shutdown (``on_shutdown`` for an application)."""

    async def cleanup(self) -> None:
        """Stop the sites and shut down gracefully (see the module doc).

        Also tears down what a failed :meth:`setup` had started.  Idempotent: a second
        call (or one without setup) does nothing more.
        """
        try:
            # One site at a time: a failing stop() leaves the others registered, not lost.
            for site in list(self._sites):
                await site.stop()
            if self._server is not None:
                # Let connections accepted just before the sites stopped start their request.
                await asyncio.sleep(0)
                self._server.pre_shutdown()
                await self.shutdown()
                await self._server.shutdown(self._shutdown_timeout)
            if self._needs_cleanup:
                self._needs_cleanup = False
                await self._cleanup_server()
        finally:
            self._needs_cleanup = False
            self._server = None
            if self._handle_signals:
                loop = asyncio.get_running_loop()
                try:
                    loop.remove_signal_handler(signal.SIGINT)
                    loop.remove_signal_handler(signal.SIGTERM)
                except NotImplementedError:  # pragma: no cover  # Windows
                    pass

    @abstractmethod
    async def _make_server(self) -> Server: ...

    @abstractmethod
    async def _cleanup_server(self) -> None: ...

    def _reg_site(self, site: BaseSite) -> None:
        if site in self._sites:
            raise RuntimeError(f"Site {site} is already registered in runner {self}")
        self._sites.append(site)

    def _check_site(self, site: BaseSite) -> None:
        if site not in self._sites:
            raise RuntimeError(f"Site {site} is not registered in runner {self}")

    def _unreg_site(self, site: BaseSite) -> None:
        self._check_site(site)
        self._sites.remove(site)


class ServerRunner(BaseRunner):
    """Runs a low-level :class:`~aiohttp.web.Server` (no application lifecycle)."""

    __slots__ = ("_web_server",)

    def __init__(
        self,
        web_server: Server,
        *,
        handle_signals: bool = False,
        **kwargs: Unpack[RunnerOptions],
    ) -> None:
        super().__init__(handle_signals=handle_signals, **kwargs)
        self._web_server = web_server

    async def shutdown(self) -> None:
        """Nothing to do: a bare server has no ``on_shutdown``."""

    async def _make_server(self) -> Server:
        return self._web_server

    async def _cleanup_server(self) -> None:
        pass


class AppRunner(BaseRunner):
    """Runs an :class:`~aiohttp.web.Application`: starts it in :meth:`setup`, and shuts it
    down (``on_shutdown``, then ``on_cleanup``) in :meth:`cleanup`."""

    __slots__ = ("_app",)

    def __init__(
        self,
        app: Application,
        *,
        handle_signals: bool = False,
        **kwargs: Unpack[RunnerOptions],
    ) -> None:
        if not isinstance(app, Application):
            raise TypeError(f"The first argument should be web.Application instance, got {app!r}")
        access_log_class = kwargs.setdefault("access_log_class", AccessLogger)
        _check_access_log_class(access_log_class)
        if app._handler_args:
            # handler_args hold server options only, a subset of the runner's keys; mypy
            # cannot see that a merge of the two TypedDicts is still a RunnerOptions.
            kwargs = cast(RunnerOptions, {**kwargs, **app._handler_args})
        super().__init__(handle_signals=handle_signals, **kwargs)
        self._app = app

    @property
    def app(self) -> Application:
        """The application this runner serves."""
        return self._app

    async def shutdown(self) -> None:
        """Send the application's ``on_shutdown``."""
        await self._app.shutdown()

    async def _make_server(self) -> Server:
        loop = asyncio.get_running_loop()
        self._app._set_loop(loop)
        self._app.on_startup.freeze()
        await self._app.startup()
        self._app.freeze()
        return self._app._make_handler(loop=loop, **self._kwargs)

    async def _cleanup_server(self) -> None:
        await self._app.cleanup()
