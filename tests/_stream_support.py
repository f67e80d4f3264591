"""A transport-less protocol that records read-side flow control, for the stream tests.

``tests/test_streams.py``, ``tests/test_decoding.py`` and ``tests/test_http_parser.py`` feed
:class:`~aiohttp.streams.StreamReader` objects by hand; :class:`CountingProtocol` stands in
for the connection behind them and counts how often reading was paused and resumed.
"""

from __future__ import annotations

import asyncio

from aiohttp.base_protocol import BaseProtocol
from aiohttp.streams import StreamReader


class CountingProtocol(BaseProtocol):
    """A protocol without a transport that counts read-side flow-control calls."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.pauses = 0
        self.resumes = 0

    def pause_reading(self) -> None:
        self.pauses += 1
        self._reading_paused = True

    def resume_reading(self) -> None:
        self.resumes += 1
        self._reading_paused = False


def make_reader(limit: int = 2**16) -> tuple[StreamReader, CountingProtocol]:
    """A reader with ``limit`` over a fresh :class:`CountingProtocol` in the running loop."""
    proto = CountingProtocol(asyncio.get_running_loop())
    return StreamReader(proto, limit), proto
