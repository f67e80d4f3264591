"""Type checks for ``aiohttp.tracing``: each signal takes only callbacks for its own params
record; the records' fields have exact types.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

from types import SimpleNamespace

from multidict import CIMultiDict
from typing_extensions import assert_type
from yarl import URL

from aiohttp.abc import AbstractTraceCallback
from aiohttp.client import ClientResponse, ClientSession
from aiohttp.tracing import (
    TraceConfig,
    TraceDnsCacheHitParams,
    TraceRequestChunkSentParams,
    TraceRequestEndParams,
    TraceRequestExceptionParams,
    TraceRequestStartParams,
)


async def on_start(
    session: ClientSession, ctx: SimpleNamespace, params: TraceRequestStartParams
) -> None:
    assert_type(params.method, str)
    assert_type(params.url, URL)
    assert_type(params.headers, CIMultiDict[str])


async def on_end(
    session: ClientSession, ctx: SimpleNamespace, params: TraceRequestEndParams
) -> None:
    assert_type(params.response, ClientResponse)


async def on_anything(session: ClientSession, ctx: SimpleNamespace, params: object) -> None:
    return None


async def on_exception(
    session: ClientSession, ctx: SimpleNamespace, params: TraceRequestExceptionParams
) -> None:
    assert_type(params.exception, BaseException)


def connect_callbacks() -> None:
    config = TraceConfig()
    config.on_request_start.append(on_start)
    config.on_request_end.append(on_end)
    config.on_request_exception.append(on_exception)
    config.on_dns_cache_hit.append(on_anything)  # accepting any params is fine
    config.on_request_start.append(on_end)  # type: ignore[arg-type]
    config.on_request_end.append(on_start)  # type: ignore[arg-type]
    config.on_dns_cache_miss.append(on_exception)  # type: ignore[arg-type]

    typed: AbstractTraceCallback[TraceRequestStartParams] = on_start
    config.on_request_start.append(typed)
    wrong: AbstractTraceCallback[TraceRequestChunkSentParams] = on_start  # type: ignore[assignment]
    del wrong

    assert_type(config.trace_config_ctx(), SimpleNamespace)
    assert_type(TraceDnsCacheHitParams("h").host, str)
    TraceDnsCacheHitParams(host=1)  # type: ignore[arg-type]


class Ctx(SimpleNamespace):
    pass


def custom_context_factory() -> None:
    TraceConfig(trace_config_ctx_factory=Ctx)
    TraceConfig(trace_config_ctx_factory=dict)  # type: ignore[arg-type]
