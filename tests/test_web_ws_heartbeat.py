"""The heartbeat timer of :mod:`aiohttp._ws_heartbeat` on a real event loop, with a
recording ping sender: when it pings, when it gives up, what counts as an answer."""

from __future__ import annotations

import asyncio

import pytest

from aiohttp._ws_heartbeat import Heartbeat
from aiohttp.client_exceptions import ServerTimeoutError


class Recorder:
    def __init__(self, fail: BaseException | None = None) -> None:
        self.pings: list[float] = []
        self.errors: list[BaseException] = []
        self.fail = fail
        self.pinged = asyncio.Event()

    async def send_ping(self) -> None:
        self.pings.append(asyncio.get_running_loop().time())
        self.pinged.set()
        if self.fail is not None:
            raise self.fail

    def on_timeout(self, exc: BaseException) -> None:
        self.errors.append(exc)


def make(interval: float, rec: Recorder) -> Heartbeat:
    return Heartbeat(asyncio.get_running_loop(), interval, rec.send_ping, rec.on_timeout)


async def test_heartbeat_pings_after_silence_then_gives_up() -> None:
    rec = Recorder()
    beat = make(0.05, rec)
    start = asyncio.get_running_loop().time()
    beat.start()
    await asyncio.sleep(0.2)
    assert len(rec.pings) == 1
    assert 0.045 <= rec.pings[0] - start < 0.15
    assert len(rec.errors) == 1
    assert isinstance(rec.errors[0], ServerTimeoutError)
    assert "No PONG" in str(rec.errors[0])


async def test_heartbeat_answer_after_ping_keeps_going() -> None:
    rec = Recorder()
    beat = make(0.05, rec)
    beat.start()
    for _ in range(3):
        await asyncio.wait_for(rec.pinged.wait(), 1)  # a ping goes out ...
        rec.pinged.clear()
        beat.seen()  # ... and is answered at once
    beat.stop()
    assert rec.errors == []
    assert len(rec.pings) == 3


async def test_heartbeat_steady_traffic_needs_no_ping() -> None:
    rec = Recorder()
    beat = make(0.08, rec)
    beat.start()
    for _ in range(8):
        await asyncio.sleep(0.02)
        beat.seen()
    beat.stop()
    assert rec.pings == [] and rec.errors == []


async def test_heartbeat_failed_ping_is_reported() -> None:
    boom = ConnectionResetError("gone")
    rec = Recorder(fail=boom)
    beat = make(0.03, rec)
    beat.start()
    await asyncio.sleep(0.1)
    assert rec.errors == [boom]
    await asyncio.sleep(0.05)
    assert len(rec.pings) == 1  # stopped after the failure


async def test_heartbeat_stop_silences_it() -> None:
    rec = Recorder()
    beat = make(0.02, rec)
    beat.start()
    beat.stop()
    await asyncio.sleep(0.08)
    assert rec.pings == [] and rec.errors == []
    assert beat.interval == 0.02


@pytest.mark.parametrize("interval", [0, -1.0])
async def test_heartbeat_interval_must_be_positive(interval: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        make(interval, Recorder())
