"""Routing over real loopback sockets: 404/405 with ``Allow``, HEAD on GET routes,
``Expect: 100-continue``, class-based views, sub-applications and domains."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from aiohttp import web

from ._web_fixtures import raw_exchange, serve_app, split_response


class ItemView(web.View):
    async def get(self) -> web.StreamResponse:
        return web.Response(text=f"view get {self.request.match_info['id']}")

    async def delete(self) -> web.StreamResponse:
        return web.Response(text="view delete")


@pytest.fixture
async def port() -> AsyncIterator[int]:
    async def hello(request: web.Request) -> web.StreamResponse:
        return web.Response(text=f"hello {request.match_info.get('name', '')}")

    async def upload(request: web.Request) -> web.StreamResponse:
        return web.Response(text=f"got {len(await request.read())}")

    async def sub_handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text=f"sub {request.app is sub}")

    app = web.Application()
    app.router.add_get("/hello/{name}", hello)
    app.router.add_post("/hello/{name}", hello)
    app.router.add_post("/upload", upload)
    app.router.add_view("/items/{id}", ItemView)
    sub = web.Application()
    sub.router.add_get("/page", sub_handler)
    app.add_subapp("/sub", sub)
    domain = web.Application()
    domain.router.add_get("/page", sub_handler)
    app.add_domain("*.example.org", domain)
    async with serve_app(app) as port:
        yield port


async def test_routes_answer_over_the_wire(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        response = await client.get("/hello/w%C3%B6rld")
        assert response.status_code == 200 and response.text == "hello wörld"
        response = await client.head("/hello/x")
        assert response.status_code == 200 and response.content == b""
        assert response.headers["content-length"] == str(len("hello x"))
        response = await client.get("/missing")
        assert response.status_code == 404 and response.text == "404: Not Found"
        response = await client.put("/hello/x")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET,HEAD,POST"


async def test_views_over_the_wire(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        assert (await client.get("/items/7")).text == "view get 7"
        assert (await client.delete("/items/7")).text == "view delete"
        response = await client.post("/items/7")
        assert response.status_code == 405 and response.headers["allow"] == "DELETE,GET"


async def test_subapp_and_domain_over_the_wire(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        assert (await client.get("/sub/page")).text == "sub True"
        response = await client.get("/page", headers={"Host": "www.example.org"})
        assert response.status_code == 200
        assert (await client.get("/page")).status_code == 404


async def test_expect_100_continue_gets_interim_answer(port: int) -> None:
    head = (
        b"POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Length: 4\r\nExpect: 100-continue\r\n\r\nbody"
    )
    data = await raw_exchange(port, head)
    assert data.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")
    status, _, body = split_response(data[len(b"HTTP/1.1 100 Continue\r\n\r\n") :])
    assert status == 200 and body == b"got 4"


async def test_unknown_expectation_is_417(port: int) -> None:
    head = (
        b"POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Length: 4\r\nExpect: something-else\r\n\r\nbody"
    )
    status, _, body = split_response(await raw_exchange(port, head))
    assert status == 417 and b"Unknown Expect: something-else" in body
