"""The httptools (llhttp) parser engine (:class:`HttptoolsH1Engine`).

Theory of operation
-------------------
llhttp scans the bytes in C and calls back per start-line piece, field, body span and
message boundary; the callbacks collect events into a list and, once per head, build the
head with the same code the pure-Python engine uses (:mod:`._h1_head`), so framing,
``should_close``, URLs and header decoding are identical by construction.

llhttp and our grammar disagree in a few places: llhttp knows only a fixed method list,
rejects duplicate (even equal) ``Content-Length`` fields, ``HTTP/1.2`` and a response
with both ``Transfer-Encoding`` and ``Content-Length``, and errors on data after
``Connection: close``; it accepts ``HTTP/2.0`` and ``0.9``, two SPs after the method,
stray CR/LF before a request, CTLs in a reason phrase, ``GET *``, a CONNECT target that is
not authority-form, and treats any ``Upgrade`` request (``h2c`` too, with a body too) as a
protocol switch.  The pure-Python engine is the authority: whenever llhttp raises, or a
cheap per-head check (version, raw start line, limits, target form, upgrade decision,
reason CTLs, missing SP before an empty reason) finds such a case, the engine *replays*
the current message from its first byte into a :class:`~._h1.PyH1Engine` and hands the
rest of the connection to it, so both engines give the same events and errors.

Replay needs the message's start offset.  It is known for the first message of a feed
that starts between messages, and for every message after one whose end can be computed:
no body, a ``Content-Length`` body, or a chunked body whose bytes are still held (walked
in Python only when a following message needs its start).  A message held back across
feeds is capped at ``_REPLAY_LIMIT`` bytes, so the start is lost only behind a chunked
message longer than that, pipelined in the same feed; such a message gets llhttp's verdict
mapped onto our error classes and no raw start-line check.  A connection closed mid
message is also replayed, so ``feed_eof`` raises what the Python engine would.

Delegated to the pure-Python engine from the start: ``lax=True`` (llhttp's leniency
flags are not the same rules) and any response expected to answer ``HEAD`` or
``CONNECT`` (httptools cannot tell llhttp to skip a body or to switch on a 2xx).  Chunk
extensions are checked by llhttp alone (httptools does not expose them), so its rules
apply there (it accepts a few shapes ours rejects, e.g. ``;=v``), it does not limit the
chunk-size line length, and it takes more than 16 hex digits when they are leading zeros.
Header line sizes are measured without the OWS llhttp drops, unless the raw head is seen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal, Optional

from ..http_exceptions import (
    BadHttpMessage,
    BadHttpMethod,
    BadStatusLine,
    ContentLengthError,
    HttpProcessingError,
    InvalidURLError,
    TransferEncodingError,
)
from ._h1 import PyH1Engine
from ._messages import Event, Upgraded

if TYPE_CHECKING:
    from ._httptools_driver import LLHttpDriver

try:
    import httptools

    from ._httptools_driver import Delegate, LLHttpDriver, Phase
except ImportError:  # pragma: no cover - exercised by the no-httptools test run
    HTTPTOOLS_AVAILABLE = False
else:
    HTTPTOOLS_AVAILABLE = True

__all__ = ("HTTPTOOLS_AVAILABLE", "HttptoolsH1Engine")

_REPLAY_LIMIT: Final = 256 * 1024


class HttptoolsH1Engine:
    """Incremental HTTP/1.1 parser on httptools/llhttp; implements ``H1Engine``.

    Same constructor and behaviour as :class:`~._h1.PyH1Engine`.  Raises ``ImportError``
    when httptools is not installed.
    """

    __slots__ = ("_args", "_driver", "_error", "_parser", "_py", "_upgraded")

    def __init__(
        self,
        role: Literal["server", "client"],
        *,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 32768,
        lax: bool = False,
    ) -> None:
        if not HTTPTOOLS_AVAILABLE:
            raise ImportError("httptools is not installed")
        if role not in ("server", "client"):
            raise ValueError(f"role must be 'server' or 'client', not {role!r}")
        self._args = (role, max_line_size, max_field_size, max_headers, lax)
        self._error: Optional[HttpProcessingError] = None
        self._upgraded = False
        self._py: Optional[PyH1Engine] = None
        self._driver: Optional[LLHttpDriver] = None
        # llhttp's parser, lent to the driver while it runs (see LLHttpDriver.parser)
        self._parser: Optional[httptools.HttpRequestParser | httptools.HttpResponseParser] = None
        if lax and role == "client":
            self._py = self._new_py()
        else:
            driver = self._driver = LLHttpDriver(
                role == "server", max_line_size, max_field_size, max_headers
            )
            self._parser = driver.new_parser()

    def _new_py(self) -> PyH1Engine:
        role, max_line_size, max_field_size, max_headers, lax = self._args
        return PyH1Engine(
            role,
            max_line_size=max_line_size,
            max_field_size=max_field_size,
            max_headers=max_headers,
            lax=lax,
        )

    @property
    def upgraded(self) -> bool:
        """True once the connection switched protocols; ``feed`` then returns ``Upgraded``."""
        if self._py is not None:
            return self._py.upgraded
        return self._upgraded

    def expect_response(self, method: str) -> None:
        """(client) The next final response answers a ``method`` request.

        ``HEAD`` and ``CONNECT`` hand the connection to the pure-Python engine.
        """
        method = method.upper()
        if self._py is not None:
            self._py.expect_response(method)
            return
        driver = self._driver
        if driver is None or driver.server or method not in ("HEAD", "CONNECT"):
            return
        if driver.phase is Phase.IDLE:
            self._py = self._new_py()
            self._py.expect_response(method)
        elif driver.prefix is not None:
            # Mid-response: rebuild the Python engine's state from the held bytes.
            py = self._new_py()
            try:
                py.feed(driver.prefix)
            except HttpProcessingError as exc:
                self._error = exc  # raised by the next feed
                return
            py.expect_response(method)
            self._py = py
        else:
            driver.pending_expect = method

    def feed(self, data: bytes | bytearray | memoryview) -> list[Event]:
        """Parse ``data`` and return the events it completed; raise on a protocol error."""
        if self._py is not None:
            return self._py.feed(data)
        if self._error is not None:
            raise self._error
        if self._upgraded:
            return [Upgraded(bytes(data))] if data else []
        if not data:
            return []
        driver = self._driver
        parser = self._parser
        assert driver is not None and parser is not None
        if type(data) is not bytes:
            data = bytes(data)
        driver.begin_feed(data)
        try:
            driver.parser = parser
            try:
                parser.feed_data(data)
            finally:
                driver.parser = None
            driver.end_feed(data, _REPLAY_LIMIT)
        except httptools.HttpParserUpgrade as exc:
            events = driver.events
            offset = int(exc.args[0])
            if offset < len(data):
                events.append(Upgraded(data[offset:]))
            self._upgraded = True
            return events
        except (httptools.HttpParserError, Delegate) as exc:
            return self._recover(data, exc)
        return driver.events

    def _recover(self, data: bytes, exc: Exception) -> list[Event]:
        """llhttp failed or doubted: replay the message in Python, or map the error."""
        driver = self._driver
        assert driver is not None
        cause = exc if isinstance(exc, Delegate) else exc.__context__
        replay = driver.replay_point()
        if replay is not None:
            prefix, start, kept = replay
            py = self._new_py()
            if driver.pending_expect is not None:
                py.expect_response(driver.pending_expect)
            try:
                if prefix:
                    py.feed(prefix)
                events = driver.events[:kept] + py.feed(data[start:])
            except HttpProcessingError as err:
                self._error = err
                raise
            self._py = py
            self._driver = self._parser = None
            return events
        mapped = self._mapped_error(exc, cause)
        self._error = mapped
        raise mapped from exc

    def _mapped_error(self, exc: Exception, cause: Optional[BaseException]) -> HttpProcessingError:
        if isinstance(cause, Delegate):
            return cause.fallback
        if isinstance(cause, HttpProcessingError):
            return cause
        reason = str(exc)
        if isinstance(exc, httptools.HttpParserInvalidMethodError):
            return BadHttpMethod(error=f"Bad HTTP method: {reason}")
        if isinstance(exc, httptools.HttpParserInvalidStatusError):
            return BadStatusLine(error=f"Invalid status line: {reason}")
        if isinstance(exc, httptools.HttpParserInvalidURLError):
            return InvalidURLError(f"Invalid request target: {reason}")
        driver = self._driver
        if driver is not None and driver.phase is Phase.CHUNKED:
            return TransferEncodingError(f"Invalid chunked body: {reason}")
        return BadHttpMessage(reason)

    def feed_eof(self) -> list[Event]:
        """The peer closed; return the final events or raise if a message was cut short."""
        if self._py is not None:
            return self._py.feed_eof()
        if self._error is not None:
            raise self._error
        driver = self._driver
        if self._upgraded or driver is None:
            return []
        phase = driver.phase
        err: HttpProcessingError
        if phase is Phase.IDLE:
            return []
        if phase is Phase.EOF:
            driver.phase = Phase.IDLE
            return driver.eof_events()
        if driver.prefix is not None:
            # Cut short: the Python engine names the first problem of what arrived.
            py = self._new_py()
            self._py = py
            try:
                py.feed(driver.prefix)
            except HttpProcessingError:
                return py.feed_eof()  # raises the same error again
            return py.feed_eof()
        if phase is Phase.HEAD:
            err = BadHttpMessage("Connection closed before the message head was complete")
        elif phase is Phase.LENGTH:
            err = ContentLengthError(
                f"Not enough data to satisfy content length header ({driver.remaining} missing)"
            )
        else:
            err = TransferEncodingError("Not enough data to satisfy transfer length header")
        self._error = err
        raise err
