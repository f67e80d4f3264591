"""The aiohttp pytest plugin: event loops, ``async def`` tests and test server/client fixtures.

Load it explicitly, ``pytest -p aiohttp.pytest_plugin`` or ``pytest_plugins =
["aiohttp.pytest_plugin"]`` in a ``conftest.py``; installing aiohttp does not register it,
so it never clashes with pytest-aiohttp.

- ``async def`` tests (and ``async`` fixtures) that no other plugin runs are run in the
  ``loop`` fixture's loop (a fresh loop per test).  With pytest-asyncio running a test (auto
  mode, or ``@pytest.mark.asyncio``), pytest-asyncio runs it, and ``loop`` is
  pytest-asyncio's loop for that test, so the fixtures below work under both.
- Fixtures: ``loop`` (parametrized by ``--aiohttp-loop``: ``pyloop``, ``uvloop``,
  comma-separated, or ``all``; ``name?`` skips an unavailable one), ``proactor_loop``
  (Windows), ``loop_debug``, ``fast``, ``aiohttp_server``, ``aiohttp_raw_server``,
  ``aiohttp_client`` (closing what they made after the test), ``aiohttp_client_cls``,
  ``aiohttp_unused_port``; deprecated aliases ``test_server``, ``raw_test_server``,
  ``test_client``, ``unused_port``.
- Options: ``--aiohttp-fast`` (skip the garbage collection after each test),
  ``--aiohttp-loop``, ``--aiohttp-enable-loop-debug``.
- A :class:`RuntimeWarning` during an ``async def`` test the plugin runs (typically "coroutine
  ... was never awaited") fails the test.
- :class:`AiohttpClient`, :class:`AiohttpServer` and :class:`AiohttpRawServer` type the
  factory fixtures in annotations.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import warnings
from collections.abc import Awaitable, Callable, Generator, Iterator
from typing import TYPE_CHECKING, Optional, Protocol, overload

import pytest
from typing_extensions import Unpack

from ._test_factories import _ClientFactory, _RawServerFactory, _ServerFactory, _ServerKwargs
from ._test_plugin_loops import (
    _available_loop_factories,
    _LoopFactory,
    _new_loop,
    _pytest_asyncio_loop,
    _run_in_loop,
)
from .test_utils import (
    BaseTestServer,
    RawTestServer,
    TestClient,
    TestServer,
    loop_context,
    unused_port as _unused_port,
)
from .web_app import Application
from .web_request import BaseRequest, Request

if TYPE_CHECKING:
    from ._test_options import _RawHandler, _SessionOptions, _TestServerArgs


class AiohttpClient(Protocol):
    """The type of the ``aiohttp_client`` fixture: ``await aiohttp_client(app)`` (an
    application, served by a new :class:`TestServer`; ``server_kwargs`` go to it) or
    ``await aiohttp_client(server)`` (a test server); ``kwargs`` go to the client."""

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


class AiohttpServer(Protocol):
    """The type of the ``aiohttp_server`` fixture: ``await aiohttp_server(app)`` starts a
    :class:`TestServer` (``host``, ``port``, ``ssl`` and runner options as keywords)."""

    def __call__(
        self, app: Application, *, port: Optional[int] = None, **kwargs: Unpack[_ServerKwargs]
    ) -> Awaitable[TestServer]: ...


class AiohttpRawServer(Protocol):
    """The type of the ``aiohttp_raw_server`` fixture: ``await aiohttp_raw_server(handler)``
    starts a :class:`RawTestServer`."""

    def __call__(
        self, handler: _RawHandler, *, port: Optional[int] = None, **kwargs: Unpack[_ServerKwargs]
    ) -> Awaitable[RawTestServer]: ...


# -- hooks ---------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``--aiohttp-*`` command line options."""
    parser.addoption(
        "--aiohttp-fast",
        action="store_true",
        default=False,
        help="run tests faster by disabling extra checks (no gc after each test)",
    )
    parser.addoption(
        "--aiohttp-loop",
        action="store",
        default="pyloop",
        help="run tests with specific loop: pyloop, uvloop or all (comma-separated; "
        "a trailing ? skips an unavailable loop)",
    )
    parser.addoption(
        "--aiohttp-enable-loop-debug",
        action="store_true",
        default=False,
        help="enable event loop debug mode",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``loop_factory`` (behind the ``loop`` fixture) by ``--aiohttp-loop``."""
    if "loop_factory" not in metafunc.fixturenames:
        return
    factories = _available_loop_factories(metafunc.config.getoption("--aiohttp-loop"))
    metafunc.parametrize("loop_factory", list(factories.values()), ids=list(factories))


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[object]) -> Generator[None, object, object]:
    """Run ``async`` fixtures no other plugin took in the ``loop`` fixture's loop."""
    func = fixturedef.func
    if not (inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func)):
        return (yield)
    # For this setup, pytest calls a synchronous stand-in instead, and passes it the
    # ``request`` it needs to find the loop.  pytest types both attributes Final; swapping
    # them for the setup is how plugins (pytest-asyncio too) run a fixture their way.
    argnames = fixturedef.argnames
    wants_request = "request" in argnames
    if not wants_request:
        fixturedef.argnames = (*argnames, "request")  # type: ignore[misc]  # see above
    fixturedef.func = _run_in_loop(func, pass_request=wants_request)  # type: ignore[misc]  # see above
    try:
        return (yield)
    finally:
        fixturedef.func = func  # type: ignore[misc]  # see above
        fixturedef.argnames = argnames  # type: ignore[misc]  # see above


def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> None:
    """Collection of ``async def`` tests: pytest collects them itself (and
    :func:`pytest_pyfunc_call` runs them), so this hook adds nothing."""
    return None


def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Optional[bool]:
    """Run an ``async def`` test no other plugin runs in the ``loop`` (or
    ``proactor_loop``) fixture's loop, or in a loop of its own."""
    if not inspect.iscoroutinefunction(pyfuncitem.function):
        return None
    funcargs = pyfuncitem.funcargs
    existing = funcargs.get("proactor_loop") or funcargs.get("loop")
    fast = bool(pyfuncitem.config.getoption("--aiohttp-fast"))
    with _never_awaited_check(), _passthrough_loop_context(existing, fast) as loop:
        testargs = {name: funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        loop.run_until_complete(pyfuncitem.obj(**testargs))
    return True


@contextlib.contextmanager
def _passthrough_loop_context(loop: object, fast: bool) -> Iterator[asyncio.AbstractEventLoop]:
    if isinstance(loop, asyncio.AbstractEventLoop):
        yield loop
    else:
        with loop_context(fast=fast) as own:
            yield own


@contextlib.contextmanager
def _never_awaited_check() -> Iterator[None]:
    """Fail the test on a RuntimeWarning (typically a coroutine it never awaited)."""
    with warnings.catch_warnings(record=True) as caught:
        yield
    # Hand every warning on to pytest's own capture.
    for w in caught:
        warnings.showwarning(w.message, w.category, w.filename, w.lineno, w.file, w.line)
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    if runtime:
        lines = "\n".join(f"{w.filename}:{w.lineno}: {w.message}" for w in runtime)
        raise RuntimeError(f"{len(runtime)} RuntimeWarning(s) during the test:\n{lines}")


# -- loop fixtures -------------------------------------------------------------------------


@pytest.fixture
def fast(request: pytest.FixtureRequest) -> bool:
    """``--aiohttp-fast``: skip the garbage collection after each test."""
    return bool(request.config.getoption("--aiohttp-fast"))


@pytest.fixture
def loop_debug(request: pytest.FixtureRequest) -> bool:
    """``--aiohttp-enable-loop-debug``: run loops in debug mode."""
    return bool(request.config.getoption("--aiohttp-enable-loop-debug"))


@pytest.fixture(name="loop_factory")
def _default_loop_factory() -> _LoopFactory:
    # Used when ``loop`` is requested dynamically (not parametrized at collection).
    return asyncio.new_event_loop


@pytest.fixture
def loop(
    loop_factory: _LoopFactory, fast: bool, loop_debug: bool, request: pytest.FixtureRequest
) -> Iterator[asyncio.AbstractEventLoop]:
    """The test's event loop, current while the test runs.

    A fresh loop from ``--aiohttp-loop``, closed after the test; or, when pytest-asyncio
    runs the test, pytest-asyncio's loop (left for pytest-asyncio to close).
    """
    foreign = _pytest_asyncio_loop(request)
    if foreign is not None:
        yield foreign
        return
    with loop_context(lambda: _new_loop(loop_factory), fast=fast) as own:
        if loop_debug:
            own.set_debug(True)
        yield own


@pytest.fixture
def proactor_loop(fast: bool) -> Iterator[asyncio.AbstractEventLoop]:
    """A proactor event loop (Windows only: the test is skipped elsewhere)."""
    proactor: Optional[Callable[[], asyncio.AbstractEventLoop]]
    proactor = getattr(asyncio, "ProactorEventLoop", None)
    if proactor is None:
        pytest.skip("the proactor event loop exists only on Windows")
    with loop_context(proactor, fast=fast) as own:
        yield own


# -- server and client fixtures -------------------------------------------------------------


@pytest.fixture
def aiohttp_unused_port() -> Callable[[], int]:
    """A function returning a free TCP port on ``127.0.0.1``."""
    return _unused_port


@pytest.fixture
def aiohttp_server(loop: asyncio.AbstractEventLoop) -> Iterator[AiohttpServer]:
    """``await aiohttp_server(app, *, port=None, **kwargs)`` starts a :class:`TestServer`;
    every server made is closed after the test."""
    factory = _ServerFactory(loop, "aiohttp_server")
    yield factory
    factory.close_all()


@pytest.fixture
def aiohttp_raw_server(loop: asyncio.AbstractEventLoop) -> Iterator[AiohttpRawServer]:
    """``await aiohttp_raw_server(handler, *, port=None, **kwargs)`` starts a
    :class:`RawTestServer`; every server made is closed after the test."""
    factory = _RawServerFactory(loop, "aiohttp_raw_server")
    yield factory
    factory.close_all()


@pytest.fixture
def aiohttp_client_cls() -> type[TestClient[Request, Application]]:
    """The client class ``aiohttp_client`` makes; override it to use a subclass."""
    return TestClient


@pytest.fixture
def aiohttp_client(
    loop: asyncio.AbstractEventLoop, aiohttp_client_cls: type[TestClient[Request, Application]]
) -> Iterator[AiohttpClient]:
    """``await aiohttp_client(app_or_server, *, server_kwargs=None, **kwargs)`` makes and
    starts a :class:`TestClient`; every client made (and its server) is closed after the
    test."""
    factory = _ClientFactory(loop, aiohttp_client_cls)
    yield factory
    factory.close_all()


def _deprecated(old: str, new: str) -> None:
    warnings.warn(
        f"Deprecated, use {new} fixture instead of {old}", DeprecationWarning, stacklevel=2
    )


@pytest.fixture
def unused_port(aiohttp_unused_port: Callable[[], int]) -> Callable[[], int]:
    """Deprecated alias of ``aiohttp_unused_port``."""
    _deprecated("unused_port", "aiohttp_unused_port")
    return aiohttp_unused_port


@pytest.fixture
def test_server(aiohttp_server: AiohttpServer) -> AiohttpServer:
    """Deprecated alias of ``aiohttp_server``."""
    _deprecated("test_server", "aiohttp_server")
    return aiohttp_server


@pytest.fixture
def raw_test_server(aiohttp_raw_server: AiohttpRawServer) -> AiohttpRawServer:
    """Deprecated alias of ``aiohttp_raw_server``."""
    _deprecated("raw_test_server", "aiohttp_raw_server")
    return aiohttp_raw_server


@pytest.fixture
def test_client(aiohttp_client: AiohttpClient) -> AiohttpClient:
    """Deprecated alias of ``aiohttp_client``."""
    _deprecated("test_client", "aiohttp_client")
    return aiohttp_client
