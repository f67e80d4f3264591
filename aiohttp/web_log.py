"""The access log: :class:`AccessLogger` writes one line per answered request.

The format is a small Apache-like language, compiled once per distinct format string into a
``%``-template and one :class:`KeyMethod` per directive:

=============  ==========================================================================
``%%``         a percent sign
``%a``         the peer address (:attr:`BaseRequest.remote`), ``-`` when unknown
``%t``         when the request started, ``[10/Oct/2000:13:55:36 -0700]`` (local time)
``%P``         the process id, ``<1234>``
``%r``         the request line, ``GET /path?q=1 HTTP/1.1``
``%s``         the response status
``%b``         the response size in bytes, head included
``%T``         the time taken, whole seconds
``%Tf``        the time taken, seconds with six decimals
``%D``         the time taken, microseconds
``%{Name}i``   request header ``Name`` (``-`` when absent)
``%{Name}o``   response header ``Name`` (``-`` when absent)
=============  ==========================================================================

Any other ``%x`` is copied literally.  Each value is also passed to the logger in ``extra``
under its key (``remote_address``, ``first_request_line`` ...; header values in a dict under
``request_header`` / ``response_header``), for structured handlers.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, Final, NamedTuple, Union

from .abc import AbstractAccessLogger

if TYPE_CHECKING:
    from .web_request import BaseRequest
    from .web_response import StreamResponse

_Key = Union[str, tuple[str, str]]
_Method = Callable[["BaseRequest", "StreamResponse", float], object]


class KeyMethod(NamedTuple):
    """One compiled directive: where its value goes in ``extra`` and how to compute it."""

    key: _Key
    method: _Method


def _remote(request: BaseRequest, response: StreamResponse, time: float) -> object:
    remote = request.remote
    return "-" if remote is None else remote


def _start_time(request: BaseRequest, response: StreamResponse, time: float) -> object:
    now = datetime.datetime.now(datetime.timezone.utc).astimezone()
    return (now - datetime.timedelta(seconds=time)).strftime("[%d/%b/%Y:%H:%M:%S %z]")


def _pid(request: BaseRequest, response: StreamResponse, time: float) -> object:
    return f"<{os.getpid()}>"


def _first_line(request: BaseRequest, response: StreamResponse, time: float) -> object:
    version = request.version
    return f"{request.method} {request.path_qs} HTTP/{version.major}.{version.minor}"


def _status(request: BaseRequest, response: StreamResponse, time: float) -> object:
    return response.status


def _size(request: BaseRequest, response: StreamResponse, time: float) -> object:
    return response.body_length


def _seconds(request: BaseRequest, response: StreamResponse, time: float) -> object:
    return round(time)


def _seconds_frac(request: BaseRequest, response: StreamResponse, time: float) -> object:
    return f"{time:06f}"


def _micros(request: BaseRequest, response: StreamResponse, time: float) -> object:
    return round(time * 1_000_000)


def _request_header(name: str) -> _Method:
    def method(request: BaseRequest, response: StreamResponse, time: float) -> object:
        return request.headers.get(name, "-")

    return method


def _response_header(name: str) -> _Method:
    def method(request: BaseRequest, response: StreamResponse, time: float) -> object:
        return response.headers.get(name, "-")

    return method


_SIMPLE: Final[dict[str, _Method]] = {
    "a": _remote,
    "t": _start_time,
    "P": _pid,
    "r": _first_line,
    "s": _status,
    "b": _size,
    "T": _seconds,
    "Tf": _seconds_frac,
    "D": _micros,
}
_HEADER: Final[dict[str, Callable[[str], _Method]]] = {
    "i": _request_header,
    "o": _response_header,
}


class AccessLogger(AbstractAccessLogger):
    """Logs each request at INFO level on ``logger`` in ``log_format`` (see the module
    docstring for the directives)."""

    LOG_FORMAT_MAP: ClassVar[dict[str, str]] = {
        "a": "remote_address",
        "t": "request_start_time",
        "P": "process_id",
        "r": "first_request_line",
        "s": "response_status",
        "b": "response_size",
        "T": "request_time",
        "Tf": "request_time_frac",
        "D": "request_time_micro",
        "i": "request_header",
        "o": "response_header",
    }
    LOG_FORMAT: ClassVar[str] = '%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'
    FORMAT_RE: ClassVar[re.Pattern[str]] = re.compile(
        r"%(\{([A-Za-z0-9\-_]+)\}([io])|[atPrsbD]|Tf?)"
    )
    # aiohttp 3.13's names for its two patterns; compile_format uses _TOKEN_RE.
    CLEANUP_RE: ClassVar[re.Pattern[str]] = re.compile(r"(%[^s])")
    _TOKEN_RE: ClassVar[re.Pattern[str]] = re.compile(
        r"%%|%\{([A-Za-z0-9\-_]+)\}([io])|%(Tf|[atPrsbDT])"
    )
    # Compiled formats, per compile_format implementation and format string.
    _FORMAT_CACHE: ClassVar[dict[tuple[object, str], tuple[str, list[KeyMethod]]]] = {}

    def __init__(self, logger: logging.Logger, log_format: str = LOG_FORMAT) -> None:
        super().__init__(logger, log_format)
        key = (type(self).compile_format, log_format)
        compiled = AccessLogger._FORMAT_CACHE.get(key)
        if compiled is None:
            compiled = AccessLogger._FORMAT_CACHE[key] = self.compile_format(log_format)
        self._log_format, self._methods = compiled

    def compile_format(self, log_format: str) -> tuple[str, list[KeyMethod]]:
        """Turn ``log_format`` into a ``%s`` template and the methods that fill it."""
        template: list[str] = []
        methods: list[KeyMethod] = []
        pos = 0
        for match in self._TOKEN_RE.finditer(log_format):
            template.append(log_format[pos : match.start()].replace("%", "%%"))
            pos = match.end()
            name, kind, simple = match.groups()
            if simple is not None:
                methods.append(KeyMethod(self.LOG_FORMAT_MAP[simple], _SIMPLE[simple]))
            elif kind is not None:
                methods.append(KeyMethod((self.LOG_FORMAT_MAP[kind], name), _HEADER[kind](name)))
            else:
                template.append("%%")
                continue
            template.append("%s")
        template.append(log_format[pos:].replace("%", "%%"))
        return "".join(template), methods

    @property
    def enabled(self) -> bool:
        """Whether ``logger`` would emit an INFO record (checked before each request)."""
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        """Emit the line for ``request`` answered by ``response`` in ``time`` seconds.

        A failing directive is reported on the logger, never raised to the server.
        """
        try:
            values: list[object] = []
            extra: dict[str, object] = {}
            for key, method in self._methods:
                value = method(request, response, time)
                values.append(value)
                if isinstance(key, str):
                    extra[key] = value
                else:
                    group = extra.setdefault(key[0], {})
                    assert isinstance(group, dict)
                    group[key[1]] = value
            self.logger.info(self._log_format % tuple(values), extra=extra)
        except Exception:
            self.logger.exception("Error in logging")
