"""Mock-backed helpers of :mod:`aiohttp.test_utils`: :func:`make_mocked_request` and
:func:`make_mocked_coro`.

:func:`make_mocked_request` builds a real :class:`~aiohttp.web.Request` (real headers, URL,
match info and body stream) whose connection pieces are :mod:`unittest.mock` objects: the
transport, the protocol, the response writer (``write_headers``, ``write``, ``write_eof``
and ``drain`` are awaitable mocks, so a response can be prepared against it) and, unless one
is given, the application (a mock whose item access is a plain dict, so ``req.app[key]``
works without the app-key warning).  Tests can assert on the mocks; nothing touches the
network.  Prefer a real server (:class:`~aiohttp.test_utils.TestClient`) for handler tests.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator, Mapping
from types import EllipsisType
from typing import TYPE_CHECKING, Optional, Union, cast
from unittest import mock

from aiosignal import Signal
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from . import hdrs
from ._sansio._messages import HttpVersion, HttpVersion11, RawRequestMessage
from .abc import AbstractStreamWriter
from .helpers import _SENTINEL, sentinel
from .streams import EMPTY_PAYLOAD, StreamReader
from .typedefs import LooseHeaders
from .web_app import Application
from .web_request import Request
from .web_urldispatcher import UrlMappingMatchInfo

if TYPE_CHECKING:
    from ssl import SSLContext

    from .web_protocol import RequestHandler

__all__ = ("make_mocked_coro", "make_mocked_request")

_ExceptionArg = Union[BaseException, type[BaseException], _SENTINEL]


def make_mocked_coro(
    return_value: object = sentinel, raise_exception: _ExceptionArg = sentinel
) -> mock.Mock:
    """A :class:`~unittest.mock.Mock` that, called, returns a coroutine.

    The coroutine raises ``raise_exception`` if given; else it returns ``return_value``
    (``None`` if not given), awaiting it first when it is awaitable.  The mock records the
    calls as usual (``mocked.assert_called_with(1, 2)``).
    """

    async def mock_coro(*args: object, **kwargs: object) -> object:
        if not isinstance(raise_exception, _SENTINEL):
            raise raise_exception
        if isinstance(return_value, _SENTINEL):
            return None
        if inspect.isawaitable(return_value):
            return await return_value
        return return_value

    return mock.Mock(wraps=mock_coro)


def _mock_app() -> Application:
    """A stand-in application: a spec'd mock whose mapping protocol is a dict."""
    state: dict[object, object] = {}
    app = mock.MagicMock(spec=Application)

    def getitem(_self: object, key: object) -> object:
        return state[key]

    def setitem(_self: object, key: object, value: object) -> None:
        state[key] = value

    def delitem(_self: object, key: object) -> None:
        del state[key]

    def contains(_self: object, key: object) -> bool:
        return key in state

    def iterate(_self: object) -> Iterator[object]:
        return iter(state)

    def length(_self: object) -> int:
        return len(state)

    app.__getitem__ = getitem
    app.__setitem__ = setitem
    app.__delitem__ = delitem
    app.__contains__ = contains
    app.__iter__ = iterate
    app.__len__ = length
    app.get = lambda key, default=None: state.get(key, default)
    app._debug = False
    prepare_signal: Signal[object] = Signal(app)
    prepare_signal.freeze()
    app.on_response_prepare = prepare_signal
    return cast(Application, app)


def _mock_transport(sslcontext: Optional[SSLContext]) -> mock.Mock:
    def get_extra_info(name: str, default: object = None) -> object:
        if name == "sslcontext":
            return sslcontext
        return default

    transport = mock.Mock()
    transport.get_extra_info.side_effect = get_extra_info
    transport.is_closing.return_value = False
    return transport


def _mock_writer(transport: object) -> mock.Mock:
    writer = mock.Mock()
    writer.write_headers = make_mocked_coro(None)
    writer.write = make_mocked_coro(None)
    writer.write_eof = make_mocked_coro(None)
    writer.drain = make_mocked_coro(None)
    writer.transport = transport
    # Numbers the response reads back (content length checks, body size).
    writer.buffer_size = 0
    writer.output_size = 0
    writer.length = None
    return writer


def _mock_loop() -> asyncio.AbstractEventLoop:
    """The running loop (a real one lets the request run executor jobs), else a mock."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        loop = mock.Mock()
        loop.create_future.return_value = ()
        return cast(asyncio.AbstractEventLoop, loop)


def make_mocked_request(
    method: str,
    path: str,
    headers: Optional[LooseHeaders] = None,
    *,
    match_info: Union[Mapping[str, str], _SENTINEL] = sentinel,
    version: HttpVersion = HttpVersion11,
    closing: bool = False,
    app: Optional[Application] = None,
    writer: Union[AbstractStreamWriter, _SENTINEL] = sentinel,
    protocol: Union[RequestHandler, _SENTINEL] = sentinel,
    transport: Union[asyncio.Transport, _SENTINEL] = sentinel,
    payload: StreamReader = EMPTY_PAYLOAD,
    sslcontext: Optional[SSLContext] = None,
    client_max_size: int = 1024**2,
    loop: Union[asyncio.AbstractEventLoop, EllipsisType, None] = ...,
) -> Request:
    """A :class:`~aiohttp.web.Request` for ``method path`` with mocked connection pieces.

    ``headers`` is anything :class:`~multidict.CIMultiDict` takes; ``match_info`` the
    route's variables (``request.match_info``); ``app`` the application (default: a mock
    with dict item access); ``writer``, ``protocol`` and ``transport`` replace the mocks;
    ``payload`` is the body stream (default: empty); ``sslcontext`` makes the request
    ``https``.  HTTP/1.0 requests are ``closing``.  ``loop`` defaults to the running loop,
    or a mock outside one.
    """
    if version < HttpVersion(1, 1):
        closing = True
    head = CIMultiDictProxy(CIMultiDict(headers if headers is not None else ()))
    raw_headers = tuple((k.encode("utf-8"), v.encode("utf-8")) for k, v in head.items())
    chunked = "chunked" in head.get(hdrs.TRANSFER_ENCODING, "").lower()
    message = RawRequestMessage(
        method, path, version, head, raw_headers, closing, None, False, chunked, URL(path)
    )
    real_loop = _mock_loop() if loop is ... or loop is None else loop
    if isinstance(transport, _SENTINEL):
        transport = cast(asyncio.Transport, _mock_transport(sslcontext))
    if isinstance(writer, _SENTINEL):
        writer = cast(AbstractStreamWriter, _mock_writer(transport))
    if isinstance(protocol, _SENTINEL):
        proto = mock.Mock()
        proto.peername = transport.get_extra_info("peername")
        proto.ssl_context = sslcontext
        protocol = cast("RequestHandler", proto)
    if isinstance(protocol, mock.NonCallableMock):
        # The request reads these through the protocol; point them at the pieces given.
        protocol.transport = transport
        protocol.writer = writer
    task = cast("asyncio.Task[None]", mock.Mock())
    request = Request(
        message, payload, protocol, writer, task, real_loop, client_max_size=client_max_size
    )
    info = UrlMappingMatchInfo(
        {} if isinstance(match_info, _SENTINEL) else dict(match_info), mock.Mock()
    )
    info.add_app(app if app is not None else _mock_app())
    request._match_info = info
    return request


make_mocked_coro.__module__ = make_mocked_request.__module__ = "aiohttp.test_utils"
