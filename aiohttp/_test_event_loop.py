"""Event loops for tests: :func:`setup_test_loop`, :func:`teardown_test_loop` and
:func:`loop_context` (exported by :mod:`aiohttp.test_utils`)."""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_LoopFactory = Callable[[], asyncio.AbstractEventLoop]


def _set_event_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    # Python 3.14 deprecates parts of the policy machinery behind this call; tests still
    # need the loop they run to be the current one for code that looks it up.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        asyncio.set_event_loop(loop)


def setup_test_loop(
    loop_factory: _LoopFactory = asyncio.new_event_loop,
) -> asyncio.AbstractEventLoop:
    """A new event loop from ``loop_factory``, installed as the current loop.

    Pair it with :func:`teardown_test_loop`.  The previous current loop is not restored.
    """
    loop = loop_factory()
    _set_event_loop(loop)
    return loop


def teardown_test_loop(loop: asyncio.AbstractEventLoop, fast: bool = False) -> None:
    """Close ``loop`` (made by :func:`setup_test_loop`) and unset the current loop.

    Callbacks already scheduled run once; async generators are finalised.  Unless ``fast``,
    a garbage collection follows, so what the test leaked is reported now, within the test:
    an unclosed :class:`~aiohttp.ClientSession` warns (:class:`ResourceWarning`) and calls
    the loop's exception handler, a task still pending is logged as destroyed.
    """
    if not loop.is_closed():
        loop.call_soon(loop.stop)
        loop.run_forever()
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
    if not fast:
        gc.collect()
    _set_event_loop(None)


@contextmanager
def loop_context(
    loop_factory: _LoopFactory = asyncio.new_event_loop, fast: bool = False
) -> Iterator[asyncio.AbstractEventLoop]:
    """A context manager giving a new current event loop, torn down on exit (see
    :func:`setup_test_loop` and :func:`teardown_test_loop`)."""
    loop = setup_test_loop(loop_factory)
    try:
        yield loop
    finally:
        teardown_test_loop(loop, fast=fast)


for _func in (setup_test_loop, teardown_test_loop, loop_context):
    _func.__module__ = "aiohttp.test_utils"
