"""Type aliases shared by the public API.

The ``Loose*`` aliases and :data:`StrOrURL` / :data:`Query` describe what public functions
accept; code inside the package normalises them once, on entry, into exact types.
``Handler`` and ``Middleware`` name the server's request handler and middleware shapes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping
from http.cookies import BaseCookie, Morsel
from typing import TYPE_CHECKING, Any, Protocol, Union

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy, istr
from yarl import URL, Query as _Query

# Decoded JSON is arbitrary: these two are where ``Any`` is the honest type.
JSONEncoder = Callable[[Any], str]
JSONDecoder = Callable[[str], Any]

Byteish = Union[bytes, bytearray, memoryview]

LooseHeaders = Union[
    Mapping[str, str],
    Mapping[istr, str],
    "CIMultiDict[str]",
    "CIMultiDictProxy[str]",
    "MultiDict[str]",
    "MultiDictProxy[str]",
    Iterable[tuple[Union[str, istr], str]],
]
RawHeaders = tuple[tuple[bytes, bytes], ...]
StrOrURL = Union[str, URL]

LooseCookiesMappings = Mapping[str, Union[str, "BaseCookie[str]", "Morsel[Any]"]]
LooseCookiesIterables = Iterable[tuple[str, Union[str, "BaseCookie[str]", "Morsel[Any]"]]]
LooseCookies = Union[LooseCookiesMappings, LooseCookiesIterables, "BaseCookie[str]"]

PathLike = Union[str, "os.PathLike[str]"]
Query = _Query

DEFAULT_JSON_ENCODER: JSONEncoder = json.dumps
DEFAULT_JSON_DECODER: JSONDecoder = json.loads

if TYPE_CHECKING:
    from .web_request import Request
    from .web_response import StreamResponse

#: A web request handler: ``async def handler(request) -> StreamResponse``.
Handler = Callable[["Request"], Awaitable["StreamResponse"]]


class Middleware(Protocol):
    """A new-style web middleware: ``async def mw(request, handler) -> StreamResponse``."""

    def __call__(self, request: Request, handler: Handler) -> Awaitable[StreamResponse]: ...
