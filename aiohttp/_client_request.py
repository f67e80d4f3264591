"""The request side of a client request: :class:`ClientRequest`.

Its public home is :mod:`aiohttp.client_reqrep` (which re-exports it and sets its
``__module__``). The constructor turns the session's arguments into checked headers and a body
:class:`~aiohttp.payload.Payload` (the ``update_*`` steps, built on
:mod:`aiohttp._client_request_parts`); :meth:`ClientRequest.send` writes the head to a
connection, starts a task writing the body (:mod:`aiohttp._client_request_write`) and returns
the :class:`~aiohttp.client_reqrep.ClientResponse` to read the answer with.
"""

from __future__ import annotations

import asyncio
import ssl
import sys
import traceback
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar, Optional, Union

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from . import _client_request_parts as parts, hdrs
from ._client_hooks import ConnectionLike, SessionLike, TraceLike
from ._client_request_write import finalize_headers, write_request_body
from ._client_response import ClientResponse
from ._client_values import ConnectionKey, Fingerprint, RequestInfo, SSLParam
from ._header_text import check_header_fields, refuse_line_breaks
from .abc import AbstractStreamWriter
from .client_exceptions import ClientConnectionError
from .helpers import BaseTimerContext, BasicAuth, TimerNoop
from .http import SERVER_SOFTWARE
from .http_writer import HttpVersion, HttpVersion11, StreamWriter
from .payload import BytesPayload, Payload
from .typedefs import LooseCookies, LooseHeaders, Query


class ClientRequest:
    """One HTTP request, checked and ready to be sent (usually made by
    :class:`~aiohttp.ClientSession`; middlewares see and may change it).

    The constructor refuses what cannot be sent safely -- a method that is not a token, a
    URL without a host or with control characters, a header name that is not a token or a
    header value holding CR, LF or NUL -- with :class:`ValueError` or
    :class:`~aiohttp.InvalidURL`. Credentials in the URL become the ``Authorization``
    header (an explicit ``auth`` wins) and are removed from the URL.
    """

    GET_METHODS: ClassVar[frozenset[str]] = frozenset(
        {hdrs.METH_GET, hdrs.METH_HEAD, hdrs.METH_OPTIONS, hdrs.METH_TRACE, hdrs.METH_CONNECT}
    )
    POST_METHODS: ClassVar[frozenset[str]] = frozenset(
        {hdrs.METH_PATCH, hdrs.METH_POST, hdrs.METH_PUT}
    )
    ALL_METHODS: ClassVar[frozenset[str]] = GET_METHODS | POST_METHODS | {hdrs.METH_DELETE}
    DEFAULT_HEADERS: ClassVar[dict[str, str]] = {
        hdrs.ACCEPT: "*/*",
        hdrs.ACCEPT_ENCODING: parts.ACCEPT_ENCODING,
    }

    # Class-level defaults, as in aiohttp 3.13 (every instance sets its own).
    method: str = ""
    url: URL = URL()
    auth: Optional[BasicAuth] = None
    response: Optional[ClientResponse] = None
    _body: Optional[Payload] = None
    _writer: Optional[asyncio.Task[None]] = None
    _continue: Optional[asyncio.Future[bool]] = None
    _skip_auto_headers: Optional[CIMultiDict[None]] = None
    # What send() need not check again: the URL update_host() checked (and the URL made
    # from it, which differs only in credentials and fragment) and the method __init__
    # checked. Identity, so a URL or method set later is checked when sending.
    _host_checked: Optional[URL] = None
    _checked_url: Optional[URL] = None
    _checked_method: Optional[str] = None
    # Set by update_proxy() (or by _init() when there is no proxy).
    proxy: Optional[URL]
    proxy_auth: Optional[BasicAuth]
    proxy_headers: Optional[CIMultiDict[str]]

    def __init__(
        self,
        method: str,
        url: URL,
        *,
        params: Query = None,
        headers: Optional[LooseHeaders] = None,
        skip_auto_headers: Optional[Iterable[str]] = None,
        data: object = None,
        cookies: Optional[LooseCookies] = None,
        auth: Optional[BasicAuth] = None,
        version: HttpVersion = HttpVersion11,
        compress: Union[str, bool, None] = None,
        chunked: Optional[bool] = None,
        expect100: bool = False,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        response_class: Optional[type[ClientResponse]] = None,
        proxy: Optional[URL] = None,
        proxy_auth: Optional[BasicAuth] = None,
        timer: Optional[BaseTimerContext] = None,
        session: Optional[SessionLike] = None,
        ssl: SSLParam = True,
        proxy_headers: Optional[LooseHeaders] = None,
        traces: Optional[Sequence[TraceLike]] = None,
        trust_env: bool = False,
        server_hostname: Optional[str] = None,
    ) -> None:
        self._init(
            method, url, params, headers, skip_auto_headers, data, cookies, auth, version,
            compress, chunked, expect100, loop, response_class, proxy, proxy_auth, timer,
            session, ssl, proxy_headers, traces, trust_env, server_hostname, 2,
        )  # fmt: skip

    def _init(
        self,
        method: str,
        url: URL,
        params: Query,
        headers: Optional[LooseHeaders],
        skip_auto_headers: Optional[Iterable[str]],
        data: object,
        cookies: Optional[LooseCookies],
        auth: Optional[BasicAuth],
        version: HttpVersion,
        compress: Union[str, bool, None],
        chunked: Optional[bool],
        expect100: bool,
        loop: Optional[asyncio.AbstractEventLoop],
        response_class: Optional[type[ClientResponse]],
        proxy: Optional[URL],
        proxy_auth: Optional[BasicAuth],
        timer: Optional[BaseTimerContext],
        session: Optional[SessionLike],
        ssl: SSLParam,
        proxy_headers: Optional[LooseHeaders],
        traces: Optional[Sequence[TraceLike]],
        trust_env: bool,
        server_hostname: Optional[str],
        caller_depth: int,
    ) -> None:
        """The constructor's work, with positional arguments (binding two dozen keyword
        arguments costs more than the rest of a plain GET's set-up); the session calls it
        directly on a new :class:`ClientRequest` (not on subclasses, whose ``__init__``
        may differ). ``caller_depth``: frames up to the caller, for debug tracebacks."""
        if loop is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = asyncio.get_event_loop()
        self.loop = loop
        self.method = self._checked_method = parts.check_method(method)
        if params:
            url = url.extend_query(params)
        exact = type(self) is ClientRequest
        # update_host() and strip_credentials() for a URL without credentials, on this class
        if exact and type(url) is URL and url.raw_user is None and url.raw_password is None:
            parts.check_url(url)
            self._host_checked = url
            checked = True
        else:
            self.update_host(url)
            checked = self._host_checked is url
            url, _ = parts.strip_credentials(url)
        self.original_url = url
        self.url = url.with_fragment(None) if url.raw_fragment else url
        if checked:
            self._checked_url = self.url
        self._session = session
        self.chunked = chunked
        self._chunked_arg = chunked
        self.compress: Optional[str] = None
        self._compress_arg = compress
        self.length: Optional[int] = None
        self.response_class: type[ClientResponse] = (
            ClientResponse if response_class is None else response_class
        )
        self._timer: BaseTimerContext = TimerNoop() if timer is None else timer
        self._ssl = True if ssl is True else _check_ssl(ssl)
        if server_hostname is not None:
            refuse_line_breaks(server_hostname, "server_hostname")
        self.server_hostname = server_hostname
        self._traces: list[TraceLike] = [] if traces is None else list(traces)
        self._auto_headers: set[str] = set()
        self._source_traceback: Optional[traceback.StackSummary] = None
        if loop.get_debug():
            self._source_traceback = traceback.extract_stack(sys._getframe(caller_depth))

        # The update_* steps that would do nothing are skipped, unless a subclass may
        # have overridden them.
        if exact and type(version) is HttpVersion:
            self.version = version
        else:
            self.update_version(version)
        self.update_headers(headers)
        self.update_auto_headers(skip_auto_headers)
        if cookies or not exact:
            self.update_cookies(cookies)
        if (data is not None and compress) or not exact:
            self.update_content_encoding(data)
        if auth is not None or self.auth is not None or trust_env or not exact:
            self.update_auth(auth, trust_env)
        if proxy is None and exact:
            self.proxy = self.proxy_auth = self.proxy_headers = None
        else:
            self.update_proxy(proxy, proxy_auth, proxy_headers)
        if data is not None or self.method not in self.GET_METHODS:
            self.update_body_from_data(data)
            self.update_transfer_encoding()
        elif exact:
            self._body = None  # update_body_from_data(None) of a GET-like method
        else:
            self.update_body_from_data(data)
        if expect100 or not exact or hdrs.EXPECT in self.headers:
            self.update_expect_continue(expect100)

    # -- what the request is -------------------------------------------------------------

    @property
    def host(self) -> str:
        """The host as sent (IDNA-encoded, IPv6 without brackets)."""
        host = self.url.raw_host
        assert host is not None
        return host

    @property
    def port(self) -> Optional[int]:
        """The port, the scheme's default when the URL names none."""
        return self.url.port

    def is_ssl(self) -> bool:
        """True for ``https`` and ``wss`` URLs."""
        return self.url.scheme in parts.SSL_SCHEMES

    @property
    def ssl(self) -> SSLParam:
        """The TLS setting: an SSL context, ``True`` (verify), ``False`` or a fingerprint."""
        return self._ssl

    @property
    def connection_key(self) -> ConnectionKey:
        """The pool key of connections this request may use."""
        proxy_headers = self.proxy_headers
        h = hash(tuple(proxy_headers.items())) if proxy_headers else None
        url = self.url
        # tuple.__new__: the named tuple's own __new__ is a Python function.
        return tuple.__new__(
            ConnectionKey,
            (
                url.raw_host or "",
                url.port,
                self.is_ssl(),
                self._ssl,
                self.proxy,
                self.proxy_auth,
                h,
            ),
        )

    @property
    def request_info(self) -> RequestInfo:
        """URL, method and (a read-only view of) the headers of this request."""
        # tuple.__new__: RequestInfo.__new__ is two Python calls deep.
        return tuple.__new__(
            RequestInfo, (self.url, self.method, CIMultiDictProxy(self.headers), self.original_url)
        )

    @property
    def session(self) -> SessionLike:
        """The session that made this request (for middlewares that send requests)."""
        if self._session is None:
            raise RuntimeError("This request does not belong to a session")
        return self._session

    @property
    def skip_auto_headers(self) -> CIMultiDict[None]:
        """The headers the caller asked not to add automatically."""
        return self._skip_auto_headers or CIMultiDict()

    @property
    def body(self) -> Payload:
        """The body payload (an empty one when the request has none)."""
        if self._body is None:
            return BytesPayload(b"")
        return self._body

    @body.setter
    def body(self, value: object) -> None:
        old = self._body
        if old is not None and not old.autoclose:
            warnings.warn(
                "Replacing a request body that holds a resource; use 'await update_body()' "
                "so it is closed",
                ResourceWarning,
                stacklevel=2,
            )
        self._replace_body(value)

    # -- building --------------------------------------------------------------------------

    def update_version(self, version: Union[HttpVersion, str]) -> None:
        """Set the HTTP version (an :class:`HttpVersion` or text such as ``"1.0"``)."""
        self.version = parts.parse_version(version)

    def update_host(self, url: URL) -> None:
        """Check ``url`` (absolute, with a host, no control characters) and take the
        credentials it carries as :attr:`auth`."""
        parts.check_url(url)
        self._host_checked = url
        _, auth = parts.strip_credentials(url)
        if auth is not None:
            self.auth = auth

    def update_headers(self, headers: Optional[LooseHeaders]) -> None:
        """Start the headers with ``Host`` and add ``headers`` (a given ``Host`` replaces
        ours; other names may repeat).

        :raises ValueError: a name is not a token or a value holds CR, LF or NUL.
        """
        self.headers: CIMultiDict[str] = CIMultiDict()
        self.headers[hdrs.HOST] = parts.host_header(self.url)
        if not headers:
            return
        items = headers.items() if isinstance(headers, Mapping) else headers
        for key, value in items:
            if not isinstance(key, str) or not isinstance(value, str):
                raise TypeError(f"Header names and values must be str, got {key!r}: {value!r}")
            check_header_fields(((key, value),))
            if key.lower() == "host":
                self.headers[key] = value
            else:
                self.headers.add(key, value)

    def update_auto_headers(self, skip_auto_headers: Optional[Iterable[str]]) -> None:
        """Add ``Accept``, ``Accept-Encoding`` and ``User-Agent`` unless given or listed in
        ``skip_auto_headers``."""
        headers = self.headers
        used: CIMultiDict[object] | CIMultiDict[str]
        if skip_auto_headers is None:
            used = headers  # no copy: every test below is made before anything is added
        else:
            used_copy: CIMultiDict[object] = CIMultiDict(headers)
            self._skip_auto_headers = CIMultiDict((hdr, None) for hdr in sorted(skip_auto_headers))
            used_copy.extend(self._skip_auto_headers)
            used = used_copy
        missing: list[tuple[str, str]] = []
        for name, value in self.DEFAULT_HEADERS.items():  # (a loop: no listcomp frame)
            if name not in used:
                missing.append((name, value))
        if hdrs.USER_AGENT not in used:
            missing.append((hdrs.USER_AGENT, SERVER_SOFTWARE))
        for name, value in missing:
            headers[name] = value

    def update_cookies(self, cookies: Optional[LooseCookies]) -> None:
        """Merge ``cookies`` into the ``Cookie`` header (see
        :func:`aiohttp._client_request_parts.cookie_header`)."""
        if not cookies:
            return
        existing = self.headers.get(hdrs.COOKIE)
        value = parts.cookie_header(existing, cookies)
        self.headers.popall(hdrs.COOKIE, None)
        self.headers[hdrs.COOKIE] = value

    def update_content_encoding(self, data: object) -> None:
        """Apply ``compress`` to a body: set ``Content-Encoding`` and send it chunked.

        :raises ValueError: ``compress`` with a ``Content-Encoding`` header, or an unknown
            coding.
        """
        compress = self._compress_arg
        if data is None or not compress:
            return
        if self.headers.get(hdrs.CONTENT_ENCODING):
            raise ValueError("compress can not be set if Content-Encoding header is set")
        coding = "deflate" if compress is True else str(compress).lower()
        if coding not in parts.COMPRESS_CODINGS:
            raise ValueError(f"Unsupported compress coding {compress!r}")
        self.compress = coding
        self.headers[hdrs.CONTENT_ENCODING] = coding
        self.chunked = True

    def update_transfer_encoding(self) -> None:
        """Frame the body: ``Transfer-Encoding: chunked`` when :attr:`chunked`.

        :raises ValueError: ``chunked`` together with a ``Transfer-Encoding`` or
            ``Content-Length`` header.
        """
        te = self.headers.get(hdrs.TRANSFER_ENCODING, "").lower()
        if "chunked" in te:
            if self.chunked:
                raise ValueError(
                    'chunked can not be set if "Transfer-Encoding: chunked" header is set'
                )
        elif self.chunked:
            if hdrs.CONTENT_LENGTH in self.headers:
                raise ValueError("chunked can not be set if Content-Length header is set")
            self.headers[hdrs.TRANSFER_ENCODING] = "chunked"
            self._auto_headers.add(hdrs.TRANSFER_ENCODING)

    def update_auth(self, auth: Optional[BasicAuth], trust_env: bool = False) -> None:
        """Set ``Authorization`` from ``auth``, else from credentials in the URL, else (with
        ``trust_env``) from the netrc file."""
        if auth is None:
            auth = self.auth
        if auth is None and trust_env and self.url.host is not None:
            auth = parts.netrc_auth(self.url.host)
        if auth is None:
            return
        if not isinstance(auth, BasicAuth):
            raise TypeError("BasicAuth() tuple is required instead")
        self.auth = auth
        self.headers[hdrs.AUTHORIZATION] = auth.encode()

    def update_proxy(
        self,
        proxy: Optional[URL],
        proxy_auth: Optional[BasicAuth],
        proxy_headers: Optional[LooseHeaders],
    ) -> None:
        """Send through ``proxy`` (credentials in its URL become ``proxy_auth``)."""
        if proxy is None:
            self.proxy = None
            self.proxy_auth = None
            self.proxy_headers = None
            return
        if proxy_auth is not None and not isinstance(proxy_auth, BasicAuth):
            raise ValueError("proxy_auth must be None or BasicAuth() tuple")
        parts.check_url(proxy)
        proxy, url_auth = parts.strip_credentials(proxy)
        self.proxy = proxy
        self.proxy_auth = proxy_auth if proxy_auth is not None else url_auth
        if proxy_headers is None:
            self.proxy_headers = None
        else:
            checked: CIMultiDict[str] = CIMultiDict(proxy_headers)
            check_header_fields(checked.items())
            self.proxy_headers = checked

    def update_body_from_data(self, body: object, _stacklevel: int = 3) -> None:
        """Make the body payload from ``body`` (``data=``) and describe it in the headers:
        ``Content-Length`` when its size is known (else it is sent chunked) and the
        payload's own headers (``Content-Type`` ...) unless given or skipped."""
        if body is None:
            self._body = None
            if (
                self.method not in self.GET_METHODS
                and not self.chunked
                and hdrs.CONTENT_LENGTH not in self.headers
                and hdrs.TRANSFER_ENCODING not in self.headers
            ):
                self.headers[hdrs.CONTENT_LENGTH] = "0"
                self._auto_headers.add(hdrs.CONTENT_LENGTH)
            return
        body_payload = parts.body_payload(body)
        self._body = body_payload
        headers = self.headers
        if (
            not self.chunked
            and hdrs.CONTENT_LENGTH not in headers
            and hdrs.TRANSFER_ENCODING not in headers
        ):
            size = body_payload.size
            if size is not None:
                headers[hdrs.CONTENT_LENGTH] = str(size)
                self._auto_headers.add(hdrs.CONTENT_LENGTH)
            else:
                self.chunked = True
        skip = self._skip_auto_headers
        for key, value in body_payload.headers.items():
            if key in headers or (skip is not None and key in skip):
                continue
            headers[key] = value
            self._auto_headers.add(key)

    async def update_body(self, body: object) -> None:
        """Replace the body (closing the old payload) and recompute the headers that
        describe it. For middlewares that retry with another body."""
        old = self._body
        if old is not None:
            await old.close()
        self._replace_body(body)

    def _replace_body(self, body: object) -> None:
        for name in self._auto_headers:
            self.headers.popall(name, None)
        self._auto_headers.clear()
        self.chunked = True if self.compress is not None else self._chunked_arg
        self.update_body_from_data(body)
        if body is not None or self.method not in self.GET_METHODS:
            self.update_transfer_encoding()

    def update_expect_continue(self, expect: bool = False) -> None:
        """Send ``Expect: 100-continue`` and hold the body back until the server agrees."""
        if expect:
            self.headers[hdrs.EXPECT] = "100-continue"
        elif self.headers.get(hdrs.EXPECT, "").lower() == "100-continue":
            expect = True
        if expect:
            self._continue = self.loop.create_future()

    # -- sending -----------------------------------------------------------------------------

    def _request_target(self) -> str:
        url = self.url
        if self.method == hdrs.METH_CONNECT:
            return f"{url.host_subcomponent}:{url.port}"
        if self.proxy is not None and not self.is_ssl():
            # Forwarded by the proxy: absolute-form, and the headers meant for the proxy.
            if self.proxy_auth is not None and hdrs.PROXY_AUTHORIZATION not in self.headers:
                self.headers[hdrs.PROXY_AUTHORIZATION] = self.proxy_auth.encode()
            for name, value in (self.proxy_headers or {}).items():
                if name not in self.headers:
                    self.headers[name] = value
            return str(url)
        return url.raw_path_qs

    async def send(self, conn: ConnectionLike) -> ClientResponse:
        """Write the request head to ``conn``, start a task writing the body and return the
        response (its head is read by :meth:`ClientResponse.start`).

        :raises ValueError: the method or a header was made invalid after construction
            (CR, LF, NUL, a name that is not a token) or the framing headers conflict;
            nothing has been sent then.
        :raises InvalidURL: the same for the URL.
        """
        if self.method is not self._checked_method:
            parts.check_method(self.method)
        if self.url is not self._checked_url:
            parts.check_url(self.url)
        protocol = conn.protocol
        if protocol is None:
            raise ClientConnectionError("Connection closed")
        method = self.method
        if method != hdrs.METH_CONNECT and self.proxy is None:
            target = self.url.raw_path_qs  # _request_target()'s common case
        else:
            target = self._request_target()
        connector = getattr(conn, "_connector", None)
        chunked, length = finalize_headers(
            self.headers,
            method in self.POST_METHODS and hdrs.CONTENT_TYPE not in self.skip_auto_headers,
            self.version,
            bool(getattr(connector, "force_close", False)),
        )
        traces = self._traces
        if traces:
            writer = StreamWriter(
                protocol, self.loop, self._on_chunk_request_sent, self._on_headers_request_sent
            )
        else:
            writer = StreamWriter(protocol, self.loop)
        if self.compress is not None:
            writer.enable_compression(self.compress)
        if chunked:
            writer.enable_chunking()
        v = self.version
        status_line = f"{method} {target} HTTP/{v.major}.{v.minor}"
        # Without an on_headers_sent callback the head is stored without a coroutine.
        if traces or not writer._write_headers_nowait(status_line, self.headers):
            await writer.write_headers(status_line, self.headers)

        task: Optional[asyncio.Task[None]] = None
        if self._body is not None or chunked or self._continue is not None:
            task = self.loop.create_task(self.write_bytes(writer, conn, length))
            self._writer = task
            task.add_done_callback(self._reset_writer)
        else:
            protocol.start_timeout()
            writer.set_eof()
        response_class = self.response_class
        response: ClientResponse
        if response_class is ClientResponse:
            # The constructor's body without its keyword-argument binding.
            response = object.__new__(ClientResponse)
            response._init(
                self.method, self.original_url, task, self._continue, self._timer,
                self.request_info, self._traces, self.loop, self._session, 1,
            )  # fmt: skip
        else:
            response = response_class(
                self.method,
                self.original_url,
                writer=task,
                continue100=self._continue,
                timer=self._timer,
                request_info=self.request_info,
                traces=self._traces,
                loop=self.loop,
                session=self._session,
            )
        self.response = response
        return response

    async def write_bytes(
        self,
        writer: AbstractStreamWriter,
        conn: ConnectionLike,
        content_length: Optional[int] = None,
    ) -> None:
        """Write the body (exactly ``content_length`` bytes when given) and end the message,
        after the server's ``100 Continue`` when that was asked for. Failures are set on the
        connection's protocol rather than raised."""
        await write_request_body(writer, conn, self._body, content_length, self._continue, self.url)

    async def _on_chunk_request_sent(self, chunk: bytes) -> None:
        for trace in self._traces:
            await trace.send_request_chunk_sent(self.method, self.url, chunk)

    async def _on_headers_request_sent(self, headers: CIMultiDict[str]) -> None:
        for trace in self._traces:
            await trace.send_request_headers(self.method, self.url, headers)

    def _reset_writer(self, _task: object) -> None:
        self._writer = None

    def terminate(self) -> None:
        """Stop writing the body (cancel the writer task)."""
        task = self._writer
        if task is not None:
            if not self.loop.is_closed():
                task.cancel()
            task.remove_done_callback(self._reset_writer)
            self._writer = None

    async def close(self) -> None:
        """Wait until the body has been written (or its writing failed)."""
        task = self._writer
        if task is not None:
            try:
                await asyncio.wait((task,))
            finally:
                self._writer = None


def _check_ssl(value: object) -> SSLParam:
    if value is None:
        return True
    if isinstance(value, (bool, Fingerprint, ssl.SSLContext)):
        return value
    raise TypeError(f"ssl should be SSLContext, Fingerprint, or bool, got {value!r} instead.")
