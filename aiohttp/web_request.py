"""Server requests: :class:`BaseRequest` (low-level servers), :class:`Request` (with an
application and a route match) and :class:`FileField` (an uploaded file of a form).

A request wraps one parsed head (:class:`~aiohttp.http_parser.RawRequestMessage`) and the
stream its body arrives on.  Every property is read-only; the ones that take work (the
absolute URL, the query, cookies, ``Forwarded``, conditional headers) are computed on first
use and cached in ``_cache`` (:class:`~aiohttp.helpers.reify`), so a handler pays only for
what it reads.  ``clone()`` builds a changed copy.  The body is read at most
``client_max_size`` bytes far (:class:`~aiohttp.web.HTTPRequestEntityTooLarge` beyond).  A
request is also a mutable mapping for per-request state shared by middlewares and handlers.
"""

from __future__ import annotations

import asyncio
import datetime
import io
import socket
import warnings
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Optional, TypeAlias, Union

import attr
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy
from typing_extensions import Self
from yarl import URL

from . import hdrs
from ._sansio._messages import HttpVersion, RawRequestMessage
from ._web_cookies import parse_cookie_header
from ._web_form import BadForm, FormReader, too_large
from ._web_forwarded import parse_forwarded
from ._web_headers import ContentHeadersMixin
from ._web_precond import parse_etag_list, parse_range
from ._web_state import StateMapping
from .abc import AbstractStreamWriter
from .helpers import _SENTINEL, ChainMapProxy, ETag, parse_http_date, reify, sentinel
from .multipart import MultipartReader
from .streams import EmptyStreamReader, StreamReader
from .typedefs import DEFAULT_JSON_DECODER, JSONDecoder, LooseHeaders, RawHeaders, StrOrURL

if TYPE_CHECKING:
    from .web_app import Application
    from .web_protocol import RequestHandler
    from .web_response import StreamResponse
    from .web_urldispatcher import UrlMappingMatchInfo

__all__ = ("BaseRequest", "FileField", "Request")

# Request state and decoded JSON hold whatever the application or the peer put there.
_Value: TypeAlias = Any  # type: ignore[explicit-any]  # arbitrary user / JSON values
_FormValue: TypeAlias = Union[str, bytes, "FileField"]


@attr.s(auto_attribs=True, frozen=True, slots=True)
class FileField:
    """An uploaded file of a ``multipart/form-data`` body (see :meth:`BaseRequest.post`).

    ``file`` is an anonymous temporary file, rewound to the start.
    """

    name: str
    filename: str
    file: io.BufferedReader
    content_type: str
    headers: CIMultiDictProxy[str]


class BaseRequest(ContentHeadersMixin, StateMapping):
    """An HTTP request as a low-level :class:`~aiohttp.web.Server` hands it to its handler."""

    POST_METHODS: ClassVar[frozenset[str]] = frozenset(
        {hdrs.METH_PATCH, hdrs.METH_POST, hdrs.METH_PUT, hdrs.METH_TRACE, hdrs.METH_DELETE}
    )
    # aiohttp 3.13 warned when attributes outside this set were assigned; kept for reference.
    ATTRS: ClassVar[frozenset[str]] = frozenset(
        {"_message", "_protocol", "_payload_writer", "_payload", "_headers", "_method"}
        | {"_version", "_rel_url", "_post", "_read_bytes", "_state", "_cache", "_task"}
        | {"_client_max_size", "_loop", "_form"}
    )

    _post: Optional[MultiDictProxy[_FormValue]] = None
    _read_bytes: Optional[bytes] = None
    _form: Optional[FormReader[FileField]] = None

    def __init__(
        self,
        message: RawRequestMessage,
        payload: StreamReader,
        protocol: RequestHandler,
        payload_writer: AbstractStreamWriter,
        task: asyncio.Task[None],
        loop: asyncio.AbstractEventLoop,
        *,
        client_max_size: int = 1024**2,
        state: Optional[dict[str, _Value]] = None,
        scheme: Optional[str] = None,
        host: Optional[str] = None,
        remote: Optional[str] = None,
    ) -> None:
        self._message = message
        self._protocol = protocol
        self._payload_writer = payload_writer
        self._payload = payload
        self._headers: CIMultiDictProxy[str] = message.headers
        self._method = message.method
        self._version = message.version
        self._state = {} if state is None else state
        self._task = task
        self._client_max_size = client_max_size
        self._loop = loop
        cache: dict[str, object] = {}
        self._cache = cache
        url = message.url
        if url.absolute:
            # An absolute-form target names the scheme and host itself (RFC 9112 3.2.2).
            if scheme is not None:
                url = url.with_scheme(scheme)
            if host is not None:
                url = url.with_host(host)
            cache["url"] = url
            cache["host"] = url.host
            cache["scheme"] = url.scheme
            self._rel_url = url.relative()
        else:
            self._rel_url = url
            if scheme is not None:
                cache["scheme"] = scheme
            if host is not None:
                cache["host"] = host
        if remote is not None:
            cache["remote"] = remote

    def clone(
        self,
        *,
        method: Union[str, _SENTINEL] = sentinel,
        rel_url: Union[StrOrURL, _SENTINEL] = sentinel,
        headers: Union[LooseHeaders, _SENTINEL] = sentinel,
        scheme: Union[str, _SENTINEL] = sentinel,
        host: Union[str, _SENTINEL] = sentinel,
        remote: Union[str, _SENTINEL] = sentinel,
        client_max_size: Union[int, _SENTINEL] = sentinel,
    ) -> Self:
        """A copy of the request with the given parts replaced (same body stream).

        :raises RuntimeError: the body was already read.
        """
        if self._read_bytes:
            raise RuntimeError("Cannot clone request after reading its content")
        msg = self._message
        new_method = msg.method if isinstance(method, _SENTINEL) else method
        url, path = msg.url, msg.path
        if not isinstance(rel_url, _SENTINEL):
            url = URL(rel_url)
            path = str(url)
        new_headers, raw_headers = msg.headers, msg.raw_headers
        if not isinstance(headers, _SENTINEL):
            new_headers = CIMultiDictProxy(CIMultiDict(headers))
            raw_headers = tuple((k.encode(), v.encode()) for k, v in new_headers.items())
        message = msg._replace(
            method=new_method, path=path, url=url, headers=new_headers, raw_headers=raw_headers
        )
        return self._clone_with(
            message,
            client_max_size=(
                self._client_max_size if isinstance(client_max_size, _SENTINEL) else client_max_size
            ),
            scheme=None if isinstance(scheme, _SENTINEL) else scheme,
            host=None if isinstance(host, _SENTINEL) else host,
            remote=None if isinstance(remote, _SENTINEL) else remote,
        )

    def _clone_with(
        self,
        message: RawRequestMessage,
        *,
        client_max_size: int,
        scheme: Optional[str],
        host: Optional[str],
        remote: Optional[str],
    ) -> Self:
        return type(self)(
            message,
            self._payload,
            self._protocol,
            self._payload_writer,
            self._task,
            self._loop,
            client_max_size=client_max_size,
            state=self._state.copy(),
            scheme=scheme,
            host=host,
            remote=remote,
        )

    # -- the connection --------------------------------------------------------------------

    @property
    def task(self) -> asyncio.Task[None]:
        """The task that serves this request."""
        return self._task

    @property
    def protocol(self) -> RequestHandler:
        """The connection's :class:`~aiohttp.web.RequestHandler`."""
        return self._protocol

    @property
    def transport(self) -> Optional[asyncio.Transport]:
        """The connection's transport (``None`` once it is closed)."""
        return self._protocol.transport

    @property
    def writer(self) -> AbstractStreamWriter:
        """The writer the response is sent through."""
        return self._payload_writer

    @property
    def client_max_size(self) -> int:
        """The largest body :meth:`read` and :meth:`post` accept, in bytes (0: no limit)."""
        return self._client_max_size

    @reify
    def message(self) -> RawRequestMessage:
        """Deprecated: the parsed head."""
        warnings.warn("Request.message is deprecated", DeprecationWarning, stacklevel=3)
        return self._message

    @reify
    def loop(self) -> asyncio.AbstractEventLoop:
        """Deprecated: the event loop."""
        warnings.warn("request.loop property is deprecated", DeprecationWarning, stacklevel=3)
        return self._loop

    def get_extra_info(self, name: str, default: object = None) -> object:
        """Transport information (``"peername"``, ``"sslcontext"`` ...), or ``default``."""
        transport = self._protocol.transport
        if transport is None:
            return default
        return transport.get_extra_info(name, default)

    @reify
    def secure(self) -> bool:
        """True when :attr:`scheme` is ``https``."""
        return self.scheme == "https"

    @reify
    def scheme(self) -> str:
        """``https`` over TLS, else ``http`` (``clone(scheme=...)`` overrides it)."""
        return "https" if self._protocol.ssl_context is not None else "http"

    @reify
    def remote(self) -> Optional[str]:
        """The peer's address (IP for TCP) or ``None``; ``clone(remote=...)`` overrides it.

        Proxies are not trusted: use :attr:`forwarded` explicitly to look behind one.
        """
        peer = self._protocol.peername
        if peer is None:
            return None
        if isinstance(peer, (list, tuple)):
            return str(peer[0])
        return str(peer)

    @reify
    def host(self) -> str:
        """The ``Host`` header, else this machine's host name (``clone(host=...)``
        overrides it)."""
        host = self._headers.get(hdrs.HOST)
        if host is not None:
            return host
        return socket.gethostname()

    @reify
    def forwarded(self) -> tuple[Mapping[str, str], ...]:
        """The ``Forwarded`` headers (RFC 7239) as one read-only mapping per element, in
        order.  Untrusted: any client can send them."""
        return parse_forwarded(self._headers.getall(hdrs.FORWARDED, ()))

    # -- the head --------------------------------------------------------------------------

    @property
    def method(self) -> str:
        """The request method, upper case (``GET``)."""
        return self._method

    @property
    def version(self) -> HttpVersion:
        """The HTTP version."""
        return self._version

    @reify
    def url(self) -> URL:
        """The absolute URL (scheme and host from :attr:`scheme` and :attr:`host`)."""
        return URL.build(scheme=self.scheme, authority=self.host).join(self._rel_url)

    @property
    def rel_url(self) -> URL:
        """The relative URL: path, query and fragment."""
        return self._rel_url

    @property
    def path(self) -> str:
        """The decoded path (``/a b``)."""
        return self._rel_url.path

    @reify
    def path_qs(self) -> str:
        """The path with the query string (``/a?x=1``)."""
        return str(self._rel_url)

    @property
    def raw_path(self) -> str:
        """The request target as sent, percent-encoded (``/a%20b?x=1``)."""
        return self._message.path

    @property
    def query(self) -> MultiDictProxy[str]:
        """The query parameters."""
        return self._rel_url.query

    @property
    def query_string(self) -> str:
        """The decoded query string."""
        return self._rel_url.query_string

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        """The request headers (case-insensitive, read-only)."""
        return self._headers

    @property
    def raw_headers(self) -> RawHeaders:
        """The headers as received: ``((name, value), ...)`` bytes pairs."""
        return self._message.raw_headers

    @property
    def keep_alive(self) -> bool:
        """Whether the client allows the connection to stay open after the response."""
        return not self._message.should_close

    @reify
    def cookies(self) -> Mapping[str, str]:
        """The cookies of the ``Cookie`` headers, read-only."""
        return MappingProxyType(parse_cookie_header(self._headers.getall(hdrs.COOKIE, ())))

    @reify
    def if_modified_since(self) -> Optional[datetime.datetime]:
        """``If-Modified-Since`` as an aware datetime (``None`` if absent or invalid)."""
        return parse_http_date(self._headers.get(hdrs.IF_MODIFIED_SINCE))

    @reify
    def if_unmodified_since(self) -> Optional[datetime.datetime]:
        """``If-Unmodified-Since`` as an aware datetime (``None`` if absent or invalid)."""
        return parse_http_date(self._headers.get(hdrs.IF_UNMODIFIED_SINCE))

    @reify
    def if_range(self) -> Optional[datetime.datetime]:
        """``If-Range`` as an aware datetime (``None`` if absent or not a date)."""
        return parse_http_date(self._headers.get(hdrs.IF_RANGE))

    @reify
    def if_match(self) -> Optional[tuple[ETag, ...]]:
        """The entity tags of ``If-Match`` (``None`` if absent)."""
        return parse_etag_list(self._headers.get(hdrs.IF_MATCH))

    @reify
    def if_none_match(self) -> Optional[tuple[ETag, ...]]:
        """The entity tags of ``If-None-Match`` (``None`` if absent)."""
        return parse_etag_list(self._headers.get(hdrs.IF_NONE_MATCH))

    @reify
    def http_range(self) -> slice[Optional[int], Optional[int], int]:
        """The ``Range`` header as a slice (see :func:`aiohttp._web_precond.parse_range`).

        :raises ValueError: an unsupported or malformed range.
        """
        return parse_range(self._headers.get(hdrs.RANGE))

    # -- the body --------------------------------------------------------------------------

    @property
    def content(self) -> StreamReader:
        """The body stream."""
        return self._payload

    @property
    def has_body(self) -> bool:
        """Deprecated alias of :attr:`can_read_body`."""
        warnings.warn("Deprecated, use .can_read_body #2005", DeprecationWarning, stacklevel=2)
        return not self._payload.at_eof()

    @property
    def can_read_body(self) -> bool:
        """True while unread body data remains (or may still arrive)."""
        return not self._payload.at_eof()

    @reify
    def body_exists(self) -> bool:
        """True when the request has a body at all."""
        return type(self._payload) is not EmptyStreamReader

    async def release(self) -> None:
        """Read and drop the rest of the body."""
        while not self._payload.at_eof():
            await self._payload.readany()

    async def read(self) -> bytes:
        """The whole body (read once, then cached).

        :raises HTTPRequestEntityTooLarge: it is larger than :attr:`client_max_size`.
        """
        if self._read_bytes is not None:
            return self._read_bytes
        limit = self._client_max_size
        declared = self.content_length if limit else None
        if declared is not None and declared > limit:
            raise too_large(limit, declared)
        # Joined once at the end: a body that came in one piece is not copied at all.
        parts: list[bytes] = []
        size = 0
        payload = self._payload
        while True:
            chunk = await payload.readany()
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
            if limit and size > limit:
                raise too_large(limit, size)
        self._read_bytes = body = b"".join(parts)
        return body

    async def text(self) -> str:
        """The body decoded with the request charset (UTF-8 by default).

        :raises HTTPUnsupportedMediaType: the charset is unknown.
        """
        data = await self.read()
        encoding = self.charset or "utf-8"
        try:
            return data.decode(encoding)
        except LookupError:
            from .web_exceptions import HTTPUnsupportedMediaType

            raise HTTPUnsupportedMediaType(text=f"Unknown charset {encoding!r}") from None

    async def json(self, *, loads: JSONDecoder = DEFAULT_JSON_DECODER) -> _Value:
        """The body parsed as JSON with ``loads``."""
        return loads(await self.text())

    async def multipart(self) -> MultipartReader:
        """A streaming reader over the parts of a ``multipart/*`` body (not held to
        :attr:`client_max_size`).

        :raises ValueError: not a multipart ``Content-Type`` or no valid boundary (a
            ``400`` if the handler lets it through).
        """
        try:
            return MultipartReader(self._headers, self._payload)
        except ValueError as exc:
            raise BadForm(str(exc)) from exc

    async def post(self) -> MultiDictProxy[_FormValue]:
        """The fields of a form body (urlencoded or ``multipart/form-data``; see
        :mod:`aiohttp._web_form`); empty for other methods or content types.  Cached.

        File parts are streamed to temporary files (:class:`FileField`).

        :raises HTTPRequestEntityTooLarge: the body is over :attr:`client_max_size`.
        :raises ValueError: a malformed form (an ``HTTPBadRequest`` too, so ``400``).
        """
        if self._post is not None:
            return self._post
        ctype = self.content_type
        if self._method not in self.POST_METHODS or ctype not in (
            "",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            self._post = MultiDictProxy(MultiDict())
            return self._post
        form = self._form = FormReader(self._loop, self._client_max_size, FileField)
        if ctype == "multipart/form-data":
            form.check_declared(self.content_length)
            fields = await form.read_multipart(self._headers, self._payload)
        else:
            fields = form.read_urlencoded(await self.read(), self.charset or "utf-8")
        self._post = MultiDictProxy(fields)
        return self._post

    # -- hooks for the server ----------------------------------------------------------------

    async def _prepare_hook(self, response: StreamResponse) -> None:
        """Called by ``response.prepare``; :class:`Request` fires ``on_response_prepare``."""
        return None

    def _has_prepare_hook(self) -> bool:
        """Whether :meth:`_prepare_hook` may do anything (else prepare skips awaiting it)."""
        return type(self)._prepare_hook is not BaseRequest._prepare_hook

    def _cancel(self, exc: BaseException) -> None:
        """The connection failed: make body reads raise ``exc``."""
        payload = self._payload
        if not payload.is_eof() and payload.exception() is None:
            payload.set_exception(exc)

    def _finish(self) -> None:
        """The response is sent: close the temporary files of uploaded form files."""
        post = self._post
        if post is None or self._form is None:
            return
        for value in post.values():
            if isinstance(value, FileField):
                value.file.close()

    # -- mapping and identity ----------------------------------------------------------------

    def __repr__(self) -> str:
        path = self.path.encode("ascii", "backslashreplace").decode("ascii")
        return f"<{type(self).__name__} {self._method} {path} >"

    if not TYPE_CHECKING:
        # Written in StateMapping; bound here too, where aiohttp 3.13 defines them.
        __getitem__ = StateMapping.__getitem__
        __setitem__ = StateMapping.__setitem__
        __len__ = StateMapping.__len__
        __iter__ = StateMapping.__iter__


class Request(BaseRequest):
    """A request routed through an :class:`~aiohttp.web.Application`."""

    ATTRS: ClassVar[frozenset[str]] = BaseRequest.ATTRS | frozenset({"_match_info"})

    _match_info: Optional[UrlMappingMatchInfo] = None

    def clone(
        self,
        *,
        method: Union[str, _SENTINEL] = sentinel,
        rel_url: Union[StrOrURL, _SENTINEL] = sentinel,
        headers: Union[LooseHeaders, _SENTINEL] = sentinel,
        scheme: Union[str, _SENTINEL] = sentinel,
        host: Union[str, _SENTINEL] = sentinel,
        remote: Union[str, _SENTINEL] = sentinel,
        client_max_size: Union[int, _SENTINEL] = sentinel,
    ) -> Self:
        """A copy of the request with the given parts replaced; it keeps the route match."""
        return super().clone(
            method=method,
            rel_url=rel_url,
            headers=headers,
            scheme=scheme,
            host=host,
            remote=remote,
            client_max_size=client_max_size,
        )

    def _clone_with(
        self,
        message: RawRequestMessage,
        *,
        client_max_size: int,
        scheme: Optional[str],
        host: Optional[str],
        remote: Optional[str],
    ) -> Self:
        new = super()._clone_with(
            message, client_max_size=client_max_size, scheme=scheme, host=host, remote=remote
        )
        new._match_info = self._match_info
        return new

    @property
    def match_info(self) -> UrlMappingMatchInfo:
        """The route match: the path's variables, the route, the applications it passed.

        :raises RuntimeError: the request has not been routed yet.
        """
        match_info = self._match_info
        if match_info is None:
            raise RuntimeError("The request has not been routed yet (no match_info)")
        return match_info

    @property
    def app(self) -> Application:
        """The application whose handler (or middleware) is running."""
        return self.match_info.current_app

    @reify
    def config_dict(self) -> ChainMapProxy:
        """The state of :attr:`app` and of the applications it is nested in (innermost
        first), as one read-only mapping."""
        apps = self.match_info.apps
        app = self.app
        index = apps.index(app) if app in apps else len(apps) - 1
        return ChainMapProxy(reversed(apps[: index + 1]))

    def _has_prepare_hook(self) -> bool:
        if type(self)._prepare_hook is not Request._prepare_hook:
            return True
        match_info = self._match_info
        if match_info is None:
            return False
        for app in match_info.apps:  # noqa: SIM110  # no generator per response
            if app.on_response_prepare:
                return True
        return False

    async def _prepare_hook(self, response: StreamResponse) -> None:
        match_info = self._match_info
        if match_info is None:
            return
        for app in match_info.apps:
            signal = app.on_response_prepare
            if signal:
                await signal.send(self, response)
