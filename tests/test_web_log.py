"""AccessLogger: the format language, compiled once, and the lines a real request produces."""

from __future__ import annotations

import logging
import os
import re

import httpx
import pytest

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_log import AccessLogger, KeyMethod
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import Response, StreamResponse

from ._web_fixtures import serve


def test_compile_format_template_and_keys() -> None:
    log = AccessLogger(logging.getLogger("t"), '%a "%r" %s %b %{X-In}i %{X-Out}o %% %x 5%')
    template, methods = log.compile_format(log.log_format)
    assert template == '%s "%s" %s %s %s %s %% %%x 5%%'
    assert [m.key for m in methods] == [
        "remote_address",
        "first_request_line",
        "response_status",
        "response_size",
        ("request_header", "X-In"),
        ("response_header", "X-Out"),
    ]
    assert all(isinstance(m, KeyMethod) for m in methods)


def test_format_compiled_once_per_format() -> None:
    fmt = "%a %D unique-format-for-cache-test"
    first = AccessLogger(logging.getLogger("a"), fmt)
    second = AccessLogger(logging.getLogger("b"), fmt)
    assert first._methods is second._methods


def test_default_format_and_class_attributes() -> None:
    assert AccessLogger.LOG_FORMAT == '%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'
    assert AccessLogger(logging.getLogger("d")).log_format == AccessLogger.LOG_FORMAT
    assert AccessLogger.LOG_FORMAT_MAP["Tf"] == "request_time_frac"
    assert isinstance(AccessLogger(logging.getLogger("d")), AbstractAccessLogger)


def test_enabled_follows_logger_level() -> None:
    logger = logging.getLogger("test.web_log.level")
    logger.setLevel(logging.WARNING)
    log = AccessLogger(logger)
    assert not log.enabled
    logger.setLevel(logging.INFO)
    assert log.enabled


async def _log_one(fmt: str, caplog: pytest.LogCaptureFixture) -> logging.LogRecord:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(text="hello", headers={"X-Out": "out-value"})

    name = "test.web_log.e2e"
    async with serve(handler, access_log=logging.getLogger(name), access_log_format=fmt) as srv:
        with caplog.at_level(logging.INFO, logger=name):
            async with httpx.AsyncClient() as client:
                await client.get(
                    srv.url + "/path?q=1", headers={"X-In": "in-value", "User-Agent": "ua/1"}
                )
    (record,) = [r for r in caplog.records if r.name == name]
    return record


async def test_every_directive(caplog: pytest.LogCaptureFixture) -> None:
    record = await _log_one('%a|%t|%P|%r|%s|%b|%T|%Tf|%D|%{X-In}i|%{X-Out}o|%{Missing}i|%"', caplog)
    parts = record.getMessage().split("|")
    assert parts[0] == "127.0.0.1"
    assert re.fullmatch(r"\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]", parts[1])
    assert parts[2] == f"<{os.getpid()}>"
    assert parts[3] == "GET /path?q=1 HTTP/1.1"
    assert parts[4] == "200"
    assert int(parts[5]) > len("hello")  # the head counts too
    assert parts[6] == "0"
    assert re.fullmatch(r"0\.\d{6}", parts[7])
    assert 0 < int(parts[8]) < 5_000_000
    assert parts[9:12] == ["in-value", "out-value", "-"]
    assert parts[12] == '%"'


async def test_extra_carries_structured_values(caplog: pytest.LogCaptureFixture) -> None:
    record = await _log_one('%a %s "%{User-Agent}i" %{X-Out}o', caplog)
    assert record.getMessage() == '127.0.0.1 200 "ua/1" out-value'
    assert record.__dict__["remote_address"] == "127.0.0.1"
    assert record.__dict__["response_status"] == 200
    assert record.__dict__["request_header"] == {"User-Agent": "ua/1"}
    assert record.__dict__["response_header"] == {"X-Out": "out-value"}


async def test_failing_directive_is_reported_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(AccessLogger):
        def compile_format(self, log_format: str) -> tuple[str, list[KeyMethod]]:
            def boom(request: BaseRequest, response: StreamResponse, time: float) -> object:
                raise RuntimeError("directive failed")

            return "%s", [KeyMethod("boom", boom)]

    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(text="fine")

    logger = logging.getLogger("test.web_log.broken")
    async with serve(
        handler, access_log=logger, access_log_class=Broken, access_log_format="%a"
    ) as srv:
        with caplog.at_level(logging.INFO, logger=logger.name):
            async with httpx.AsyncClient() as client:
                resp = await client.get(srv.url)
    assert resp.text == "fine"
    assert "Error in logging" in caplog.text
