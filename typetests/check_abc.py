"""Type checks for ``aiohttp.abc``: user classes satisfy the protocols by inheriting from them
or just by their shape; wrongly shaped ones are rejected.

Checked by the main mypy run only.  Correct use is checked with ``assert_type`` and plain
assignments; each misuse line carries the ``type: ignore`` code it must produce, so with
``warn_unused_ignores`` a misuse that stops failing is an error.

Types of the server and client layers are not importable yet; the user code below is
written so that it stays correct when they land (``object`` parameters, generic handlers).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable, Iterator, Sequence
from http.cookies import BaseCookie, Morsel, SimpleCookie
from types import SimpleNamespace
from typing import Optional, TypeVar

from multidict import CIMultiDict
from typing_extensions import Self, assert_type
from yarl import URL

from aiohttp.abc import (
    AbstractAccessLogger,
    AbstractClientMiddleware,
    AbstractConnector,
    AbstractCookieJar,
    AbstractMatchInfo,
    AbstractMiddleware,
    AbstractResolver,
    AbstractRouter,
    AbstractStreamWriter,
    AbstractTraceCallback,
    AbstractWebSocket,
    ClearCookiePredicate,
    ResolveResult,
)
from aiohttp.http_websocket import WSMessage, WSMsgType
from aiohttp.http_writer import StreamWriter
from aiohttp.typedefs import Byteish, LooseCookies

_Req = TypeVar("_Req")
_Resp = TypeVar("_Resp")

# ---- AbstractResolver -------------------------------------------------------------------


class StructuralResolver:
    """Satisfies AbstractResolver without inheriting from it."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            {"hostname": host, "host": host, "port": port, "family": family, "proto": 0, "flags": 0}
        ]

    async def close(self) -> None:
        pass


class InheritingResolver(AbstractResolver):
    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return []

    async def close(self) -> None:
        pass


class ResolverWithoutClose:
    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return []


class ResolverReturningStrings:
    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[str]:
        return []

    async def close(self) -> None:
        pass


class ResolverRequiringPort:
    """Callers may omit ``port``, so an implementation must give it a default."""

    async def resolve(
        self, host: str, port: int, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return []

    async def close(self) -> None:
        pass


resolver: AbstractResolver = StructuralResolver()
resolver = InheritingResolver()
resolver = ResolverWithoutClose()  # type: ignore[assignment]
resolver = ResolverReturningStrings()  # type: ignore[assignment]
resolver = ResolverRequiringPort()  # type: ignore[assignment]
AbstractResolver()  # type: ignore[misc]


async def use_resolver(r: AbstractResolver) -> None:
    results = await r.resolve("example.com", 443, family=socket.AF_INET6)
    assert_type(results, list[ResolveResult])
    assert_type(results[0]["host"], str)
    assert_type(results[0]["port"], int)
    results[0]["address"]  # type: ignore[typeddict-item]
    await r.resolve(b"example.com")  # type: ignore[arg-type]


# ---- AbstractCookieJar --------------------------------------------------------------------


class StructuralJar:
    """Satisfies AbstractCookieJar without inheriting (so it writes its own
    update_cookies_from_headers: a default body comes only with inheritance)."""

    @property
    def quote_cookie(self) -> bool:
        return True

    def clear(self, predicate: Optional[ClearCookiePredicate] = None) -> None:
        pass

    def clear_domain(self, domain: str) -> None:
        pass

    def update_cookies(self, cookies: LooseCookies, response_url: URL = URL()) -> None:  # noqa: B008
        pass

    def update_cookies_from_headers(self, headers: Sequence[str], response_url: URL) -> None:
        pass

    def filter_cookies(self, request_url: URL) -> BaseCookie[str]:
        return SimpleCookie()

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[Morsel[str]]:
        return iter(())


class InheritingJar(AbstractCookieJar):
    """Gets ``__init__(*, loop=None)`` and ``update_cookies_from_headers`` from the base."""

    @property
    def quote_cookie(self) -> bool:
        return False

    def clear(self, predicate: Optional[ClearCookiePredicate] = None) -> None:
        pass

    def clear_domain(self, domain: str) -> None:
        pass

    def update_cookies(self, cookies: LooseCookies, response_url: URL = URL()) -> None:  # noqa: B008
        pass

    def filter_cookies(self, request_url: URL) -> BaseCookie[str]:
        return SimpleCookie()

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[Morsel[str]]:
        return iter(())


class JarTakingOnlyListHeaders(StructuralJar):
    def update_cookies_from_headers(self, headers: list[str], response_url: URL) -> None:  # type: ignore[override]
        pass


class IncompleteJar(AbstractCookieJar):
    def __len__(self) -> int:
        return 0


jar: AbstractCookieJar = InheritingJar(loop=asyncio.new_event_loop())
jar = StructuralJar()
jar = JarTakingOnlyListHeaders()  # type: ignore[assignment]  # callers may pass any Sequence
IncompleteJar()  # type: ignore[abstract]
InheritingJar(asyncio.new_event_loop())  # type: ignore[call-arg]  # loop is keyword-only
assert_type(jar.quote_cookie, bool)
assert_type(jar.filter_cookies(URL("http://a.test/")), BaseCookie[str])
assert_type(len(jar), int)
for morsel in jar:
    assert_type(morsel, Morsel[str])
jar.clear(lambda m: m.key == "session")
jar.clear(lambda m: m)  # type: ignore[arg-type, return-value]
jar.update_cookies({"a": "1"}, URL("http://a.test/"))
jar.update_cookies([("a", "1")])
jar.update_cookies_from_headers(["a=1; Path=/"], URL("http://a.test/"))
jar.update_cookies({"a": 1})  # type: ignore[arg-type]


# ---- AbstractStreamWriter -----------------------------------------------------------------


class InheritingWriter(AbstractStreamWriter):
    async def write(self, chunk: Byteish) -> None:
        self.output_size += len(chunk)

    async def write_eof(self, chunk: bytes = b"") -> None:
        pass

    async def drain(self) -> None:
        pass

    def enable_compression(self, encoding: str = "deflate", strategy: Optional[int] = None) -> None:
        pass

    def enable_chunking(self) -> None:
        pass

    async def write_headers(self, status_line: str, headers: CIMultiDict[str]) -> None:
        pass


class StructuralWriter:
    buffer_size: int = 0
    output_size: int = 0
    length: Optional[int] = None

    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        pass

    async def write_eof(self, chunk: bytes = b"") -> None:
        pass

    async def drain(self) -> None:
        pass

    def enable_compression(self, encoding: str = "deflate", strategy: Optional[int] = None) -> None:
        pass

    def enable_chunking(self) -> None:
        pass

    async def write_headers(self, status_line: str, headers: CIMultiDict[str]) -> None:
        pass

    def send_headers(self) -> None:
        pass


class WriterAcceptingOnlyBytes(StructuralWriter):
    async def write(self, chunk: bytes) -> None:  # type: ignore[override]
        pass


class WriterWithoutCounters:
    async def write(self, chunk: Byteish) -> None:
        pass

    async def write_eof(self, chunk: bytes = b"") -> None:
        pass

    async def drain(self) -> None:
        pass

    def enable_compression(self, encoding: str = "deflate", strategy: Optional[int] = None) -> None:
        pass

    def enable_chunking(self) -> None:
        pass

    async def write_headers(self, status_line: str, headers: CIMultiDict[str]) -> None:
        pass

    def send_headers(self) -> None:
        pass


writer: AbstractStreamWriter = InheritingWriter()
writer = StructuralWriter()
writer = WriterAcceptingOnlyBytes()  # type: ignore[assignment]
writer = WriterWithoutCounters()  # type: ignore[assignment]
assert_type(writer.length, Optional[int])
assert_type(writer.output_size, int)


def library_writer_is_a_stream_writer(w: StreamWriter) -> AbstractStreamWriter:
    return w


async def use_writer(w: AbstractStreamWriter) -> None:
    await w.write(b"a")
    await w.write(bytearray(b"a"))
    await w.write(memoryview(b"a"))
    await w.write("text")  # type: ignore[arg-type]
    await w.write_headers("HTTP/1.1 200 OK", CIMultiDict())
    await w.write_headers("HTTP/1.1 200 OK", {"a": "b"})  # type: ignore[arg-type]
    w.send_headers()
    await w.write_eof()


# ---- AbstractAccessLogger -----------------------------------------------------------------


class InheritingAccessLogger(AbstractAccessLogger):
    def log(self, request: object, response: object, time: float) -> None:
        self.logger.info(self.log_format, request, response, time)


class StructuralAccessLogger:
    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        self.logger = logger
        self.log_format = log_format

    def log(self, request: object, response: object, time: float) -> None:
        pass

    @property
    def enabled(self) -> bool:
        return False


class AccessLoggerWithoutTime:
    logger: logging.Logger
    log_format: str

    def log(self, request: object, response: object) -> None:
        pass

    @property
    def enabled(self) -> bool:
        return True


access_logger_class: type[AbstractAccessLogger] = InheritingAccessLogger
access_logger_class = StructuralAccessLogger
access_logger_class = AccessLoggerWithoutTime  # type: ignore[assignment]
access_logger = access_logger_class(logging.getLogger("access"), "%a %t")
assert_type(access_logger.enabled, bool)
InheritingAccessLogger(logging.getLogger("access"))  # type: ignore[call-arg]


# ---- AbstractRouter / AbstractMatchInfo -----------------------------------------------------


class StructuralRouter:
    """Routes nothing; its own state, its own freeze."""

    def __init__(self) -> None:
        self._frozen = False

    def post_init(self, app: object) -> None:
        pass

    @property
    def frozen(self) -> bool:
        return self._frozen

    def freeze(self) -> None:
        self._frozen = True

    async def resolve(self, request: object) -> AbstractMatchInfo:
        raise LookupError("no routes")


class InheritingRouter(AbstractRouter):
    async def resolve(self, request: object) -> AbstractMatchInfo:
        raise LookupError("no routes")


class RouterWithoutResolve:
    def post_init(self, app: object) -> None:
        pass

    @property
    def frozen(self) -> bool:
        return False

    def freeze(self) -> None:
        pass


class RouterWithSyncResolve(StructuralRouter):
    def resolve(self, request: object) -> AbstractMatchInfo:  # type: ignore[override]
        raise LookupError("no routes")


router: AbstractRouter = StructuralRouter()
router = InheritingRouter()
router = RouterWithoutResolve()  # type: ignore[assignment]
router = RouterWithSyncResolve()  # type: ignore[assignment]
assert_type(router.frozen, bool)
router.frozen = True  # type: ignore[misc]
AbstractMatchInfo()  # type: ignore[misc]


# ---- middlewares and trace callbacks ------------------------------------------------------


async def passthrough(request: _Req, handler: Callable[[_Req], Awaitable[_Resp]], /) -> _Resp:
    """A generic middleware: it fits the server and the client protocol alike."""
    return await handler(request)


async def passthrough_named(req: _Req, call_next: Callable[[_Req], Awaitable[_Resp]]) -> _Resp:
    """Parameter names do not matter: the protocols take them positionally."""
    return await call_next(req)


async def middleware_with_extra_parameter(request: object, handler: object, extra: int) -> None:
    pass


def sync_middleware(request: object, handler: object) -> None:
    pass


server_middleware: AbstractMiddleware = passthrough
server_middleware = passthrough_named
server_middleware = middleware_with_extra_parameter  # type: ignore[assignment]
server_middleware = sync_middleware  # type: ignore[assignment]
client_middleware: AbstractClientMiddleware = passthrough
client_middleware = passthrough_named
client_middleware = middleware_with_extra_parameter  # type: ignore[assignment]
client_middleware = sync_middleware  # type: ignore[assignment]


class StartParams:
    method: str = "GET"


class RedirectParams(StartParams):
    status: int = 302


async def on_start(session: object, ctx: SimpleNamespace, params: StartParams, /) -> None:
    assert_type(params.method, str)


async def on_redirect(session: object, ctx: SimpleNamespace, params: RedirectParams) -> None:
    pass


async def on_start_with_dict_ctx(session: object, ctx: dict[str, str], params: StartParams) -> None:
    pass


def on_start_sync(session: object, ctx: SimpleNamespace, params: StartParams) -> None:
    pass


start_callback: AbstractTraceCallback[StartParams] = on_start
# Contravariant: a receiver of the base params serves the signal of a subclass ...
redirect_callback: AbstractTraceCallback[RedirectParams] = on_start
# ... but a receiver of the subclass cannot serve the base signal.
start_callback = on_redirect  # type: ignore[assignment]
start_callback = on_start_with_dict_ctx  # type: ignore[assignment]
start_callback = on_start_sync  # type: ignore[assignment]


# ---- AbstractWebSocket ----------------------------------------------------------------------


class StructuralWebSocket:
    """An in-memory socket that satisfies AbstractWebSocket without inheriting."""

    def __init__(self) -> None:
        self.inbox: list[WSMessage] = []

    async def send_str(self, data: str, compress: Optional[int] = None) -> None:
        pass

    async def send_bytes(self, data: bytes, compress: Optional[int] = None) -> None:
        pass

    async def send_json(
        self, data: object, compress: Optional[int] = None, *, dumps: Callable[[object], str] = str
    ) -> None:
        pass

    async def send_frame(
        self, message: bytes, opcode: WSMsgType, compress: Optional[int] = None
    ) -> None:
        pass

    async def ping(self, message: bytes = b"") -> None:
        pass

    async def pong(self, message: bytes = b"") -> None:
        pass

    async def receive(self, timeout: Optional[float] = None) -> WSMessage:
        return self.inbox.pop(0)

    async def receive_str(self, *, timeout: Optional[float] = None) -> str:
        return ""

    async def receive_bytes(self, *, timeout: Optional[float] = None) -> bytes:
        return b""

    async def receive_json(
        self, *, loads: Callable[[str], object] = str, timeout: Optional[float] = None
    ) -> object:
        return None

    async def close(self, *, code: int = 1000, message: bytes = b"") -> bool:
        return True

    @property
    def closed(self) -> bool:
        return False

    @property
    def close_code(self) -> Optional[int]:
        return None

    def exception(self) -> Optional[BaseException]:
        return None

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> WSMessage:
        if not self.inbox:
            raise StopAsyncIteration
        return self.inbox.pop(0)


class WebSocketWithoutIteration(StructuralWebSocket):
    __aiter__ = None  # type: ignore[assignment]


class WebSocketWithPositionalCloseCode(StructuralWebSocket):
    async def close(self, code: int = 1000, message: bytes = b"") -> bool:
        return True


class WebSocketSendingText(StructuralWebSocket):
    async def send_str(self, data: bytes, compress: Optional[int] = None) -> None:  # type: ignore[override]
        pass


websocket: AbstractWebSocket = StructuralWebSocket()
websocket = WebSocketWithPositionalCloseCode()  # keyword-only in the protocol: wider is fine
websocket = WebSocketWithoutIteration()  # type: ignore[assignment]
websocket = WebSocketSendingText()  # type: ignore[assignment]


async def use_websocket(ws: AbstractWebSocket) -> None:
    await ws.send_str("hi")
    await ws.send_str(b"hi")  # type: ignore[arg-type]
    await ws.send_json({"a": [1, 2]})
    assert_type(await ws.receive(), WSMessage)
    assert_type(await ws.receive_str(timeout=1.0), str)
    assert_type(await ws.close(code=1001), bool)
    await ws.close(1001)  # type: ignore[call-arg]
    assert_type(ws.close_code, Optional[int])
    async for msg in ws:
        assert_type(msg, WSMessage)


# ---- the annotation-only protocols reject what lacks their members -------------------------


class NotAConnector:
    async def connect(self) -> None:
        pass


connector: AbstractConnector = NotAConnector()  # type: ignore[assignment]
