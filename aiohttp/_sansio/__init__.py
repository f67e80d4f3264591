"""The HTTP/1.1 wire core: bytes in, events out. No asyncio, no sockets.

:mod:`._messages` holds the message heads (:class:`RawRequestMessage`,
:class:`RawResponseMessage`) and the body events every engine emits;
:mod:`._engine` the :class:`H1Engine` protocol both parser engines implement.
"""
