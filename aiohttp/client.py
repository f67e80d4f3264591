"""The HTTP client: :class:`ClientSession`, :class:`ClientTimeout` and :func:`request`.

A session holds what its requests share: a connector (the connection pool), a cookie jar,
default headers, authentication and timeouts, tracing configs and middlewares. Its request
methods return an object that is awaited or used with ``async with``
(:class:`_RequestContextManager`). Sending one request -- option checks, proxies from the
environment, redirects, cookies, ``raise_for_status``, the total timeout and tracing -- is in
:mod:`aiohttp._client_flow`; the option types in :mod:`aiohttp._client_options`. This module
also re-exports the client's public classes and errors under their aiohttp 3.13 names.
"""

from __future__ import annotations

import asyncio
import sys
import traceback
import warnings
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from ssl import SSLContext
from types import ModuleType, TracebackType
from typing import Final, Optional, Union

from multidict import CIMultiDict, istr
from typing_extensions import Self, Unpack, deprecated

from . import hdrs
from ._client_context import (
    _RequestContextManager as _RequestContextManager,
    _SessionRequestContextManager as _SessionRequestContextManager,
)
from ._client_flow import check_base_url, run_request
from ._client_options import (
    OptionsWithoutData,
    OptionsWithoutRedirects,
    RaiseForStatus,
    RequestOptions,
    SSLOption,
)
from ._client_timeouts import (
    ClientTimeout as ClientTimeout,
    ClientWSTimeout as ClientWSTimeout,
    session_timeout,
)
from ._client_ws_connect import DEFAULT_MAX_MSG_SIZE, _WSRequestContextManager, ws_connect
from .abc import AbstractConnector, AbstractCookieJar
from .client_exceptions import (
    ClientConnectionError as ClientConnectionError,
    ClientConnectionResetError as ClientConnectionResetError,
    ClientConnectorCertificateError as ClientConnectorCertificateError,
    ClientConnectorDNSError as ClientConnectorDNSError,
    ClientConnectorError as ClientConnectorError,
    ClientConnectorSSLError as ClientConnectorSSLError,
    ClientError as ClientError,
    ClientHttpProxyError as ClientHttpProxyError,
    ClientOSError as ClientOSError,
    ClientPayloadError as ClientPayloadError,
    ClientProxyConnectionError as ClientProxyConnectionError,
    ClientResponseError as ClientResponseError,
    ClientSSLError as ClientSSLError,
    ConnectionTimeoutError as ConnectionTimeoutError,
    ContentTypeError as ContentTypeError,
    InvalidURL as InvalidURL,
    InvalidUrlClientError as InvalidUrlClientError,
    InvalidUrlRedirectClientError as InvalidUrlRedirectClientError,
    NonHttpUrlClientError as NonHttpUrlClientError,
    NonHttpUrlRedirectClientError as NonHttpUrlRedirectClientError,
    RedirectClientError as RedirectClientError,
    ServerConnectionError as ServerConnectionError,
    ServerDisconnectedError as ServerDisconnectedError,
    ServerFingerprintMismatch as ServerFingerprintMismatch,
    ServerTimeoutError as ServerTimeoutError,
    SocketTimeoutError as SocketTimeoutError,
    TooManyRedirects as TooManyRedirects,
    WSMessageTypeError as WSMessageTypeError,
    WSServerHandshakeError as WSServerHandshakeError,
)
from .client_middlewares import ClientMiddlewareType
from .client_reqrep import (
    ClientRequest as ClientRequest,
    ClientResponse as ClientResponse,
    Fingerprint as Fingerprint,
    RequestInfo as RequestInfo,
)
from .client_ws import ClientWebSocketResponse as ClientWebSocketResponse
from .connector import (
    BaseConnector as BaseConnector,
    NamedPipeConnector as NamedPipeConnector,
    TCPConnector as TCPConnector,
    UnixConnector as UnixConnector,
)
from .cookiejar import CookieJar
from .helpers import _SENTINEL, BasicAuth, sentinel
from .http_writer import HttpVersion, HttpVersion11
from .tracing import Trace, TraceConfig
from .typedefs import (
    DEFAULT_JSON_ENCODER,
    JSONEncoder,
    LooseCookies,
    LooseHeaders,
    Query,
    StrOrURL,
)

__all__ = (
    # client_exceptions
    "ClientConnectionError",
    "ClientConnectionResetError",
    "ClientConnectorCertificateError",
    "ClientConnectorDNSError",
    "ClientConnectorError",
    "ClientConnectorSSLError",
    "ClientError",
    "ClientHttpProxyError",
    "ClientOSError",
    "ClientPayloadError",
    "ClientProxyConnectionError",
    "ClientResponseError",
    "ClientSSLError",
    "ConnectionTimeoutError",
    "ContentTypeError",
    "InvalidURL",
    "InvalidUrlClientError",
    "RedirectClientError",
    "NonHttpUrlClientError",
    "InvalidUrlRedirectClientError",
    "NonHttpUrlRedirectClientError",
    "ServerConnectionError",
    "ServerDisconnectedError",
    "ServerFingerprintMismatch",
    "ServerTimeoutError",
    "SocketTimeoutError",
    "TooManyRedirects",
    "WSServerHandshakeError",
    # client_reqrep
    "ClientRequest",
    "ClientResponse",
    "Fingerprint",
    "RequestInfo",
    # connector
    "BaseConnector",
    "TCPConnector",
    "UnixConnector",
    "NamedPipeConnector",
    # client_ws
    "ClientWebSocketResponse",
    # client
    "ClientSession",
    "ClientTimeout",
    "ClientWSTimeout",
    "request",
    "WSMessageTypeError",
)

FallbackCharsetResolver = Callable[[ClientResponse, bytes], str]
_RequestOptions = RequestOptions  # the 3.13 name, which aiohttp.abc imports


def _utf8(response: ClientResponse, body: bytes) -> str:
    return "utf-8"


# The attributes a session sets (3.13 warns, in debug mode, when others are set).
_SESSION_ATTRS: Final = """
_base_url _base_url_origin _source_traceback _connector _loop _cookie_jar _connector_owner
_default_auth _version _json_serialize _requote_redirect_url _timeout _raise_for_status
_auto_decompress _trust_env _default_headers _skip_auto_headers _request_class
_response_class _ws_response_class _trace_configs _read_bufsize _max_line_size
_max_field_size _resolve_charset _default_proxy _default_proxy_auth _retry_connection
_middlewares
"""


class ClientSession:
    """A client session: the entry point for making HTTP requests.

    Requests made through one session share its connection pool, cookies, default
    headers, authentication, timeouts, tracing and middlewares. Use it as ``async with
    ClientSession() as session:`` or call :meth:`close`; an unclosed session warns
    (:class:`ResourceWarning`) when it is garbage-collected.

    :param base_url: an absolute URL whose path ends with ``/``; relative request URLs are
        resolved against it (RFC 3986), absolute ones are used as they are.
    :param connector: the connection pool (any :class:`~aiohttp.abc.AbstractConnector`);
        by default a new :class:`TCPConnector`, owned by the session.
    :param connector_owner: close the connector when the session closes.
    :param cookies: cookies to put in the jar at the start.
    :param headers: headers sent with every request (a request's own win).
    :param skip_auto_headers: automatic headers (``User-Agent`` ...) never to add.
    :param auth: basic authentication for requests to the ``base_url`` origin (every
        request when there is no ``base_url``); redirects to another origin drop it.
    :param json_serialize: the function turning ``json=`` values into text.
    :param request_class: the :class:`ClientRequest` subclass to build requests with.
    :param response_class: the :class:`ClientResponse` subclass responses are made of.
    :param ws_response_class: the WebSocket response class (for ``ws_connect``).
    :param version: the HTTP version of requests.
    :param cookie_jar: the jar (any :class:`~aiohttp.abc.AbstractCookieJar`); by default a
        new :class:`~aiohttp.CookieJar`.
    :param raise_for_status: ``True`` to raise :class:`ClientResponseError` for 4xx/5xx
        answers, or an ``async`` callable run on every response.
    :param timeout: a :class:`ClientTimeout` (default: 5 minutes total, 30 seconds to
        connect a socket).
    :param auto_decompress: decompress response bodies.
    :param trust_env: take proxies from ``HTTP(S)_PROXY``/``WS(S)_PROXY``/``NO_PROXY`` and
        credentials from the netrc file.
    :param requote_redirect_url: re-quote the URL of a redirect's ``Location``.
    :param trace_configs: :class:`~aiohttp.TraceConfig` objects to trace requests with
        (they are frozen here).
    :param read_bufsize: the response body buffer limit.
    :param max_line_size: the longest response status line.
    :param max_field_size: the longest response header field.
    :param fallback_charset_resolver: picks the charset of a body whose headers name none.
    :param middlewares: client middlewares wrapping every request, the first outermost.
    :param proxy: the default proxy of requests that name none.
    :param proxy_auth: the default credentials for that proxy.
    """

    ATTRS: Final = frozenset(_SESSION_ATTRS.split())

    _source_traceback: Optional[traceback.StackSummary] = None
    _connector: Optional[AbstractConnector] = None  # set first: __del__ reads it

    def __init_subclass__(cls) -> None:
        warnings.warn(
            f"Inheritance class {cls.__name__} from ClientSession is discouraged",
            DeprecationWarning,
            stacklevel=2,
        )

    def __init__(
        self,
        base_url: Optional[StrOrURL] = None,
        *,
        connector: Optional[AbstractConnector] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        cookies: Optional[LooseCookies] = None,
        headers: Optional[LooseHeaders] = None,
        proxy: Optional[StrOrURL] = None,
        proxy_auth: Optional[BasicAuth] = None,
        skip_auto_headers: Optional[Iterable[str]] = None,
        auth: Optional[BasicAuth] = None,
        json_serialize: JSONEncoder = DEFAULT_JSON_ENCODER,
        request_class: type[ClientRequest] = ClientRequest,
        response_class: type[ClientResponse] = ClientResponse,
        ws_response_class: type[ClientWebSocketResponse] = ClientWebSocketResponse,
        version: HttpVersion = HttpVersion11,
        cookie_jar: Optional[AbstractCookieJar] = None,
        connector_owner: bool = True,
        raise_for_status: RaiseForStatus = False,
        read_timeout: Union[float, _SENTINEL] = sentinel,
        conn_timeout: Optional[float] = None,
        timeout: Union[ClientTimeout, _SENTINEL] = sentinel,
        auto_decompress: bool = True,
        trust_env: bool = False,
        requote_redirect_url: bool = True,
        trace_configs: Optional[list[TraceConfig]] = None,
        read_bufsize: int = 2**16,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        fallback_charset_resolver: FallbackCharsetResolver = _utf8,
        middlewares: Sequence[ClientMiddlewareType] = (),
        ssl_shutdown_timeout: Union[_SENTINEL, float, None] = sentinel,
    ) -> None:
        if loop is None and isinstance(connector, BaseConnector):
            loop = connector._loop
        self._loop = loop if loop is not None else asyncio.get_running_loop()
        self._base_url = check_base_url(base_url)
        self._base_url_origin = None if self._base_url is None else self._base_url.origin()
        self._timeout = session_timeout(timeout, read_timeout, conn_timeout)
        if not isinstance(ssl_shutdown_timeout, _SENTINEL):
            warnings.warn(
                "The ssl_shutdown_timeout parameter is deprecated and will be removed in "
                "aiohttp 4.0",
                DeprecationWarning,
                stacklevel=2,
            )
        if connector is None:
            connector = TCPConnector(loop=self._loop, ssl_shutdown_timeout=ssl_shutdown_timeout)
        if isinstance(connector, BaseConnector) and connector._loop is not self._loop:
            raise RuntimeError("Session and connector has to use same event loop")
        if self._loop.get_debug():
            self._source_traceback = traceback.extract_stack(sys._getframe(1))
        if cookie_jar is None:
            cookie_jar = CookieJar(loop=self._loop)
        self._cookie_jar: AbstractCookieJar = cookie_jar
        if cookies:
            self._cookie_jar.update_cookies(cookies)
        self._connector = connector
        self._connector_owner = connector_owner
        self._default_auth = auth
        self._version = version
        self._json_serialize = json_serialize
        self._raise_for_status = raise_for_status
        self._auto_decompress = auto_decompress
        self._trust_env = trust_env
        self._requote_redirect_url = requote_redirect_url
        self._read_bufsize = read_bufsize
        self._max_line_size = max_line_size
        self._max_field_size = max_field_size
        self._default_headers: CIMultiDict[str] = CIMultiDict(headers) if headers else CIMultiDict()
        self._skip_auto_headers: frozenset[istr] = frozenset(
            istr(name) for name in (skip_auto_headers or ())
        )
        self._request_class = request_class
        self._response_class = response_class
        self._ws_response_class = ws_response_class
        self._trace_configs: list[TraceConfig] = list(trace_configs or ())
        for trace_config in self._trace_configs:
            trace_config.freeze()
        self._resolve_charset: FallbackCharsetResolver = fallback_charset_resolver
        self._default_proxy = proxy
        self._default_proxy_auth = proxy_auth
        self._retry_connection = True
        self._middlewares: tuple[ClientMiddlewareType, ...] = tuple(middlewares)

    def __del__(self, _warnings: ModuleType = warnings) -> None:
        if self.closed:
            return
        _warnings.warn(f"Unclosed client session {self!r}", ResourceWarning, source=self)
        context: dict[str, object] = {"client_session": self, "message": "Unclosed client session"}
        if self._source_traceback is not None:
            context["source_traceback"] = self._source_traceback
        self._loop.call_exception_handler(context)

    # -- requests --------------------------------------------------------------------------

    def request(
        self, method: str, url: StrOrURL, **kwargs: Unpack[_RequestOptions]
    ) -> _RequestContextManager:
        """Send a ``method`` request to ``url``; await the result or use ``async with``.

        Options (all keywords): ``params`` (query to add), ``data`` (body: bytes, text, a
        form mapping, :class:`~aiohttp.FormData`, a file, an async iterable or a payload) or
        ``json`` (serialised with ``json_serialize``; not both), ``headers``, ``cookies``,
        ``skip_auto_headers``, ``auth`` (not with credentials in the URL),
        ``allow_redirects`` and ``max_redirects``, ``compress``, ``chunked``, ``expect100``,
        ``raise_for_status``, ``read_until_eof``, ``proxy``/``proxy_auth``/
        ``proxy_headers``, ``timeout`` (a :class:`ClientTimeout` replacing the session's),
        ``ssl``, ``server_hostname``, ``trace_request_ctx``, ``read_bufsize``,
        ``auto_decompress``, ``max_line_size``, ``max_field_size`` and ``middlewares``
        (replacing the session's; ``()`` for none).
        """
        return _RequestContextManager(self._request(method, url, **kwargs))

    def get(
        self,
        url: StrOrURL,
        *,
        allow_redirects: bool = True,
        **kwargs: Unpack[OptionsWithoutRedirects],
    ) -> _RequestContextManager:
        """A ``GET`` request (see :meth:`request`)."""
        return _RequestContextManager(
            self._request(hdrs.METH_GET, url, allow_redirects=allow_redirects, **kwargs)
        )

    def options(
        self,
        url: StrOrURL,
        *,
        allow_redirects: bool = True,
        **kwargs: Unpack[OptionsWithoutRedirects],
    ) -> _RequestContextManager:
        """An ``OPTIONS`` request (see :meth:`request`)."""
        return _RequestContextManager(
            self._request(hdrs.METH_OPTIONS, url, allow_redirects=allow_redirects, **kwargs)
        )

    def head(
        self,
        url: StrOrURL,
        *,
        allow_redirects: bool = False,
        **kwargs: Unpack[OptionsWithoutRedirects],
    ) -> _RequestContextManager:
        """A ``HEAD`` request (see :meth:`request`); redirects are not followed by default."""
        return _RequestContextManager(
            self._request(hdrs.METH_HEAD, url, allow_redirects=allow_redirects, **kwargs)
        )

    def post(
        self, url: StrOrURL, *, data: object = None, **kwargs: Unpack[OptionsWithoutData]
    ) -> _RequestContextManager:
        """A ``POST`` request (see :meth:`request`)."""
        return _RequestContextManager(self._request(hdrs.METH_POST, url, data=data, **kwargs))

    def put(
        self, url: StrOrURL, *, data: object = None, **kwargs: Unpack[OptionsWithoutData]
    ) -> _RequestContextManager:
        """A ``PUT`` request (see :meth:`request`)."""
        return _RequestContextManager(self._request(hdrs.METH_PUT, url, data=data, **kwargs))

    def patch(
        self, url: StrOrURL, *, data: object = None, **kwargs: Unpack[OptionsWithoutData]
    ) -> _RequestContextManager:
        """A ``PATCH`` request (see :meth:`request`)."""
        return _RequestContextManager(self._request(hdrs.METH_PATCH, url, data=data, **kwargs))

    def delete(self, url: StrOrURL, **kwargs: Unpack[_RequestOptions]) -> _RequestContextManager:
        """A ``DELETE`` request (see :meth:`request`)."""
        return _RequestContextManager(self._request(hdrs.METH_DELETE, url, **kwargs))

    def ws_connect(
        self,
        url: StrOrURL,
        *,
        method: str = hdrs.METH_GET,
        protocols: Iterable[str] = (),
        timeout: Union[ClientWSTimeout, _SENTINEL] = sentinel,
        receive_timeout: Optional[float] = None,
        autoclose: bool = True,
        autoping: bool = True,
        heartbeat: Optional[float] = None,
        auth: Optional[BasicAuth] = None,
        origin: Optional[str] = None,
        params: Query = None,
        headers: Optional[LooseHeaders] = None,
        proxy: Optional[StrOrURL] = None,
        proxy_auth: Optional[BasicAuth] = None,
        ssl: SSLOption = True,
        verify_ssl: Optional[bool] = None,
        fingerprint: Optional[bytes] = None,
        ssl_context: Optional[SSLContext] = None,
        server_hostname: Optional[str] = None,
        proxy_headers: Optional[LooseHeaders] = None,
        compress: int = 0,
        max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
    ) -> _WSRequestContextManager:
        """Open a WebSocket to ``url``; await the result or use ``async with``.

        ``protocols``: subprotocols to offer; ``timeout``: a :class:`ClientWSTimeout`;
        ``autoclose``/``autoping``: answer close frames and pings automatically;
        ``heartbeat``: send a ping every that many seconds and close when no pong comes;
        ``origin``: the ``Origin`` header; ``compress``: the permessage-deflate window bits
        to offer (``0``: no compression); ``max_msg_size``: the largest message accepted
        (``0``: no limit). The other options are those of :meth:`request`.
        ``receive_timeout``, ``verify_ssl``, ``fingerprint`` and ``ssl_context`` are
        deprecated.
        """
        return _WSRequestContextManager(
            ws_connect(
                self,
                url,
                method=method,
                protocols=protocols,
                timeout=timeout,
                receive_timeout=receive_timeout,
                autoclose=autoclose,
                autoping=autoping,
                heartbeat=heartbeat,
                auth=auth,
                origin=origin,
                params=params,
                headers=headers,
                proxy=proxy,
                proxy_auth=proxy_auth,
                ssl=ssl,
                verify_ssl=verify_ssl,
                fingerprint=fingerprint,
                ssl_context=ssl_context,
                server_hostname=server_hostname,
                proxy_headers=proxy_headers,
                compress=compress,
                max_msg_size=max_msg_size,
            )
        )

    def _request(
        self, method: str, str_or_url: StrOrURL, **kwargs: Unpack[_RequestOptions]
    ) -> Coroutine[object, None, ClientResponse]:
        """Send one request, following redirects; see :meth:`request`."""
        # The flow's coroutine itself, not one awaiting it: one frame less on every resume.
        return run_request(self, method, str_or_url, kwargs)

    # -- lifetime --------------------------------------------------------------------------

    async def close(self) -> None:
        """Close the session, and its connector if the session owns it. Idempotent."""
        connector = self._connector
        if connector is not None and not connector.closed and self._connector_owner:
            await connector.close()
        self._connector = None

    @property
    def closed(self) -> bool:
        """True once closed or detached (or when the connector was closed)."""
        return self._connector is None or self._connector.closed

    def detach(self) -> None:
        """Let go of the connector without closing it; the session is closed after this."""
        self._connector = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        await self.close()

    # -- settings --------------------------------------------------------------------------

    @property
    def connector(self) -> Optional[AbstractConnector]:
        """The connector; ``None`` once the session is closed or detached."""
        return self._connector

    @property
    def cookie_jar(self) -> AbstractCookieJar:
        """The session's cookie jar."""
        return self._cookie_jar

    @property
    def version(self) -> HttpVersion:
        """The HTTP version of requests."""
        return self._version

    @property
    def requote_redirect_url(self) -> bool:
        """Whether the URL of a redirect's ``Location`` is re-quoted."""
        return self._requote_redirect_url

    @requote_redirect_url.setter
    @deprecated("session.requote_redirect_url modification is deprecated #2778")
    def requote_redirect_url(self, val: bool) -> None:
        warnings.warn(
            "session.requote_redirect_url modification is deprecated #2778",
            DeprecationWarning,
            stacklevel=2,
        )
        self._requote_redirect_url = val

    @property
    @deprecated("client.loop property is deprecated")
    def loop(self) -> asyncio.AbstractEventLoop:
        """The session's event loop (deprecated)."""
        warnings.warn("client.loop property is deprecated", DeprecationWarning, stacklevel=2)
        return self._loop

    @property
    def timeout(self) -> ClientTimeout:
        """The default timeouts of requests."""
        return self._timeout

    @property
    def headers(self) -> CIMultiDict[str]:
        """The headers sent with every request (a request's own win)."""
        return self._default_headers

    @property
    def skip_auto_headers(self) -> frozenset[istr]:
        """The automatic headers never added."""
        return self._skip_auto_headers

    @property
    def auth(self) -> Optional[BasicAuth]:
        """The session's default basic authentication."""
        return self._default_auth

    @property
    def json_serialize(self) -> JSONEncoder:
        """The function serialising ``json=`` values."""
        return self._json_serialize

    @property
    def connector_owner(self) -> bool:
        """Whether closing the session closes the connector."""
        return self._connector_owner

    @property
    def raise_for_status(self) -> RaiseForStatus:
        """The session's ``raise_for_status`` setting."""
        return self._raise_for_status

    @property
    def auto_decompress(self) -> bool:
        """Whether response bodies are decompressed."""
        return self._auto_decompress

    @property
    def trust_env(self) -> bool:
        """Whether proxies and netrc credentials are read from the environment."""
        return self._trust_env

    @property
    def trace_configs(self) -> list[TraceConfig]:
        """The (frozen) tracing configs."""
        return self._trace_configs

    def _make_traces(self, trace_request_ctx: Optional[Mapping[str, object]]) -> list[Trace]:
        return [
            Trace(self, config, config.trace_config_ctx(trace_request_ctx=trace_request_ctx))
            for config in self._trace_configs
        ]


def request(
    method: str,
    url: StrOrURL,
    *,
    version: HttpVersion = HttpVersion11,
    connector: Optional[AbstractConnector] = None,
    loop: Optional[asyncio.AbstractEventLoop] = None,
    **kwargs: Unpack[_RequestOptions],
) -> _SessionRequestContextManager:
    """Send one request with a one-off session: ``async with aiohttp.request("GET", url) as
    resp:``. The session (and, unless ``connector`` is given, its connector, which does not
    keep connections alive) is closed when the block ends.

    The keywords are those of :meth:`ClientSession.request`; ``cookies`` and ``timeout``
    configure the one-off session.
    """
    connector_owner = False
    if connector is None:
        connector_owner = True
        connector = TCPConnector(loop=loop, force_close=True)
    cookies = kwargs.pop("cookies", None)
    timeout = kwargs.pop("timeout", sentinel)
    session = ClientSession(
        loop=loop,
        cookies=cookies,
        version=version,
        timeout=sentinel if timeout is None else timeout,
        connector=connector,
        connector_owner=connector_owner,
    )
    return _SessionRequestContextManager(session._request(method, url, **kwargs), session)


# Their public home (ClientWSTimeout's is aiohttp.client_ws, which sets it).
for _cls in (_RequestContextManager, _SessionRequestContextManager, ClientTimeout):
    _cls.__module__ = __name__
del _cls
