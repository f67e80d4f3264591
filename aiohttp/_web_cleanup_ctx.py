"""The ``cleanup_ctx`` list of an application, and the error it raises when tear-downs fail.

Each entry is an async generator function ``async def ctx(app): <set up>; yield;
<tear down>``.  At startup the entries run, in order, up to their ``yield``; at cleanup the
ones that were set up resume in reverse order, all of them even if some fail.  One failure
is re-raised as is; several are raised together as :class:`CleanupError` (public as
``aiohttp.web_app.CleanupError``, which is where 3.13 defines it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import TYPE_CHECKING

from frozenlist import FrozenList

if TYPE_CHECKING:
    from .web_app import Application

_CleanupCallback = Callable[["Application"], AsyncIterator[None]]


class CleanupError(RuntimeError):
    """Several ``cleanup_ctx`` tear-downs failed; :attr:`exceptions` holds their errors."""

    __module__ = "aiohttp.web_app"  # its public home, for reprs and pickling

    def __init__(self, message: str, exceptions: list[BaseException]) -> None:
        super().__init__(message, exceptions)
        self._exceptions = exceptions

    @property
    def exceptions(self) -> list[BaseException]:
        """The errors, in the order the tear-downs ran (last set up first)."""
        return self._exceptions


class CleanupContext(FrozenList[_CleanupCallback]):
    """The ``cleanup_ctx`` list: runs each async generator up to its ``yield`` at startup
    and resumes them, in reverse order, at cleanup."""

    def __init__(self) -> None:
        super().__init__()
        self._exits: list[AsyncIterator[None]] = []

    async def _on_startup(self, app: Application) -> None:
        for callback in self:
            it = callback(app).__aiter__()
            try:
                await it.__anext__()
            except StopAsyncIteration:
                raise RuntimeError(f"cleanup_ctx entry {callback!r} did not yield") from None
            self._exits.append(it)

    async def _on_cleanup(self, app: Application) -> None:
        errors: list[BaseException] = []
        exits, self._exits = self._exits, []
        for it in reversed(exits):
            try:
                await it.__anext__()
            except StopAsyncIteration:
                continue
            except (Exception, asyncio.CancelledError) as exc:
                errors.append(exc)
                continue
            errors.append(RuntimeError(f"{it!r} has more than one 'yield'"))
            if isinstance(it, AsyncGenerator):
                await it.aclose()
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise CleanupError("Multiple errors on cleanup stage", errors)
