"""Typed keyword options that flow from ``run_app``/runners/``Application`` into the server.

aiohttp 3.13 passes them as ``**kwargs: Any``; here each layer's ``**kwargs`` is a
:class:`~typing.TypedDict`, so a misspelt or mistyped option is a type error.  The layers
nest: ``run_app`` names some options itself and passes the rest (:class:`HandlerTuning`);
``Application._make_handler`` names ``access_log_class`` (:class:`MakeHandlerOptions`);
runners take everything the server does (:class:`ServerOptions`) plus ``shutdown_timeout``
(:class:`RunnerOptions`).  The keys mirror ``web_protocol._RequestHandlerOptions`` (a test
keeps them in step) plus the server's ``handler_cancellation``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Optional, TypedDict

if TYPE_CHECKING:
    from .abc import AbstractAccessLogger


class HandlerTuning(TypedDict, total=False):
    """Request handler options that ``run_app`` does not name as parameters."""

    tcp_keepalive: bool
    logger: logging.Logger
    debug: bool
    max_line_size: int
    max_headers: int
    max_field_size: int
    lingering_time: float
    read_bufsize: int
    auto_decompress: bool
    timeout_ceil_threshold: float
    read_head_timeout: float


class MakeHandlerOptions(HandlerTuning, total=False):
    """Everything the server takes except ``access_log_class``."""

    keepalive_timeout: float
    access_log: Optional[logging.Logger]
    access_log_format: str
    handler_cancellation: bool


class ServerOptions(MakeHandlerOptions, total=False):
    """Every keyword option of :class:`~aiohttp.web.Server` (``handler_args`` too)."""

    access_log_class: type[AbstractAccessLogger]


class RunnerOptions(ServerOptions, total=False):
    """What ``AppRunner``/``ServerRunner`` take as ``**kwargs``."""

    shutdown_timeout: float
