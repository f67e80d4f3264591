"""URL dispatching for ``aiohttp.web``: resources, routes, match infos and the router.

A *resource* matches request paths (:class:`PlainResource` one exact path,
:class:`DynamicResource` a ``{variable}`` template, :class:`StaticResource` a directory under
a prefix, :class:`PrefixedSubAppResource` / :class:`MatchedSubAppResource` a whole
sub-application by prefix or by ``Host``); a *route* ties a method and a handler to a
resource.  :meth:`UrlDispatcher.resolve` returns a :class:`UrlMappingMatchInfo`, the dict of
matched variables plus the route, or a :class:`MatchInfoError` carrying the 404/405 (with
``Allow``) to answer.

Resolution does not scan every resource: resources are indexed by their literal path
prefix (a plain resource by its whole path), and a request path is looked up from its full
length down to ``/``, one segment at a time, so the cost grows with the depth of the path,
not the number of routes.  Domain-matched sub-applications are tried one by one, first: one
whose rule matches the request answers it entirely (its 404 and 405 included).

Path templates live in :mod:`aiohttp._web_route_pattern`, the static file sandbox in
:mod:`aiohttp._web_static`.
"""

from __future__ import annotations

import abc
import asyncio
import functools
import os
import re
from collections.abc import (
    Awaitable,
    Callable,
    Container,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sized,
)
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, NoReturn, Optional, TypedDict, cast
from urllib.parse import unquote

from typing_extensions import Unpack
from yarl import URL

from . import hdrs
from ._web_handlers import (
    ExpectHandler as _ExpectHandler,
    Handler as Handler,
    HandlerType as _HandlerType,
    default_expect_handler,
    is_async_callable,
    prepare_handler,
)
from ._web_route_pattern import (
    DEFAULT_VAR_PATTERN,
    NAME_SPLIT_RE,
    VAR_RE,
    VAR_WITH_RE_RE,
    RoutePattern,
    check_path,
    check_prefix,
    check_route_name,
    decode_path,
    encode_path,
    is_template,
    quote_part,
    tokenize,
)
from ._web_static import Kind, file_version, locate, render_index
from .abc import AbstractMatchInfo, AbstractRouter, AbstractView
from .typedefs import PathLike
from .web_exceptions import (
    HTTPException,
    HTTPForbidden,
    HTTPMethodNotAllowed,
    HTTPNotFound,
)
from .web_fileresponse import FileResponse
from .web_response import Response, StreamResponse

if TYPE_CHECKING:
    from .web_app import Application
    from .web_request import Request
    from .web_routedef import AbstractRouteDef

__all__ = (
    "UrlDispatcher",
    "UrlMappingMatchInfo",
    "AbstractResource",
    "Resource",
    "PlainResource",
    "DynamicResource",
    "AbstractRoute",
    "ResourceRoute",
    "StaticResource",
    "View",
)

_Resolve = tuple[Optional["UrlMappingMatchInfo"], set[str]]

#: A method name: an RFC 9110 token (``*`` stands for any method).
HTTP_METHOD_RE: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


class _InfoDict(TypedDict, total=False):
    path: str
    formatter: str
    pattern: re.Pattern[str]
    directory: Path
    prefix: str
    routes: Mapping[str, AbstractRoute]
    app: Application
    domain: str
    rule: AbstractRuleMatching
    http_exception: HTTPException


# --- resources ---------------------------------------------------------------------------


class AbstractResource(Sized, Iterable["AbstractRoute"]):
    """Something that matches request paths and holds the routes for them."""

    def __init__(self, *, name: Optional[str] = None) -> None:
        self._name = name

    @property
    def name(self) -> Optional[str]:
        """The name given at creation (``router[name]``), or None."""
        return self._name

    @property
    @abc.abstractmethod
    def canonical(self) -> str:
        """The path template (``/users/{id}``, ``/static``) identifying the resource."""

    @abc.abstractmethod
    def url_for(self, **kwargs: str) -> URL:
        """Build a URL to this resource."""

    @abc.abstractmethod
    async def resolve(self, request: Request) -> _Resolve:
        """Return ``(match_info, allowed_methods)``; ``match_info`` is None when the path
        does not match, or matches but not for the request's method."""

    @abc.abstractmethod
    def add_prefix(self, prefix: str) -> None:
        """Put ``prefix`` (``/sub``) in front of the resource's path."""

    @abc.abstractmethod
    def get_info(self) -> _InfoDict:
        """Describe the resource (keys depend on its kind)."""

    def freeze(self) -> None:
        """Called when the router freezes."""

    @abc.abstractmethod
    def raw_match(self, path: str) -> bool:
        """True when the resource was created for exactly ``path``."""

    def _index_key(self) -> str:
        """Where the router indexes the resource: its literal path prefix, cut at a ``/``."""
        canonical = self.canonical
        if "{" in canonical:
            canonical = canonical.partition("{")[0].rpartition("/")[0]
        return decode_path(canonical) or "/"


class Resource(AbstractResource):
    """A resource holding one route per method (and maybe one for any method)."""

    def __init__(self, *, name: Optional[str] = None) -> None:
        super().__init__(name=name)
        self._routes: dict[str, ResourceRoute] = {}
        self._route_list: list[ResourceRoute] = []
        self._any_route: Optional[ResourceRoute] = None
        self._allowed_methods: set[str] = set()

    def add_route(
        self,
        method: str,
        handler: _HandlerType,
        *,
        expect_handler: Optional[_ExpectHandler] = None,
    ) -> ResourceRoute:
        """Route ``method`` (``*`` for any) to ``handler``; a method already routed raises
        :class:`RuntimeError`."""
        route = ResourceRoute(method, handler, self, expect_handler=expect_handler)
        self.register_route(route)
        return route

    def register_route(self, route: ResourceRoute) -> None:
        """Add an already built route to this resource."""
        if not isinstance(route, ResourceRoute):
            raise TypeError(f"Instance of ResourceRoute is expected, got {route!r}")
        method = route.method
        if method in self._routes or self._any_route is not None:
            raise RuntimeError(
                f"Added route will never be executed, method {method} is already registered"
            )
        if method == hdrs.METH_ANY:
            self._any_route = route
        else:
            self._routes[method] = route
            self._allowed_methods.add(method)
        self._route_list.append(route)

    async def resolve(self, request: Request) -> _Resolve:
        match_dict = self._match(request.rel_url.path_safe)
        if match_dict is None:
            return None, set()
        route = self._routes.get(request.method, self._any_route)
        if route is None:
            return None, set(self._allowed_methods)
        return UrlMappingMatchInfo(match_dict, route), self._allowed_methods

    @abc.abstractmethod
    def _match(self, path: str) -> Optional[dict[str, str]]:
        """The variables matched in ``path`` (``path_safe`` form), or None."""

    def __len__(self) -> int:
        return len(self._route_list)

    def __iter__(self) -> Iterator[ResourceRoute]:
        return iter(self._route_list)


def _name_repr(name: Optional[str]) -> str:
    return "" if name is None else f"{name!r} "


class PlainResource(Resource):
    """A resource for one exact path (no variables)."""

    def __init__(self, path: str, *, name: Optional[str] = None) -> None:
        super().__init__(name=name)
        check_path(path)
        self._path = path
        self._match_path = decode_path(path)

    @property
    def canonical(self) -> str:
        return self._path

    def freeze(self) -> None:
        if not self._path:
            self._path = self._match_path = "/"

    def add_prefix(self, prefix: str) -> None:
        check_prefix(prefix)
        self._path = prefix + self._path
        self._match_path = decode_path(self._path)

    def _match(self, path: str) -> Optional[dict[str, str]]:
        return {} if path == self._match_path else None

    def _index_key(self) -> str:
        return self._match_path

    def raw_match(self, path: str) -> bool:
        return self._path == path

    def get_info(self) -> _InfoDict:
        return {"path": self._path}

    def url_for(self) -> URL:  # type: ignore[override]  # a plain path takes no parts
        return URL.build(path=encode_path(self._match_path), encoded=True)

    def __repr__(self) -> str:
        return f"<PlainResource {_name_repr(self.name)} {self._path}>"


class DynamicResource(Resource):
    """A resource for a path template: ``{name}`` matches one segment, ``{name:regex}``
    whatever ``regex`` matches."""

    DYN = VAR_RE
    DYN_WITH_RE = VAR_WITH_RE_RE
    GOOD = DEFAULT_VAR_PATTERN

    def __init__(self, path: str, *, name: Optional[str] = None) -> None:
        super().__init__(name=name)
        check_path(path)
        self._orig_path = path
        self._pattern = RoutePattern.compile(tokenize(path))

    @property
    def canonical(self) -> str:
        return self._pattern.formatter

    def add_prefix(self, prefix: str) -> None:
        check_prefix(prefix)
        self._pattern = self._pattern.with_prefix(prefix)
        self._orig_path = prefix + self._orig_path

    def _match(self, path: str) -> Optional[dict[str, str]]:
        return self._pattern.match(path)

    def _index_key(self) -> str:
        return self._pattern.index_key

    def raw_match(self, path: str) -> bool:
        return self._orig_path == path

    def get_info(self) -> _InfoDict:
        return {"formatter": self._pattern.formatter, "pattern": self._pattern.regex}

    def url_for(self, **parts: str) -> URL:
        """The URL with ``parts`` filled in (percent-encoded); a missing part raises
        :class:`KeyError`."""
        return self._pattern.url_for(parts)

    def __repr__(self) -> str:
        return f"<DynamicResource {_name_repr(self.name)} {self._pattern.formatter}>"


class PrefixResource(Resource):
    """A resource for every path under a prefix (a trailing ``/`` is ignored)."""

    def __init__(self, prefix: str, *, name: Optional[str] = None) -> None:
        check_path(prefix)
        super().__init__(name=name)
        self._prefix = prefix.rstrip("/")
        self._match_prefix = decode_path(self._prefix)

    @property
    def canonical(self) -> str:
        return self._prefix

    def add_prefix(self, prefix: str) -> None:
        check_prefix(prefix)
        self._prefix = prefix + self._prefix
        self._match_prefix = decode_path(self._prefix)

    def _match(self, path: str) -> Optional[dict[str, str]]:
        return {} if self._covers(path) else None

    def _covers(self, path: str) -> bool:
        prefix = self._match_prefix
        return path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/")

    def _index_key(self) -> str:
        return self._match_prefix or "/"

    def raw_match(self, prefix: str) -> bool:
        return False


class StaticResource(PrefixResource):
    """Files of ``directory`` served under ``prefix`` (``GET`` and ``HEAD``).

    Nothing outside the directory is ever served (see :mod:`aiohttp._web_static`);
    ``follow_symlinks=True`` lets symlinks inside it point anywhere.  ``show_index=True``
    lists directories; otherwise they get 403.  ``append_version=True`` makes
    :meth:`url_for` add ``?v=<content hash>``.
    """

    VERSION_KEY = "v"

    def __init__(
        self,
        prefix: str,
        directory: PathLike,
        *,
        name: Optional[str] = None,
        expect_handler: Optional[_ExpectHandler] = None,
        chunk_size: int = 256 * 1024,
        show_index: bool = False,
        follow_symlinks: bool = False,
        append_version: bool = False,
    ) -> None:
        super().__init__(prefix, name=name)
        try:
            resolved = Path(directory).expanduser().resolve(strict=True)
        except FileNotFoundError as exc:
            raise ValueError(f"'{directory}' does not exist") from exc
        if not resolved.is_dir():
            raise ValueError(f"'{directory}' is not a directory")
        self._directory = resolved
        self._show_index = show_index
        self._chunk_size = chunk_size
        self._follow_symlinks = follow_symlinks
        self._expect_handler = expect_handler
        self._append_version = append_version
        for method in (hdrs.METH_GET, hdrs.METH_HEAD):
            self.register_route(
                ResourceRoute(method, self._handle, self, expect_handler=expect_handler)
            )

    def url_for(  # type: ignore[override]  # static URLs are built from a file name
        self, *, filename: PathLike, append_version: Optional[bool] = None
    ) -> URL:
        """The URL of ``filename`` (relative to the directory); with ``append_version``
        (default: the resource's setting) and an existing file, ``?v=<sha256>`` is added."""
        if append_version is None:
            append_version = self._append_version
        name = os.fspath(filename).lstrip("/")
        url = URL.build(path=f"{encode_path(self._match_prefix)}/{quote_part(name)}", encoded=True)
        if append_version:
            found = locate(self._directory, name, follow_symlinks=self._follow_symlinks)
            version = file_version(found.path) if found.kind is Kind.FILE else None
            if version is not None:
                url = url.with_query({self.VERSION_KEY: version})
        return url

    def set_options_route(self, handler: Handler) -> None:
        """Add an ``OPTIONS`` route (used by CORS libraries)."""
        if hdrs.METH_OPTIONS in self._routes:
            raise RuntimeError("OPTIONS route was set already")
        self.register_route(
            ResourceRoute(hdrs.METH_OPTIONS, handler, self, expect_handler=self._expect_handler)
        )

    async def resolve(self, request: Request) -> _Resolve:
        path = request.rel_url.path_safe
        if not self._covers(path):
            return None, set()
        route = self._routes.get(request.method)
        if route is None:
            return None, set(self._allowed_methods)
        filename = unquote(path[len(self._match_prefix) + 1 :])
        return UrlMappingMatchInfo({"filename": filename}, route), self._allowed_methods

    async def _handle(self, request: Request) -> StreamResponse:
        loop = asyncio.get_running_loop()
        found = await loop.run_in_executor(
            None,
            functools.partial(
                locate,
                self._directory,
                request.match_info["filename"],
                follow_symlinks=self._follow_symlinks,
            ),
        )
        if found.kind is Kind.FILE:
            response = FileResponse(found.path, chunk_size=self._chunk_size)
            response._nofollow = not self._follow_symlinks
            return response
        if found.kind is Kind.DIRECTORY:
            if not self._show_index:
                raise HTTPForbidden()
            text = await loop.run_in_executor(None, self._render_index, found.path)
            return Response(text=text, content_type="text/html")
        raise HTTPNotFound()

    def _render_index(self, directory: Path) -> str:
        return render_index(
            directory,
            self._directory,
            lambda rel: str(self.url_for(filename=rel, append_version=False)),
            follow_symlinks=self._follow_symlinks,
        )

    def get_info(self) -> _InfoDict:
        return {"directory": self._directory, "prefix": self._prefix, "routes": self._routes}

    def __len__(self) -> int:
        return len(self._routes)

    def __iter__(self) -> Iterator[ResourceRoute]:
        return iter(self._routes.values())

    def __repr__(self) -> str:
        return f"<StaticResource {_name_repr(self.name)}{self._prefix} -> {self._directory!r}>"


class PrefixedSubAppResource(PrefixResource):
    """A sub-application served under ``prefix`` (``app.add_subapp()``).

    Creating it puts ``prefix`` in front of every resource of the sub-application, which
    then resolves the full path with its own router.
    """

    def __init__(self, prefix: str, app: Application) -> None:
        super().__init__(prefix)
        self._app = app
        if self._prefix:
            self._add_prefix_to_resources(self._prefix)

    def add_prefix(self, prefix: str) -> None:
        super().add_prefix(prefix)
        self._add_prefix_to_resources(prefix)

    def _add_prefix_to_resources(self, prefix: str) -> None:
        router = self._app.router
        for resource in router.resources():
            router.unindex_resource(resource)
            resource.add_prefix(prefix)
            router.index_resource(resource)

    def url_for(self, *args: str, **kwargs: str) -> URL:
        raise RuntimeError(".url_for() is not supported by sub-application root")

    def get_info(self) -> _InfoDict:
        return {"app": self._app, "prefix": self._prefix}

    async def resolve(self, request: Request) -> _Resolve:
        if not self._covers(request.rel_url.path_safe):
            return None, set()
        return await self._resolve_in_app(request)

    async def _resolve_in_app(self, request: Request) -> _Resolve:
        match_info = await self._app.router.resolve(request)
        match_info.add_app(self._app)
        exc = match_info.http_exception
        methods = exc.allowed_methods if isinstance(exc, HTTPMethodNotAllowed) else set()
        return match_info, methods

    def __len__(self) -> int:
        return len(self._app.router.routes())

    def __iter__(self) -> Iterator[AbstractRoute]:  # type: ignore[override]  # the sub-app's routes
        return iter(self._app.router.routes())

    def __repr__(self) -> str:
        return f"<PrefixedSubAppResource {self._prefix} -> {self._app!r}>"


class AbstractRuleMatching(abc.ABC):
    """A rule choosing requests for a :class:`MatchedSubAppResource`."""

    @abc.abstractmethod
    async def match(self, request: Request) -> bool:
        """True when the request belongs to the sub-application."""

    @abc.abstractmethod
    def get_info(self) -> _InfoDict:
        """Describe the rule."""

    @property
    @abc.abstractmethod
    def canonical(self) -> str:
        """The rule as text."""


class Domain(AbstractRuleMatching):
    """Match requests whose ``Host`` is ``domain`` (case-insensitively; a port other than
    80 must be given and sent)."""

    re_part = re.compile(r"(?!-)[a-z\d-]{1,63}(?<!-)")

    def __init__(self, domain: str) -> None:
        super().__init__()
        self._domain = self.validation(domain)

    @property
    def canonical(self) -> str:
        return self._domain

    def validation(self, domain: str) -> str:
        """The normalised ``host[:port]``; :class:`ValueError` if it is not a domain."""
        if not isinstance(domain, str):
            raise TypeError("Domain must be str")
        domain = domain.rstrip(".").lower()
        if not domain:
            raise ValueError("Domain cannot be empty")
        if "://" in domain:
            raise ValueError("Scheme not supported")
        try:
            url = URL("http://" + domain)
        except ValueError:
            raise ValueError("Domain not valid") from None
        host = url.raw_host
        if not host or not all(self.re_part.fullmatch(label) for label in host.split(".")):
            raise ValueError("Domain not valid")
        if url.path not in ("", "/") or url.query_string or url.fragment or url.user:
            raise ValueError("Domain not valid")
        if url.port == 80:
            return host
        return f"{host}:{url.port}"

    async def match(self, request: Request) -> bool:
        host = request.headers.get(hdrs.HOST)
        if not host:
            return False
        return self.match_domain(host)

    def match_domain(self, host: str) -> bool:
        """True when the ``Host`` value ``host`` names this domain."""
        return host.lower() == self._domain

    def get_info(self) -> _InfoDict:
        return {"domain": self._domain}


class MaskDomain(Domain):
    """Match a domain pattern where ``*`` stands for any run of characters
    (``*.example.com``)."""

    re_part = re.compile(r"(?!-)[a-z\d*-]{1,63}(?<!-)")

    def __init__(self, domain: str) -> None:
        super().__init__(domain)
        self._mask = re.compile(re.escape(self._domain).replace(r"\*", ".*"))

    @property
    def canonical(self) -> str:
        return self._mask.pattern

    def match_domain(self, host: str) -> bool:
        return self._mask.fullmatch(host.lower()) is not None


class MatchedSubAppResource(PrefixedSubAppResource):
    """A sub-application chosen by a rule (``app.add_domain()``) rather than a prefix."""

    def __init__(self, rule: AbstractRuleMatching, app: Application) -> None:
        PrefixResource.__init__(self, "")
        self._app = app
        self._rule = rule

    @property
    def canonical(self) -> str:
        return self._rule.canonical

    def get_info(self) -> _InfoDict:
        return {"app": self._app, "rule": self._rule}

    async def resolve(self, request: Request) -> _Resolve:
        if not await self._rule.match(request):
            return None, set()
        return await self._resolve_in_app(request)

    def __repr__(self) -> str:
        return f"<MatchedSubAppResource -> {self._app!r}>"


# --- routes ------------------------------------------------------------------------------


class AbstractRoute(abc.ABC):
    """A method and a handler attached to a resource."""

    def __init__(
        self,
        method: str,
        handler: _HandlerType,
        *,
        expect_handler: Optional[_ExpectHandler] = None,
        resource: Optional[AbstractResource] = None,
    ) -> None:
        if expect_handler is None:
            expect_handler = default_expect_handler
        elif not is_async_callable(expect_handler):
            raise TypeError(f"Coroutine is expected as expect_handler, got {expect_handler!r}")
        method = method.upper()
        if not HTTP_METHOD_RE.fullmatch(method):
            raise ValueError(f"{method} is not allowed HTTP method")
        self._method = method
        self._handler = prepare_handler(handler)
        self._expect_handler = expect_handler
        self._resource = resource

    @property
    def method(self) -> str:
        """The upper-cased method, or ``*``."""
        return self._method

    @property
    def handler(self) -> Handler:
        """The handler (a view class is a handler too: calling it makes an awaitable)."""
        return self._handler

    @property
    @abc.abstractmethod
    def name(self) -> Optional[str]:
        """The name of the route's resource."""

    @property
    def resource(self) -> Optional[AbstractResource]:
        """The resource the route belongs to."""
        return self._resource

    @abc.abstractmethod
    def get_info(self) -> _InfoDict:
        """Describe the route's resource."""

    @abc.abstractmethod
    def url_for(self, *args: str, **kwargs: str) -> URL:
        """Build a URL to the route's resource."""

    async def handle_expect_header(self, request: Request) -> Optional[StreamResponse]:
        """Run the route's ``Expect`` handler."""
        return await self._expect_handler(request)


class ResourceRoute(AbstractRoute):
    """A route of a :class:`Resource`."""

    def __init__(
        self,
        method: str,
        handler: _HandlerType,
        resource: AbstractResource,
        *,
        expect_handler: Optional[_ExpectHandler] = None,
    ) -> None:
        super().__init__(method, handler, expect_handler=expect_handler, resource=resource)

    @property
    def name(self) -> Optional[str]:
        resource = self._resource
        return None if resource is None else resource.name

    def url_for(self, *args: str, **kwargs: str) -> URL:
        """Build a URL to the route's resource (its ``url_for`` arguments)."""
        assert self._resource is not None  # a ResourceRoute always has one
        return self._resource.url_for(*args, **kwargs)

    def get_info(self) -> _InfoDict:
        assert self._resource is not None
        return self._resource.get_info()

    def __repr__(self) -> str:
        return f"<ResourceRoute [{self.method}] {self._resource} -> {self.handler!r}>"


class SystemRoute(AbstractRoute):
    """The route of a :class:`MatchInfoError`: its handler raises the HTTP error."""

    def __init__(self, http_exception: HTTPException) -> None:
        # Built for every unmatched request: the checks a user's route needs are skipped.
        self._method = hdrs.METH_ANY
        self._handler = self._handle
        self._expect_handler = default_expect_handler
        self._resource = None
        self._http_exception = http_exception

    def url_for(self, *args: str, **kwargs: str) -> URL:
        raise RuntimeError(".url_for() is not allowed for SystemRoute")

    @property
    def name(self) -> Optional[str]:
        return None

    def get_info(self) -> _InfoDict:
        return {"http_exception": self._http_exception}

    async def _handle(self, request: Request) -> StreamResponse:
        raise self._http_exception

    @property
    def status(self) -> int:
        """The error's status code."""
        return self._http_exception.status

    @property
    def reason(self) -> str:
        """The error's reason phrase."""
        return self._http_exception.reason

    def __repr__(self) -> str:
        return f"<SystemRoute {self.status}: {self.reason}>"


# --- match results -----------------------------------------------------------------------


class UrlMappingMatchInfo(dict[str, str], AbstractMatchInfo):
    """What :meth:`UrlDispatcher.resolve` found: the matched variables (as a dict), the
    route, and the applications the match went through (outermost first)."""

    __slots__ = ("_apps", "_current_app", "_frozen", "_route")

    def __init__(self, match_dict: dict[str, str], route: AbstractRoute) -> None:
        dict.__init__(self, match_dict)  # not super(): this runs once per request
        self._route = route
        self._apps: list[Application] = []
        self._current_app: Optional[Application] = None
        self._frozen = False

    @property
    def handler(self) -> Handler:
        return self._route.handler

    @property
    def route(self) -> AbstractRoute:
        """The matched route."""
        return self._route

    @property
    def expect_handler(self) -> _ExpectHandler:
        return self._route.handle_expect_header

    @property
    def http_exception(self) -> Optional[HTTPException]:
        return None

    def get_info(self) -> _InfoDict:  # type: ignore[override]  # a TypedDict of the keys
        return self._route.get_info()

    @property
    def apps(self) -> tuple[Application, ...]:
        return tuple(self._apps)

    def add_app(self, app: Application) -> None:
        """Record that the match went through ``app`` (added outside the ones before)."""
        if self._frozen:
            raise RuntimeError("Cannot change apps stack after .freeze() call")
        if self._current_app is None:
            self._current_app = app
        self._apps.insert(0, app)

    @property
    def current_app(self) -> Application:
        """The application whose code runs now (``request.app``): the innermost one, or
        the one :meth:`set_current_app` chose."""
        app = self._current_app
        if app is None:
            raise RuntimeError("The match info does not belong to an application yet")
        return app

    @contextmanager
    def set_current_app(self, app: Application) -> Generator[None, None, None]:
        """Make ``app`` (one of :attr:`apps`) the current application inside the block."""
        if app not in self._apps:
            raise RuntimeError(f"Expected one of the following apps {self._apps!r}, got {app!r}")
        previous = self._current_app
        self._current_app = app
        try:
            yield
        finally:
            self._current_app = previous

    def freeze(self) -> None:
        self._frozen = True

    def __repr__(self) -> str:
        return f"<MatchInfo {super().__repr__()}: {self._route}>"


class MatchInfoError(UrlMappingMatchInfo):
    """The match info of a request no route answers: its handler raises the 404/405."""

    __slots__ = ("_exception",)

    def __init__(self, http_exception: HTTPException) -> None:
        self._exception = http_exception
        super().__init__({}, SystemRoute(http_exception))

    @property
    def http_exception(self) -> HTTPException:
        return self._exception

    def __repr__(self) -> str:
        return f"<MatchInfoError {self._exception.status}: {self._exception.reason}>"


# --- class-based views -------------------------------------------------------------------


class View(AbstractView):
    """A class-based handler: the method named after the request's method (``get``,
    ``post`` ...) answers; others get 405 with ``Allow`` listing the defined ones."""

    async def _iter(self) -> StreamResponse:
        method = self.request.method
        if method not in hdrs.METH_ALL:
            self._raise_allowed_methods()
        handler = cast(
            Optional[Callable[[], Awaitable[StreamResponse]]], getattr(self, method.lower(), None)
        )
        if handler is None:
            self._raise_allowed_methods()
        return await handler()

    def __await__(self) -> Generator[object, None, StreamResponse]:
        return self._iter().__await__()

    def _raise_allowed_methods(self) -> NoReturn:
        allowed = {method for method in hdrs.METH_ALL if hasattr(self, method.lower())}
        raise HTTPMethodNotAllowed(self.request.method, allowed)


# --- the router --------------------------------------------------------------------------


class ResourcesView(Sized, Iterable[AbstractResource], Container[AbstractResource]):
    """A read-only view of a router's resources."""

    def __init__(self, resources: list[AbstractResource]) -> None:
        self._resources = resources

    def __len__(self) -> int:
        return len(self._resources)

    def __iter__(self) -> Iterator[AbstractResource]:
        return iter(self._resources)

    def __contains__(self, resource: object) -> bool:
        return resource in self._resources


class RoutesView(Sized, Iterable[AbstractRoute], Container[AbstractRoute]):
    """A read-only snapshot of a router's routes."""

    def __init__(self, resources: list[AbstractResource]) -> None:
        self._routes: list[AbstractRoute] = [route for res in resources for route in res]

    def __len__(self) -> int:
        return len(self._routes)

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(self._routes)

    def __contains__(self, route: object) -> bool:
        return route in self._routes


class _ExpectOption(TypedDict, total=False):
    expect_handler: Optional[_ExpectHandler]


class _RouteOptions(_ExpectOption, total=False):
    name: Optional[str]


_RESOURCE_RESOLVE: Final = Resource.resolve


class UrlDispatcher(AbstractRouter, Mapping[str, AbstractResource]):
    """The default router: resources in registration order, named ones reachable as
    ``router[name]``, resolved through a prefix index (see the module docstring)."""

    NAME_SPLIT_RE = NAME_SPLIT_RE

    def __init__(self) -> None:
        super().__init__()
        self._resources: list[AbstractResource] = []
        self._named_resources: dict[str, AbstractResource] = {}
        self._resource_index: dict[str, list[AbstractResource]] = {}
        self._matched_sub_app_resources: list[MatchedSubAppResource] = []

    async def resolve(self, request: Request) -> UrlMappingMatchInfo:
        """The match for ``request``; a :class:`MatchInfoError` (404, or 405 with the
        allowed methods) when no route answers it."""
        match_info = self._resolve_nowait(request)
        if match_info is not None:
            return match_info
        return await self._resolve_each(request)

    async def _resolve_each(self, request: Request) -> UrlMappingMatchInfo:
        """:meth:`resolve` asking every candidate resource (and domain sub-application)
        through its own ``resolve`` coroutine: the general path."""
        allowed_methods: set[str] = set()
        # A sub-application whose domain rule matches answers the whole request.
        for sub_app in self._matched_sub_app_resources:
            match_info, allowed = await sub_app.resolve(request)
            if match_info is not None:
                return match_info
        index = self._resource_index
        part = request.rel_url.path_safe
        while True:
            for resource in index.get(part, ()):
                match_info, allowed = await resource.resolve(request)
                if match_info is not None:
                    return match_info
                allowed_methods |= allowed
            if len(part) <= 1:
                break
            part = part.rpartition("/")[0] or "/"
        if allowed_methods:
            return MatchInfoError(HTTPMethodNotAllowed(request.method, allowed_methods))
        return MatchInfoError(HTTPNotFound())

    def _resolve_nowait(self, request: Request) -> Optional[UrlMappingMatchInfo]:
        """:meth:`resolve` without a coroutine per resource tried, when every candidate is
        a plain :class:`Resource` (their ``resolve`` is a sync match); None when one is not
        (or a domain sub-application exists), for :meth:`resolve` to do it all."""
        if self._matched_sub_app_resources:
            return None
        allowed_methods: Optional[set[str]] = None
        index = self._resource_index
        path = part = request.rel_url.path_safe
        method = request.method
        while True:
            for resource in index.get(part, ()):
                if type(resource).resolve is not _RESOURCE_RESOLVE:
                    return None
                plain = cast(Resource, resource)  # its resolve is Resource's
                match_dict = plain._match(path)
                if match_dict is None:
                    continue
                route = plain._routes.get(method, plain._any_route)
                if route is not None:
                    return UrlMappingMatchInfo(match_dict, route)
                if allowed_methods is None:
                    allowed_methods = set(plain._allowed_methods)
                else:
                    allowed_methods |= plain._allowed_methods
            if len(part) <= 1:
                break
            part = part.rpartition("/")[0] or "/"
        if allowed_methods:
            return MatchInfoError(HTTPMethodNotAllowed(method, allowed_methods))
        return MatchInfoError(HTTPNotFound())

    def __iter__(self) -> Iterator[str]:
        return iter(self._named_resources)

    def __len__(self) -> int:
        return len(self._named_resources)

    def __contains__(self, resource: object) -> bool:
        return resource in self._named_resources

    def __getitem__(self, name: str) -> AbstractResource:
        return self._named_resources[name]

    def resources(self) -> ResourcesView:
        """Every resource, in registration order."""
        return ResourcesView(self._resources)

    def routes(self) -> RoutesView:
        """Every route, in registration order."""
        return RoutesView(self._resources)

    def named_resources(self) -> Mapping[str, AbstractResource]:
        """The named resources, read-only."""
        return MappingProxyType(self._named_resources)

    def register_resource(self, resource: AbstractResource) -> None:
        """Add ``resource``; refused once frozen, or if its name is invalid or taken."""
        if not isinstance(resource, AbstractResource):
            raise TypeError(f"Instance of AbstractResource class is required, got {resource!r}")
        if self.frozen:
            raise RuntimeError("Cannot register a resource into frozen router.")
        name = resource.name
        if name is not None:
            check_route_name(name)
            if name in self._named_resources:
                raise ValueError(
                    f"Duplicate {name!r}, already handled by {self._named_resources[name]!r}"
                )
            self._named_resources[name] = resource
        self._resources.append(resource)
        if isinstance(resource, MatchedSubAppResource):
            self._matched_sub_app_resources.append(resource)
        else:
            self.index_resource(resource)

    def index_resource(self, resource: AbstractResource) -> None:
        """Add ``resource`` to the prefix index (its key may change with ``add_prefix``).

        Domain-matched sub-applications are not indexed: they are tried before it.
        """
        if not isinstance(resource, MatchedSubAppResource):
            self._resource_index.setdefault(resource._index_key(), []).append(resource)

    def unindex_resource(self, resource: AbstractResource) -> None:
        """Remove ``resource`` from the prefix index."""
        key = resource._index_key()
        bucket = self._resource_index.get(key, [])
        if resource in bucket:
            bucket.remove(resource)
            if not bucket:
                del self._resource_index[key]

    def add_resource(self, path: str, *, name: Optional[str] = None) -> Resource:
        """The resource for ``path`` (reusing the last one added for the same path and
        name), plain or dynamic as the path says."""
        check_path(path)
        if self._resources:
            last = self._resources[-1]
            if isinstance(last, Resource) and last.name == name and last.raw_match(path):
                return last
        resource: Resource
        if is_template(path):
            resource = DynamicResource(path, name=name)
        else:
            resource = PlainResource(path, name=name)
        self.register_resource(resource)
        return resource

    def add_route(
        self,
        method: str,
        path: str,
        handler: _HandlerType,
        *,
        name: Optional[str] = None,
        expect_handler: Optional[_ExpectHandler] = None,
    ) -> AbstractRoute:
        """Route ``method`` on ``path`` to ``handler``."""
        resource = self.add_resource(path, name=name)
        return resource.add_route(method, handler, expect_handler=expect_handler)

    def add_head(
        self, path: str, handler: Handler, **kwargs: Unpack[_RouteOptions]
    ) -> AbstractRoute:
        """Route ``HEAD`` on ``path``."""
        return self.add_route(hdrs.METH_HEAD, path, handler, **kwargs)

    def add_options(
        self, path: str, handler: Handler, **kwargs: Unpack[_RouteOptions]
    ) -> AbstractRoute:
        """Route ``OPTIONS`` on ``path``."""
        return self.add_route(hdrs.METH_OPTIONS, path, handler, **kwargs)

    def add_get(
        self,
        path: str,
        handler: Handler,
        *,
        name: Optional[str] = None,
        allow_head: bool = True,
        **kwargs: Unpack[_ExpectOption],
    ) -> AbstractRoute:
        """Route ``GET`` on ``path`` (and ``HEAD`` too unless ``allow_head=False``)."""
        resource = self.add_resource(path, name=name)
        expect_handler = kwargs.get("expect_handler")
        if allow_head:
            resource.add_route(hdrs.METH_HEAD, handler, expect_handler=expect_handler)
        return resource.add_route(hdrs.METH_GET, handler, expect_handler=expect_handler)

    def add_post(
        self, path: str, handler: Handler, **kwargs: Unpack[_RouteOptions]
    ) -> AbstractRoute:
        """Route ``POST`` on ``path``."""
        return self.add_route(hdrs.METH_POST, path, handler, **kwargs)

    def add_put(
        self, path: str, handler: Handler, **kwargs: Unpack[_RouteOptions]
    ) -> AbstractRoute:
        """Route ``PUT`` on ``path``."""
        return self.add_route(hdrs.METH_PUT, path, handler, **kwargs)

    def add_patch(
        self, path: str, handler: Handler, **kwargs: Unpack[_RouteOptions]
    ) -> AbstractRoute:
        """Route ``PATCH`` on ``path``."""
        return self.add_route(hdrs.METH_PATCH, path, handler, **kwargs)

    def add_delete(
        self, path: str, handler: Handler, **kwargs: Unpack[_RouteOptions]
    ) -> AbstractRoute:
        """Route ``DELETE`` on ``path``."""
        return self.add_route(hdrs.METH_DELETE, path, handler, **kwargs)

    def add_view(
        self, path: str, handler: type[AbstractView], **kwargs: Unpack[_RouteOptions]
    ) -> AbstractRoute:
        """Route every method on ``path`` to the view class ``handler``."""
        return self.add_route(hdrs.METH_ANY, path, handler, **kwargs)

    def add_static(
        self,
        prefix: str,
        path: PathLike,
        *,
        name: Optional[str] = None,
        expect_handler: Optional[_ExpectHandler] = None,
        chunk_size: int = 256 * 1024,
        show_index: bool = False,
        follow_symlinks: bool = False,
        append_version: bool = False,
    ) -> AbstractResource:
        """Serve the files under directory ``path`` at URL ``prefix`` (see
        :class:`StaticResource`)."""
        if not prefix.startswith("/"):
            raise ValueError(f"Static prefix must start with '/', got {prefix!r}")
        resource = StaticResource(
            prefix,
            path,
            name=name,
            expect_handler=expect_handler,
            chunk_size=chunk_size,
            show_index=show_index,
            follow_symlinks=follow_symlinks,
            append_version=append_version,
        )
        self.register_resource(resource)
        return resource

    def add_routes(self, routes: Iterable[AbstractRouteDef]) -> list[AbstractRoute]:
        """Register route definitions (``web.get(...)``, a ``RouteTableDef`` ...)."""
        registered: list[AbstractRoute] = []
        for route_def in routes:
            registered.extend(route_def.register(self))
        return registered

    def freeze(self) -> None:
        """Forbid new resources and rebuild the index from the final paths."""
        super().freeze()
        for resource in self._resources:
            resource.freeze()
        self._resource_index.clear()
        for resource in self._resources:
            self.index_resource(resource)
