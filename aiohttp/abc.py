"""The protocol layer: one :class:`typing.Protocol` per pluggable component.

Each class here is the contract of one component: its docstrings say what a member returns,
what it raises, whether calling it twice is safe and what a cancelled call leaves behind.
A user's class satisfies a protocol either by inheriting from it (the aiohttp 3.13 way; the
class then also gets the default bodies written here) or just by having the right shape,
which the type checker verifies.

The aiohttp 3.13 abstract base classes keep their names and default bodies.  They are
``runtime_checkable`` because 3.13 callers ``isinstance``-check them; ``issubclass`` stays
nominal (true for subclasses only), as it was for the 3.13 ABCs.  Protocol bodies cannot
declare private instance state without making it part of the contract, so the few defaults
that keep state (``AbstractRouter``, ``AbstractView``, ``AbstractCookieJar``) store it in the
instance ``__dict__`` under the attribute names 3.13 used.

The newer protocols (:class:`AbstractConnector`, :class:`AbstractClientSession`,
:class:`AbstractClientMiddleware`, :class:`AbstractTraceCallback`,
:class:`AbstractMiddleware`, :class:`AbstractWebSocket`) are for annotations only.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from abc import abstractmethod
from collections.abc import Awaitable, Callable, Generator, Iterable, Sequence, Sized
from http.cookies import BaseCookie, CookieError, Morsel, SimpleCookie
from types import SimpleNamespace, TracebackType
from typing import TYPE_CHECKING, Optional, Protocol, TypedDict, TypeVar, runtime_checkable

from multidict import CIMultiDict
from typing_extensions import Self, Unpack
from yarl import URL

from .typedefs import (
    Byteish,
    JSONDecoder,
    JSONEncoder,
    LooseCookies as LooseCookies,  # 3.13 exposes it here too
    StrOrURL,
)

if TYPE_CHECKING:
    from .client import ClientSession, ClientTimeout, _RequestOptions
    from .client_reqrep import ClientRequest, ClientResponse
    from .connector import Connection
    from .http_websocket import WSMessage, WSMsgType
    from .tracing import Trace
    from .web_app import Application
    from .web_exceptions import HTTPException
    from .web_request import BaseRequest, Request
    from .web_response import StreamResponse

_T = TypeVar("_T", bound=type)
_T_co = TypeVar("_T_co", covariant=True)
_ParamsT_contra = TypeVar("_ParamsT_contra", contravariant=True)

# A web handler and a client handler: what a middleware calls to pass the request on.
_Handler = Callable[["Request"], Awaitable["StreamResponse"]]
_ExpectHandler = Callable[["Request"], Awaitable[Optional["StreamResponse"]]]
_ClientHandler = Callable[["ClientRequest"], Awaitable["ClientResponse"]]

_EMPTY_URL = URL()

IterableBase = Iterable["Morsel[str]"]
ClearCookiePredicate = Callable[["Morsel[str]"], bool]


def _nominal_subclass_check(cls: _T) -> _T:
    """Make ``issubclass(x, cls)`` nominal, as it was for the aiohttp 3.13 ABCs.

    A runtime-checkable protocol with data members refuses ``issubclass`` outright; an
    explicit ``__subclasshook__`` returning ``NotImplemented`` lets the ABC machinery answer
    from the MRO and the registry instead.
    """

    def hook(klass: type, other: type) -> object:
        return NotImplemented

    # typing gives every protocol class without a hook of its own the structural one.
    cls.__subclasshook__ = classmethod(hook)  # type: ignore[assignment]  # replacing a classmethod
    return cls


# --------------------------------------------------------------------------------------
# Server side
# --------------------------------------------------------------------------------------


@runtime_checkable
@_nominal_subclass_check
class AbstractRouter(Protocol):
    """Maps a request to the handler that answers it (``web.Application(router=...)``).

    Only :meth:`resolve` is required.  A router starts unfrozen; the application freezes it
    once, when it starts serving, after which its routing table must not change.
    """

    def __init__(self) -> None:
        self.__dict__["_frozen"] = False

    def post_init(self, app: Application) -> None:
        """Called once by the application that owns this router, before it freezes.

        The default does nothing; a router that needs to know its application overrides it.
        """
        return None

    @property
    def frozen(self) -> bool:
        """``True`` once :meth:`freeze` has been called."""
        return self.__dict__.get("_frozen", False) is True

    def freeze(self) -> None:
        """Forbid further changes to the routing table.  Idempotent."""
        self.__dict__["_frozen"] = True

    @abstractmethod
    async def resolve(self, request: Request) -> AbstractMatchInfo:
        """Return the match for ``request``.

        Must not raise for an unknown path or a wrong method: it returns a match info whose
        :attr:`~AbstractMatchInfo.http_exception` is the 404/405 to answer with.  It has no
        side effects, so a cancelled call leaves nothing to undo.
        """


@runtime_checkable
@_nominal_subclass_check
class AbstractMatchInfo(Protocol):
    """The result of :meth:`AbstractRouter.resolve`: the handler and what led to it."""

    __slots__ = ()

    def __init__(self) -> None:
        """Takes no arguments, like the 3.13 ABC."""
        return None  # an explicit body: an empty one would make it abstract to mypy

    @property
    @abstractmethod
    def handler(self) -> _Handler:
        """The handler to call; when nothing matched it raises :attr:`http_exception`."""

    @property
    @abstractmethod
    def expect_handler(self) -> _ExpectHandler:
        """Answers ``Expect: 100-continue``; returns a response to send instead, or ``None``."""

    @property
    @abstractmethod
    def http_exception(self) -> Optional[HTTPException]:
        """The 404/405 to answer with when nothing matched, else ``None``."""

    @abstractmethod
    def get_info(self) -> dict[str, object]:
        """A description of the matched resource (keys depend on the resource kind)."""

    @property
    @abstractmethod
    def apps(self) -> tuple[Application, ...]:
        """The applications the match went through, outermost first."""

    @abstractmethod
    def add_app(self, app: Application) -> None:
        """Record that the match went through ``app``; refused once frozen."""

    @abstractmethod
    def freeze(self) -> None:
        """Forbid further :meth:`add_app` calls.  Idempotent."""


@runtime_checkable
@_nominal_subclass_check
class AbstractView(Protocol):
    """A class-based handler: constructed with the request, then awaited for the response.

    Awaiting an instance runs the handler once; a view is not reused for another request.
    """

    def __init__(self, request: Request) -> None:
        self.__dict__["_request"] = request

    @property
    def request(self) -> Request:
        """The request this view answers."""
        request: Request = self.__dict__["_request"]
        return request

    @abstractmethod
    def __await__(self) -> Generator[object, None, StreamResponse]:
        """Handle the request and return the response (or raise an HTTP exception)."""


@runtime_checkable
@_nominal_subclass_check
class AbstractAccessLogger(Protocol):
    """Writes one access-log line per handled request (``access_log_class=``).

    The server constructs the class as ``cls(logger, log_format)``.  :meth:`log` runs after
    the response has been sent, so it cannot change the answer; it should report its own
    failures (through ``self.logger``) rather than raise.
    """

    __slots__ = ("log_format", "logger")

    logger: logging.Logger
    log_format: str

    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        self.logger = logger
        self.log_format = log_format

    @abstractmethod
    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        """Record that ``request`` was answered with ``response`` after ``time`` seconds."""

    @property
    def enabled(self) -> bool:
        """Whether :meth:`log` should be called at all (lets the server skip the work)."""
        return True


@runtime_checkable
@_nominal_subclass_check
class AbstractStreamWriter(Protocol):
    """Writes one HTTP message (head, then body) to a transport.

    The head goes first, through :meth:`write_headers`; the writer may hold it back to send
    it with the first body bytes.  Body bytes then pass through the optional compression
    and chunked framing.  :meth:`write_eof` ends the message; writing after it is an error.
    A write cancelled while waiting for the transport to drain may or may not have been
    handed to the transport; the message is then incomplete and the connection unusable.
    Writes after the connection was lost raise :class:`ClientConnectionResetError`
    (a :class:`ConnectionResetError`).
    """

    buffer_size: int = 0
    output_size: int = 0
    length: Optional[int] = 0

    def __init__(self) -> None:
        """Takes no arguments, like the 3.13 ABC."""
        return None  # an explicit body: an empty one would make it abstract to mypy

    @abstractmethod
    async def write(self, chunk: Byteish) -> None:
        """Send ``chunk`` as body data, waiting while the transport's buffer is full."""

    @abstractmethod
    async def write_eof(self, chunk: bytes = b"") -> None:
        """Send ``chunk`` and end the message (flushing compression, ending chunking).

        Idempotent: later calls do nothing.
        """

    @abstractmethod
    async def drain(self) -> None:
        """Wait until the transport's write buffer is below its high-water mark."""

    @abstractmethod
    def enable_compression(self, encoding: str = "deflate", strategy: Optional[int] = None) -> None:
        """Compress the body that follows with ``encoding`` (``deflate``, ``gzip``, ``br``)."""

    @abstractmethod
    def enable_chunking(self) -> None:
        """Frame the body that follows with ``Transfer-Encoding: chunked``."""

    @abstractmethod
    async def write_headers(self, status_line: str, headers: CIMultiDict[str]) -> None:
        """Serialize the start line and ``headers``; raise :class:`ValueError` if any of
        them holds CR, LF or NUL, before anything is sent."""

    def send_headers(self) -> None:
        """Hand a held-back head to the transport now.  The default does nothing."""
        return None


# --------------------------------------------------------------------------------------
# Client side
# --------------------------------------------------------------------------------------


class ResolveResult(TypedDict):
    """One address ``hostname`` resolved to; the other fields are what
    :meth:`asyncio.loop.create_connection` takes to connect to it."""

    hostname: str
    host: str
    port: int
    family: int
    proto: int
    flags: int


@runtime_checkable
@_nominal_subclass_check
class AbstractResolver(Protocol):
    """Turns a host name into addresses to connect to (``TCPConnector(resolver=...)``)."""

    def __init__(self) -> None:
        """Takes no arguments, like the 3.13 ABC."""
        return None  # an explicit body: an empty one would make it abstract to mypy

    @abstractmethod
    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Return the addresses of ``host``, in the order to try them; never empty.

        ``family`` is ``AF_INET``, ``AF_INET6`` or ``AF_UNSPEC`` (both).  Raises
        :class:`OSError` when the name cannot be resolved.  Safe to cancel.
        """

    @abstractmethod
    async def close(self) -> None:
        """Release the resolver's resources.  Idempotent."""


@runtime_checkable
@_nominal_subclass_check
class AbstractCookieJar(Sized, Iterable["Morsel[str]"], Protocol):
    """Stores the cookies a client session receives and chooses which ones to send.

    Iterating yields every stored cookie; ``len()`` counts them.  A jar is used from the
    event loop's thread only and no method awaits, so none can be interrupted half-way.
    """

    def __init__(self, *, loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        if loop is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None  # unlike 3.13, creating a jar outside a running loop is fine
        self.__dict__["_loop"] = loop

    @property
    @abstractmethod
    def quote_cookie(self) -> bool:
        """Whether cookie values are quoted when sent (the jar's ``quote_cookie=`` option)."""

    @abstractmethod
    def clear(self, predicate: Optional[ClearCookiePredicate] = None) -> None:
        """Remove the cookies for which ``predicate`` is true, or all of them."""

    @abstractmethod
    def clear_domain(self, domain: str) -> None:
        """Remove the cookies of ``domain`` and of its subdomains."""

    @abstractmethod
    def update_cookies(self, cookies: LooseCookies, response_url: URL = _EMPTY_URL) -> None:
        """Store ``cookies``, received in a response from ``response_url``.

        Cookies the jar's policy refuses for that URL are dropped silently.
        """

    def update_cookies_from_headers(self, headers: Sequence[str], response_url: URL) -> None:
        """Store the cookies of raw ``Set-Cookie`` header values from ``response_url``.

        The default parses each header on its own (an unparsable one is skipped) and passes
        the result to :meth:`update_cookies`.
        """
        for header in headers:
            parsed: SimpleCookie = SimpleCookie()
            try:
                parsed.load(header)
            except CookieError:
                continue
            if parsed:
                self.update_cookies(parsed, response_url)

    @abstractmethod
    def filter_cookies(self, request_url: URL) -> BaseCookie[str]:
        """Return the cookies to send with a request to ``request_url``."""


class AbstractConnector(Protocol):
    """Opens (or reuses) connections for a :class:`~aiohttp.ClientSession`.

    The session calls :meth:`connect` once per request and releases the returned
    connection when the response is read (or closes it on error).
    """

    @abstractmethod
    async def connect(
        self, req: ClientRequest, traces: list[Trace], timeout: ClientTimeout
    ) -> Connection:
        """Return a connection to ``req``'s host, waiting for a free slot under the limits.

        Raises a :class:`~aiohttp.ClientConnectorError` subclass when connecting fails and
        :class:`~aiohttp.ConnectionTimeoutError` when ``timeout`` runs out.  If cancelled,
        no connection is leaked: one being opened is closed.
        """

    @abstractmethod
    def close(self) -> Awaitable[None]:
        """Close every connection and refuse new ones.  Idempotent."""

    @property
    @abstractmethod
    def closed(self) -> bool:
        """``True`` once :meth:`close` was called."""

    @property
    @abstractmethod
    def limit(self) -> int:
        """The most connections open at once (``0``: no limit)."""

    @property
    @abstractmethod
    def limit_per_host(self) -> int:
        """The most connections open at once to one host (``0``: no limit)."""

    @property
    @abstractmethod
    def force_close(self) -> bool:
        """``True`` if connections are closed after each request instead of reused."""

    @property
    @abstractmethod
    def allowed_protocol_schema_set(self) -> frozenset[str]:
        """The URL schemes this connector can open (``http``, ``https``, ``ws`` ...)."""


class _RequestContext(Protocol[_T_co]):
    """What a session's request methods return: await it, or ``async with`` it."""

    def __await__(self) -> Generator[object, None, _T_co]: ...

    async def __aenter__(self) -> _T_co: ...

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None: ...


class AbstractClientSession(Protocol):
    """The request surface of :class:`~aiohttp.ClientSession`, for code that is handed a
    session and may be handed a substitute (a recorder, a test double, a wrapper).

    :meth:`get`, :meth:`post` ... are :meth:`request` with that method, and every one takes
    the keyword arguments of :meth:`ClientSession.request`.
    Awaiting its result sends the request and returns the response once its head is read;
    leaving the ``async with`` block releases the connection.
    """

    def request(
        self,
        method: str,
        url: StrOrURL,
        **kwargs: Unpack[_RequestOptions],
    ) -> _RequestContext[ClientResponse]:
        """Send a request with ``method`` to ``url``."""

    def get(
        self,
        url: StrOrURL,
        **kwargs: Unpack[_RequestOptions],
    ) -> _RequestContext[ClientResponse]: ...

    def options(
        self,
        url: StrOrURL,
        **kwargs: Unpack[_RequestOptions],
    ) -> _RequestContext[ClientResponse]: ...

    def head(
        self,
        url: StrOrURL,
        **kwargs: Unpack[_RequestOptions],
    ) -> _RequestContext[ClientResponse]: ...

    def post(
        self,
        url: StrOrURL,
        **kwargs: Unpack[_RequestOptions],
    ) -> _RequestContext[ClientResponse]: ...

    def put(
        self,
        url: StrOrURL,
        **kwargs: Unpack[_RequestOptions],
    ) -> _RequestContext[ClientResponse]: ...

    def patch(
        self,
        url: StrOrURL,
        **kwargs: Unpack[_RequestOptions],
    ) -> _RequestContext[ClientResponse]: ...

    def delete(
        self,
        url: StrOrURL,
        **kwargs: Unpack[_RequestOptions],
    ) -> _RequestContext[ClientResponse]: ...

    async def close(self) -> None:
        """Close the session (and its connector, if the session owns it).  Idempotent."""

    @property
    def closed(self) -> bool:
        """``True`` once :meth:`close` was called."""

    @property
    def connector(self) -> Optional[AbstractConnector]:
        """The connector, or ``None`` once the session is closed."""

    @property
    def cookie_jar(self) -> AbstractCookieJar:
        """The jar holding the session's cookies."""

    @property
    def headers(self) -> CIMultiDict[str]:
        """Headers sent with every request (a request's own headers win)."""

    @property
    def timeout(self) -> ClientTimeout:
        """The default timeouts of every request."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None: ...


class AbstractClientMiddleware(Protocol):
    """A client middleware: ``async def mw(request, handler) -> ClientResponse``.

    It may change ``request``, call ``handler(request)`` zero or more times (a retry calls
    it again) and return a response, or raise.  Parameters are positional-only, so a plain
    function matches whatever it names them.
    """

    def __call__(
        self, request: ClientRequest, handler: _ClientHandler, /
    ) -> Awaitable[ClientResponse]: ...


class AbstractTraceCallback(Protocol[_ParamsT_contra]):
    """A ``TraceConfig`` signal receiver: ``async def cb(session, trace_config_ctx, params)``.

    ``params`` is the signal's ``Trace*Params`` record.  A receiver runs inside the request;
    what it raises propagates to the caller, and it must not block.
    """

    def __call__(
        self,
        session: ClientSession,
        trace_config_ctx: SimpleNamespace,
        params: _ParamsT_contra,
        /,
    ) -> Awaitable[None]: ...


class AbstractMiddleware(Protocol):
    """A server middleware: ``async def mw(request, handler) -> StreamResponse``.

    It may answer itself or call ``handler(request)`` and return (or replace) its response;
    an :class:`~aiohttp.web.HTTPException` it raises becomes the answer.  Parameters are
    positional-only, so a plain function matches whatever it names them.
    """

    def __call__(self, request: Request, handler: _Handler, /) -> Awaitable[StreamResponse]: ...


class AbstractWebSocket(Protocol):
    """An open WebSocket, client side (``ClientWebSocketResponse``) or server side
    (``web.WebSocketResponse``).

    Several tasks may send; only one may receive at a time (a second concurrent receive
    raises :class:`RuntimeError`).  Cancelling a receive loses no queued message; cancelling
    a send may leave a partial frame on the wire, after which the socket is unusable.
    Iterating yields messages until a close message arrives.
    """

    async def send_str(self, data: str, compress: Optional[int] = None) -> None:
        """Send a text message."""

    async def send_bytes(self, data: bytes, compress: Optional[int] = None) -> None:
        """Send a binary message."""

    async def send_json(
        self, data: object, compress: Optional[int] = None, *, dumps: JSONEncoder = ...
    ) -> None:
        """Send ``dumps(data)`` as a text message."""

    async def send_frame(
        self, message: bytes, opcode: WSMsgType, compress: Optional[int] = None
    ) -> None:
        """Send one raw frame with ``opcode``."""

    async def ping(self, message: bytes = b"") -> None:
        """Send a ping."""

    async def pong(self, message: bytes = b"") -> None:
        """Send an unsolicited pong."""

    async def receive(self, timeout: Optional[float] = None) -> WSMessage:
        """Return the next message; control frames are answered and may be returned too.

        Raises :class:`asyncio.TimeoutError` when ``timeout`` seconds pass without one.
        """

    async def receive_str(self, *, timeout: Optional[float] = None) -> str:
        """Return the next message, which must be text (else :class:`WSMessageTypeError`)."""

    async def receive_bytes(self, *, timeout: Optional[float] = None) -> bytes:
        """Return the next message, which must be binary (else :class:`WSMessageTypeError`)."""

    async def receive_json(
        self, *, loads: JSONDecoder = ..., timeout: Optional[float] = None
    ) -> object:
        """Return ``loads()`` of the next text message."""

    async def close(self, *, code: int = 1000, message: bytes = b"") -> bool:
        """Close the socket with ``code``; ``False`` if it was already closed."""

    @property
    def closed(self) -> bool:
        """``True`` once the closing handshake started."""

    @property
    def close_code(self) -> Optional[int]:
        """The close code, once closed."""

    def exception(self) -> Optional[BaseException]:
        """The error that closed the socket, if any."""

    def __aiter__(self) -> Self: ...

    def __anext__(self) -> Awaitable[WSMessage]: ...
