"""The web application: routes, middlewares, typed state, lifecycle signals and sub-apps.

An :class:`Application` is a mapping of application state (keys are :class:`web.AppKey`
instances, typed, or plain strings, which warn with :class:`NotAppKeyWarning`), a router,
a list of middlewares and four signals: ``on_startup``, ``on_shutdown``, ``on_cleanup``
and ``on_response_prepare``, plus ``cleanup_ctx`` (async generators run around the
application's life).  Sub-applications mount under a path prefix (:meth:`add_subapp`) or
a domain (:meth:`add_domain`); their signals run with their parent's and their
middlewares run after their parent's.

An application is mutable until it starts serving, then frozen: the middleware list,
router and signals refuse changes (:class:`RuntimeError`); changing its state still works
but warns (:class:`DeprecationWarning`), as in aiohttp 3.13.  Runners drive it through
``_make_handler``/``startup``/``shutdown``/``cleanup``; the server calls :meth:`_handle`
for each request.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import warnings
from collections.abc import Iterable, Iterator, MutableMapping
from types import EllipsisType
from typing import TYPE_CHECKING, Optional, TypeVar, Union, overload

from aiosignal import Signal
from frozenlist import FrozenList

from . import hdrs
from ._web_app_options import MakeHandlerOptions, ServerOptions
from ._web_cleanup_ctx import CleanupContext, CleanupError
from ._web_middleware_chain import adapt_old_style, build_chain, cached_chain, is_old_style
from .abc import AbstractAccessLogger, AbstractMatchInfo, AbstractMiddleware, AbstractRouter
from .helpers import AppKey, _UserValue
from .log import web_logger
from .web_exceptions import NotAppKeyWarning
from .web_log import AccessLogger
from .web_middlewares import _fix_request_current_app
from .web_request import Request
from .web_response import StreamResponse
from .web_routedef import AbstractRouteDef
from .web_server import Server
from .web_urldispatcher import (
    AbstractRoute,
    Domain,
    MaskDomain,
    MatchedSubAppResource,
    PrefixedSubAppResource,
    UrlDispatcher,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .abc import AbstractStreamWriter
    from .http_parser import RawRequestMessage
    from .streams import StreamReader
    from .web_protocol import RequestHandler

__all__ = ("Application", "CleanupError")

_T = TypeVar("_T")
_S = TypeVar("_S")

_AppSignal = Signal["Application"]
_RespPrepareSignal = Signal[Request, StreamResponse]


# 3.13's debug switch: ``python -X dev`` or PYTHONASYNCIODEBUG enables extra checks.
_DEBUG = sys.flags.dev_mode or (
    not sys.flags.ignore_environment and bool(os.environ.get("PYTHONASYNCIODEBUG"))
)

_APP_KEY_ADVICE = (
    "It is recommended to use web.AppKey instances for keys.\n"
    "https://docs.aiohttp.org/en/stable/web_advanced.html#application-s-config"
)


class Application(MutableMapping[Union[str, AppKey[_UserValue]], _UserValue]):
    """A web application: state, routes, middlewares, signals and sub-applications.

    ``middlewares`` are ``async (request, handler)`` callables, applied in list order.
    ``handler_args`` are extra keyword arguments for the request handler of each
    connection (``max_line_size``, ``keepalive_timeout`` ...), overriding the runner's.
    ``client_max_size`` bounds the request body :meth:`Request.read` accepts (413 above).
    ``loop`` and ``debug`` are deprecated.
    """

    ATTRS = frozenset(
        [
            "logger",
            "_debug",
            "_router",
            "_loop",
            "_handler_args",
            "_middlewares",
            "_middlewares_handlers",
            "_run_middlewares",
            "_state",
            "_frozen",
            "_pre_frozen",
            "_subapps",
            "_on_response_prepare",
            "_on_startup",
            "_on_shutdown",
            "_on_cleanup",
            "_client_max_size",
            "_cleanup_ctx",
        ]
    )

    def __init__(
        self,
        *,
        logger: logging.Logger = web_logger,
        router: Optional[AbstractRouter] = None,
        middlewares: Iterable[AbstractMiddleware] = (),
        handler_args: Optional[ServerOptions] = None,
        client_max_size: int = 1024**2,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        debug: Union[bool, EllipsisType] = ...,
    ) -> None:
        if loop is not None:
            warnings.warn("loop argument is deprecated", DeprecationWarning, stacklevel=2)
        if debug is not ...:
            warnings.warn("debug argument is deprecated", DeprecationWarning, stacklevel=2)
        if router is None:
            router = UrlDispatcher()
        elif not isinstance(router, AbstractRouter):
            raise TypeError(f"router should be an AbstractRouter, got {router!r}")
        if client_max_size < 0:
            raise ValueError(f"client_max_size must not be negative, got {client_max_size!r}")
        router.post_init(self)

        self._debug = debug
        self._router = router
        self._loop = loop
        self._handler_args = handler_args
        self.logger = logger

        self._middlewares: FrozenList[AbstractMiddleware] = FrozenList(middlewares)
        # Filled by pre_freeze(): this app's middlewares in wrapping order (innermost first).
        self._middlewares_handlers: tuple[AbstractMiddleware, ...] = ()
        # Whether any app of the tree has middlewares; without, requests skip the chain.
        self._run_middlewares: Optional[bool] = None

        self._state: dict[Union[str, AppKey[_UserValue]], _UserValue] = {}
        self._frozen = False
        self._pre_frozen = False
        self._subapps: list[Application] = []

        self._on_response_prepare: _RespPrepareSignal = Signal(self)
        self._on_startup: _AppSignal = Signal(self)
        self._on_shutdown: _AppSignal = Signal(self)
        self._on_cleanup: _AppSignal = Signal(self)
        self._cleanup_ctx = CleanupContext()
        self._on_startup.append(self._cleanup_ctx._on_startup)
        self._on_cleanup.append(self._cleanup_ctx._on_cleanup)
        self._client_max_size = client_max_size

    def __init_subclass__(cls, **kwargs: object) -> None:
        warnings.warn(
            f"Inheritance class {cls.__name__} from web.Application is discouraged",
            DeprecationWarning,
            stacklevel=3,
        )

    if _DEBUG:

        def __setattr__(self, name: str, val: object) -> None:
            if name not in self.ATTRS:
                warnings.warn(
                    f"Setting custom web.Application.{name} attribute is discouraged",
                    DeprecationWarning,
                    stacklevel=2,
                )
            super().__setattr__(name, val)

    # --- identity ---------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        # An app with no state is still an app (MutableMapping would make it falsy).
        return True

    def __call__(self) -> Application:
        """Return ``self``: gunicorn calls the object it is given to get the application."""
        return self

    def __repr__(self) -> str:
        return f"<Application 0x{id(self):x}>"

    # --- state ------------------------------------------------------------------------

    @overload
    def __getitem__(self, key: AppKey[_T]) -> _T: ...

    @overload
    def __getitem__(self, key: str) -> _UserValue: ...

    def __getitem__(self, key: Union[str, AppKey[_T]]) -> _UserValue:
        return self._state[key]

    def _check_frozen(self) -> None:
        if self._frozen:
            warnings.warn(
                "Changing state of started or joined application is deprecated",
                DeprecationWarning,
                stacklevel=3,
            )

    @overload
    def __setitem__(self, key: AppKey[_T], value: _T) -> None: ...

    @overload
    def __setitem__(self, key: str, value: _UserValue) -> None: ...

    def __setitem__(self, key: Union[str, AppKey[_T]], value: _UserValue) -> None:
        self._check_frozen()
        if not isinstance(key, AppKey):
            warnings.warn(_APP_KEY_ADVICE, category=NotAppKeyWarning, stacklevel=2)
        self._state[key] = value

    def __delitem__(self, key: Union[str, AppKey[_UserValue]]) -> None:
        self._check_frozen()
        del self._state[key]

    def __len__(self) -> int:
        return len(self._state)

    def __iter__(self) -> Iterator[Union[str, AppKey[_UserValue]]]:
        return iter(self._state)

    def __contains__(self, key: object) -> bool:
        return key in self._state

    @overload  # type: ignore[override]
    def get(self, key: AppKey[_T], default: _S) -> Union[_T, _S]: ...

    @overload
    def get(self, key: AppKey[_T], default: None = None) -> Optional[_T]: ...

    @overload
    def get(self, key: str, default: _UserValue = None) -> _UserValue: ...

    def get(self, key: Union[str, AppKey[_T]], default: object = None) -> object:
        """``self[key]``, or ``default`` when ``key`` is not set."""
        return self._state.get(key, default)

    # --- deprecated attributes --------------------------------------------------------

    @property
    def loop(self) -> Optional[asyncio.AbstractEventLoop]:
        """The loop the application runs on (deprecated; ``None`` before it starts)."""
        warnings.warn("loop property is deprecated", DeprecationWarning, stacklevel=2)
        return self._loop

    @property
    def debug(self) -> bool:
        """Debug mode (deprecated): the ``debug`` argument, else the loop's debug flag."""
        warnings.warn("debug property is deprecated", DeprecationWarning, stacklevel=2)
        return self._debug_flag()

    def _debug_flag(self) -> bool:
        if isinstance(self._debug, bool):
            return self._debug
        return self._loop.get_debug() if self._loop is not None else False

    def _set_loop(self, loop: Optional[asyncio.AbstractEventLoop]) -> None:
        if loop is None:
            loop = asyncio.get_running_loop()
        if self._loop is not None and self._loop is not loop:
            raise RuntimeError("web.Application instance initialized with different loop")
        self._loop = loop
        for subapp in self._subapps:
            subapp._set_loop(loop)

    # --- freezing ---------------------------------------------------------------------

    @property
    def pre_frozen(self) -> bool:
        """``True`` once routes, middlewares and signals are fixed (see :meth:`pre_freeze`)."""
        return self._pre_frozen

    def pre_freeze(self) -> None:
        """Fix the routes, middlewares and signals; state stays writable.  Idempotent.

        Done to a sub-application when it is added, to the root when it starts.
        """
        if self._pre_frozen:
            return
        self._pre_frozen = True
        self._middlewares.freeze()
        self._router.freeze()
        self._on_response_prepare.freeze()
        self._cleanup_ctx.freeze()
        self._on_startup.freeze()
        self._on_shutdown.freeze()
        self._on_cleanup.freeze()
        self._middlewares_handlers = tuple(self._prepare_middleware())
        self._run_middlewares = bool(self._middlewares)
        for subapp in self._subapps:
            subapp.pre_freeze()
            self._run_middlewares = self._run_middlewares or bool(subapp._run_middlewares)

    def _prepare_middleware(self) -> Iterator[AbstractMiddleware]:
        for mw in reversed(self._middlewares):
            if is_old_style(mw):
                warnings.warn(
                    f'old-style middleware "{mw!r}" deprecated, see #2252',
                    DeprecationWarning,
                    stacklevel=3,
                )
                yield adapt_old_style(mw, self)  # type: ignore[arg-type]  # an old-style factory
            else:
                yield mw
        yield _fix_request_current_app(self)

    @property
    def frozen(self) -> bool:
        """``True`` once the application started serving (or was frozen by hand)."""
        return self._frozen

    def freeze(self) -> None:
        """Pre-freeze, then freeze this application and its sub-applications.  Idempotent."""
        if self._frozen:
            return
        self.pre_freeze()
        self._frozen = True
        for subapp in self._subapps:
            subapp.freeze()

    # --- routes and sub-applications -----------------------------------------------------

    @property
    def router(self) -> UrlDispatcher:
        """The router (a :class:`UrlDispatcher` unless another one was passed in)."""
        router = self._router
        # A custom AbstractRouter is returned as is: 3.13 types this property as UrlDispatcher.
        return router  # type: ignore[return-value]  # see the comment above

    @property
    def middlewares(self) -> FrozenList[AbstractMiddleware]:
        """The middleware list; refuses changes once the application is pre-frozen."""
        return self._middlewares

    def add_routes(self, routes: Iterable[AbstractRouteDef]) -> list[AbstractRoute]:
        """Register route definitions (``web.get(...)``, a ``RouteTableDef`` ...)."""
        return self.router.add_routes(routes)

    def add_subapp(self, prefix: str, subapp: Application) -> PrefixedSubAppResource:
        """Serve ``subapp`` under the path ``prefix`` (a trailing ``/`` is ignored).

        Raises :class:`TypeError`/:class:`ValueError` for a non-str or empty prefix and
        :class:`RuntimeError` if either application is already frozen.
        """
        if not isinstance(prefix, str):
            raise TypeError("Prefix must be str")
        prefix = prefix.rstrip("/")
        if not prefix:
            raise ValueError("Prefix cannot be empty")
        self._check_can_add(subapp)
        resource = PrefixedSubAppResource(prefix, subapp)
        self._register_subapp(resource, subapp)
        return resource

    def add_domain(self, domain: str, subapp: Application) -> MatchedSubAppResource:
        """Serve ``subapp`` for requests whose ``Host`` is ``domain``.

        ``*`` in ``domain`` matches one label (``*.example.com``).
        """
        if not isinstance(domain, str):
            raise TypeError("Domain must be str")
        self._check_can_add(subapp)
        rule = MaskDomain(domain) if "*" in domain else Domain(domain)
        resource = MatchedSubAppResource(rule, subapp)
        self._register_subapp(resource, subapp)
        return resource

    def _check_can_add(self, subapp: Application) -> None:
        if self._frozen:
            raise RuntimeError("Cannot add sub application to frozen application")
        if subapp._frozen:
            raise RuntimeError("Cannot add frozen application")

    def _register_subapp(
        self, resource: Union[PrefixedSubAppResource, MatchedSubAppResource], subapp: Application
    ) -> None:
        self.router.register_resource(resource)
        self._reg_subapp_signals(subapp)
        self._subapps.append(subapp)
        subapp.pre_freeze()
        if self._loop is not None:
            subapp._set_loop(self._loop)

    def _reg_subapp_signals(self, subapp: Application) -> None:
        """Forward this app's startup/shutdown/cleanup signals to ``subapp``."""

        async def startup(app: Application) -> None:
            await subapp.on_startup.send(subapp)

        async def shutdown(app: Application) -> None:
            await subapp.on_shutdown.send(subapp)

        async def cleanup(app: Application) -> None:
            await subapp.on_cleanup.send(subapp)

        self._on_startup.append(startup)
        self._on_shutdown.append(shutdown)
        self._on_cleanup.append(cleanup)

    # --- signals ----------------------------------------------------------------------

    @property
    def on_response_prepare(self) -> _RespPrepareSignal:
        """``async (request, response)`` callbacks run before a response's head is sent."""
        return self._on_response_prepare

    @property
    def on_startup(self) -> _AppSignal:
        """``async (app)`` callbacks run when the application starts (after ``cleanup_ctx``
        set-up, which is registered first)."""
        return self._on_startup

    @property
    def on_shutdown(self) -> _AppSignal:
        """``async (app)`` callbacks run when shutdown begins, before in-flight requests
        are awaited: close long-lived connections (websockets) here."""
        return self._on_shutdown

    @property
    def on_cleanup(self) -> _AppSignal:
        """``async (app)`` callbacks run last, after the server stopped (after the
        ``cleanup_ctx`` tear-downs)."""
        return self._on_cleanup

    @property
    def cleanup_ctx(self) -> CleanupContext:
        """Async generator functions ``async def ctx(app): <set up>; yield; <tear down>``.

        Set-ups run in order at startup; tear-downs run in reverse order at cleanup, all
        of them even if some fail (one failure is re-raised, several as
        :class:`CleanupError`).
        """
        return self._cleanup_ctx

    # --- lifecycle --------------------------------------------------------------------

    async def startup(self) -> None:
        """Send ``on_startup`` (the runner calls this; the signal must be frozen)."""
        await self.on_startup.send(self)

    async def shutdown(self) -> None:
        """Send ``on_shutdown``."""
        await self.on_shutdown.send(self)

    async def cleanup(self) -> None:
        """Send ``on_cleanup``; if the app never fully started, only tear down the
        ``cleanup_ctx`` entries that were set up."""
        if self.on_cleanup.frozen:
            await self.on_cleanup.send(self)
        else:
            await self._cleanup_ctx._on_cleanup(self)

    # --- serving ----------------------------------------------------------------------

    def _make_handler(
        self,
        *,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        access_log_class: type[AbstractAccessLogger] = AccessLogger,
        **kwargs: Unpack[MakeHandlerOptions],
    ) -> Server:
        _check_access_log_class(access_log_class)
        self._set_loop(loop)
        self.freeze()
        options: ServerOptions = {
            **kwargs,
            "debug": self._debug_flag(),
            "access_log_class": access_log_class,
        }
        if self._handler_args:
            options = {**options, **self._handler_args}
        return Server(self._handle, request_factory=self._make_request, loop=self._loop, **options)

    def make_handler(
        self,
        *,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        access_log_class: type[AbstractAccessLogger] = AccessLogger,
        **kwargs: Unpack[MakeHandlerOptions],
    ) -> Server:
        """Deprecated: use :class:`~aiohttp.web.AppRunner`."""
        warnings.warn(
            "Application.make_handler(...) is deprecated, use AppRunner API instead",
            DeprecationWarning,
            stacklevel=2,
        )
        return self._make_handler(loop=loop, access_log_class=access_log_class, **kwargs)

    def _make_request(
        self,
        message: RawRequestMessage,
        payload: StreamReader,
        protocol: RequestHandler,
        writer: AbstractStreamWriter,
        task: asyncio.Task[None],
        _cls: type[Request] = Request,
    ) -> Request:
        loop = self._loop if self._loop is not None else asyncio.get_running_loop()
        return _cls(
            message,
            payload,
            protocol,
            writer,
            task,
            loop,
            client_max_size=self._client_max_size,
        )

    async def _handle(self, request: Request) -> StreamResponse:
        """Route ``request``, run the middlewares of the apps it went through, answer it."""
        router = self._router
        # The default router matches plain resources without a coroutine per resource.
        match_info: AbstractMatchInfo
        if type(router) is UrlDispatcher:
            found = router._resolve_nowait(request)
            match_info = found if found is not None else await router._resolve_each(request)
        else:
            match_info = await router.resolve(request)
        if _DEBUG and not isinstance(match_info, AbstractMatchInfo):
            raise TypeError(f"match_info should be AbstractMatchInfo instance, not {match_info!r}")
        match_info.add_app(self)
        match_info.freeze()
        request._match_info = match_info  # type: ignore[assignment]  # any AbstractMatchInfo

        if request.headers.get(hdrs.EXPECT):
            resp = await match_info.expect_handler(request)
            await request.writer.drain()
            if resp is not None:
                return resp

        handler = match_info.handler
        if self._run_middlewares:
            build = cached_chain if match_info.http_exception is None else build_chain
            handler = build(handler, match_info.apps)
        return await handler(request)


def _check_access_log_class(access_log_class: object) -> None:
    """Accept a class that implements :class:`AbstractAccessLogger`, inherited or not."""
    if not isinstance(access_log_class, type) or not callable(
        getattr(access_log_class, "log", None)
    ):
        raise TypeError(
            "access_log_class must be subclass of aiohttp.abc.AbstractAccessLogger, "
            f"got {access_log_class}"
        )
