"""aiohttp: an asynchronous HTTP client/server framework for asyncio.

A strictly typed implementation of the aiohttp 3.13 API. This facade only re-exports names
from their home modules; ``__all__`` equals aiohttp 3.13's.
"""

__version__ = "3.13.0.post0.dev1"

# first: decides whether the mypyc-compiled modules or their sources are imported below
from . import _extensions  # noqa: F401  # isort: skip
from . import hdrs as hdrs
from .client import (
    ClientSession as ClientSession,
    ClientTimeout as ClientTimeout,
    request as request,
)
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
from .client_middleware_digest_auth import (
    DigestAuthMiddleware as DigestAuthMiddleware,
)
from .client_middlewares import (
    ClientHandlerType as ClientHandlerType,
    ClientMiddlewareType as ClientMiddlewareType,
)
from .client_reqrep import (
    ClientRequest as ClientRequest,
    ClientResponse as ClientResponse,
    Fingerprint as Fingerprint,
    RequestInfo as RequestInfo,
)
from .client_ws import (
    ClientWebSocketResponse as ClientWebSocketResponse,
    ClientWSTimeout as ClientWSTimeout,
)
from .compression_utils import (
    set_zlib_backend as set_zlib_backend,
)
from .connector import (
    AddrInfoType as AddrInfoType,
    BaseConnector as BaseConnector,
    NamedPipeConnector as NamedPipeConnector,
    SocketFactoryType as SocketFactoryType,
    TCPConnector as TCPConnector,
    UnixConnector as UnixConnector,
)
from .cookiejar import (
    CookieJar as CookieJar,
    DummyCookieJar as DummyCookieJar,
)
from .formdata import (
    FormData as FormData,
)
from .helpers import (
    BasicAuth as BasicAuth,
    ChainMapProxy as ChainMapProxy,
    ETag as ETag,
)
from .http import (
    HttpVersion10 as HttpVersion10,
    HttpVersion11 as HttpVersion11,
    WebSocketError as WebSocketError,
    WSCloseCode as WSCloseCode,
    WSMessage as WSMessage,
    WSMsgType as WSMsgType,
)
from .http_parser import (
    HttpVersion as HttpVersion,
)
from .multipart import (
    BadContentDispositionHeader as BadContentDispositionHeader,
    BadContentDispositionParam as BadContentDispositionParam,
    BodyPartReader as BodyPartReader,
    MultipartReader as MultipartReader,
    MultipartWriter as MultipartWriter,
    content_disposition_filename as content_disposition_filename,
    parse_content_disposition as parse_content_disposition,
)
from .payload import (
    PAYLOAD_REGISTRY as PAYLOAD_REGISTRY,
    AsyncIterablePayload as AsyncIterablePayload,
    BufferedReaderPayload as BufferedReaderPayload,
    BytesIOPayload as BytesIOPayload,
    BytesPayload as BytesPayload,
    IOBasePayload as IOBasePayload,
    JsonPayload as JsonPayload,
    Payload as Payload,
    StringIOPayload as StringIOPayload,
    StringPayload as StringPayload,
    TextIOPayload as TextIOPayload,
    get_payload as get_payload,
    payload_type as payload_type,
)
from .payload_streamer import (
    streamer as streamer,
)
from .resolver import (
    AsyncResolver as AsyncResolver,
    DefaultResolver as DefaultResolver,
    ThreadedResolver as ThreadedResolver,
)
from .streams import (
    EMPTY_PAYLOAD as EMPTY_PAYLOAD,
    DataQueue as DataQueue,
    EofStream as EofStream,
    FlowControlDataQueue as FlowControlDataQueue,
    StreamReader as StreamReader,
)
from .tracing import (
    TraceConfig as TraceConfig,
    TraceConnectionCreateEndParams as TraceConnectionCreateEndParams,
    TraceConnectionCreateStartParams as TraceConnectionCreateStartParams,
    TraceConnectionQueuedEndParams as TraceConnectionQueuedEndParams,
    TraceConnectionQueuedStartParams as TraceConnectionQueuedStartParams,
    TraceConnectionReuseconnParams as TraceConnectionReuseconnParams,
    TraceDnsCacheHitParams as TraceDnsCacheHitParams,
    TraceDnsCacheMissParams as TraceDnsCacheMissParams,
    TraceDnsResolveHostEndParams as TraceDnsResolveHostEndParams,
    TraceDnsResolveHostStartParams as TraceDnsResolveHostStartParams,
    TraceRequestChunkSentParams as TraceRequestChunkSentParams,
    TraceRequestEndParams as TraceRequestEndParams,
    TraceRequestExceptionParams as TraceRequestExceptionParams,
    TraceRequestHeadersSentParams as TraceRequestHeadersSentParams,
    TraceRequestRedirectParams as TraceRequestRedirectParams,
    TraceRequestStartParams as TraceRequestStartParams,
    TraceResponseChunkReceivedParams as TraceResponseChunkReceivedParams,
)
from .worker import (
    GunicornUVLoopWebWorker as GunicornUVLoopWebWorker,
    GunicornWebWorker as GunicornWebWorker,
)

__all__ = (
    "hdrs",
    # client
    "ClientSession",
    "ClientTimeout",
    "request",
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
    "InvalidUrlRedirectClientError",
    "NonHttpUrlClientError",
    "NonHttpUrlRedirectClientError",
    "RedirectClientError",
    "ServerConnectionError",
    "ServerDisconnectedError",
    "ServerFingerprintMismatch",
    "ServerTimeoutError",
    "SocketTimeoutError",
    "TooManyRedirects",
    "WSMessageTypeError",
    "WSServerHandshakeError",
    # client_middleware_digest_auth
    "DigestAuthMiddleware",
    # client_middlewares
    "ClientHandlerType",
    "ClientMiddlewareType",
    # client_reqrep
    "ClientRequest",
    "ClientResponse",
    "Fingerprint",
    "RequestInfo",
    # client_ws
    "ClientWebSocketResponse",
    "ClientWSTimeout",
    # compression_utils
    "set_zlib_backend",
    # connector
    "AddrInfoType",
    "BaseConnector",
    "NamedPipeConnector",
    "SocketFactoryType",
    "TCPConnector",
    "UnixConnector",
    # cookiejar
    "CookieJar",
    "DummyCookieJar",
    # formdata
    "FormData",
    # helpers
    "BasicAuth",
    "ChainMapProxy",
    "ETag",
    # http
    "HttpVersion10",
    "HttpVersion11",
    "WebSocketError",
    "WSCloseCode",
    "WSMessage",
    "WSMsgType",
    # http_parser
    "HttpVersion",
    # multipart
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "BodyPartReader",
    "content_disposition_filename",
    "MultipartReader",
    "MultipartWriter",
    "parse_content_disposition",
    # payload
    "AsyncIterablePayload",
    "BufferedReaderPayload",
    "BytesIOPayload",
    "BytesPayload",
    "get_payload",
    "IOBasePayload",
    "JsonPayload",
    "Payload",
    "PAYLOAD_REGISTRY",
    "payload_type",
    "StringIOPayload",
    "StringPayload",
    "TextIOPayload",
    # payload_streamer
    "streamer",
    # resolver
    "AsyncResolver",
    "DefaultResolver",
    "ThreadedResolver",
    # streams
    "DataQueue",
    "EMPTY_PAYLOAD",
    "EofStream",
    "FlowControlDataQueue",
    "StreamReader",
    # tracing
    "TraceConfig",
    "TraceConnectionCreateEndParams",
    "TraceConnectionCreateStartParams",
    "TraceConnectionQueuedEndParams",
    "TraceConnectionQueuedStartParams",
    "TraceConnectionReuseconnParams",
    "TraceDnsCacheHitParams",
    "TraceDnsCacheMissParams",
    "TraceDnsResolveHostEndParams",
    "TraceDnsResolveHostStartParams",
    "TraceRequestChunkSentParams",
    "TraceRequestEndParams",
    "TraceRequestExceptionParams",
    "TraceRequestHeadersSentParams",
    "TraceRequestRedirectParams",
    "TraceRequestStartParams",
    "TraceResponseChunkReceivedParams",
    # worker
    "GunicornUVLoopWebWorker",
    "GunicornWebWorker",
)
