"""The keyword options of a client request, as ``TypedDict``s for ``**kwargs: Unpack[...]``.

:class:`RequestOptions` lists every option :meth:`aiohttp.ClientSession.request` takes (it is
re-exported as ``aiohttp.client._RequestOptions``, the name :mod:`aiohttp.abc` and 3.13 use),
so a misspelt option or a value of the wrong type is a type error at the call site. The
method shortcuts take one option as an explicit parameter (``allow_redirects`` for
``get``/``head``/``options``, ``data`` for ``post``/``put``/``patch``), so each gets the
dictionary without that key. The options themselves are documented on
:meth:`~aiohttp.ClientSession.request`.
"""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Optional, TypedDict, Union

from ._client_timeouts import ClientTimeout, ClientWSTimeout
from .client_middlewares import ClientMiddlewareType
from .client_reqrep import ClientResponse, Fingerprint
from .helpers import BasicAuth
from .typedefs import LooseCookies, LooseHeaders, Query, StrOrURL

RaiseForStatus = Union[bool, Callable[[ClientResponse], Awaitable[None]]]
SSLOption = Union[ssl.SSLContext, bool, Fingerprint]


class CommonOptions(TypedDict, total=False):
    """The options every request method takes as keywords."""

    params: Query
    json: object
    cookies: Optional[LooseCookies]
    headers: Optional[LooseHeaders]
    skip_auto_headers: Optional[Iterable[str]]
    auth: Optional[BasicAuth]
    max_redirects: int
    compress: Union[str, bool, None]
    chunked: Optional[bool]
    expect100: bool
    raise_for_status: Optional[RaiseForStatus]
    read_until_eof: bool
    proxy: Optional[StrOrURL]
    proxy_auth: Optional[BasicAuth]
    timeout: Optional[ClientTimeout]
    ssl: SSLOption
    server_hostname: Optional[str]
    proxy_headers: Optional[LooseHeaders]
    trace_request_ctx: Optional[Mapping[str, object]]
    read_bufsize: Optional[int]
    auto_decompress: Optional[bool]
    max_line_size: Optional[int]
    max_field_size: Optional[int]
    middlewares: Optional[Sequence[ClientMiddlewareType]]


class OptionsWithoutRedirects(CommonOptions, total=False):
    """For ``get``/``head``/``options``, which take ``allow_redirects`` explicitly."""

    data: object


class OptionsWithoutData(CommonOptions, total=False):
    """For ``post``/``put``/``patch``, which take ``data`` explicitly."""

    allow_redirects: bool


class RequestOptions(OptionsWithoutRedirects, OptionsWithoutData, total=False):
    """Every option of :meth:`aiohttp.ClientSession.request`."""


class WSConnectOptions(TypedDict, total=False):
    """The keyword options of :meth:`aiohttp.ClientSession.ws_connect`, for wrappers that
    forward them (``TestClient.ws_connect``); documented there."""

    method: str
    protocols: Iterable[str]
    timeout: ClientWSTimeout
    receive_timeout: Optional[float]
    autoclose: bool
    autoping: bool
    heartbeat: Optional[float]
    auth: Optional[BasicAuth]
    origin: Optional[str]
    params: Query
    headers: Optional[LooseHeaders]
    proxy: Optional[StrOrURL]
    proxy_auth: Optional[BasicAuth]
    ssl: SSLOption
    server_hostname: Optional[str]
    proxy_headers: Optional[LooseHeaders]
    compress: int
    max_msg_size: int
