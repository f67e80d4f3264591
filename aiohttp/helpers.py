"""Public helpers of aiohttp 3.13: ``BasicAuth``, ``ETag``, ``AppKey``, ``ChainMapProxy``,
``reify``, MIME type and Content-Disposition helpers, HTTP date and IP literal checks, future
helpers and the empty-body rules.

Keep this module to aiohttp's helpers: new private machinery gets a module of its own. The
timers (``BaseTimerContext`` ...) live in :mod:`aiohttp._timers` and are re-exported here under
their 3.13 names; character classes and header-text checks live in :mod:`aiohttp._header_text`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import datetime
import enum
import functools
import ipaddress
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from email.utils import parsedate_tz
from pathlib import Path
from types import FrameType
from typing import (
    Any,
    Final,
    Generic,
    NamedTuple,
    Optional,
    Protocol,
    TypeAlias,
    TypeVar,
    Union,
    cast,
    final,
    get_args,
    overload,
)
from urllib.parse import quote

import attr
from multidict import MultiDict, MultiDictProxy
from typing_extensions import Never, Self
from yarl import URL

from . import hdrs
from ._header_text import (
    QUOTABLE_CHARS,
    is_token,
    quote_pairs,
    refuse_line_breaks,
    rfc5987_value,
)
from ._timers import (
    BaseTimerContext as BaseTimerContext,
    TimerContext as TimerContext,
    TimerNoop as TimerNoop,
    ceil_deadline as ceil_deadline,
)

__all__ = ("BasicAuth", "ChainMapProxy", "ETag", "reify")

_T = TypeVar("_T")
_S = TypeVar("_S")

# What application state stores under a plain ``str`` key is arbitrary user data.
_UserValue: TypeAlias = Any  # type: ignore[explicit-any]  # the one place helpers spells Any


class _SENTINEL(enum.Enum):
    sentinel = enum.auto()


sentinel: Final = _SENTINEL.sentinel


# --- Credentials -------------------------------------------------------------------------


def _check_credential(value: object, what: str) -> None:
    if value is None:
        raise ValueError(f"None is not allowed as {what} value")
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    refuse_line_breaks(value, what)


class _BasicAuthFields(NamedTuple):
    login: str
    password: str
    encoding: str


class BasicAuth(_BasicAuthFields):
    """HTTP Basic Authentication credentials (RFC 7617): a ``(login, password, encoding)`` tuple.

    ``login`` may not contain ``":"`` (it separates login from password on the wire); neither
    field may contain CR, LF or NUL. Both raise :class:`ValueError`, as does ``None``.
    ``encoding`` is the charset the pair is encoded with before base64.
    """

    __slots__ = ()

    def __new__(cls, login: str, password: str = "", encoding: str = "latin1") -> Self:
        _check_credential(login, "login")
        _check_credential(password, "password")
        if ":" in login:
            raise ValueError('A ":" is not allowed in login (RFC 7617 section 2)')
        return super().__new__(cls, login, password, encoding)

    @classmethod
    def decode(cls, auth_header: str, encoding: str = "latin1") -> Self:
        """Parse an ``Authorization: Basic ...`` header value.

        Raises :class:`ValueError` when the scheme is not ``Basic``, the base64 is malformed,
        the bytes are not valid in ``encoding`` or there is no ``":"`` separator.
        """
        scheme, _, credentials = auth_header.strip().partition(" ")
        credentials = credentials.strip()
        if not scheme or not credentials:
            raise ValueError("Could not parse authorization header.")
        if scheme.lower() != "basic":
            raise ValueError(f"Unknown authorization method {scheme}")
        try:
            raw = base64.b64decode(credentials.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            raise ValueError("Invalid base64 encoding.") from None
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ValueError(f"Credentials are not valid {encoding}.") from exc
        login, sep, password = text.partition(":")
        if not sep:
            raise ValueError("Invalid credentials.")
        return cls(login, password, encoding=encoding)

    @classmethod
    def from_url(cls, url: URL, *, encoding: str = "latin1") -> Optional[Self]:
        """Credentials from the user-info part of ``url``, or ``None`` when it has none."""
        if not isinstance(url, URL):
            raise TypeError("url should be yarl.URL instance")
        if url.raw_user is None and url.raw_password is None:
            return None
        return cls(url.user or "", url.password or "", encoding=encoding)

    def encode(self) -> str:
        """The ``Authorization`` header value: ``"Basic " + base64(login:password)``.

        Raises :class:`UnicodeEncodeError` (a :class:`ValueError`) when the credentials cannot
        be represented in :attr:`encoding`.
        """
        raw = f"{self.login}:{self.password}".encode(self.encoding)
        return "Basic " + base64.b64encode(raw).decode("ascii")


@attr.s(auto_attribs=True, frozen=True, slots=True)
class ETag:
    """An entity tag (RFC 9110 section 8.8.3): the opaque ``value`` and whether it is weak."""

    value: str
    is_weak: bool = False


# --- Typed keys and the read-only chain of mappings --------------------------------------


def _calling_module() -> str:
    """Name of the module whose top-level code is running the caller's caller."""
    frame: Optional[FrameType] = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == "<module>":
            return str(frame.f_globals.get("__name__", ""))
        frame = frame.f_back
    return ""


def _type_repr(t: object) -> str:
    if isinstance(t, type):
        if t.__module__ == "builtins":
            return t.__qualname__
        return f"{t.__module__}.{t.__qualname__}"
    return repr(t)


@final
class AppKey(Generic[_T]):
    """A typed key for application state: ``app[key]`` is typed as the key's ``T``.

    The name is qualified with the module that creates the key, so two libraries picking the
    same short name do not collide. Keys compare by identity and hash like any object.
    """

    __slots__ = ("__orig_class__", "_name", "_t")

    def __init__(self, name: str, t: Optional[type[_T]] = None) -> None:
        module = _calling_module()
        self._name = f"{module}.{name}" if module else name
        self._t = t

    def __lt__(self, other: object) -> bool:
        # Lets ``sorted()`` order a mix of AppKeys and str keys: AppKeys first, then by name.
        if isinstance(other, AppKey):
            return self._name < other._name
        if isinstance(other, str):
            return True
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if isinstance(other, AppKey):
            return self._name > other._name
        if isinstance(other, str):
            return False
        return NotImplemented

    def __repr__(self) -> str:
        t: object = self._t
        if t is None:
            args = get_args(getattr(self, "__orig_class__", None))
            t = args[0] if args else None
        t_repr = "<<Unknown>>" if t is None else _type_repr(t)
        return f"<AppKey({self._name}, type={t_repr})>"


@final
class ChainMapProxy(Mapping[Union[str, AppKey[_UserValue]], _UserValue]):
    """A read-only view over several mappings, searched in order (like :class:`ChainMap`).

    An :class:`AppKey` ``[T]`` lookup is typed ``T``; ``str`` keys hold arbitrary values.
    """

    __slots__ = ("_maps",)

    def __init__(self, maps: Iterable[Mapping[Union[str, AppKey[_UserValue]], _UserValue]]) -> None:
        self._maps = tuple(maps)

    def __init_subclass__(cls, **kwargs: object) -> None:
        raise TypeError(f"Inheritance class {cls.__name__} from ChainMapProxy is forbidden")

    @overload
    def __getitem__(self, key: AppKey[_T]) -> _T: ...

    @overload
    def __getitem__(self, key: str) -> _UserValue: ...

    def __getitem__(self, key: Union[str, AppKey[_T]]) -> _UserValue:
        for mapping in self._maps:
            try:
                return mapping[key]
            except KeyError:
                pass
        raise KeyError(key)

    @overload  # type: ignore[override]
    def get(self, key: AppKey[_T], default: _S) -> Union[_T, _S]: ...

    @overload
    def get(self, key: AppKey[_T], default: None = None) -> Optional[_T]: ...

    @overload
    def get(self, key: str, default: _UserValue = None) -> _UserValue: ...

    def get(self, key: Union[str, AppKey[_T]], default: object = None) -> object:
        """``self[key]``, or ``default`` when no mapping holds ``key``."""
        for mapping in self._maps:
            try:
                return mapping[key]
            except KeyError:
                pass
        return default

    def __len__(self) -> int:
        return len(set().union(*self._maps))

    def __iter__(self) -> Iterator[Union[str, AppKey[_UserValue]]]:
        # Same order as collections.ChainMap: the last mapping's keys first.
        merged: dict[Union[str, AppKey[_UserValue]], None] = {}
        for mapping in reversed(self._maps):
            merged.update(dict.fromkeys(mapping))
        return iter(merged)

    def __contains__(self, key: object) -> bool:
        return any(key in mapping for mapping in self._maps)

    def __bool__(self) -> bool:
        return any(self._maps)

    def __repr__(self) -> str:
        return f"ChainMapProxy({', '.join(map(repr, self._maps))})"


# --- reify -------------------------------------------------------------------------------


class _HasCache(Protocol):
    _cache: dict[str, object]


_Owner = TypeVar("_Owner", bound=_HasCache)


class reify(Generic[_Owner, _T]):
    """A read-only property computed once per instance and kept in the instance's ``_cache``.

    The owner class provides ``_cache: dict[str, object]`` (so it can use ``__slots__``); the
    value is stored there under the method's name. Assigning to the attribute raises
    :class:`AttributeError`; ``del obj._cache[name]`` forces recomputation.
    """

    # ``wrapped`` and ``name`` are slots; ``__dict__`` stays so each instance carries the
    # wrapped method's docstring as its own ``__doc__``.
    __slots__ = ("__dict__", "name", "wrapped")

    def __init__(self, wrapped: Callable[[_Owner], _T]) -> None:
        self.wrapped = wrapped
        self.name = wrapped.__name__
        self.__doc__ = wrapped.__doc__

    @overload
    def __get__(self, inst: None, owner: Optional[type[object]] = None) -> Self: ...

    @overload
    def __get__(self, inst: _Owner, owner: Optional[type[object]] = None) -> _T: ...

    def __get__(
        self, inst: Optional[_Owner], owner: Optional[type[object]] = None
    ) -> Union[_T, Self]:
        if inst is None:
            return self
        cache = inst._cache
        try:
            return cast(_T, cache[self.name])
        except KeyError:
            value = self.wrapped(inst)
            cache[self.name] = value
            return value

    def __set__(self, inst: _Owner, value: Never) -> None:
        raise AttributeError(f"reified property {self.name!r} is read-only")


# --- MIME types and Content-Disposition ---------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class MimeType:
    """A parsed media type: ``type/subtype+suffix; parameters``.

    ``type``, ``subtype``, ``suffix`` and parameter names are lower-cased; parameter values
    keep their case, with quoted-string quoting removed.
    """

    type: str
    subtype: str
    suffix: str
    parameters: MultiDictProxy[str]


# A parameter: anything up to a ";" outside double quotes (an unterminated quote runs to the end).
_PARAM_SEGMENT: Final = re.compile(r'(?:"(?:[^"\\]|\\.)*"?|[^;"])+', re.DOTALL)
_QUOTED_PAIR: Final = re.compile(r"\\(.)", re.DOTALL)


def _unquote_param(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return _QUOTED_PAIR.sub(r"\1", value[1:-1])
    return value.strip(' "')


@functools.lru_cache(maxsize=64)
def parse_mimetype(mimetype: str) -> MimeType:
    """Parse a ``Content-Type``-style value into a :class:`MimeType`.

    Lenient, as header parsing of a peer's value must be: an empty string gives empty
    fields, ``"*"`` means ``"*/*"``, a parameter without ``=`` gets an empty value and
    parameters with an empty name are skipped.
    """
    head, _, tail = mimetype.partition(";")
    params: MultiDict[str] = MultiDict()
    for segment in _PARAM_SEGMENT.findall(tail):
        name, _, value = segment.partition("=")
        name = name.strip().lower()
        if name:
            params.add(name, _unquote_param(value.strip()))
    full_type = head.strip().lower()
    if full_type == "*":
        full_type = "*/*"
    mtype, _, rest = full_type.partition("/")
    subtype, _, suffix = rest.partition("+")
    return MimeType(type=mtype, subtype=subtype, suffix=suffix, parameters=MultiDictProxy(params))


def quoted_string(content: str) -> str:
    """Escape ``content`` for use between the double quotes of a quoted-string.

    Only 7-bit printable text and HTAB can be carried (RFC 5322 form); anything else raises
    :class:`ValueError`. The surrounding quotes are not added.
    """
    if not QUOTABLE_CHARS.issuperset(content):
        raise ValueError(f"bad content for quoted-string {content!r}")
    return quote_pairs(content)


def content_disposition_header(
    disptype: str,
    quote_fields: bool = True,
    _charset: str = "utf-8",
    params: Optional[Mapping[str, str]] = None,
) -> str:
    """Build a ``Content-Disposition`` value (RFC 6266, RFC 7578 for form data).

    With ``quote_fields`` (the default) a ``filename`` is percent-encoded inside quotes, as
    browsers and aiohttp do for form data; other values are sent as quoted-strings, or as an
    RFC 5987 ``name*=charset''...`` ext-value when they are not 7-bit text. Without
    ``quote_fields`` values are quoted with only ``"`` and ``\\`` escaped. The type and the
    parameter names must be tokens and no value may contain CR, LF or NUL (ValueError).
    """
    if not is_token(disptype):
        raise ValueError(f"bad content disposition type {disptype!r}")
    if not params:
        return disptype
    parts = [disptype]
    for key, value in params.items():
        if not is_token(key):
            raise ValueError(f"bad content disposition parameter {key!r}={value!r}")
        refuse_line_breaks(value, f"content disposition parameter {key!r}")
        if not quote_fields:
            parts.append(f'{key}="{quote_pairs(value)}"')
        elif key.lower() == "filename":
            parts.append(f'{key}="{quote(value, safe="", encoding=_charset)}"')
        elif QUOTABLE_CHARS.issuperset(value):
            parts.append(f'{key}="{quote_pairs(value)}"')
        else:
            if not is_token(_charset):
                raise ValueError(f"bad charset {_charset!r}")
            parts.append(f"{key}*={rfc5987_value(value, _charset)}")
    return "; ".join(parts)


# --- Small parsers and predicates --------------------------------------------------------


def parse_http_date(date_str: Optional[str]) -> Optional[datetime.datetime]:
    """Parse an HTTP date (RFC 9110 section 5.6.7, any of its three formats) into an aware
    UTC :class:`~datetime.datetime`; ``None`` when absent or unparsable."""
    if not date_str:
        return None
    try:
        parsed = parsedate_tz(date_str)
        if parsed is None:
            return None
        when = datetime.datetime(*parsed[:6], tzinfo=datetime.timezone.utc)
        return when - datetime.timedelta(seconds=parsed[9] or 0)
    except (ValueError, OverflowError, IndexError, TypeError, NameError):
        # email.utils raises a few odd errors on garbage; a peer's bad date is just absent.
        return None


def is_ip_address(host: Optional[str]) -> bool:
    """True when ``host`` is a literal IPv4 or IPv6 address (optionally with a zone id),
    not a name that needs resolving."""
    if not host:
        return False
    return _is_ip_literal(host)


@functools.lru_cache(maxsize=512)
def _is_ip_literal(host: str) -> bool:
    # Cached: the client asks this for the same few hosts on every request.
    try:
        if ":" in host:
            ipaddress.IPv6Address(host)
        elif host.replace(".", "").isdigit():
            ipaddress.IPv4Address(host)
        else:
            return False
    except ValueError:
        return False
    return True


def guess_filename(obj: object, default: Optional[str] = None) -> Optional[str]:
    """The base name of ``obj.name`` (a file object's path), or ``default`` when ``obj`` has
    no usable name (none, not a str, or a pseudo-name such as ``"<stdin>"``)."""
    name = getattr(obj, "name", None)
    if isinstance(name, str) and name and name[0] != "<" and name[-1] != ">":
        return Path(name).name
    return default


# --- Futures -----------------------------------------------------------------------------


class ErrorableProtocol(Protocol):
    """Anything that can be failed with an exception, like a future or a stream reader."""

    def set_exception(self, exc: BaseException, /) -> object: ...


# Default of ``exc_cause``: "leave ``__cause__`` alone" (``None`` would clear it).
_EXC_SENTINEL: Final = BaseException()


def set_result(fut: asyncio.Future[_T], result: _T) -> None:
    """Set ``fut``'s result unless it is already done (cancelled or resolved)."""
    if not fut.done():
        fut.set_result(result)


def set_exception(
    fut: Union[asyncio.Future[_T], ErrorableProtocol],
    exc: BaseException,
    exc_cause: BaseException = _EXC_SENTINEL,
) -> None:
    """Fail ``fut`` with ``exc`` (chained to ``exc_cause`` if given), unless it is a future
    that is already done."""
    if isinstance(fut, asyncio.Future) and fut.done():
        return
    if exc_cause is not _EXC_SENTINEL:
        exc.__cause__ = exc_cause
    fut.set_exception(exc)


# --- Messages that carry no body (RFC 9110 sections 6.4.1, 8.6, 9.3.6) ---------------------

EMPTY_BODY_STATUS_CODES: Final[frozenset[int]] = frozenset({204, 304, *range(100, 200)})
EMPTY_BODY_METHODS: Final[frozenset[str]] = hdrs.METH_HEAD_ALL


def method_must_be_empty_body(method: str) -> bool:
    """True for a request method whose response never has a body (HEAD)."""
    return method.upper() == hdrs.METH_HEAD


def status_code_must_be_empty_body(code: int) -> bool:
    """True for a status that never has a body: 1xx, 204, 304."""
    return code in EMPTY_BODY_STATUS_CODES


def must_be_empty_body(method: str, code: int) -> bool:
    """True when a response to ``method`` with status ``code`` has no body: 1xx, 204 and 304
    responses, responses to HEAD and 2xx responses to CONNECT (the tunnel follows)."""
    if code in EMPTY_BODY_STATUS_CODES:
        return True
    if method == "GET" or method == "POST":  # the usual ones, already upper case
        return False
    method = method.upper()
    return method == hdrs.METH_HEAD or (200 <= code < 300 and method == hdrs.METH_CONNECT)


def should_remove_content_length(method: str, code: int) -> bool:
    """True when a response must not carry ``Content-Length``: 1xx, 204 and 304 (where it
    would describe a body that is not there) and 2xx to CONNECT. A subset of
    :func:`must_be_empty_body`: a HEAD response keeps the length of the body it omits."""
    return code in EMPTY_BODY_STATUS_CODES or (
        200 <= code < 300 and method.upper() == hdrs.METH_CONNECT
    )
