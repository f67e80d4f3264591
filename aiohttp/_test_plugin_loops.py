"""Event loop plumbing of :mod:`aiohttp.pytest_plugin`: which loops ``--aiohttp-loop``
names, how a loop factory makes a loop, how an ``async`` fixture runs in the test's loop,
and how the ``loop`` fixture finds pytest-asyncio's loop when pytest-asyncio runs the test.

pytest-asyncio (0.23 and later) runs each of its tests in an :class:`asyncio.Runner` held by
a fixture named ``_<scope>_scoped_runner``, which it adds to the test's fixtures (older
versions: an ``event_loop`` fixture).  When the test carries the ``asyncio`` mark and such a
fixture is active, the ``loop`` fixture requests it, so it is set up first and torn down
last, and hands out its loop: the fixtures of this plugin then make and close their servers
and clients in the loop the test runs in.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import re
from collections.abc import AsyncGenerator, Callable, Coroutine
from typing import TYPE_CHECKING, Union

import pytest
from typing_extensions import Never

if TYPE_CHECKING:
    from types import ModuleType

#: What ``loop_factory`` holds: a function making a loop.  A zero-argument callable making
#: an event loop *policy* (what aiohttp 3.13 parametrized with) is accepted too.
_LoopFactory = Callable[[], Union[asyncio.AbstractEventLoop, asyncio.AbstractEventLoopPolicy]]

_RUNNER_FIXTURE = re.compile(r"_(session|package|module|class|function)_scoped_runner")


def _uvloop() -> ModuleType | None:
    try:
        return importlib.import_module("uvloop")
    except ImportError:
        return None


def _available_loop_factories(spec: str) -> dict[str, _LoopFactory]:
    """The loops ``--aiohttp-loop`` asks for, by name.

    ``spec`` is ``all`` or comma-separated names (``pyloop``, ``uvloop``); a name ending in
    ``?`` is skipped when that loop is not installed.

    :raises ValueError: a required loop is unknown or not installed.
    """
    available: dict[str, _LoopFactory] = {"pyloop": asyncio.new_event_loop}
    uvloop = _uvloop()
    if uvloop is not None:
        available["uvloop"] = uvloop.new_event_loop
    if spec == "all":
        spec = "pyloop,uvloop?"
    chosen: dict[str, _LoopFactory] = {}
    for raw in spec.split(","):
        required = not raw.strip().endswith("?")
        name = raw.strip(" ?")
        if name in available:
            chosen[name] = available[name]
        elif required:
            raise ValueError(
                f"Unknown loop {name!r} in --aiohttp-loop, available loops: {list(available)}"
            )
    return chosen


def _new_loop(factory: _LoopFactory) -> asyncio.AbstractEventLoop:
    """A loop from ``factory`` (a loop factory, or a policy class as aiohttp 3.13 used)."""
    made = factory()
    if isinstance(made, asyncio.AbstractEventLoop):
        return made
    return made.new_event_loop()


def _pytest_asyncio_loop(request: pytest.FixtureRequest) -> asyncio.AbstractEventLoop | None:
    """pytest-asyncio's loop for this test when pytest-asyncio runs it, else ``None``."""
    if not request.config.pluginmanager.has_plugin("asyncio"):
        return None
    if request.node.get_closest_marker("asyncio") is None:
        return None
    names = request.fixturenames
    for name in names:
        if _RUNNER_FIXTURE.fullmatch(name):
            # An asyncio.Runner (Python 3.11+; pytest-asyncio backports it on 3.10).
            get_loop = getattr(request.getfixturevalue(name), "get_loop", None)
            found = get_loop() if callable(get_loop) else None
            if isinstance(found, asyncio.AbstractEventLoop):
                return found
    if "event_loop" in names:  # pytest-asyncio < 0.23
        loop = request.getfixturevalue("event_loop")
        if isinstance(loop, asyncio.AbstractEventLoop):
            return loop
    return None


def _bound(func: Callable[..., object], request: pytest.FixtureRequest) -> Callable[..., object]:  # type: ignore[explicit-any]  # a fixture function takes whatever fixtures it names
    """``func`` bound to the test's class instance when it is a fixture method (pytest does
    this for the functions it calls itself)."""
    instance = request.instance
    owner = getattr(func, "__self__", None)
    unbound = getattr(func, "__func__", None)
    if (
        instance is not None
        and owner is not None
        and unbound is not None
        and isinstance(instance, type(owner))
    ):
        bound: Callable[..., object] = unbound.__get__(instance)  # type: ignore[explicit-any]  # as above
        return bound
    return func


def _run_in_loop(  # type: ignore[explicit-any]  # fixture functions take any fixtures
    func: Callable[..., object], *, pass_request: bool
) -> Callable[..., object]:
    """A synchronous stand-in for the ``async`` fixture ``func``: it runs the coroutine (or
    the async generator's setup, and later its teardown) in the ``loop`` fixture's loop.

    pytest calls it with ``request`` too; ``func`` gets it only if it asked for it
    (``pass_request``).
    """

    def run(**kwargs: object) -> object:
        request = kwargs["request"] if pass_request else kwargs.pop("request")
        assert isinstance(request, pytest.FixtureRequest)
        loop = request.getfixturevalue("loop")
        assert isinstance(loop, asyncio.AbstractEventLoop)
        made = _bound(func, request)(**kwargs)
        if inspect.isasyncgen(made):
            return _setup_async_generator(made, loop, request)
        assert inspect.iscoroutine(made)
        coro: Coroutine[object, None, object] = made
        return loop.run_until_complete(coro)

    return run


def _setup_async_generator(
    agen: AsyncGenerator[object, Never],
    loop: asyncio.AbstractEventLoop,
    request: pytest.FixtureRequest,
) -> object:
    async def first() -> object:
        try:
            return await agen.__anext__()
        except StopAsyncIteration:
            raise ValueError(f"{request.fixturename} did not yield a value") from None

    async def rest() -> None:
        try:
            await agen.__anext__()
        except StopAsyncIteration:
            return
        await agen.aclose()
        pytest.fail(f"fixture {request.fixturename} has more than one 'yield'", pytrace=False)

    value = loop.run_until_complete(first())
    request.addfinalizer(lambda: loop.run_until_complete(rest()))
    return value
