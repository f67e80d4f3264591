"""Type aliases shared by the public API.

The ``Loose*`` aliases and :data:`StrOrURL` / :data:`Query` describe what public functions
accept; code inside the package normalises them once, on entry, into exact types.
The server-side aliases (``Handler``, ``Middleware``) join this module with the server.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from http.cookies import BaseCookie, Morsel
from typing import Any, Union

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy, istr
from yarl import URL
from yarl import Query as _Query

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
