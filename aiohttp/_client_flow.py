"""One client request from start to final response: what ``ClientSession._request`` runs.

The options are checked and completed from the session's defaults once; then each *hop*
(the first request and every followed redirect) builds a :class:`~aiohttp.ClientRequest`
with its credentials (explicit ``auth``, else the URL's, else the session's for its origin),
its cookies (the jar's plus the request's own) and its proxy (explicit, else from the
environment with ``trust_env``), and passes it through the middlewares to the step that gets
a connection, sends the request and reads the response head. Cookies the server sets go to
the jar. A redirect is followed as :mod:`aiohttp._client_redirects` says; leaving the origin
drops the caller's credentials and cookies. The ``total`` timeout covers everything until the
response body is read; the traces hear about start, redirects, the end or the failure.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Mapping
from http.cookies import BaseCookie
from ssl import SSLContext
from typing import TYPE_CHECKING, Final, Optional, Union

from multidict import CIMultiDict, istr
from yarl import URL

from . import hdrs
from ._client_options import RequestOptions
from ._client_proxy_env import get_env_proxy_for_url
from ._client_redirects import (
    CROSS_ORIGIN_DROPPED,
    REDIRECT_STATUSES,
    drop_body_headers,
    location,
    next_request,
    redirect_url,
    same_origin,
)
from ._client_request_parts import strip_credentials
from ._client_timeouts import ClientTimeout, RequestDeadline
from ._client_values import SSLParam
from ._connector_tls import merge_ssl_params
from .client_exceptions import (
    ClientConnectorError,
    ClientError,
    ClientOSError,
    ConnectionTimeoutError,
    InvalidURL,
    InvalidUrlClientError,
    InvalidUrlRedirectClientError,
    NonHttpUrlClientError,
    ServerDisconnectedError,
    TooManyRedirects,
)
from .client_middlewares import ClientHandlerType, build_client_middlewares
from .client_proto import DEFAULT_MAX_HEADERS, ResponseHandler
from .client_reqrep import ClientRequest, ClientResponse
from .connector import BaseConnector, Connection
from .cookiejar import CookieJar
from .helpers import EMPTY_BODY_METHODS, BasicAuth, sentinel
from .payload import JsonPayload
from .typedefs import LooseCookies, LooseHeaders, StrOrURL

if TYPE_CHECKING:
    from .client import ClientSession

# RFC 9110 section 9.2.2: a request that failed on a kept-alive connection is sent again
# once, on a new connection, when repeating it does no harm.
_IDEMPOTENT: Final = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
_DEPRECATED_SSL: Final = frozenset({"verify_ssl", "fingerprint", "ssl_context"})
_KNOWN: Final = RequestOptions.__optional_keys__ | _DEPRECATED_SSL
# Options rarely given, looked up only when one of them is.
_SSL_AND_CHUNKED: Final = _DEPRECATED_SSL | {"ssl", "chunked"}
_READ_OPTIONS: Final = frozenset(
    {"read_bufsize", "auto_decompress", "max_line_size", "max_field_size", "read_until_eof"}
)


def _check_option_names(opts: Mapping[str, object]) -> None:
    if _KNOWN.issuperset(opts):  # the common case, without building a set
        return
    unknown = opts.keys() - _KNOWN
    if unknown:
        name = sorted(unknown)[0]
        raise TypeError(f"ClientSession._request() got an unexpected keyword argument {name!r}")


def merge_headers(defaults: CIMultiDict[str], headers: Optional[LooseHeaders]) -> CIMultiDict[str]:
    """The session's headers overridden by the request's (a name the request gives
    replaces the session's value; repeats within the request are kept)."""
    result = CIMultiDict(defaults)
    if not headers:
        return result
    items = headers.items() if isinstance(headers, Mapping) else headers
    given: set[str] = set()
    for name, value in items:
        if name in given:
            result.add(name, value)
        else:
            result[name] = value
            given.add(istr(name))
    return result


def check_base_url(base_url: Union[StrOrURL, None]) -> Optional[URL]:
    """``base_url`` checked: absolute, its path ending with ``/``; ``None`` stays."""
    if base_url is None:
        return None
    url = base_url if isinstance(base_url, URL) else URL(base_url)
    if not url.absolute:
        raise ValueError("Only absolute URLs are supported as base_url")
    if not url.path.endswith("/"):
        raise ValueError("base_url must have a trailing '/'")
    return url


def request_cookies(
    session: ClientSession, url: URL, cookies: Optional[LooseCookies]
) -> BaseCookie[str]:
    """The jar's cookies for ``url`` plus the request's own (theirs win)."""
    jar = session._cookie_jar
    found = jar.filter_cookies(url)
    if cookies:
        scratch = CookieJar(quote_cookie=jar.quote_cookie, loop=session._loop)
        scratch.update_cookies(cookies)
        own = scratch.filter_cookies(url)
        if own:
            found.load(own)
    return found


def _timeout_of(session: ClientSession, opts: RequestOptions) -> ClientTimeout:
    value = opts.get("timeout", sentinel)
    if value is sentinel:
        return session._timeout
    if isinstance(value, ClientTimeout):
        return value
    # aiohttp 3.13 still takes a number of seconds (or None) as the total timeout.
    return ClientTimeout(total=value)


async def run_request(
    session: ClientSession, method: str, str_or_url: StrOrURL, opts: RequestOptions
) -> ClientResponse:
    """Send the request described by ``opts`` (see :meth:`ClientSession.request`)."""
    if not _KNOWN.issuperset(opts):
        _check_option_names(opts)
    connector = session._connector
    if connector is None or connector.closed:  # ``session.closed``
        raise RuntimeError("Session is closed")
    loop = session._loop

    data = opts.get("data")
    json_value = opts.get("json")
    if data is not None and json_value is not None:
        raise ValueError("data and json parameters can not be used at the same time")
    if json_value is not None:
        data = JsonPayload(json_value, dumps=session._json_serialize)
    chunked: Optional[bool] = None
    ssl: SSLParam = True
    if not _SSL_AND_CHUNKED.isdisjoint(opts):  # (one test instead of five lookups)
        legacy: Mapping[str, object] = opts  # what 3.13 still takes at run time, untyped
        chunked_arg = legacy.get("chunked")
        if chunked_arg is not None and not isinstance(chunked_arg, bool):
            warnings.warn("Chunk size is deprecated #1615", DeprecationWarning, stacklevel=3)
        chunked = None if chunked_arg is None else bool(chunked_arg)
        verify_ssl = legacy.get("verify_ssl")
        ssl_context = legacy.get("ssl_context")
        fingerprint = legacy.get("fingerprint")
        ssl = opts.get("ssl", True)
        if (
            ssl is not True
            or verify_ssl is not None
            or ssl_context is not None
            or fingerprint is not None
        ):
            ssl = merge_ssl_params(
                ssl,
                verify_ssl is None or bool(verify_ssl),
                ssl_context if isinstance(ssl_context, SSLContext) else None,
                fingerprint if isinstance(fingerprint, bytes) else None,
            )

    headers_arg = opts.get("headers")
    if headers_arg:
        headers = merge_headers(session._default_headers, headers_arg)
    else:
        headers = CIMultiDict(session._default_headers)  # merge_headers() with nothing to add
    # The URL, resolved against the session's base_url when relative.
    try:
        url = URL(str_or_url)
    except (ValueError, TypeError) as exc:
        raise InvalidUrlClientError(str_or_url) from exc
    if session._base_url is not None and not url.absolute:
        url = session._base_url.join(url)
    if url.scheme not in connector.allowed_protocol_schema_set:
        raise NonHttpUrlClientError(url)
    skip_auto_headers = opts.get("skip_auto_headers")
    skip_headers: Optional[frozenset[istr]] = session._skip_auto_headers or None
    if skip_auto_headers is not None:
        skip_headers = session._skip_auto_headers | {istr(name) for name in skip_auto_headers}

    proxy_arg = opts.get("proxy")
    if proxy_arg is None:
        proxy_arg = session._default_proxy
    proxy_auth = opts.get("proxy_auth")
    if proxy_auth is None:
        proxy_auth = session._default_proxy_auth
    proxy: Optional[URL] = None
    if proxy_arg is not None:
        try:
            proxy = URL(proxy_arg)
        except ValueError as exc:
            raise InvalidURL(proxy_arg) from exc

    real_timeout = session._timeout if "timeout" not in opts else _timeout_of(session, opts)
    deadline = RequestDeadline(loop, real_timeout.total, real_timeout.ceil_threshold)
    timer = deadline.timer

    if _READ_OPTIONS.isdisjoint(opts):  # (one test instead of five lookups)
        read_bufsize = session._read_bufsize
        auto_decompress = session._auto_decompress
        max_line_size = session._max_line_size
        max_field_size = session._max_field_size
        read_until_eof = True
    else:
        read_bufsize = opts.get("read_bufsize") or session._read_bufsize
        auto_decompress_arg = opts.get("auto_decompress")
        auto_decompress = (
            session._auto_decompress if auto_decompress_arg is None else auto_decompress_arg
        )
        max_line_size = opts.get("max_line_size") or session._max_line_size
        max_field_size = opts.get("max_field_size") or session._max_field_size
        read_until_eof = opts.get("read_until_eof", True)
    ceil_threshold = (
        connector._timeout_ceil_threshold
        if isinstance(connector, BaseConnector)
        else real_timeout.ceil_threshold
    )
    traces = session._make_traces(opts.get("trace_request_ctx")) if session._trace_configs else []

    async def send(req: ClientRequest) -> ClientResponse:
        try:
            conn = await connector.connect(req, traces=traces, timeout=real_timeout)
        except asyncio.TimeoutError as exc:
            if isinstance(exc, ConnectionTimeoutError):
                raise
            raise ConnectionTimeoutError(f"Connection timeout to host {req.url}") from exc
        protocol = conn.protocol
        assert protocol is not None
        if type(protocol) is ResponseHandler:
            # set_response_params() without its keyword-argument binding.
            protocol._prepare(
                timer, req.method in EMPTY_BODY_METHODS, read_until_eof, auto_decompress,
                real_timeout.sock_read, read_bufsize, ceil_threshold, max_line_size,
                max_field_size, DEFAULT_MAX_HEADERS, req.method,
            )  # fmt: skip
        else:
            protocol.set_response_params(
                timer=timer,
                skip_payload=req.method in EMPTY_BODY_METHODS,
                read_until_eof=read_until_eof,
                auto_decompress=auto_decompress,
                read_timeout=real_timeout.sock_read,
                read_bufsize=read_bufsize,
                timeout_ceil_threshold=ceil_threshold,
                max_line_size=max_line_size,
                max_field_size=max_field_size,
                method=req.method,
            )
        try:
            resp = await req.send(conn)
            try:
                await resp.start(conn)
            except BaseException:
                resp.close()
                raise
        except BaseException:
            conn.close()
            raise
        return resp

    middlewares = opts.get("middlewares")
    if middlewares is None:
        middlewares = session._middlewares
    handler: ClientHandlerType = (
        build_client_middlewares(send, middlewares) if middlewares else send
    )

    params = opts.get("params")
    cookies = opts.get("cookies")
    auth = opts.get("auth")
    allow_redirects = opts.get("allow_redirects", True)
    max_redirects = max(opts.get("max_redirects", 10), 1)
    retry = session._retry_connection and method in _IDEMPOTENT
    history: list[ClientResponse] = []
    left_origin = False

    def traced_url() -> URL:
        return url.extend_query(params) if params else url

    for trace in traces:
        await trace.send_request_start(method, traced_url(), headers)
    deadline.start()
    try:
        with timer:
            while True:
                if url.raw_user is None and url.raw_password is None:
                    url_auth = None  # strip_credentials() with nothing to strip
                else:
                    url, url_auth = strip_credentials(url)
                if not url.raw_host:
                    raise (InvalidUrlRedirectClientError if history else InvalidUrlClientError)(url)
                if auth is not None and url_auth is not None:
                    raise ValueError("Cannot combine AUTH argument with credentials encoded in URL")
                if auth is None:
                    auth = url_auth
                hop_auth: Optional[BasicAuth] = auth
                if (
                    hop_auth is None
                    and not left_origin
                    and (
                        session._base_url_origin is None or session._base_url_origin == url.origin()
                    )
                ):
                    hop_auth = session._default_auth
                if hop_auth is not None and hdrs.AUTHORIZATION in headers:
                    raise ValueError(
                        "Cannot combine AUTHORIZATION header "
                        "with AUTH argument or credentials encoded in URL"
                    )
                hop_proxy, hop_proxy_auth = proxy, proxy_auth
                if hop_proxy is None and session._trust_env:
                    try:
                        hop_proxy, hop_proxy_auth = await asyncio.to_thread(
                            get_env_proxy_for_url, url
                        )
                    except LookupError:
                        pass

                request_class = session._request_class
                if request_class is ClientRequest:
                    jar = session._cookie_jar
                    hop_cookies = (
                        None  # no cookie to send: the request's update_cookies() is skipped
                        if cookies is None and type(jar) is CookieJar and jar._is_empty()
                        else request_cookies(session, url, cookies)
                    )
                    # The constructor's body without its keyword-argument binding.
                    req = object.__new__(ClientRequest)
                    req._init(
                        method, url, params, headers, skip_headers, data,
                        hop_cookies, hop_auth, session._version,
                        opts.get("compress"), chunked, opts.get("expect100", False), loop,
                        session._response_class, hop_proxy, hop_proxy_auth, timer, session,
                        ssl, opts.get("proxy_headers"), traces, session._trust_env,
                        opts.get("server_hostname"), 1,
                    )  # fmt: skip
                else:
                    req = request_class(
                        method,
                        url,
                        params=params,
                        headers=headers,
                        skip_auto_headers=skip_headers,
                        data=data,
                        cookies=request_cookies(session, url, cookies),
                        auth=hop_auth,
                        version=session._version,
                        compress=opts.get("compress"),
                        chunked=chunked,
                        expect100=opts.get("expect100", False),
                        loop=loop,
                        response_class=session._response_class,
                        proxy=hop_proxy,
                        proxy_auth=hop_proxy_auth,
                        timer=timer,
                        session=session,
                        ssl=ssl,
                        server_hostname=opts.get("server_hostname"),
                        proxy_headers=opts.get("proxy_headers"),
                        traces=traces,
                        trust_env=session._trust_env,
                    )
                try:
                    resp = await handler(req)
                except (ConnectionTimeoutError, ClientConnectorError):
                    raise  # failing to connect is not worth a retry
                except (ClientOSError, ServerDisconnectedError):
                    if retry:
                        retry = False
                        continue
                    raise
                except ClientError:
                    raise
                except OSError as exc:
                    if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
                        raise
                    raise ClientOSError(*exc.args) from exc

                resp_headers = resp.headers
                jar = session._cookie_jar
                # CookieJar does nothing with an empty list: skip the call then.
                if type(jar) is not CookieJar or hdrs.SET_COOKIE in resp_headers:
                    jar.update_cookies_from_headers(
                        resp_headers.getall(hdrs.SET_COOKIE, []), resp.url
                    )
                if resp.status not in REDIRECT_STATUSES or not allow_redirects:
                    break
                target = location(resp_headers)
                if target is None:
                    break

                for trace in traces:
                    await trace.send_request_redirect(method, traced_url(), headers, resp)
                history.append(resp)
                if len(history) >= max_redirects:
                    if req._body is not None:
                        await req._body.close()
                    resp.close()
                    raise TooManyRedirects(history[0].request_info, tuple(history))
                try:
                    new_url = redirect_url(target, url, requote=session._requote_redirect_url)
                except ClientError:
                    resp.close()
                    raise
                step = next_request(resp.status, method)
                if step.keep_body:
                    if req._body is not None:
                        data = req._body
                else:
                    method = step.method
                    data = None
                    drop_body_headers(headers)
                if not same_origin(url, new_url):
                    left_origin = True
                    auth = None
                    cookies = None
                    for name in CROSS_ORIGIN_DROPPED:
                        headers.popall(name, None)
                url = new_url
                params = None
                resp.release()

            raise_for_status = opts.get("raise_for_status")
            if raise_for_status is None:
                raise_for_status = session._raise_for_status
            if callable(raise_for_status):
                try:
                    await raise_for_status(resp)
                except BaseException:
                    resp.release()  # the caller never gets the response to release
                    raise
            elif raise_for_status:
                resp.raise_for_status()

        conn = resp.connection
        if isinstance(conn, Connection):
            conn.add_callback(deadline.cancel)
        else:
            deadline.cancel()
        resp._history = tuple(history)
        for trace in traces:
            await trace.send_request_end(method, traced_url(), headers, resp)
        return resp
    except BaseException as exc:
        deadline.cancel()
        for trace in traces:
            await trace.send_request_exception(method, traced_url(), headers, exc)
        raise
