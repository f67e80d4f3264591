"""The keyword options of :mod:`aiohttp.test_utils` and :mod:`aiohttp.pytest_plugin`, as
``TypedDict``s for ``**kwargs: Unpack[...]``: what a test server passes to its runner
(:class:`_ServerOptions`), what its constructor takes (:class:`_TestServerKwargs`,
:class:`_TestServerArgs`: the ``server_kwargs`` of ``aiohttp_client``) and what a test client
passes to its :class:`~aiohttp.ClientSession` (:class:`_SessionOptions`)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Optional, TypedDict, Union

from ._web_app_options import RunnerOptions
from .abc import AbstractConnector
from .client_reqrep import ClientRequest, ClientResponse
from .helpers import _SENTINEL, BasicAuth
from .http_writer import HttpVersion
from .typedefs import JSONEncoder, LooseCookies, LooseHeaders, StrOrURL
from .web_request import BaseRequest
from .web_response import StreamResponse

if TYPE_CHECKING:
    from ssl import SSLContext

    from ._client_options import RaiseForStatus
    from ._client_timeouts import ClientTimeout
    from .client_middlewares import ClientMiddlewareType
    from .client_ws import ClientWebSocketResponse
    from .tracing import TraceConfig

_SocketFactory = Callable[[str, int, socket.AddressFamily], socket.socket]
_RawHandler = Callable[[BaseRequest], Awaitable[StreamResponse]]


class _ServerOptions(RunnerOptions, total=False):
    """What :meth:`BaseTestServer.start_server` (and the constructors) take as ``**kwargs``:
    the runner's options plus ``ssl`` (serve TLS with that context)."""

    ssl: Optional[SSLContext]


class _TestServerKwargs(_ServerOptions, total=False):
    """The keyword options of :class:`TestServer` and :class:`RawTestServer` beyond
    ``scheme``, ``host`` and ``port``: :class:`BaseTestServer`'s and the server options."""

    loop: Optional[asyncio.AbstractEventLoop]
    skip_url_asserts: bool
    socket_factory: _SocketFactory


class _TestServerArgs(_TestServerKwargs, total=False):
    """Every keyword option of :class:`TestServer` (``server_kwargs`` of the
    ``aiohttp_client`` fixture)."""

    scheme: str
    host: str
    port: Optional[int]


class _SessionOptions(TypedDict, total=False):
    """The :class:`~aiohttp.ClientSession` options a :class:`TestClient` passes on (all but
    ``base_url``, ``loop`` and ``cookie_jar``, which the client sets itself)."""

    connector: Optional[AbstractConnector]
    cookies: Optional[LooseCookies]
    headers: Optional[LooseHeaders]
    proxy: Optional[StrOrURL]
    proxy_auth: Optional[BasicAuth]
    skip_auto_headers: Optional[Iterable[str]]
    auth: Optional[BasicAuth]
    json_serialize: JSONEncoder
    request_class: type[ClientRequest]
    response_class: type[ClientResponse]
    ws_response_class: type[ClientWebSocketResponse]
    version: HttpVersion
    connector_owner: bool
    raise_for_status: RaiseForStatus
    read_timeout: Union[float, _SENTINEL]
    conn_timeout: Optional[float]
    timeout: Union[ClientTimeout, _SENTINEL]
    auto_decompress: bool
    trust_env: bool
    requote_redirect_url: bool
    trace_configs: Optional[list[TraceConfig]]
    read_bufsize: int
    max_line_size: int
    max_field_size: int
    fallback_charset_resolver: Callable[[ClientResponse, bytes], str]
    middlewares: Sequence[ClientMiddlewareType]
    ssl_shutdown_timeout: Union[_SENTINEL, float, None]
