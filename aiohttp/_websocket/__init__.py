"""The WebSocket (RFC 6455) wire core: bytes in, messages out; messages in, bytes out.

No asyncio and no sockets live here.  :mod:`.models` holds the public vocabulary
(:class:`~.models.WSMsgType`, :class:`~.models.WSCloseCode`, the ``WSMessage`` tagged union,
:class:`~.models.WebSocketError`); :mod:`._frames` the frame layout; :mod:`._mask` masking
(with an optional C accelerator); :mod:`._parser` the frame parser and message assembler;
:mod:`._builder` the frame builder; :mod:`._deflate` permessage-deflate (RFC 7692)
negotiation and (de)compression.  The asyncio adapters,
:class:`aiohttp.http_websocket.WebSocketReader` and
:class:`aiohttp.http_websocket.WebSocketWriter`, drive these from a connection.
"""
