"""``aiohttp.web``: the server's public names, :func:`run_app` and the command line.

The names are re-exported from their home modules (``web_app``, ``web_request`` ...).
:func:`run_app` serves an application until SIGINT/SIGTERM (or Ctrl+C), then shuts it
down gracefully: in-flight requests get ``shutdown_timeout`` seconds to finish.
``python -m aiohttp.web [-H host] [-P port] [-U path] package.module:factory [args]``
imports ``factory``, calls it with the remaining arguments and serves what it returns.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import socket
import sys
from argparse import ArgumentParser
from collections.abc import Awaitable, Callable, Iterable
from contextlib import suppress
from importlib import import_module
from typing import TYPE_CHECKING, Optional, TypedDict, Union

from .abc import AbstractAccessLogger
from .helpers import AppKey
from .http_websocket import WSMsgType
from .log import access_logger
from .typedefs import PathLike
from .web_app import Application, CleanupError
from .web_exceptions import (
    HTTPAccepted,
    HTTPBadGateway,
    HTTPBadRequest,
    HTTPClientError,
    HTTPConflict,
    HTTPCreated,
    HTTPError,
    HTTPException,
    HTTPExpectationFailed,
    HTTPFailedDependency,
    HTTPForbidden,
    HTTPFound,
    HTTPGatewayTimeout,
    HTTPGone,
    HTTPInsufficientStorage,
    HTTPInternalServerError,
    HTTPLengthRequired,
    HTTPMethodNotAllowed,
    HTTPMisdirectedRequest,
    HTTPMove,
    HTTPMovedPermanently,
    HTTPMultipleChoices,
    HTTPNetworkAuthenticationRequired,
    HTTPNoContent,
    HTTPNonAuthoritativeInformation,
    HTTPNotAcceptable,
    HTTPNotExtended,
    HTTPNotFound,
    HTTPNotImplemented,
    HTTPNotModified,
    HTTPOk,
    HTTPPartialContent,
    HTTPPaymentRequired,
    HTTPPermanentRedirect,
    HTTPPreconditionFailed,
    HTTPPreconditionRequired,
    HTTPProxyAuthenticationRequired,
    HTTPRedirection,
    HTTPRequestEntityTooLarge,
    HTTPRequestHeaderFieldsTooLarge,
    HTTPRequestRangeNotSatisfiable,
    HTTPRequestTimeout,
    HTTPRequestURITooLong,
    HTTPResetContent,
    HTTPSeeOther,
    HTTPServerError,
    HTTPServiceUnavailable,
    HTTPSuccessful,
    HTTPTemporaryRedirect,
    HTTPTooManyRequests,
    HTTPUnauthorized,
    HTTPUnavailableForLegalReasons,
    HTTPUnprocessableEntity,
    HTTPUnsupportedMediaType,
    HTTPUpgradeRequired,
    HTTPUseProxy,
    HTTPVariantAlsoNegotiates,
    HTTPVersionNotSupported,
    NotAppKeyWarning,
)
from .web_fileresponse import FileResponse
from .web_log import AccessLogger
from .web_middlewares import middleware, normalize_path_middleware
from .web_protocol import PayloadAccessError, RequestHandler, RequestPayloadError
from .web_request import BaseRequest, FileField, Request
from .web_response import ContentCoding, Response, StreamResponse, json_response
from .web_routedef import (
    AbstractRouteDef,
    RouteDef,
    RouteTableDef,
    StaticDef,
    delete,
    get,
    head,
    options,
    patch,
    post,
    put,
    route,
    static,
    view,
)
from .web_runner import (
    AppRunner,
    BaseRunner,
    BaseSite,
    GracefulExit,
    NamedPipeSite,
    ServerRunner,
    SockSite,
    TCPSite,
    UnixSite,
)
from .web_server import Server
from .web_urldispatcher import (
    AbstractResource,
    AbstractRoute,
    DynamicResource,
    PlainResource,
    PrefixedSubAppResource,
    Resource,
    ResourceRoute,
    StaticResource,
    UrlDispatcher,
    UrlMappingMatchInfo,
    View,
)
from .web_ws import WebSocketReady, WebSocketResponse

if TYPE_CHECKING:
    from ssl import SSLContext

    from typing_extensions import Unpack

    from ._web_app_options import HandlerTuning, RunnerOptions

__all__ = (
    # web_app
    "AppKey",
    "Application",
    "CleanupError",
    "NotAppKeyWarning",
    # web_exceptions
    "HTTPAccepted",
    "HTTPBadGateway",
    "HTTPBadRequest",
    "HTTPClientError",
    "HTTPConflict",
    "HTTPCreated",
    "HTTPError",
    "HTTPException",
    "HTTPExpectationFailed",
    "HTTPFailedDependency",
    "HTTPForbidden",
    "HTTPFound",
    "HTTPGatewayTimeout",
    "HTTPGone",
    "HTTPInsufficientStorage",
    "HTTPInternalServerError",
    "HTTPLengthRequired",
    "HTTPMethodNotAllowed",
    "HTTPMisdirectedRequest",
    "HTTPMove",
    "HTTPMovedPermanently",
    "HTTPMultipleChoices",
    "HTTPNetworkAuthenticationRequired",
    "HTTPNoContent",
    "HTTPNonAuthoritativeInformation",
    "HTTPNotAcceptable",
    "HTTPNotExtended",
    "HTTPNotFound",
    "HTTPNotImplemented",
    "HTTPNotModified",
    "HTTPOk",
    "HTTPPartialContent",
    "HTTPPaymentRequired",
    "HTTPPermanentRedirect",
    "HTTPPreconditionFailed",
    "HTTPPreconditionRequired",
    "HTTPProxyAuthenticationRequired",
    "HTTPRedirection",
    "HTTPRequestEntityTooLarge",
    "HTTPRequestHeaderFieldsTooLarge",
    "HTTPRequestRangeNotSatisfiable",
    "HTTPRequestTimeout",
    "HTTPRequestURITooLong",
    "HTTPResetContent",
    "HTTPSeeOther",
    "HTTPServerError",
    "HTTPServiceUnavailable",
    "HTTPSuccessful",
    "HTTPTemporaryRedirect",
    "HTTPTooManyRequests",
    "HTTPUnauthorized",
    "HTTPUnavailableForLegalReasons",
    "HTTPUnprocessableEntity",
    "HTTPUnsupportedMediaType",
    "HTTPUpgradeRequired",
    "HTTPUseProxy",
    "HTTPVariantAlsoNegotiates",
    "HTTPVersionNotSupported",
    # web_fileresponse
    "FileResponse",
    # web_middlewares
    "middleware",
    "normalize_path_middleware",
    # web_protocol
    "PayloadAccessError",
    "RequestHandler",
    "RequestPayloadError",
    # web_request
    "BaseRequest",
    "FileField",
    "Request",
    # web_response
    "ContentCoding",
    "Response",
    "StreamResponse",
    "json_response",
    # web_routedef
    "AbstractRouteDef",
    "RouteDef",
    "RouteTableDef",
    "StaticDef",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "route",
    "static",
    "view",
    # web_runner
    "AppRunner",
    "BaseRunner",
    "BaseSite",
    "GracefulExit",
    "ServerRunner",
    "SockSite",
    "TCPSite",
    "UnixSite",
    "NamedPipeSite",
    # web_server
    "Server",
    # web_urldispatcher
    "AbstractResource",
    "AbstractRoute",
    "DynamicResource",
    "PlainResource",
    "PrefixedSubAppResource",
    "Resource",
    "ResourceRoute",
    "StaticResource",
    "UrlDispatcher",
    "UrlMappingMatchInfo",
    "View",
    # web_ws
    "WebSocketReady",
    "WebSocketResponse",
    "WSMsgType",
    # web
    "run_app",
)

HostSequence = Iterable[str]

_BANNER = "======== Running on {} ========\n(Press CTRL+C to quit)"


class _SiteOptions(TypedDict):
    ssl_context: Optional[SSLContext]
    backlog: int


def _make_sites(
    runner: AppRunner,
    *,
    host: Union[str, HostSequence, None],
    port: Optional[int],
    path: Union[PathLike, Iterable[PathLike], None],
    sock: Union[socket.socket, Iterable[socket.socket], None],
    options: _SiteOptions,
    reuse_address: Optional[bool],
    reuse_port: Optional[bool],
) -> list[BaseSite]:
    """The sites ``run_app`` listens on: one per host, path and socket given.

    Without any of them (or with only a ``port``), one TCP site on all interfaces.
    """
    sites: list[BaseSite] = []
    if host is not None:
        for one_host in [host] if isinstance(host, str) else host:
            sites.append(
                TCPSite(
                    runner,
                    one_host,
                    port,
                    reuse_address=reuse_address,
                    reuse_port=reuse_port,
                    **options,
                )
            )
    elif (path is None and sock is None) or port is not None:
        sites.append(
            TCPSite(
                runner, port=port, reuse_address=reuse_address, reuse_port=reuse_port, **options
            )
        )
    if path is not None:
        for one_path in [path] if isinstance(path, (str, os.PathLike)) else path:
            sites.append(UnixSite(runner, one_path, **options))
    if sock is not None:
        for one_sock in [sock] if isinstance(sock, socket.socket) else sock:
            sites.append(SockSite(runner, one_sock, **options))
    return sites


async def _run_app(
    app: Union[Application, Awaitable[Application]],
    *,
    host: Union[str, HostSequence, None],
    port: Optional[int],
    path: Union[PathLike, Iterable[PathLike], None],
    sock: Union[socket.socket, Iterable[socket.socket], None],
    options: _SiteOptions,
    print: Optional[Callable[[str], None]],
    reuse_address: Optional[bool],
    reuse_port: Optional[bool],
    handle_signals: bool,
    runner_options: RunnerOptions,
) -> None:
    if not isinstance(app, Application):
        if not inspect.isawaitable(app):
            raise TypeError(
                f"run_app() needs an Application or an awaitable returning one, got {app!r}"
            )
        app = await app
        if not isinstance(app, Application):
            raise TypeError(f"the awaitable given to run_app() returned {app!r}")
    runner = AppRunner(app, handle_signals=handle_signals, **runner_options)
    try:
        await runner.setup()
        sites = _make_sites(
            runner,
            host=host,
            port=port,
            path=path,
            sock=sock,
            options=options,
            reuse_address=reuse_address,
            reuse_port=reuse_port,
        )
        for site in sites:
            await site.start()
        if print is not None:
            print(_BANNER.format(", ".join(sorted(site.name for site in runner.sites))))
        await asyncio.Event().wait()  # serve until cancelled (by a signal or Ctrl+C)
    finally:
        await runner.cleanup()


def _cancel_tasks(tasks: set[asyncio.Task[object]], loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is left on the loop and report the tasks that failed meanwhile."""
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            loop.call_exception_handler(
                {
                    "message": "unhandled exception during run_app() shutdown",
                    "exception": task.exception(),
                    "task": task,
                }
            )


def run_app(
    app: Union[Application, Awaitable[Application]],
    *,
    host: Union[str, HostSequence, None] = None,
    port: Optional[int] = None,
    path: Union[PathLike, Iterable[PathLike], None] = None,
    sock: Union[socket.socket, Iterable[socket.socket], None] = None,
    shutdown_timeout: float = 60.0,
    keepalive_timeout: float = 75.0,
    ssl_context: Optional[SSLContext] = None,
    print: Optional[Callable[[str], None]] = print,
    backlog: int = 128,
    access_log_class: type[AbstractAccessLogger] = AccessLogger,
    access_log_format: str = AccessLogger.LOG_FORMAT,
    access_log: Optional[logging.Logger] = access_logger,
    handle_signals: bool = True,
    reuse_address: Optional[bool] = None,
    reuse_port: Optional[bool] = None,
    handler_cancellation: bool = False,
    loop: Optional[asyncio.AbstractEventLoop] = None,
    **kwargs: Unpack[HandlerTuning],
) -> None:
    """Serve ``app`` (or the application an awaitable returns) until interrupted.

    Listens on every ``host`` (with ``port``, default 8080), Unix ``path`` and ``sock``
    given; with none, on all interfaces.  ``print`` announces the addresses (``None``
    silences it).  SIGINT/SIGTERM (with ``handle_signals``) or Ctrl+C start the graceful
    shutdown (see :class:`~aiohttp.web.AppRunner`).  Runs on ``loop`` or a new loop, and
    closes it at the end.  Other keywords go to the request handlers.
    """
    if loop is None:
        loop = asyncio.new_event_loop()
    # In debug mode, make the default access log visible unless the user configured it.
    if loop.get_debug() and access_log is not None and access_log.name == "aiohttp.access":
        if access_log.level == logging.NOTSET:
            access_log.setLevel(logging.DEBUG)
        if not access_log.hasHandlers():
            access_log.addHandler(logging.StreamHandler())

    runner_options: RunnerOptions = {
        **kwargs,
        "access_log_class": access_log_class,
        "access_log_format": access_log_format,
        "access_log": access_log,
        "keepalive_timeout": keepalive_timeout,
        "shutdown_timeout": shutdown_timeout,
        "handler_cancellation": handler_cancellation,
    }
    main_task = loop.create_task(
        _run_app(
            app,
            host=host,
            port=port,
            path=path,
            sock=sock,
            options={"ssl_context": ssl_context, "backlog": backlog},
            print=print,
            reuse_address=reuse_address,
            reuse_port=reuse_port,
            handle_signals=handle_signals,
            runner_options=runner_options,
        )
    )
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main_task)
    except (GracefulExit, KeyboardInterrupt):
        pass
    finally:
        try:
            if not main_task.done():
                # Cancelling runs _run_app's finally: the graceful shutdown.
                main_task.cancel()
                with suppress(asyncio.CancelledError):
                    loop.run_until_complete(main_task)
        finally:
            _cancel_tasks(asyncio.all_tasks(loop), loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            asyncio.set_event_loop(None)


def main(argv: list[str]) -> None:
    """The ``python -m aiohttp.web`` command line (``argv`` without the program name)."""
    parser = ArgumentParser(description="aiohttp.web Application server", prog="aiohttp.web")
    parser.add_argument(
        "entry_func",
        metavar="entry-func",
        help="a callable, as 'package.module:function', that takes the unparsed "
        "arguments and returns the aiohttp.web.Application to serve (or an awaitable of it)",
    )
    parser.add_argument(
        "-H", "--hostname", default=None, help="TCP/IP host to serve on (default: localhost)"
    )
    parser.add_argument(
        "-P", "--port", type=int, default=8080, help="TCP/IP port (default: %(default)r)"
    )
    parser.add_argument(
        "-U", "--path", default=None, help="Unix socket path to serve on (with -H: both)"
    )
    args, extra_argv = parser.parse_known_args(argv)

    mod_str, _, func_str = args.entry_func.partition(":")
    if not mod_str or not func_str:
        parser.error("'entry-func' not in 'module:function' syntax")
    if mod_str.startswith("."):
        parser.error("relative module names not supported")
    try:
        module = import_module(mod_str)
    except ImportError as exc:
        parser.error(f"unable to import {mod_str}: {exc}")
    try:
        func = getattr(module, func_str)
    except AttributeError:
        parser.error(f"module {mod_str!r} has no attribute {func_str!r}")
    if not callable(func):
        parser.error(f"{args.entry_func} is not callable")
    if args.path is not None and not hasattr(socket, "AF_UNIX"):
        parser.error("file system paths not supported by your operating environment")

    logging.basicConfig(level=logging.DEBUG)
    host: Optional[str]
    port: Optional[int]
    if args.path and args.hostname is None:
        host = port = None
    else:
        host = args.hostname or "localhost"
        port = args.port
    app = func(extra_argv)
    if not isinstance(app, Application) and not inspect.isawaitable(app):
        parser.error(f"{args.entry_func} returned {app!r}, not an aiohttp.web.Application")
    run_app(app, host=host, port=port, path=args.path)
    parser.exit(message="Stopped\n")


if __name__ == "__main__":  # pragma: no cover  # python -m aiohttp.web
    main(sys.argv[1:])
