"""Route definitions: routes described as values, registered later with
``app.add_routes()`` / ``router.add_routes()``.

``web.get("/", handler)`` and friends build a :class:`RouteDef`, ``web.static(...)`` a
:class:`StaticDef`; a :class:`RouteTableDef` collects them through decorators
(``@routes.get("/")``) and is itself a sequence of definitions.  The decorators return the
handler unchanged, with its own type.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Optional, TypedDict, TypeVar, Union, overload

import attr
from typing_extensions import Unpack

from . import hdrs
from ._web_handlers import ExpectHandler, HandlerType
from .abc import AbstractView
from .typedefs import PathLike

if TYPE_CHECKING:
    from .web_urldispatcher import AbstractRoute, UrlDispatcher

    _AnySlice = slice[Optional[int], Optional[int], Optional[int]]

__all__ = (
    "AbstractRouteDef",
    "RouteDef",
    "StaticDef",
    "RouteTableDef",
    "head",
    "options",
    "get",
    "post",
    "patch",
    "put",
    "delete",
    "route",
    "view",
    "static",
)

_HandlerT = TypeVar("_HandlerT", bound=HandlerType)
_ViewT = TypeVar("_ViewT", bound=type[AbstractView])


class _ExpectOption(TypedDict, total=False):
    expect_handler: Optional[ExpectHandler]


class _NamedOptions(_ExpectOption, total=False):
    name: Optional[str]


class _RouteOptions(_NamedOptions, total=False):
    """What a route definition may pass on (``allow_head`` only for ``GET``)."""

    allow_head: bool


class _StaticOptions(_NamedOptions, total=False):
    chunk_size: int
    show_index: bool
    follow_symlinks: bool
    append_version: bool


def _options_repr(options: object) -> str:
    assert isinstance(options, dict)
    return "".join(f", {key}={value!r}" for key, value in sorted(options.items()))


class AbstractRouteDef(abc.ABC):
    """A definition that can add itself to a router."""

    @abc.abstractmethod
    def register(self, router: UrlDispatcher) -> list[AbstractRoute]:
        """Add the defined routes to ``router`` and return them."""


@attr.s(auto_attribs=True, frozen=True, repr=False, slots=True)
class RouteDef(AbstractRouteDef):
    """``method`` on ``path`` handled by ``handler``; ``kwargs`` go to the router."""

    method: str
    path: str
    handler: HandlerType
    kwargs: _RouteOptions

    def __repr__(self) -> str:
        name = getattr(self.handler, "__name__", repr(self.handler))
        info = _options_repr(self.kwargs)
        return f"<RouteDef {self.method} {self.path} -> {name!r}{info}>"

    def register(self, router: UrlDispatcher) -> list[AbstractRoute]:
        options = self.kwargs
        method = self.method.upper()
        if method == hdrs.METH_GET:
            return [router.add_get(self.path, self.handler, **options)]
        if "allow_head" in options:
            raise TypeError(f"allow_head applies to GET routes only, not to {method}")
        name = options.get("name")
        expect_handler = options.get("expect_handler")
        adders = {
            hdrs.METH_HEAD: router.add_head,
            hdrs.METH_POST: router.add_post,
            hdrs.METH_PUT: router.add_put,
            hdrs.METH_PATCH: router.add_patch,
            hdrs.METH_DELETE: router.add_delete,
            hdrs.METH_OPTIONS: router.add_options,
        }
        adder = adders.get(method)
        if adder is not None:
            return [adder(self.path, self.handler, name=name, expect_handler=expect_handler)]
        route = router.add_route(
            method, self.path, self.handler, name=name, expect_handler=expect_handler
        )
        return [route]


@attr.s(auto_attribs=True, frozen=True, repr=False, slots=True)
class StaticDef(AbstractRouteDef):
    """The files under directory ``path`` served at ``prefix``; ``kwargs`` go to
    ``add_static()``."""

    prefix: str
    path: PathLike
    kwargs: _StaticOptions

    def __repr__(self) -> str:
        return f"<StaticDef {self.prefix} -> {self.path}{_options_repr(self.kwargs)}>"

    def register(self, router: UrlDispatcher) -> list[AbstractRoute]:
        resource = router.add_static(self.prefix, self.path, **self.kwargs)
        routes = resource.get_info().get("routes", {})
        return list(routes.values())


def route(
    method: str, path: str, handler: HandlerType, **kwargs: Unpack[_RouteOptions]
) -> RouteDef:
    """Define ``method`` on ``path``."""
    return RouteDef(method, path, handler, kwargs)


def head(path: str, handler: HandlerType, **kwargs: Unpack[_NamedOptions]) -> RouteDef:
    """Define ``HEAD`` on ``path``."""
    return route(hdrs.METH_HEAD, path, handler, **kwargs)


def options(path: str, handler: HandlerType, **kwargs: Unpack[_NamedOptions]) -> RouteDef:
    """Define ``OPTIONS`` on ``path``."""
    return route(hdrs.METH_OPTIONS, path, handler, **kwargs)


def get(
    path: str,
    handler: HandlerType,
    *,
    name: Optional[str] = None,
    allow_head: bool = True,
    **kwargs: Unpack[_ExpectOption],
) -> RouteDef:
    """Define ``GET`` on ``path`` (and ``HEAD`` unless ``allow_head=False``)."""
    return route(hdrs.METH_GET, path, handler, name=name, allow_head=allow_head, **kwargs)


def post(path: str, handler: HandlerType, **kwargs: Unpack[_NamedOptions]) -> RouteDef:
    """Define ``POST`` on ``path``."""
    return route(hdrs.METH_POST, path, handler, **kwargs)


def put(path: str, handler: HandlerType, **kwargs: Unpack[_NamedOptions]) -> RouteDef:
    """Define ``PUT`` on ``path``."""
    return route(hdrs.METH_PUT, path, handler, **kwargs)


def patch(path: str, handler: HandlerType, **kwargs: Unpack[_NamedOptions]) -> RouteDef:
    """Define ``PATCH`` on ``path``."""
    return route(hdrs.METH_PATCH, path, handler, **kwargs)


def delete(path: str, handler: HandlerType, **kwargs: Unpack[_NamedOptions]) -> RouteDef:
    """Define ``DELETE`` on ``path``."""
    return route(hdrs.METH_DELETE, path, handler, **kwargs)


def view(path: str, handler: type[AbstractView], **kwargs: Unpack[_NamedOptions]) -> RouteDef:
    """Define every method on ``path``, answered by the view class ``handler``."""
    return route(hdrs.METH_ANY, path, handler, **kwargs)


def static(prefix: str, path: PathLike, **kwargs: Unpack[_StaticOptions]) -> StaticDef:
    """Define the files under directory ``path`` served at ``prefix``."""
    return StaticDef(prefix, path, kwargs)


class RouteTableDef(Sequence[AbstractRouteDef]):
    """Route definitions collected with decorators.

    Usage::

        routes = web.RouteTableDef()

        @routes.get("/")
        async def index(request: web.Request) -> web.Response: ...

        app.add_routes(routes)
    """

    def __init__(self) -> None:
        self._items: list[AbstractRouteDef] = []

    def __repr__(self) -> str:
        return f"<RouteTableDef count={len(self._items)}>"

    @overload
    def __getitem__(self, index: int) -> AbstractRouteDef: ...

    @overload
    def __getitem__(self, index: _AnySlice) -> list[AbstractRouteDef]: ...

    def __getitem__(
        self, index: Union[int, _AnySlice]
    ) -> Union[AbstractRouteDef, list[AbstractRouteDef]]:
        return self._items[index]

    def __iter__(self) -> Iterator[AbstractRouteDef]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def route(
        self, method: str, path: str, **kwargs: Unpack[_RouteOptions]
    ) -> Callable[[_HandlerT], _HandlerT]:
        """Decorate a handler of ``method`` on ``path``."""

        def inner(handler: _HandlerT) -> _HandlerT:
            self._items.append(RouteDef(method, path, handler, kwargs))
            return handler

        return inner

    def head(self, path: str, **kwargs: Unpack[_NamedOptions]) -> Callable[[_HandlerT], _HandlerT]:
        """Decorate the ``HEAD`` handler of ``path``."""
        return self.route(hdrs.METH_HEAD, path, **kwargs)

    def get(self, path: str, **kwargs: Unpack[_RouteOptions]) -> Callable[[_HandlerT], _HandlerT]:
        """Decorate the ``GET`` handler of ``path`` (``HEAD`` too unless
        ``allow_head=False``)."""
        return self.route(hdrs.METH_GET, path, **kwargs)

    def post(self, path: str, **kwargs: Unpack[_NamedOptions]) -> Callable[[_HandlerT], _HandlerT]:
        """Decorate the ``POST`` handler of ``path``."""
        return self.route(hdrs.METH_POST, path, **kwargs)

    def put(self, path: str, **kwargs: Unpack[_NamedOptions]) -> Callable[[_HandlerT], _HandlerT]:
        """Decorate the ``PUT`` handler of ``path``."""
        return self.route(hdrs.METH_PUT, path, **kwargs)

    def patch(self, path: str, **kwargs: Unpack[_NamedOptions]) -> Callable[[_HandlerT], _HandlerT]:
        """Decorate the ``PATCH`` handler of ``path``."""
        return self.route(hdrs.METH_PATCH, path, **kwargs)

    def delete(
        self, path: str, **kwargs: Unpack[_NamedOptions]
    ) -> Callable[[_HandlerT], _HandlerT]:
        """Decorate the ``DELETE`` handler of ``path``."""
        return self.route(hdrs.METH_DELETE, path, **kwargs)

    def options(
        self, path: str, **kwargs: Unpack[_NamedOptions]
    ) -> Callable[[_HandlerT], _HandlerT]:
        """Decorate the ``OPTIONS`` handler of ``path``."""
        return self.route(hdrs.METH_OPTIONS, path, **kwargs)

    def view(self, path: str, **kwargs: Unpack[_NamedOptions]) -> Callable[[_ViewT], _ViewT]:
        """Decorate the view class answering every method on ``path``."""

        def inner(handler: _ViewT) -> _ViewT:
            return self.route(hdrs.METH_ANY, path, **kwargs)(handler)

        return inner

    def static(self, prefix: str, path: PathLike, **kwargs: Unpack[_StaticOptions]) -> None:
        """Serve the files under directory ``path`` at ``prefix``."""
        self._items.append(StaticDef(prefix, path, kwargs))
