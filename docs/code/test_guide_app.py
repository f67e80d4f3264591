"""Testing guide example: tests of ``server_app.py`` with the aiohttp pytest plugin.

Run them with ``python -m pytest -p aiohttp.pytest_plugin docs/code/test_guide_app.py``
(``-p`` loads the plugin; a project puts ``pytest_plugins = ["aiohttp.pytest_plugin"]`` in its
top-level ``conftest.py`` instead). The ``aiohttp_client`` fixture serves the application on a
free port and returns a client bound to it; it closes both when the test ends.
"""

from __future__ import annotations

from server_app import make_app

from aiohttp import web
from aiohttp.pytest_plugin import AiohttpClient
from aiohttp.test_utils import make_mocked_request


async def test_index(aiohttp_client: AiohttpClient) -> None:
    client = await aiohttp_client(make_app())
    resp = await client.get("/")
    assert resp.status == 200
    assert await resp.text() == "Hello, world"
    assert resp.headers["X-Served-By"] == "server_app"


async def test_sum(aiohttp_client: AiohttpClient) -> None:
    client = await aiohttp_client(make_app())
    resp = await client.post("/sum", json={"numbers": [1, 2, 3]})
    assert await resp.json() == {"sum": 6}
    resp = await client.post("/sum", json={"numbers": "many"})
    assert resp.status == 400


async def test_visits_are_counted(aiohttp_client: AiohttpClient) -> None:
    client = await aiohttp_client(make_app())
    for _ in range(3):
        await client.get("/")
    resp = await client.get("/visits")
    assert await resp.json() == {"visits": 3}


async def test_handler_without_a_server() -> None:
    # a unit test of one handler: a mocked request, no socket
    from server_app import hello

    request = make_mocked_request("GET", "/hello/unit", match_info={"name": "unit"})
    response = await hello(request)
    assert isinstance(response, web.Response)
    assert response.text == "Hello, unit"
