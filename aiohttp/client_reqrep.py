"""One HTTP request and its response on the client side (the aiohttp 3.13 module).

:class:`ClientRequest` is built and checked from a session's arguments and written to a
connection by :meth:`ClientRequest.send`, which returns the :class:`ClientResponse`;
:meth:`ClientResponse.start` reads the response head and :attr:`ClientResponse.content`
streams its body. :class:`RequestInfo` describes the request (errors carry it),
:class:`Fingerprint` pins a server certificate, :class:`ConnectionKey` names the pool a
request's connection comes from and :class:`ContentDisposition` is a parsed response header.

The classes are implemented in private modules (:mod:`aiohttp._client_request`,
:mod:`aiohttp._client_response`, :mod:`aiohttp._client_values`) to keep each one job sized;
this is their public home: they are re-exported here and report it as their ``__module__``.
"""

from ._client_request import ClientRequest as ClientRequest
from ._client_response import ClientResponse as ClientResponse
from ._client_values import (
    ConnectionKey as ConnectionKey,
    ContentDisposition as ContentDisposition,
    Fingerprint as Fingerprint,
    RequestInfo as RequestInfo,
)

__all__ = ("ClientRequest", "ClientResponse", "RequestInfo", "Fingerprint")

for _cls in (
    ClientRequest,
    ClientResponse,
    ConnectionKey,
    ContentDisposition,
    Fingerprint,
    RequestInfo,
):
    _cls.__module__ = __name__
del _cls
