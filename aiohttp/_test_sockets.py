"""Loopback sockets for test servers: :func:`get_port_socket`, :func:`get_unused_port_socket`,
:func:`unused_port` and :data:`REUSE_ADDRESS` (exported by :mod:`aiohttp.test_utils`)."""

from __future__ import annotations

import os
import socket
import sys

#: Whether test sockets set ``SO_REUSEADDR`` (POSIX only: on Windows the option lets two
#: sockets share a port).
REUSE_ADDRESS = os.name == "posix" and sys.platform != "cygwin"


def get_port_socket(host: str, port: int, family: socket.AddressFamily) -> socket.socket:
    """A TCP socket of ``family`` bound to ``(host, port)`` (not listening yet)."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if REUSE_ADDRESS:
            # A test run restarting servers on the same port must not wait for TIME_WAIT.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def get_unused_port_socket(
    host: str, family: socket.AddressFamily = socket.AF_INET
) -> socket.socket:
    """A TCP socket bound to ``host`` on a port the system picked."""
    return get_port_socket(host, 0, family)


def unused_port() -> int:
    """A TCP port on ``127.0.0.1`` that was free a moment ago.

    Another process may take it before you bind it: prefer ``port=None`` (the server binds
    a free port itself) where you can.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


for _func in (get_port_socket, get_unused_port_socket, unused_port):
    _func.__module__ = "aiohttp.test_utils"
