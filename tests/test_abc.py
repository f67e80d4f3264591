"""Runtime behaviour of the protocol layer: 3.13 default bodies, abstract members,
``isinstance``/``issubclass`` on the 3.13 names, and the annotation-only protocols."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Generator, Iterator
from http.cookies import BaseCookie, Morsel, SimpleCookie
from typing import Any, Optional

import pytest
from multidict import CIMultiDict
from yarl import URL

from aiohttp import abc
from aiohttp.test_utils import make_mocked_request
from aiohttp.typedefs import Byteish, LooseCookies
from aiohttp.web_app import Application

EMPTY_URL = URL()

# ---- minimal complete subclasses; ``Any`` stands in for the web layer's types ---------


class Router(abc.AbstractRouter):
    async def resolve(self, request: Any) -> abc.AbstractMatchInfo:
        raise NotImplementedError


class View(abc.AbstractView):
    def __await__(self) -> Generator[None, None, Any]:
        yield
        return f"answered {self.request}"


class AccessLogger(abc.AbstractAccessLogger):
    def log(self, request: Any, response: Any, time: float) -> None:
        self.logger.info(self.log_format, request, response, time)


class Resolver(abc.AbstractResolver):
    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[abc.ResolveResult]:
        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": port,
                "family": family,
                "proto": 0,
                "flags": 0,
            }
        ]

    async def close(self) -> None:
        pass


class Writer(abc.AbstractStreamWriter):
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


class Jar(abc.AbstractCookieJar):
    def __init__(self, *, loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        super().__init__(loop=loop)
        self.received: list[tuple[dict[str, str], URL]] = []

    @property
    def quote_cookie(self) -> bool:
        return True

    def clear(self, predicate: Optional[abc.ClearCookiePredicate] = None) -> None:
        self.received.clear()

    def clear_domain(self, domain: str) -> None:
        pass

    def update_cookies(self, cookies: LooseCookies, response_url: URL = EMPTY_URL) -> None:
        assert isinstance(cookies, BaseCookie)
        self.received.append(({k: m.value for k, m in cookies.items()}, response_url))

    def filter_cookies(self, request_url: URL) -> BaseCookie[str]:
        return SimpleCookie()

    def __len__(self) -> int:
        return len(self.received)

    def __iter__(self) -> Iterator[Morsel[str]]:
        return iter(())


# ---- default bodies -----------------------------------------------------------------


def test_router_starts_unfrozen_and_freeze_is_idempotent() -> None:
    router = Router()
    assert router.frozen is False
    router.post_init(Application())  # default does nothing
    router.freeze()
    router.freeze()
    assert router.frozen is True


def test_router_state_uses_the_3_13_attribute_name() -> None:
    router = Router()
    router.freeze()
    assert router._frozen is True  # type: ignore[attr-defined]  # 3.13 subclasses read it


def test_router_subclass_skipping_base_init_reads_unfrozen() -> None:
    class Lazy(Router):
        def __init__(self) -> None:
            pass

    assert Lazy().frozen is False


def test_view_keeps_its_request_and_is_awaitable() -> None:
    request = make_mocked_request("GET", "/view")
    view = View(request)
    assert view.request is request
    assert view._request is request  # type: ignore[attr-defined]  # 3.13 name

    async def main() -> object:
        return await view

    assert asyncio.run(main()) == f"answered {request}"


def test_access_logger_stores_logger_and_format_and_is_enabled() -> None:
    logger = logging.getLogger("test_abc")
    access = AccessLogger(logger, "%s %s %s")
    assert access.logger is logger
    assert access.log_format == "%s %s %s"
    assert access.enabled is True


def test_stream_writer_counters_start_at_zero() -> None:
    writer = Writer()
    assert (writer.buffer_size, writer.output_size, writer.length) == (0, 0, 0)
    writer.send_headers()  # default: nothing held back, nothing to do


async def test_stream_writer_subclass_counts_output() -> None:
    writer = Writer()
    await writer.write(b"abc")
    await writer.write(memoryview(b"de"))
    assert writer.output_size == 5


async def test_cookie_jar_takes_the_running_loop_by_default() -> None:
    jar = Jar()
    assert jar._loop is asyncio.get_running_loop()  # type: ignore[attr-defined]  # 3.13 name


def test_cookie_jar_outside_a_loop_has_no_loop() -> None:
    assert Jar()._loop is None  # type: ignore[attr-defined]  # 3.13 name


def test_cookie_jar_keeps_an_explicit_loop() -> None:
    loop = asyncio.new_event_loop()
    try:
        assert Jar(loop=loop)._loop is loop  # type: ignore[attr-defined]  # 3.13 name
    finally:
        loop.close()


def test_cookie_jar_update_from_headers_parses_each_header() -> None:
    jar = Jar()
    url = URL("http://example.com/")
    jar.update_cookies_from_headers(["a=1; Path=/; HttpOnly", "b=2; Max-Age=10"], url)
    assert jar.received == [({"a": "1"}, url), ({"b": "2"}, url)]


def test_cookie_jar_update_from_headers_skips_unparsable_header() -> None:
    jar = Jar()
    url = URL("http://example.com/")
    jar.update_cookies_from_headers(["bad<name=1", "", "ok=yes"], url)
    assert jar.received == [({"ok": "yes"}, url)]


def test_resolve_result_is_a_typed_dict_with_the_3_13_keys() -> None:
    assert set(abc.ResolveResult.__annotations__) == {
        "hostname",
        "host",
        "port",
        "family",
        "proto",
        "flags",
    }


async def test_resolver_subclass_returns_results() -> None:
    [result] = await Resolver().resolve("localhost", 80)
    assert result["host"] == "127.0.0.1"
    assert result["port"] == 80


# ---- abstract members are enforced at instantiation ---------------------------------


@pytest.mark.parametrize(
    ("base", "missing"),
    [
        (abc.AbstractRouter, "resolve"),
        (abc.AbstractView, "__await__"),
        (abc.AbstractAccessLogger, "log"),
        (abc.AbstractResolver, "resolve"),
        (abc.AbstractStreamWriter, "write"),
        (abc.AbstractCookieJar, "filter_cookies"),
        (abc.AbstractMatchInfo, "handler"),
    ],
)
def test_subclass_missing_abstract_member_cannot_be_instantiated(
    base: type[object], missing: str
) -> None:
    incomplete = type("Incomplete", (base,), {})
    with pytest.raises(TypeError, match=missing):
        incomplete()


@pytest.mark.parametrize("proto", [abc.AbstractRouter, abc.AbstractResolver, abc.AbstractConnector])
def test_protocol_itself_cannot_be_instantiated(proto: type[object]) -> None:
    with pytest.raises(TypeError):
        proto()


# ---- isinstance / issubclass --------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "proto"),
    [
        (Router, abc.AbstractRouter),
        (View, abc.AbstractView),
        (AccessLogger, abc.AbstractAccessLogger),
        (Resolver, abc.AbstractResolver),
        (Writer, abc.AbstractStreamWriter),
        (Jar, abc.AbstractCookieJar),
    ],
)
def test_subclass_checks_are_nominal_like_3_13(cls: type[object], proto: type[object]) -> None:
    assert issubclass(cls, proto)
    assert not issubclass(int, proto)


def test_isinstance_accepts_subclass_instances() -> None:
    assert isinstance(Router(), abc.AbstractRouter)
    assert isinstance(Jar(), abc.AbstractCookieJar)
    assert isinstance(Writer(), abc.AbstractStreamWriter)
    assert not isinstance(object(), abc.AbstractRouter)
    assert not isinstance("x", abc.AbstractResolver)


def test_isinstance_accepts_structural_resolver() -> None:
    class Structural:
        async def resolve(
            self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
        ) -> list[abc.ResolveResult]:
            return []

        async def close(self) -> None:
            pass

    assert isinstance(Structural(), abc.AbstractResolver)
    assert not issubclass(Structural, abc.AbstractResolver)  # issubclass stays nominal


@pytest.mark.parametrize(
    "proto",
    [
        abc.AbstractConnector,
        abc.AbstractClientSession,
        abc.AbstractClientMiddleware,
        abc.AbstractTraceCallback,
        abc.AbstractMiddleware,
        abc.AbstractWebSocket,
    ],
)
def test_new_protocols_are_for_annotations_only(proto: type[object]) -> None:
    with pytest.raises(TypeError, match="runtime_checkable"):
        isinstance(object(), proto)


def test_public_classes_live_in_aiohttp_abc() -> None:
    for name in (
        "AbstractRouter",
        "AbstractMatchInfo",
        "AbstractView",
        "AbstractResolver",
        "AbstractCookieJar",
        "AbstractStreamWriter",
        "AbstractAccessLogger",
        "ResolveResult",
        "AbstractConnector",
        "AbstractClientSession",
        "AbstractClientMiddleware",
        "AbstractTraceCallback",
        "AbstractMiddleware",
        "AbstractWebSocket",
    ):
        assert getattr(abc, name).__module__ == "aiohttp.abc", name
