"""Facade of the HTTP/1.1 and WebSocket wire layer (aiohttp 3.13's ``aiohttp.http``).

It only re-exports; the classes live in :mod:`aiohttp.http_parser`,
:mod:`aiohttp.http_writer` and :mod:`aiohttp.http_exceptions`.
"""

import sys
from http import HTTPStatus
from typing import Final

from . import __version__
from .http_exceptions import HttpProcessingError as HttpProcessingError
from .http_parser import (
    HeadersParser as HeadersParser,
    HttpParser as HttpParser,
    HttpRequestParser as HttpRequestParser,
    HttpResponseParser as HttpResponseParser,
    HttpVersion as HttpVersion,
    HttpVersion10 as HttpVersion10,
    HttpVersion11 as HttpVersion11,
    RawRequestMessage as RawRequestMessage,
    RawResponseMessage as RawResponseMessage,
)
from .http_websocket import (
    WS_CLOSED_MESSAGE as WS_CLOSED_MESSAGE,
    WS_CLOSING_MESSAGE as WS_CLOSING_MESSAGE,
    WS_KEY as WS_KEY,
    WebSocketError as WebSocketError,
    WebSocketReader as WebSocketReader,
    WebSocketWriter as WebSocketWriter,
    WSCloseCode as WSCloseCode,
    WSMessage as WSMessage,
    WSMsgType as WSMsgType,
    ws_ext_gen as ws_ext_gen,
    ws_ext_parse as ws_ext_parse,
)
from .http_writer import StreamWriter as StreamWriter

__all__ = (
    "HttpProcessingError",
    "RESPONSES",
    "SERVER_SOFTWARE",
    # .http_writer
    "StreamWriter",
    # .http_parser
    "HeadersParser",
    "HttpParser",
    "HttpRequestParser",
    "HttpResponseParser",
    "HttpVersion",
    "HttpVersion10",
    "HttpVersion11",
    "RawRequestMessage",
    "RawResponseMessage",
    # .http_websocket
    "WS_CLOSED_MESSAGE",
    "WS_CLOSING_MESSAGE",
    "WS_KEY",
    "WebSocketReader",
    "WebSocketWriter",
    "ws_ext_gen",
    "ws_ext_parse",
    "WSMessage",
    "WebSocketError",
    "WSMsgType",
    "WSCloseCode",
)

SERVER_SOFTWARE: Final[str] = (
    f"Python/{sys.version_info[0]}.{sys.version_info[1]} aiohttp/{__version__}"
)

#: Status code -> (reason phrase, description), as :mod:`http.server` has it.
RESPONSES: Final[dict[int, tuple[str, str]]] = {
    status.value: (status.phrase, status.description) for status in HTTPStatus
}
