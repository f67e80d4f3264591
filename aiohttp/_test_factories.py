"""The factories behind the ``aiohttp_server``, ``aiohttp_raw_server`` and ``aiohttp_client``
fixtures of :mod:`aiohttp.pytest_plugin`.

Each factory is called (and awaited) inside the test's event loop, remembers what it made
and closes all of it in :meth:`_Factory.close_all`, which the fixture runs in the same loop
after the test.  A factory refuses to run in another loop than its fixture's (an async
fixture run by another plugin's loop, say): servers and sessions are bound to one loop, and
mixing them fails later in ways that are hard to read.
"""

from __future__ import annotations

import asyncio
from typing import Optional, Protocol, overload

from typing_extensions import Unpack

from ._test_options import _RawHandler, _ServerOptions, _SessionOptions, _TestServerArgs
from .test_utils import BaseTestServer, RawTestServer, TestClient, TestServer
from .web_app import Application
from .web_request import BaseRequest, Request


class _Closable(Protocol):
    async def close(self) -> None: ...


class _ServerKwargs(_ServerOptions, total=False):
    """``aiohttp_server``/``aiohttp_raw_server`` options: ``host`` plus what
    :meth:`~aiohttp.test_utils.BaseTestServer.start_server` takes."""

    host: str


class _Factory:
    """Tracks what a fixture made, to close it after the test, in the fixture's loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, fixture: str) -> None:
        self._loop = loop
        self._fixture = fixture
        self._made: list[_Closable] = []

    def _check_loop(self) -> None:
        running = asyncio.get_running_loop()
        if running is not self._loop:
            raise RuntimeError(
                f"{self._fixture} was called in another event loop than the one of the "
                "'loop' fixture it belongs to; run the test (and the async fixtures calling "
                f"{self._fixture}) in that loop"
            )

    def _track(self, item: _Closable) -> None:
        self._made.append(item)

    async def _close_made(self) -> None:
        while self._made:
            await self._made.pop().close()

    def close_all(self) -> None:
        """Close everything made, newest first (run after the test, loop not running)."""
        if self._made:
            self._loop.run_until_complete(self._close_made())


class _ServerFactory(_Factory):
    async def __call__(
        self,
        app: Application,
        *,
        host: str = "127.0.0.1",
        port: Optional[int] = None,
        **kwargs: Unpack[_ServerOptions],
    ) -> TestServer:
        self._check_loop()
        server = TestServer(app, host=host, port=port)
        self._track(server)
        await server.start_server(**kwargs)
        return server


class _RawServerFactory(_Factory):
    async def __call__(
        self,
        handler: _RawHandler,
        *,
        host: str = "127.0.0.1",
        port: Optional[int] = None,
        **kwargs: Unpack[_ServerOptions],
    ) -> RawTestServer:
        self._check_loop()
        server = RawTestServer(handler, host=host, port=port)
        self._track(server)
        await server.start_server(**kwargs)
        return server


class _ClientFactory(_Factory):
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        client_class: type[TestClient[Request, Application]],
    ) -> None:
        super().__init__(loop, "aiohttp_client")
        self._client_class = client_class

    @overload
    async def __call__(
        self,
        app: Application,
        /,
        *,
        server_kwargs: Optional[_TestServerArgs] = None,
        **kwargs: Unpack[_SessionOptions],
    ) -> TestClient[Request, Application]: ...

    @overload
    async def __call__(  # type: ignore[overload-overlap]  # the first match wins: TestServer
        self,
        server: TestServer,
        /,
        *,
        server_kwargs: Optional[_TestServerArgs] = None,
        **kwargs: Unpack[_SessionOptions],
    ) -> TestClient[Request, Application]: ...

    @overload
    async def __call__(
        self,
        server: BaseTestServer,
        /,
        *,
        server_kwargs: Optional[_TestServerArgs] = None,
        **kwargs: Unpack[_SessionOptions],
    ) -> TestClient[BaseRequest, None]: ...

    async def __call__(
        self,
        app_or_server: Application | BaseTestServer,
        /,
        *,
        server_kwargs: Optional[_TestServerArgs] = None,
        **kwargs: Unpack[_SessionOptions],
    ) -> TestClient[Request, Application] | TestClient[BaseRequest, None]:
        self._check_loop()
        if isinstance(app_or_server, Application):
            server: BaseTestServer = TestServer(app_or_server, **(server_kwargs or {}))
        elif isinstance(app_or_server, BaseTestServer):
            server = app_or_server
        else:
            raise ValueError(f"Unknown argument type: {type(app_or_server)!r}")
        # The class may be a TestClient subclass (``aiohttp_client_cls``); for a raw server
        # it serves BaseRequests, which the class's typing cannot say.
        client = self._client_class(server, **kwargs)
        self._track(client)
        await client.start_server()
        return client
