"""The request loop of one server connection (:meth:`RequestHandler.start
<aiohttp.web.RequestHandler.start>`) and the sending of each response.

:func:`serve_connection` takes the requests :class:`~aiohttp.web.RequestHandler` queued,
one at a time in arrival order: build the request, run the handler, send
the response (:func:`finish_response`), drain what the handler left of the body
(:func:`_linger`), then wait for the next request or close.  The handler's failures become
error pages here; the request body exceptions :class:`RequestPayloadError` and
:class:`PayloadAccessError` are defined here and exported by :mod:`aiohttp.web_protocol`,
their public home.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Optional

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from . import hdrs
from ._sansio._messages import HttpVersion11, RawRequestMessage
from .http_exceptions import HttpProcessingError
from .http_writer import StreamWriter
from .streams import EMPTY_PAYLOAD, StreamReader
from .typedefs import Byteish
from .web_exceptions import HTTPException
from .web_request import BaseRequest
from .web_response import StreamResponse

if TYPE_CHECKING:
    from .web_protocol import RequestHandler

#: Parsed requests that may wait unanswered on one connection before it stops reading.
MAX_QUEUED_REQUESTS: Final = 16


class RequestPayloadError(Exception):
    """The request body could not be received (malformed, or cut short)."""


class PayloadAccessError(Exception):
    """The request body was read after the response had been sent."""


RequestPayloadError.__module__ = PayloadAccessError.__module__ = "aiohttp.web_protocol"

_PAYLOAD_ACCESS_ERROR: Final = PayloadAccessError()


@dataclass(frozen=True, slots=True)
class ErrInfo:
    """A request that could not be parsed, queued to be answered in its turn."""

    status: int
    exc: BaseException
    message: str


# The head given to the request object of an unparsable request.
_ERROR_MESSAGE: Final = RawRequestMessage(
    "UNKNOWN",
    "/",
    HttpVersion11,
    CIMultiDictProxy(CIMultiDict()),
    (),
    True,
    None,
    False,
    False,
    URL("/"),
)


async def serve_connection(h: RequestHandler) -> None:
    """Answer ``h``'s queued requests until the connection should close."""
    loop = h._loop
    messages = h._messages
    while not h._force_close:
        if not messages:
            if h._close or h._peer_eof:
                break
            waiter = h._waiter = loop.create_future()
            try:
                await waiter
            finally:
                h._waiter = None
            continue
        message, payload = messages.popleft()
        if not messages:
            h._leave_waiting()
        if h._held_out is not None:
            h._release_output()  # the previous response goes first
        if h._reading_paused and len(messages) < MAX_QUEUED_REQUESTS:
            h.resume_reading()
        # One request, inline (a coroutine per request less); ``break`` closes.
        manager = h._manager
        if manager is None:
            break
        manager.requests_count += 1
        start_time = loop.time()
        err: Optional[ErrInfo] = None
        if isinstance(message, ErrInfo):
            err, message = message, _ERROR_MESSAGE
        task = h._task_handler
        assert task is not None
        request = h._request_factory(message, payload, h, StreamWriter(h, loop), task)
        h._current_request = request
        try:
            h._request_in_progress = True
            try:
                resp: StreamResponse
                if err is not None:
                    resp = h.handle_error(request, err.status, err.exc, err.message)
                else:
                    try:
                        resp = await h._request_handler(request)
                    except HTTPException as exc:
                        resp = exc
                    except asyncio.CancelledError:
                        raise
                    except asyncio.TimeoutError as exc:
                        h.log_debug("Request handler timed out.", exc_info=exc)
                        resp = h.handle_error(request, 504)
                    except (RequestPayloadError, HttpProcessingError) as exc:
                        resp = h.handle_error(request, 400, exc, _client_message(exc))
                    except ConnectionError as exc:
                        if _peer_gone(h):
                            h.log_debug("Ignored premature client disconnection", exc_info=exc)
                            break
                        resp = h.handle_error(request, 500, exc)
                    except Exception as exc:
                        resp = h.handle_error(request, 500, exc)
                if h._plain:
                    resp, reset = await finish_response(h, request, resp, start_time)
                else:
                    resp, reset = await h.finish_response(request, resp, start_time)
            except ConnectionError as exc:
                h.log_debug("Connection broken while answering", exc_info=exc)
                break
            finally:
                h._request_in_progress = False
                handler_waiter = h._handler_waiter
                if handler_waiter is not None and not handler_waiter.done():
                    handler_waiter.set_result(None)
            if reset or resp is None:
                break
            h._keepalive = bool(resp.keep_alive)
            if payload is not EMPTY_PAYLOAD:  # both calls below do nothing on it
                if not payload.is_eof():
                    await _linger(h, request, payload)
                payload.set_exception(_PAYLOAD_ACCESS_ERROR)
        except asyncio.CancelledError:
            h.log_debug("Request handling cancelled (peer disconnected or server shutdown)")
            h.force_close()
            raise
        except Exception as exc:
            h.log_exception("Unhandled exception", exc_info=exc)
            h.force_close()
            break
        finally:
            h._current_request = None
            request._finish()
        if not h._keepalive or h._close or h._force_close:
            break
        if not messages:
            h._deadlines.start_idle(h._keepalive_timeout)
    h._leave_waiting()
    if not h._force_close and h.transport is not None:
        if h._request_parser is None:
            h._release_output()
            await _close_unread(h)
        elif h._held_out is not None:
            h._close_after_release = True  # the batch writes the response, then closes
        else:
            h.transport.close()


async def _close_unread(h: RequestHandler) -> None:
    """Close after a protocol error or timeout, when the peer may still be sending.

    Closing a socket with unread input makes TCP reset the connection, which can destroy
    the error response before the peer reads it.  So: end our side (FIN), discard what
    still arrives, and close when the peer does or ``lingering_time`` (at most 5 s) ends.
    """
    transport = h.transport
    assert transport is not None
    h._messages.clear()
    h._deadlines.cancel()
    if not transport.can_write_eof():
        transport.close()
        return
    transport.write_eof()
    h.resume_reading()
    waiter = h._waiter = h._loop.create_future()
    try:
        await asyncio.wait_for(waiter, min(h._lingering_time, 5.0))
    except asyncio.TimeoutError:
        pass
    finally:
        h._waiter = None
    h.force_close()


def _client_message(exc: Exception) -> str:
    cause = exc if isinstance(exc, HttpProcessingError) else exc.__cause__
    if isinstance(cause, HttpProcessingError) and cause.message:
        return cause.message
    return "Invalid request body"


def _peer_gone(h: RequestHandler) -> bool:
    transport = h.transport
    return transport is None or transport.is_closing()


async def finish_response(
    h: RequestHandler, request: BaseRequest, resp: StreamResponse, start_time: Optional[float]
) -> tuple[StreamResponse, bool]:
    """Send ``resp``; a response that cannot be sent becomes a logged 500 when nothing
    was written yet.  Returns the response sent and whether the connection broke."""
    if h._upgrade and h._payload_parser is None:
        _decline_upgrade(h)
    obj: object = resp
    try:
        if type(obj) not in _RESPONSE_TYPES and not _is_response(obj):
            if obj is None:
                raise RuntimeError("Missing return statement on request handler")
            raise RuntimeError(f"Web-handler should return a response instance, got {obj!r}")
        writer = _send_now_or_hold(h, request, resp)
        if writer is not None:
            if writer._must_drain():
                await writer.drain()
        else:
            await resp.prepare(request)
            await resp.write_eof()
    except ConnectionError:
        if _is_response(obj):
            h.log_access(request, resp, start_time)
        return resp, True
    except Exception as exc:
        if request.writer.output_size > 0:
            h.log_exception("Error while sending the response", exc_info=exc)
            return resp, True
        # Nothing reached the peer: answer 500 through a fresh writer (the failed
        # response may have switched the old one to chunking or compression).
        request._payload_writer = StreamWriter(h, h._loop)
        resp = h.handle_error(request, 500, exc)
        try:
            await resp.prepare(request)
            await resp.write_eof()
        except ConnectionError:
            return resp, True
    if h.access_logger is not None:
        h.log_access(request, resp, start_time)
    return resp, False


def _send_now_or_hold(
    h: RequestHandler, request: BaseRequest, resp: StreamResponse
) -> Optional[StreamWriter]:
    """``resp._send_nowait(request)``, the response's bytes held for the batch of this loop
    iteration when that shares a wake-up of the client (see :mod:`aiohttp._web_send_batch`)."""
    out = request._payload_writer
    if not h._send_batch.should_hold(h) or type(out) is not StreamWriter:
        return resp._send_nowait(request)
    held: list[Byteish] = []
    out._hold = held
    try:
        return resp._send_nowait(request)
    finally:
        out._hold = None
        if held:
            h._hold_output(held)


# Response classes seen so far: a set lookup instead of an isinstance through ABCMeta.
_RESPONSE_TYPES: Final[set[type]] = set()


def _is_response(obj: object) -> bool:
    if isinstance(obj, StreamResponse):
        _RESPONSE_TYPES.add(type(obj))
        return True
    return False


def _decline_upgrade(h: RequestHandler) -> None:
    """The handler answered an ``Upgrade`` request without switching: parse HTTP again."""
    h._upgrade = False
    tail, h._message_tail = h._message_tail, b""
    parser = h._request_parser
    if parser is not None:
        parser.set_upgraded(False)
        if tail:
            h.data_received(tail)
    h.resume_reading()


async def _linger(h: RequestHandler, request: BaseRequest, payload: StreamReader) -> None:
    """Read and drop the body the handler left, for at most ``lingering_time`` seconds,
    so the client sees the response rather than a reset; close if it does not end."""
    loop = h._loop
    expect = request.headers.get(hdrs.EXPECT, "").lower() == "100-continue"
    if expect and payload.total_bytes == 0:
        # Answered without "100 Continue": the client may never send the body.
        h.close()
        return
    lingering = h._lingering_time
    if lingering > 0 and not h._force_close and payload.exception() is None:
        h.log_debug("Start lingering close timer for %s sec.", lingering)
        end = loop.time() + lingering
        try:
            while not payload.is_eof():
                remaining = end - loop.time()
                if remaining <= 0:
                    break
                await asyncio.wait_for(payload.readany(), remaining)
        except (asyncio.TimeoutError, Exception):
            pass
    if not payload.is_eof():
        h.log_debug("Uncompleted request.")
        h.close()
