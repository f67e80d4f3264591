"""Each module's public names, and its ``__all__``, match aiohttp 3.13.

The reference is embedded below (the names are a fact about the 3.13 interface), one entry
for every public module of aiohttp 3.13, so the test runs from a clean checkout.
``has_all`` says whether 3.13 defines ``__all__`` in the module; ``names`` is then that
``__all__``, otherwise the module's public names (what it defines, plus what 3.13's own
public-name listing counted there).
"""

from __future__ import annotations
import __future__

import collections.abc
import importlib
import inspect
import typing
from dataclasses import dataclass
from types import ModuleType

import pytest
import typing_extensions


@dataclass(frozen=True)
class ModuleRef:
    has_all: bool
    names: frozenset[str]


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


REFERENCE: dict[str, ModuleRef] = {
    "aiohttp": ModuleRef(
        has_all=True,
        names=_names(
            """
            AddrInfoType AsyncIterablePayload AsyncResolver BadContentDispositionHeader
            BadContentDispositionParam BaseConnector BasicAuth BodyPartReader BufferedReaderPayload
            BytesIOPayload BytesPayload ChainMapProxy ClientConnectionError
            ClientConnectionResetError ClientConnectorCertificateError ClientConnectorDNSError
            ClientConnectorError ClientConnectorSSLError ClientError ClientHandlerType
            ClientHttpProxyError ClientMiddlewareType ClientOSError ClientPayloadError
            ClientProxyConnectionError ClientRequest ClientResponse ClientResponseError
            ClientSSLError ClientSession ClientTimeout ClientWSTimeout ClientWebSocketResponse
            ConnectionTimeoutError ContentTypeError CookieJar DataQueue DefaultResolver
            DigestAuthMiddleware DummyCookieJar EMPTY_PAYLOAD ETag EofStream Fingerprint
            FlowControlDataQueue FormData GunicornUVLoopWebWorker GunicornWebWorker HttpVersion
            HttpVersion10 HttpVersion11 IOBasePayload InvalidURL InvalidUrlClientError
            InvalidUrlRedirectClientError JsonPayload MultipartReader MultipartWriter
            NamedPipeConnector NonHttpUrlClientError NonHttpUrlRedirectClientError PAYLOAD_REGISTRY
            Payload RedirectClientError RequestInfo ServerConnectionError ServerDisconnectedError
            ServerFingerprintMismatch ServerTimeoutError SocketFactoryType SocketTimeoutError
            StreamReader StringIOPayload StringPayload TCPConnector TextIOPayload ThreadedResolver
            TooManyRedirects TraceConfig TraceConnectionCreateEndParams
            TraceConnectionCreateStartParams TraceConnectionQueuedEndParams
            TraceConnectionQueuedStartParams TraceConnectionReuseconnParams TraceDnsCacheHitParams
            TraceDnsCacheMissParams TraceDnsResolveHostEndParams TraceDnsResolveHostStartParams
            TraceRequestChunkSentParams TraceRequestEndParams TraceRequestExceptionParams
            TraceRequestHeadersSentParams TraceRequestRedirectParams TraceRequestStartParams
            TraceResponseChunkReceivedParams UnixConnector WSCloseCode WSMessage WSMessageTypeError
            WSMsgType WSServerHandshakeError WebSocketError content_disposition_filename get_payload
            hdrs parse_content_disposition payload_type request set_zlib_backend streamer
            """
        ),
    ),
    "aiohttp.abc": ModuleRef(
        has_all=False,
        names=_names(
            """
            AbstractAccessLogger AbstractCookieJar AbstractMatchInfo AbstractResolver AbstractRouter
            AbstractStreamWriter AbstractView ClearCookiePredicate IterableBase LooseCookies
            ResolveResult
            """
        ),
    ),
    "aiohttp.client": ModuleRef(
        has_all=True,
        names=_names(
            """
            BaseConnector ClientConnectionError ClientConnectionResetError
            ClientConnectorCertificateError ClientConnectorDNSError ClientConnectorError
            ClientConnectorSSLError ClientError ClientHttpProxyError ClientOSError
            ClientPayloadError ClientProxyConnectionError ClientRequest ClientResponse
            ClientResponseError ClientSSLError ClientSession ClientTimeout ClientWSTimeout
            ClientWebSocketResponse ConnectionTimeoutError ContentTypeError Fingerprint InvalidURL
            InvalidUrlClientError InvalidUrlRedirectClientError NamedPipeConnector
            NonHttpUrlClientError NonHttpUrlRedirectClientError RedirectClientError RequestInfo
            ServerConnectionError ServerDisconnectedError ServerFingerprintMismatch
            ServerTimeoutError SocketTimeoutError TCPConnector TooManyRedirects UnixConnector
            WSMessageTypeError WSServerHandshakeError request
            """
        ),
    ),
    "aiohttp.client_exceptions": ModuleRef(
        has_all=True,
        names=_names(
            """
            ClientConnectionError ClientConnectionResetError ClientConnectorCertificateError
            ClientConnectorDNSError ClientConnectorError ClientConnectorSSLError ClientError
            ClientHttpProxyError ClientOSError ClientPayloadError ClientProxyConnectionError
            ClientResponseError ClientSSLError ConnectionTimeoutError ContentTypeError InvalidURL
            InvalidUrlClientError InvalidUrlRedirectClientError NonHttpUrlClientError
            NonHttpUrlRedirectClientError RedirectClientError ServerConnectionError
            ServerDisconnectedError ServerFingerprintMismatch ServerTimeoutError SocketTimeoutError
            WSMessageTypeError WSServerHandshakeError
            """
        ),
    ),
    "aiohttp.client_middlewares": ModuleRef(
        has_all=True,
        names=_names("ClientHandlerType ClientMiddlewareType build_client_middlewares"),
    ),
    "aiohttp.client_reqrep": ModuleRef(
        has_all=True,
        names=_names("ClientRequest ClientResponse Fingerprint RequestInfo"),
    ),
    "aiohttp.client_ws": ModuleRef(
        has_all=False,
        names=_names(
            """
            ClientWSTimeout ClientWebSocketResponse DEFAULT_WS_CLIENT_TIMEOUT JSONDecoder
            JSONEncoder WS_CLOSED_MESSAGE WS_CLOSING_MESSAGE
            """
        ),
    ),
    "aiohttp.connector": ModuleRef(
        has_all=True,
        names=_names(
            """
            AddrInfoType BaseConnector NamedPipeConnector SocketFactoryType TCPConnector
            UnixConnector
            """
        ),
    ),
    "aiohttp.cookiejar": ModuleRef(
        has_all=True,
        names=_names("CookieJar DummyCookieJar"),
    ),
    "aiohttp.formdata": ModuleRef(
        has_all=True,
        names=_names("FormData"),
    ),
    "aiohttp.hdrs": ModuleRef(
        has_all=False,
        names=_names(
            """
            ACCEPT ACCEPT_CHARSET ACCEPT_ENCODING ACCEPT_LANGUAGE ACCEPT_RANGES
            ACCESS_CONTROL_ALLOW_CREDENTIALS ACCESS_CONTROL_ALLOW_HEADERS
            ACCESS_CONTROL_ALLOW_METHODS ACCESS_CONTROL_ALLOW_ORIGIN ACCESS_CONTROL_EXPOSE_HEADERS
            ACCESS_CONTROL_MAX_AGE ACCESS_CONTROL_REQUEST_HEADERS ACCESS_CONTROL_REQUEST_METHOD AGE
            ALLOW AUTHORIZATION CACHE_CONTROL CONNECTION CONTENT_DISPOSITION CONTENT_ENCODING
            CONTENT_LANGUAGE CONTENT_LENGTH CONTENT_LOCATION CONTENT_MD5 CONTENT_RANGE
            CONTENT_TRANSFER_ENCODING CONTENT_TYPE COOKIE DATE DESTINATION DIGEST ETAG EXPECT
            EXPIRES FORWARDED FROM HOST HOST_ALL IF_MATCH IF_MODIFIED_SINCE IF_NONE_MATCH IF_RANGE
            IF_UNMODIFIED_SINCE KEEP_ALIVE LAST_EVENT_ID LAST_MODIFIED LINK LOCATION MAX_FORWARDS
            METH_ALL METH_ANY METH_CONNECT METH_CONNECT_ALL METH_DELETE METH_GET METH_HEAD
            METH_HEAD_ALL METH_OPTIONS METH_PATCH METH_POST METH_PUT METH_TRACE ORIGIN PRAGMA
            PROXY_AUTHENTICATE PROXY_AUTHORIZATION RANGE REFERER RETRY_AFTER SEC_WEBSOCKET_ACCEPT
            SEC_WEBSOCKET_EXTENSIONS SEC_WEBSOCKET_KEY SEC_WEBSOCKET_KEY1 SEC_WEBSOCKET_PROTOCOL
            SEC_WEBSOCKET_VERSION SERVER SET_COOKIE TE TRAILER TRANSFER_ENCODING UPGRADE URI
            USER_AGENT VARY VIA WANT_DIGEST WARNING WWW_AUTHENTICATE X_FORWARDED_FOR
            X_FORWARDED_HOST X_FORWARDED_PROTO
            """
        ),
    ),
    "aiohttp.helpers": ModuleRef(
        has_all=True,
        names=_names("BasicAuth ChainMapProxy ETag reify"),
    ),
    "aiohttp.http": ModuleRef(
        has_all=True,
        names=_names(
            """
            HeadersParser HttpParser HttpProcessingError HttpRequestParser HttpResponseParser
            HttpVersion HttpVersion10 HttpVersion11 RESPONSES RawRequestMessage RawResponseMessage
            SERVER_SOFTWARE StreamWriter WSCloseCode WSMessage WSMsgType WS_CLOSED_MESSAGE
            WS_CLOSING_MESSAGE WS_KEY WebSocketError WebSocketReader WebSocketWriter ws_ext_gen
            ws_ext_parse
            """
        ),
    ),
    "aiohttp.http_exceptions": ModuleRef(
        has_all=True,
        names=_names("HttpProcessingError"),
    ),
    "aiohttp.http_websocket": ModuleRef(
        has_all=True,
        names=_names(
            """
            WSCloseCode WSHandshakeError WSMessage WSMsgType WS_CLOSED_MESSAGE WS_CLOSING_MESSAGE
            WS_KEY WebSocketError WebSocketReader WebSocketWriter ws_ext_gen ws_ext_parse
            """
        ),
    ),
    "aiohttp.multipart": ModuleRef(
        has_all=True,
        names=_names(
            """
            BadContentDispositionHeader BadContentDispositionParam BodyPartReader MultipartReader
            MultipartWriter content_disposition_filename parse_content_disposition
            """
        ),
    ),
    "aiohttp.payload": ModuleRef(
        has_all=True,
        names=_names(
            """
            AsyncIterablePayload BufferedReaderPayload BytesIOPayload BytesPayload IOBasePayload
            JsonPayload PAYLOAD_REGISTRY Payload StringIOPayload StringPayload TextIOPayload
            get_payload payload_type
            """
        ),
    ),
    "aiohttp.pytest_plugin": ModuleRef(
        has_all=False,
        names=_names(
            """
            AiohttpClient AiohttpRawServer AiohttpServer aiohttp_client aiohttp_raw_server
            aiohttp_server aiohttp_unused_port fast loop loop_debug proactor_loop pytest_addoption
            pytest_fixture_setup pytest_generate_tests pytest_pycollect_makeitem pytest_pyfunc_call
            raw_test_server test_client test_server unused_port
            """
        ),
    ),
    "aiohttp.resolver": ModuleRef(
        has_all=True,
        names=_names("AsyncResolver DefaultResolver ThreadedResolver"),
    ),
    "aiohttp.streams": ModuleRef(
        has_all=True,
        names=_names("DataQueue EMPTY_PAYLOAD EofStream StreamReader"),
    ),
    "aiohttp.test_utils": ModuleRef(
        has_all=False,
        names=_names(
            """
            AioHTTPTestCase BaseTestServer EMPTY_PAYLOAD REUSE_ADDRESS RawTestServer StrOrURL
            TestClient TestServer get_port_socket get_unused_port_socket loop_context
            make_mocked_coro make_mocked_request sentinel setup_test_loop teardown_test_loop
            unittest_run_loop unused_port
            """
        ),
    ),
    "aiohttp.tracing": ModuleRef(
        has_all=True,
        names=_names(
            """
            TraceConfig TraceConnectionCreateEndParams TraceConnectionCreateStartParams
            TraceConnectionQueuedEndParams TraceConnectionQueuedStartParams
            TraceConnectionReuseconnParams TraceDnsCacheHitParams TraceDnsCacheMissParams
            TraceDnsResolveHostEndParams TraceDnsResolveHostStartParams TraceRequestChunkSentParams
            TraceRequestEndParams TraceRequestExceptionParams TraceRequestHeadersSentParams
            TraceRequestRedirectParams TraceRequestStartParams TraceResponseChunkReceivedParams
            """
        ),
    ),
    "aiohttp.typedefs": ModuleRef(
        has_all=False,
        names=_names(
            """
            Byteish Handler JSONDecoder JSONEncoder LooseCookies LooseCookiesIterables
            LooseCookiesMappings LooseHeaders Middleware PathLike Query RawHeaders StrOrURL
            """
        ),
    ),
    "aiohttp.web": ModuleRef(
        has_all=True,
        names=_names(
            """
            AbstractResource AbstractRoute AbstractRouteDef AppKey AppRunner Application BaseRequest
            BaseRunner BaseSite CleanupError ContentCoding DynamicResource FileField FileResponse
            GracefulExit HTTPAccepted HTTPBadGateway HTTPBadRequest HTTPClientError HTTPConflict
            HTTPCreated HTTPError HTTPException HTTPExpectationFailed HTTPFailedDependency
            HTTPForbidden HTTPFound HTTPGatewayTimeout HTTPGone HTTPInsufficientStorage
            HTTPInternalServerError HTTPLengthRequired HTTPMethodNotAllowed HTTPMisdirectedRequest
            HTTPMove HTTPMovedPermanently HTTPMultipleChoices HTTPNetworkAuthenticationRequired
            HTTPNoContent HTTPNonAuthoritativeInformation HTTPNotAcceptable HTTPNotExtended
            HTTPNotFound HTTPNotImplemented HTTPNotModified HTTPOk HTTPPartialContent
            HTTPPaymentRequired HTTPPermanentRedirect HTTPPreconditionFailed
            HTTPPreconditionRequired HTTPProxyAuthenticationRequired HTTPRedirection
            HTTPRequestEntityTooLarge HTTPRequestHeaderFieldsTooLarge HTTPRequestRangeNotSatisfiable
            HTTPRequestTimeout HTTPRequestURITooLong HTTPResetContent HTTPSeeOther HTTPServerError
            HTTPServiceUnavailable HTTPSuccessful HTTPTemporaryRedirect HTTPTooManyRequests
            HTTPUnauthorized HTTPUnavailableForLegalReasons HTTPUnprocessableEntity
            HTTPUnsupportedMediaType HTTPUpgradeRequired HTTPUseProxy HTTPVariantAlsoNegotiates
            HTTPVersionNotSupported NamedPipeSite NotAppKeyWarning PayloadAccessError PlainResource
            PrefixedSubAppResource Request RequestHandler RequestPayloadError Resource ResourceRoute
            Response RouteDef RouteTableDef Server ServerRunner SockSite StaticDef StaticResource
            StreamResponse TCPSite UnixSite UrlDispatcher UrlMappingMatchInfo View WSMsgType
            WebSocketReady WebSocketResponse delete get head json_response middleware
            normalize_path_middleware options patch post put route run_app static view
            """
        ),
    ),
    "aiohttp.web_app": ModuleRef(
        has_all=True,
        names=_names("Application CleanupError"),
    ),
    "aiohttp.web_exceptions": ModuleRef(
        has_all=True,
        names=_names(
            """
            HTTPAccepted HTTPBadGateway HTTPBadRequest HTTPClientError HTTPConflict HTTPCreated
            HTTPError HTTPException HTTPExpectationFailed HTTPFailedDependency HTTPForbidden
            HTTPFound HTTPGatewayTimeout HTTPGone HTTPInsufficientStorage HTTPInternalServerError
            HTTPLengthRequired HTTPMethodNotAllowed HTTPMisdirectedRequest HTTPMove
            HTTPMovedPermanently HTTPMultipleChoices HTTPNetworkAuthenticationRequired HTTPNoContent
            HTTPNonAuthoritativeInformation HTTPNotAcceptable HTTPNotExtended HTTPNotFound
            HTTPNotImplemented HTTPNotModified HTTPOk HTTPPartialContent HTTPPaymentRequired
            HTTPPermanentRedirect HTTPPreconditionFailed HTTPPreconditionRequired
            HTTPProxyAuthenticationRequired HTTPRedirection HTTPRequestEntityTooLarge
            HTTPRequestHeaderFieldsTooLarge HTTPRequestRangeNotSatisfiable HTTPRequestTimeout
            HTTPRequestURITooLong HTTPResetContent HTTPSeeOther HTTPServerError
            HTTPServiceUnavailable HTTPSuccessful HTTPTemporaryRedirect HTTPTooManyRequests
            HTTPUnauthorized HTTPUnavailableForLegalReasons HTTPUnprocessableEntity
            HTTPUnsupportedMediaType HTTPUpgradeRequired HTTPUseProxy HTTPVariantAlsoNegotiates
            HTTPVersionNotSupported
            """
        ),
    ),
    "aiohttp.web_fileresponse": ModuleRef(
        has_all=True,
        names=_names("FileResponse"),
    ),
    "aiohttp.web_log": ModuleRef(
        has_all=False,
        names=_names("AccessLogger KeyMethod"),
    ),
    "aiohttp.web_middlewares": ModuleRef(
        has_all=True,
        names=_names("middleware normalize_path_middleware"),
    ),
    "aiohttp.web_protocol": ModuleRef(
        has_all=True,
        names=_names("PayloadAccessError RequestHandler RequestPayloadError"),
    ),
    "aiohttp.web_request": ModuleRef(
        has_all=True,
        names=_names("BaseRequest FileField Request"),
    ),
    "aiohttp.web_response": ModuleRef(
        has_all=True,
        names=_names("ContentCoding Response StreamResponse json_response"),
    ),
    "aiohttp.web_routedef": ModuleRef(
        has_all=True,
        names=_names(
            """
            AbstractRouteDef RouteDef RouteTableDef StaticDef delete get head options patch post put
            route static view
            """
        ),
    ),
    "aiohttp.web_runner": ModuleRef(
        has_all=True,
        names=_names(
            """
            AppRunner BaseRunner BaseSite GracefulExit NamedPipeSite ServerRunner SockSite TCPSite
            UnixSite
            """
        ),
    ),
    "aiohttp.web_server": ModuleRef(
        has_all=True,
        names=_names("Server"),
    ),
    "aiohttp.web_urldispatcher": ModuleRef(
        has_all=True,
        names=_names(
            """
            AbstractResource AbstractRoute DynamicResource PlainResource Resource ResourceRoute
            StaticResource UrlDispatcher UrlMappingMatchInfo View
            """
        ),
    ),
    "aiohttp.web_ws": ModuleRef(
        has_all=True,
        names=_names("WSMsgType WebSocketReady WebSocketResponse"),
    ),
    "aiohttp.worker": ModuleRef(
        has_all=True,
        names=_names("GunicornUVLoopWebWorker GunicornWebWorker"),
    ),
}

# Names outside 3.13's ``__all__`` that 3.13 code imports from these modules all the same.
ALSO_IMPORTABLE: dict[str, frozenset[str]] = {
    "aiohttp.http_exceptions": _names(
        """
        BadHttpMessage HttpBadRequest PayloadEncodingError ContentEncodingError
        TransferEncodingError ContentLengthError LineTooLong InvalidHeader BadStatusLine
        BadHttpMethod InvalidURLError
        """
    ),
    "aiohttp.streams": _names(
        "EmptyStreamReader AsyncStreamIterator ChunkTupleAsyncStreamIterator AsyncStreamReaderMixin"
    ),
    "aiohttp.helpers": _names("AppKey sentinel parse_mimetype MimeType"),
}

# New public names our modules add on purpose (DESIGN.md section 4: the new protocols).
ADDED: dict[str, frozenset[str]] = {
    "aiohttp.abc": _names(
        """
        AbstractConnector AbstractClientSession AbstractClientMiddleware AbstractTraceCallback
        AbstractMiddleware AbstractWebSocket
        """
    ),
    # The fixture ``aiohttp_client`` takes its client class from, so a test suite can swap in
    # a TestClient subclass (as aiohttp 4.0 does); documented in the plugin's docstring.
    "aiohttp.pytest_plugin": _names("aiohttp_client_cls"),
}

MODULES = sorted(REFERENCE)


def _public_names(mod: ModuleType) -> set[str]:
    """Names a module without ``__all__`` exposes: what it defines, not what it imports.

    Imported modules, classes and functions defined elsewhere, ``typing`` constructs and the
    type aliases of :mod:`aiohttp.typedefs` reused by other modules do not count.
    """
    typedefs = importlib.import_module("aiohttp.typedefs")
    reused = [] if mod is typedefs else [v for k, v in vars(typedefs).items() if k[0] != "_"]
    names = set()
    for name, value in vars(mod).items():
        if name.startswith("_") or inspect.ismodule(value):
            continue
        if isinstance(value, __future__._Feature):
            continue
        if (inspect.isclass(value) or inspect.isfunction(value)) and (
            value.__module__ != mod.__name__
        ):
            continue
        if any(
            getattr(lib, name, None) is value
            for lib in (typing, typing_extensions, collections.abc)
        ):
            continue
        if any(value is v for v in reused):
            continue
        names.add(name)
    return names


@pytest.mark.parametrize("module", MODULES)
def test_module_has_every_3_13_name(module: str) -> None:
    mod = importlib.import_module(module)
    expected = REFERENCE[module].names | ALSO_IMPORTABLE.get(module, frozenset())
    missing = sorted(name for name in expected if not hasattr(mod, name))
    assert missing == [], f"{module} lacks 3.13 names {missing}"


@pytest.mark.parametrize("module", MODULES)
def test_module_all_equals_3_13(module: str) -> None:
    mod = importlib.import_module(module)
    ref = REFERENCE[module]
    if not ref.has_all:
        assert not hasattr(mod, "__all__"), f"3.13's {module} has no __all__"
        return
    exported = list(mod.__all__)
    assert len(exported) == len(set(exported)), f"{module}.__all__ has duplicates"
    assert set(exported) == ref.names
    assert all(hasattr(mod, name) for name in exported)


@pytest.mark.parametrize("module", [m for m in MODULES if not REFERENCE[m].has_all])
def test_module_without_all_adds_no_public_names(module: str) -> None:
    mod = importlib.import_module(module)
    extra = _public_names(mod) - REFERENCE[module].names - ADDED.get(module, frozenset())
    assert extra == set(), (
        f"{module} defines public names 3.13 does not have: {sorted(extra)}; "
        "make them private (leading underscore) or list them in ADDED"
    )


@pytest.mark.parametrize("module", sorted(ADDED))
def test_added_names_exist(module: str) -> None:
    mod = importlib.import_module(module)
    assert all(hasattr(mod, name) for name in ADDED[module])
