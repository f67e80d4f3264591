"""A FileResponse for a peer that already left reads nothing from the file."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from aiohttp import _web_file_open, web, web_fileresponse
from aiohttp.client_exceptions import ClientConnectionResetError

from ._web_fixtures import serve_app


async def test_file_response_after_disconnect_reads_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (4 * 1024 * 1024))
    reads: list[int] = []
    real_read_at = _web_file_open.read_at

    def counting_read_at(fobj: io.FileIO, offset: int, size: int) -> bytes:
        reads.append(size)
        return real_read_at(fobj, offset, size)

    monkeypatch.setattr(web_fileresponse, "read_at", counting_read_at)
    outcome: asyncio.Future[BaseException | None] = asyncio.get_running_loop().create_future()

    async def handler(request: web.Request) -> web.StreamResponse:
        for _ in range(500):  # wait (bounded) until the peer has gone
            if request.transport is None:
                break
            await asyncio.sleep(0.01)
        response = web.FileResponse(big)
        try:
            await response.prepare(request)
        except BaseException as exc:
            outcome.set_result(exc)
            raise
        outcome.set_result(None)
        return response

    app = web.Application()
    app.router.add_get("/big", handler)
    async with serve_app(app) as port:
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        result = await asyncio.wait_for(outcome, 5)
    assert isinstance(result, ClientConnectionResetError)
    assert reads == []
