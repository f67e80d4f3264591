"""Gunicorn workers that serve an ``aiohttp.web`` application.

Run ``gunicorn mypackage:app --worker-class aiohttp.GunicornWebWorker`` (or
``aiohttp.GunicornUVLoopWebWorker`` with uvloop).  ``app`` is an
:class:`~aiohttp.web.Application`, or an ``async`` function returning one (or returning an
:class:`~aiohttp.web.AppRunner`).  Each worker runs its own event loop, serves the sockets
gunicorn hands it through :class:`~aiohttp.web.SockSite`, pings the arbiter every second
and shuts down gracefully (``graceful_timeout``) on SIGQUIT/SIGINT/SIGTERM, when the parent
process changes, or after ``max_requests``.

Unlike aiohttp 3.13 this module imports without gunicorn installed (so documentation
tools and ``import aiohttp.worker`` work anywhere); creating a worker then raises
:class:`RuntimeError` saying gunicorn is needed.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import re
import signal
import sys
from collections.abc import Callable
from importlib import import_module
from types import FrameType
from typing import TYPE_CHECKING, Optional

from .helpers import set_result
from .web_app import Application
from .web_log import AccessLogger
from .web_runner import AppRunner, SockSite

if TYPE_CHECKING:
    import logging
    import socket
    import ssl

    class _GunicornConfig:
        """The attributes of ``gunicorn.config.Config`` the worker reads."""

        accesslog: Optional[str]
        access_log_format: str
        keepalive: float
        graceful_timeout: float
        is_ssl: bool
        ssl_version: int
        certfile: str
        keyfile: str
        cert_reqs: ssl.VerifyMode
        ca_certs: Optional[str]
        ciphers: Optional[str]

        def worker_int(self, worker: _GunicornWorker) -> None: ...
        def worker_abort(self, worker: _GunicornWorker) -> None: ...

    class _GunicornLogger(logging.Logger):
        access_log: logging.Logger

    class _GunicornWorker:
        """The parts of ``gunicorn.workers.base.Worker`` the aiohttp workers use."""

        cfg: _GunicornConfig
        log: _GunicornLogger
        wsgi: object
        sockets: list[socket.socket]
        alive: bool
        ppid: int
        max_requests: int

        def __init__(self, *args: object, **kw: object) -> None: ...
        def init_process(self) -> None: ...
        def init_signals(self) -> None: ...
        def notify(self) -> None: ...
        def handle_exit(self, sig: int, frame: Optional[FrameType]) -> None: ...
        def handle_winch(self, sig: int, frame: Optional[FrameType]) -> None: ...
        def handle_usr1(self, sig: int, frame: Optional[FrameType]) -> None: ...

    _WorkerBase = _GunicornWorker
    _GUNICORN_DEFAULT_FORMAT: str
else:
    try:
        from gunicorn.config import AccessLogFormat as _GunicornAccessLogFormat
        from gunicorn.workers.base import Worker as _WorkerBase
    except ImportError:

        class _WorkerBase:
            """Stands in for gunicorn's Worker when gunicorn is not installed."""

            def __init__(self, *args, **kw):
                raise RuntimeError(
                    "aiohttp.worker needs gunicorn: install it with 'pip install gunicorn'"
                )

        # gunicorn's default access log format (gunicorn.config.AccessLogFormat.default).
        _GUNICORN_DEFAULT_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'
    else:
        _GUNICORN_DEFAULT_FORMAT = _GunicornAccessLogFormat.default

__all__ = ("GunicornWebWorker", "GunicornUVLoopWebWorker")

_GUNICORN_STYLE = re.compile(r"%\([^\)]+\)")


class GunicornWebWorker(_WorkerBase):
    """A gunicorn worker serving an ``aiohttp.web`` application on its own event loop."""

    DEFAULT_AIOHTTP_LOG_FORMAT = AccessLogger.LOG_FORMAT
    DEFAULT_GUNICORN_LOG_FORMAT = _GUNICORN_DEFAULT_FORMAT

    def __init__(self, *args: object, **kw: object) -> None:
        super().__init__(*args, **kw)
        self._task: Optional[asyncio.Task[None]] = None
        self.exit_code = 0
        self._notify_waiter: Optional[asyncio.Future[bool]] = None
        self.loop: asyncio.AbstractEventLoop

    def init_process(self) -> None:
        """Give the worker a fresh event loop, then let gunicorn finish initialising."""
        self.loop = self._new_event_loop()
        asyncio.set_event_loop(self.loop)
        super().init_process()

    def _new_event_loop(self) -> asyncio.AbstractEventLoop:
        return asyncio.new_event_loop()

    def run(self) -> None:
        """Serve until told to stop, then exit the process with :attr:`exit_code`."""
        self._task = self.loop.create_task(self._run())
        try:
            self.loop.run_until_complete(self._task)
        except Exception:
            self.log.exception("Exception in gunicorn worker")
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()
        sys.exit(self.exit_code)

    async def _make_runner(self) -> AppRunner:
        wsgi = self.wsgi
        if isinstance(wsgi, Application):
            app = wsgi
        elif inspect.iscoroutinefunction(wsgi):
            made = await wsgi()
            if isinstance(made, AppRunner):
                return made
            if not isinstance(made, Application):
                raise RuntimeError(
                    f"the app factory should return an Application or AppRunner, got {made!r}"
                )
            app = made
        else:
            raise RuntimeError(
                "wsgi app should be either Application or "
                f"async function returning Application, got {wsgi}"
            )
        return AppRunner(
            app,
            logger=self.log,
            keepalive_timeout=self.cfg.keepalive,
            access_log=self.log.access_log if self.cfg.accesslog else None,
            access_log_format=self._get_valid_log_format(self.cfg.access_log_format),
            # Leave gunicorn a little of its graceful timeout to reap the worker.
            shutdown_timeout=self.cfg.graceful_timeout / 100 * 95,
        )

    async def _run(self) -> None:
        runner = await self._make_runner()
        await runner.setup()
        ctx = self._create_ssl_context(self.cfg) if self.cfg.is_ssl else None
        server = runner.server
        assert server is not None  # setup() made it
        for sock in self.sockets:
            await SockSite(runner, sock, ssl_context=ctx).start()

        pid = os.getpid()
        try:
            while self.alive:
                self.notify()
                if self.max_requests and server.requests_count > self.max_requests:
                    self.alive = False
                    self.log.info("Max requests, shutting down: %s", self)
                elif pid == os.getpid() and self.ppid != os.getppid():
                    self.alive = False
                    self.log.info("Parent changed, shutting down: %s", self)
                else:
                    await self._wait_next_notify()
        except BaseException:  # any interruption (a signal's SystemExit ...) ends in cleanup
            pass
        await runner.cleanup()

    def _wait_next_notify(self) -> asyncio.Future[bool]:
        self._notify_waiter_done()
        waiter = self._notify_waiter = self.loop.create_future()
        self.loop.call_later(1.0, self._notify_waiter_done, waiter)
        return waiter

    def _notify_waiter_done(self, waiter: Optional[asyncio.Future[bool]] = None) -> None:
        if waiter is None:
            waiter = self._notify_waiter
        if waiter is not None:
            set_result(waiter, True)
        if waiter is self._notify_waiter:
            self._notify_waiter = None

    def init_signals(self) -> None:
        """Route gunicorn's signals through the event loop."""
        self.loop.add_signal_handler(signal.SIGQUIT, self.handle_quit, signal.SIGQUIT, None)
        self.loop.add_signal_handler(signal.SIGTERM, self.handle_exit, signal.SIGTERM, None)
        self.loop.add_signal_handler(signal.SIGINT, self.handle_quit, signal.SIGINT, None)
        self.loop.add_signal_handler(signal.SIGWINCH, self.handle_winch, signal.SIGWINCH, None)
        self.loop.add_signal_handler(signal.SIGUSR1, self.handle_usr1, signal.SIGUSR1, None)
        self.loop.add_signal_handler(signal.SIGABRT, self.handle_abort, signal.SIGABRT, None)
        # Don't let SIGTERM and SIGUSR1 interrupt system calls of active requests.
        signal.siginterrupt(signal.SIGTERM, False)
        signal.siginterrupt(signal.SIGUSR1, False)
        # Gunicorn ignores SIGCHLD; restore the default so subprocess exit codes survive.
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)

    def handle_quit(self, sig: int, frame: Optional[FrameType]) -> None:
        """Stop serving after the current cycle (and wake the wait for it)."""
        self.alive = False
        self.cfg.worker_int(self)
        self._notify_waiter_done()

    def handle_abort(self, sig: int, frame: Optional[FrameType]) -> None:
        """Stop now, with exit code 1."""
        self.alive = False
        self.exit_code = 1
        self.cfg.worker_abort(self)
        sys.exit(1)

    @staticmethod
    def _create_ssl_context(cfg: _GunicornConfig) -> ssl.SSLContext:
        """An SSL context from gunicorn's ``--certfile``/``--keyfile``/... settings."""
        import ssl

        ctx = ssl.SSLContext(cfg.ssl_version)
        ctx.load_cert_chain(cfg.certfile, cfg.keyfile)
        ctx.verify_mode = cfg.cert_reqs
        if cfg.ca_certs:
            ctx.load_verify_locations(cfg.ca_certs)
        if cfg.ciphers:
            ctx.set_ciphers(cfg.ciphers)
        return ctx

    def _get_valid_log_format(self, source_format: str) -> str:
        """gunicorn's default format becomes aiohttp's; gunicorn-style ``%(x)s`` is refused."""
        if source_format == self.DEFAULT_GUNICORN_LOG_FORMAT:
            return self.DEFAULT_AIOHTTP_LOG_FORMAT
        if _GUNICORN_STYLE.search(source_format):
            raise ValueError(
                "Gunicorn's style options in form of `%(name)s` are not "
                "supported for the log formatting. Please use aiohttp's "
                "format specification to configure access log formatting: "
                "http://docs.aiohttp.org/en/stable/logging.html#format-specification"
            )
        return source_format


class GunicornUVLoopWebWorker(GunicornWebWorker):
    """:class:`GunicornWebWorker` on a uvloop event loop (needs ``uvloop``)."""

    def init_process(self) -> None:
        """Initialise as the base worker does, on a uvloop loop (ImportError without it)."""
        super().init_process()

    def _new_event_loop(self) -> asyncio.AbstractEventLoop:
        # Imported by name: uvloop is optional and may be absent where this is type-checked.
        new_loop: Callable[[], asyncio.AbstractEventLoop] = import_module("uvloop").new_event_loop
        return new_loop()
