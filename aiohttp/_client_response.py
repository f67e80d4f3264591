"""The response side of a client request: :class:`ClientResponse`.

Its public home is :mod:`aiohttp.client_reqrep` (which re-exports it and sets its
``__module__``). :meth:`ClientResponse.start` reads the head from the connection's
:class:`~aiohttp.client_proto.ResponseHandler`, skipping interim 1xx responses (a ``100
Continue`` lets the request body go); :attr:`ClientResponse.content` streams the body. The
response owns the connection until the body ends: then it goes back to the pool (after the
request body is fully written), while :meth:`~ClientResponse.release` before the end lets the
pool close it and :meth:`~ClientResponse.close` closes it outright.
"""

from __future__ import annotations

import asyncio
import sys
import traceback
import warnings
from collections.abc import Sequence
from http.cookies import SimpleCookie
from types import MappingProxyType, ModuleType, TracebackType
from typing import Any, Callable, Final, Optional, TypeAlias

from multidict import CIMultiDict, CIMultiDictProxy, MultiDictProxy
from typing_extensions import Self
from yarl import URL

from . import hdrs, multipart
from ._client_hooks import ConnectionLike, SessionLike, TraceLike
from ._client_response_parts import (
    LinkParams,
    declared_charset,
    is_expected_content_type,
    parse_cookies,
    parse_links,
)
from ._client_values import ContentDisposition, RequestInfo
from ._content_headers import HeadersMixin
from .client_exceptions import ClientConnectionError, ClientResponseError, ContentTypeError
from .helpers import BaseTimerContext, TimerNoop, reify, set_exception, set_result
from .http_exceptions import HttpProcessingError
from .http_writer import HttpVersion
from .streams import EMPTY_PAYLOAD, StreamReader
from .typedefs import DEFAULT_JSON_DECODER, JSONDecoder, RawHeaders

# Decoded JSON is arbitrary data: the honest type of json()'s result.
_JSONValue: TypeAlias = Any  # type: ignore[explicit-any]  # the one place this module spells Any

_CONNECTION_CLOSED: Final = "Connection closed"


def _utf8(response: ClientResponse, body: bytes) -> str:
    return "utf-8"


async def _wait_task(task: asyncio.Task[None]) -> None:
    """Wait for ``task`` to finish without raising what it raised (or its cancellation);
    the caller's own cancellation still propagates."""
    if not task.done():
        await asyncio.wait((task,))


class ClientResponse(HeadersMixin):
    """The response to a :class:`ClientRequest`.

    After :meth:`start` the status line and headers are set and :attr:`content` streams
    the body. :meth:`read`, :meth:`text` and :meth:`json` read the whole body (and keep
    it). Reading the body to its end gives the connection back to the pool;
    :meth:`release` does so early (the connection is then closed unless it was clean) and
    :meth:`close` closes it. ``async with`` releases the response on exit.
    """

    version: Optional[HttpVersion] = None
    status: int = 0
    reason: Optional[str] = None
    content: StreamReader = EMPTY_PAYLOAD
    _body: Optional[bytes] = None
    _headers: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict())
    _raw_headers: RawHeaders = ()
    _history: tuple[ClientResponse, ...] = ()
    _connection: Optional[ConnectionLike] = None
    _cookies: Optional[SimpleCookie] = None
    _continue: Optional[asyncio.Future[bool]] = None
    _writer: Optional[asyncio.Task[None]] = None
    _source_traceback: Optional[traceback.StackSummary] = None
    _session: Optional[SessionLike] = None
    _closed = True  # a response is closed until started
    _released = False
    _in_context = False

    def __init__(
        self,
        method: str,
        url: URL,
        *,
        writer: Optional[asyncio.Task[None]],
        continue100: Optional[asyncio.Future[bool]],
        timer: Optional[BaseTimerContext],
        request_info: RequestInfo,
        traces: Sequence[TraceLike],
        loop: asyncio.AbstractEventLoop,
        session: Optional[SessionLike],
    ) -> None:
        self._init(method, url, writer, continue100, timer, request_info, traces, loop, session, 2)

    def _init(
        self,
        method: str,
        url: URL,
        writer: Optional[asyncio.Task[None]],
        continue100: Optional[asyncio.Future[bool]],
        timer: Optional[BaseTimerContext],
        request_info: RequestInfo,
        traces: Sequence[TraceLike],
        loop: asyncio.AbstractEventLoop,
        session: Optional[SessionLike],
        caller_depth: int,
    ) -> None:
        """The constructor's work, with positional arguments (cheaper to call); the request
        calls it directly on a new :class:`ClientResponse` (not on subclasses).
        ``caller_depth``: frames up to the caller, for debug tracebacks."""
        if not isinstance(url, URL):
            raise TypeError(f"url must be a yarl.URL, not {type(url).__name__}")
        self.method = method
        self._real_url = url
        self._url = url.with_fragment(None) if url.raw_fragment else url
        self._cache: dict[str, object] = {}
        if writer is not None:
            self._writer = writer
            writer.add_done_callback(self._reset_writer)
        self._continue = continue100
        self._request_info = request_info
        self._timer: BaseTimerContext = TimerNoop() if timer is None else timer
        self._traces = list(traces)
        self._loop = loop
        self._session = session
        self._resolve_charset: Callable[[ClientResponse, bytes], str] = (
            _utf8 if session is None else session._resolve_charset
        )
        if loop.get_debug():
            self._source_traceback = traceback.extract_stack(sys._getframe(caller_depth))

    def _reset_writer(self, _task: object) -> None:
        self._writer = None

    def __del__(self, _warnings: ModuleType = warnings) -> None:
        if self._closed:
            return
        if self._connection is not None:
            self._connection.release()
            self._cleanup_writer()
            if self._loop.get_debug():
                _warnings.warn(f"Unclosed response {self!r}", ResourceWarning, source=self)
                context: dict[str, object] = {
                    "client_response": self,
                    "message": "Unclosed response",
                }
                if self._source_traceback is not None:
                    context["source_traceback"] = self._source_traceback
                self._loop.call_exception_handler(context)

    def __repr__(self) -> str:
        reason = (
            self.reason.encode("ascii", "backslashreplace").decode("ascii")
            if self.reason
            else "None"
        )
        return f"<ClientResponse({self.url}) [{self.status} {reason}]>\n{self.headers!r}\n"

    # -- what arrived ------------------------------------------------------------------------

    @property
    def url(self) -> URL:
        """The URL of the request, without fragment."""
        return self._url

    @property
    def url_obj(self) -> URL:
        """Deprecated alias of :attr:`url`."""
        warnings.warn("Deprecated, use .url #1654", DeprecationWarning, stacklevel=2)
        return self._url

    @property
    def real_url(self) -> URL:
        """The URL of the request as given, fragment included."""
        return self._real_url

    @reify
    def host(self) -> str:
        """The host the request was sent to."""
        host = self._url.host
        assert host is not None
        return host

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        """The response headers."""
        return self._headers

    @property
    def raw_headers(self) -> RawHeaders:
        """The response headers as received: ``(name, value)`` byte pairs."""
        return self._raw_headers

    @property
    def request_info(self) -> RequestInfo:
        """The request this response answers."""
        return self._request_info

    @property
    def ok(self) -> bool:
        """True when :attr:`status` is below 400."""
        return self.status < 400

    @property
    def history(self) -> tuple[ClientResponse, ...]:
        """The redirect responses that led to this one, oldest first."""
        return self._history

    @property
    def connection(self) -> Optional[ConnectionLike]:
        """The connection the body is read from; ``None`` once released."""
        return self._connection

    @property
    def closed(self) -> bool:
        """True once the body was read, or the response released or closed."""
        return self._closed

    @property
    def cookies(self) -> SimpleCookie:
        """The cookies the server set (``Set-Cookie``)."""
        if self._cookies is None:
            self._cookies = parse_cookies(self._headers.getall(hdrs.SET_COOKIE, ()))
        return self._cookies

    @cookies.setter
    def cookies(self, cookies: SimpleCookie) -> None:
        self._cookies = cookies

    @reify
    def content_disposition(self) -> Optional[ContentDisposition]:
        """The parsed ``Content-Disposition`` header, or ``None``."""
        raw = self._headers.get(hdrs.CONTENT_DISPOSITION)
        if raw is None:
            return None
        disposition_type, params = multipart.parse_content_disposition(raw)
        proxy = MappingProxyType(params)
        filename = multipart.content_disposition_filename(proxy)
        return ContentDisposition(disposition_type, proxy, filename)

    @reify
    def links(self) -> MultiDictProxy[LinkParams]:
        """The ``Link`` header (RFC 8288): links keyed by ``rel``, each mapping its
        parameters and ``"url"`` (resolved against :attr:`url`)."""
        return parse_links(self._headers.getall(hdrs.LINK, ()), self._url)

    # -- reading the head --------------------------------------------------------------------

    async def start(self, connection: ConnectionLike) -> Self:
        """Read the response head from ``connection`` (interim 1xx responses are skipped).

        :raises ClientResponseError: the head was malformed or too large.
        :raises ServerDisconnectedError: the server closed the connection first.
        """
        self._closed = False
        self._connection = connection
        protocol = connection.protocol
        if protocol is None:
            raise ClientConnectionError(_CONNECTION_CLOSED)
        with self._timer:
            while True:
                try:
                    message, payload = await protocol.read()
                except HttpProcessingError as exc:
                    raise ClientResponseError(
                        self.request_info,
                        self.history,
                        status=exc.code,
                        message=exc.message,
                        headers=exc.headers,
                    ) from exc
                if not 100 <= message.code < 200 or message.code == 101:
                    break
                if self._continue is not None:
                    set_result(self._continue, True)
                    self._continue = None
        if self._continue is not None:
            # Final answer without "100 Continue": the request body will not be sent.
            set_result(self._continue, False)
            self._continue = None
        self.version = message.version
        self.status = message.code
        self.reason = message.reason
        self._headers = message.headers
        self._raw_headers = message.raw_headers
        self._cookies = None
        self._cache.clear()
        self.content = payload
        payload.on_eof(self._response_eof)
        return self

    def _response_eof(self) -> None:
        if self._closed:
            return
        connection = self._connection
        protocol = connection.protocol if connection is not None else None
        if protocol is not None and protocol.upgraded:
            return  # the connection now belongs to the WebSocket
        self._closed = True
        self._cleanup_writer()
        self._release_connection()

    # -- letting go ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (unread body data is dropped)."""
        if not self._released:
            self._notify_content()
        self._closed = True
        if self._loop.is_closed():
            return
        self._cleanup_writer()
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def release(self) -> None:
        """Give the connection back (it is closed unless the body was read to its end).
        Reading the body after this raises :class:`~aiohttp.ClientConnectionError`."""
        if not self._released:
            self._notify_content()
        self._closed = True
        self._cleanup_writer()
        self._release_connection()

    def raise_for_status(self) -> None:
        """Raise :class:`~aiohttp.ClientResponseError` when :attr:`status` is 400 or more
        (the response is released first unless inside ``async with``)."""
        if self.ok:
            return
        if not self._in_context:
            self.release()
        raise ClientResponseError(
            self.request_info,
            self.history,
            status=self.status,
            message=self.reason or "",
            headers=self.headers,
        )

    def _release_connection(self) -> None:
        connection = self._connection
        if connection is None:
            return
        writer = self._writer
        if writer is None:
            connection.release()
            self._connection = None
        else:
            writer.add_done_callback(lambda _: self._release_connection())

    async def _wait_released(self) -> None:
        writer = self._writer
        if writer is not None:
            try:
                await _wait_task(writer)
            finally:
                self._writer = None
        self._release_connection()

    def _cleanup_writer(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
        self._session = None

    def _notify_content(self) -> None:
        content = self.content
        if content.exception() is None:
            set_exception(content, ClientConnectionError(_CONNECTION_CLOSED))
        self._released = True

    async def wait_for_close(self) -> None:
        """Wait until the request body was written, then release the response."""
        writer = self._writer
        if writer is not None:
            try:
                await _wait_task(writer)
            finally:
                self._writer = None
        self.release()

    # -- the body ------------------------------------------------------------------------------

    async def read(self) -> bytes:
        """The whole body (read once, then kept).

        :raises ClientPayloadError: the body was cut short or could not be decoded.
        :raises ClientConnectionError: the response was released before it was read.
        """
        if self._body is None:
            try:
                self._body = await self.content.read()
                for trace in self._traces:
                    await trace.send_response_chunk_received(self.method, self.url, self._body)
            except BaseException:
                self.close()
                raise
        elif self._released:
            raise ClientConnectionError(_CONNECTION_CLOSED)
        connection = self._connection
        if connection is None:
            # Released already (the usual case: the body ended): only a request body
            # still being written can be waited for.
            if self._writer is not None:
                await self._wait_released()
            return self._body
        protocol = connection.protocol
        if protocol is None or not protocol.upgraded:
            await self._wait_released()
        return self._body

    def get_encoding(self) -> str:
        """The charset of the body: from ``Content-Type``, ``utf-8`` for JSON, else what
        the session's ``fallback_charset_resolver`` says (default ``utf-8``).

        :raises RuntimeError: the fallback is needed but the body was not read yet.
        """
        declared = declared_charset(self._headers.get(hdrs.CONTENT_TYPE, ""))
        if declared is not None:
            return declared
        if self._body is None:
            raise RuntimeError("Cannot compute fallback encoding of a not yet read body")
        return self._resolve_charset(self, self._body)

    async def text(self, encoding: Optional[str] = None, errors: str = "strict") -> str:
        """The body decoded with ``encoding`` (default: :meth:`get_encoding`)."""
        body = await self.read() if self._body is None else self._body
        if encoding is None:
            encoding = self.get_encoding()
        return body.decode(encoding, errors=errors)

    async def json(
        self,
        *,
        encoding: Optional[str] = None,
        loads: JSONDecoder = DEFAULT_JSON_DECODER,
        content_type: Optional[str] = "application/json",
    ) -> _JSONValue:
        """The body decoded as JSON with ``loads`` (``None`` for an empty body).

        :raises ContentTypeError: the response's media type is not ``content_type``
            (``None`` skips the check).
        """
        body = await self.read() if self._body is None else self._body
        if content_type and not is_expected_content_type(self.content_type, content_type):
            raise ContentTypeError(
                self.request_info,
                self.history,
                status=self.status,
                message=f"Attempt to decode JSON with unexpected mimetype: {self.content_type}",
                headers=self.headers,
            )
        stripped = body.strip()
        if not stripped:
            return None
        if encoding is None:
            encoding = self.get_encoding()
        return loads(stripped.decode(encoding))

    async def __aenter__(self) -> Self:
        self._in_context = True
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        self._in_context = False
        self.release()
        await self.wait_for_close()
