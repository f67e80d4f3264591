"""``web.Application`` on its own: typed state, the mapping API, freezing, deprecations,
sub-application and domain registration errors."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from aiohttp import log, web
from aiohttp.abc import AbstractRouter

counter_key = web.AppKey("counter_key", int)
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def test_app_defaults() -> None:
    app = web.Application()
    assert app.logger is log.web_logger
    assert isinstance(app.router, web.UrlDispatcher)
    assert list(app.middlewares) == []
    assert not app.frozen and not app.pre_frozen
    assert app._client_max_size == 1024**2


def test_app_call_returns_itself() -> None:
    app = web.Application()
    assert app() is app


def test_app_repr_bool_eq_hash() -> None:
    a, b = web.Application(), web.Application()
    assert repr(a) == f"<Application 0x{id(a):x}>"
    assert bool(a)  # empty, but still true
    assert a == a and a != b  # identity, not the (equal, empty) state
    assert len({a, b}) == 2
    assert hash(a) == id(a)


def test_app_key_state_round_trip() -> None:
    app = web.Application()
    app[counter_key] = 3
    assert app[counter_key] == 3
    assert app.get(counter_key) == 3
    assert counter_key in app
    assert list(app) == [counter_key]
    assert len(app) == 1
    del app[counter_key]
    assert app.get(counter_key) is None
    assert app.get(counter_key, 7) == 7
    with pytest.raises(KeyError):
        app[counter_key]


def test_str_key_warns_not_app_key_warning() -> None:
    app = web.Application()
    with pytest.warns(web.NotAppKeyWarning, match="recommended to use web.AppKey"):
        app["plain"] = 1
    assert app["plain"] == 1
    assert app.get("missing", "x") == "x"


def test_str_key_warning_points_at_the_caller() -> None:
    app = web.Application()
    with pytest.warns(web.NotAppKeyWarning) as record:
        app["plain"] = 1
    assert record[0].filename == __file__


def test_frozen_app_state_change_warns() -> None:
    app = web.Application()
    app.freeze()
    with pytest.warns(DeprecationWarning, match="Changing state of started or joined"):
        app[counter_key] = 1
    with pytest.warns(DeprecationWarning, match="Changing state of started or joined"):
        del app[counter_key]


def test_freeze_is_idempotent_and_freezes_lists() -> None:
    app = web.Application()
    app.freeze()
    app.freeze()
    assert app.frozen and app.pre_frozen
    with pytest.raises(RuntimeError, match="frozen"):
        app.middlewares.append(web.normalize_path_middleware())
    with pytest.raises(RuntimeError, match="frozen"):
        app.on_startup.append(_noop_signal)
    with pytest.raises(RuntimeError, match="frozen"):
        app.cleanup_ctx.append(_noop_ctx)
    with pytest.raises(RuntimeError):
        app.router.add_get("/", _handler)


def test_pre_freeze_keeps_state_writable() -> None:
    app = web.Application()
    app.pre_freeze()
    assert app.pre_frozen and not app.frozen
    app[counter_key] = 1  # no warning: only frozen apps warn
    with pytest.raises(RuntimeError):
        app.on_shutdown.append(_noop_signal)


def test_subclassing_warns() -> None:
    with pytest.warns(DeprecationWarning, match="Inheritance class MyApp from web.Application"):

        class MyApp(web.Application):
            pass


def test_loop_argument_and_property_are_deprecated() -> None:
    loop = asyncio.new_event_loop()
    try:
        with pytest.warns(DeprecationWarning, match="loop argument is deprecated"):
            app = web.Application(loop=loop)
        with pytest.warns(DeprecationWarning, match="loop property is deprecated"):
            assert app.loop is loop
    finally:
        loop.close()


def test_debug_argument_and_property_are_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="debug argument is deprecated"):
        app = web.Application(debug=True)
    with pytest.warns(DeprecationWarning, match="debug property is deprecated"):
        assert app.debug is True
    with pytest.warns(DeprecationWarning):
        assert web.Application().debug is False


def test_make_handler_is_deprecated() -> None:
    async def run() -> web.Server:
        app = web.Application()
        with pytest.warns(DeprecationWarning, match="make_handler"):
            return app.make_handler()

    server = asyncio.run(run())
    assert isinstance(server, web.Server)


def test_set_loop_refuses_a_second_loop() -> None:
    app = web.Application()
    first, second = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        app._set_loop(first)
        app._set_loop(first)
        with pytest.raises(RuntimeError, match="different loop"):
            app._set_loop(second)
    finally:
        first.close()
        second.close()


def test_bad_router_is_refused() -> None:
    with pytest.raises(TypeError, match="AbstractRouter"):
        web.Application(router=object())  # type: ignore[arg-type]


def test_custom_router_gets_post_init() -> None:
    seen: list[web.Application] = []

    class Router(web.UrlDispatcher):
        def post_init(self, app: web.Application) -> None:
            seen.append(app)

    router = Router()
    app = web.Application(router=router)
    assert seen == [app]
    assert app.router is router
    assert isinstance(router, AbstractRouter)


def test_negative_client_max_size_is_refused() -> None:
    with pytest.raises(ValueError, match="client_max_size"):
        web.Application(client_max_size=-1)


def test_add_subapp_registers_a_prefixed_resource() -> None:
    app, sub = web.Application(), web.Application()
    resource = app.add_subapp("/sub/", sub)
    assert isinstance(resource, web.PrefixedSubAppResource)
    assert resource.canonical == "/sub"
    assert sub.pre_frozen and not sub.frozen
    assert resource in app.router.resources()
    app.freeze()
    assert sub.frozen


@pytest.mark.parametrize(
    ("prefix", "error", "message"),
    [
        (1, TypeError, "Prefix must be str"),
        ("/", ValueError, "Prefix cannot be empty"),
        ("", ValueError, "Prefix cannot be empty"),
    ],
)
def test_add_subapp_bad_prefix(prefix: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        web.Application().add_subapp(prefix, web.Application())  # type: ignore[arg-type]


def test_add_subapp_to_frozen_app_is_refused() -> None:
    app = web.Application()
    app.freeze()
    with pytest.raises(RuntimeError, match="Cannot add sub application to frozen application"):
        app.add_subapp("/sub", web.Application())


def test_add_frozen_subapp_is_refused() -> None:
    sub = web.Application()
    sub.freeze()
    with pytest.raises(RuntimeError, match="Cannot add frozen application"):
        web.Application().add_subapp("/sub", sub)


def test_add_domain_plain_and_mask() -> None:
    app = web.Application()
    plain = app.add_domain("example.com", web.Application())
    mask = app.add_domain("*.example.com", web.Application())
    assert plain in app.router.resources() and mask in app.router.resources()


def test_add_domain_bad_domain() -> None:
    with pytest.raises(TypeError, match="Domain must be str"):
        web.Application().add_domain(1, web.Application())  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        web.Application().add_domain("", web.Application())


def test_add_routes_returns_routes() -> None:
    app = web.Application()
    routes = app.add_routes([web.get("/a", _handler), web.post("/b", _handler)])
    assert [r.method for r in routes] == ["GET", "POST"]


def test_access_log_class_must_be_a_logger_class() -> None:
    with pytest.raises(TypeError, match="access_log_class must be subclass"):
        web.AppRunner(web.Application(), access_log_class=object)  # type: ignore[arg-type]


def test_old_style_middleware_is_detected_and_warned() -> None:
    async def factory(app: web.Application, handler: _Handler) -> _Handler:
        return handler

    app = web.Application(middlewares=[factory])  # type: ignore[list-item]
    with pytest.warns(DeprecationWarning, match="old-style middleware"):
        app.freeze()


def test_marked_middleware_is_never_old_style() -> None:
    @web.middleware
    async def app_named(app: web.Request, handler: _Handler) -> web.StreamResponse:
        return await handler(app)

    assert app_named.__middleware_version__ == 1  # type: ignore[attr-defined]
    web_app = web.Application(middlewares=[app_named])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        web_app.freeze()


# --- helpers ------------------------------------------------------------------------------


async def _handler(request: web.Request) -> web.Response:
    return web.Response()


async def _noop_signal(app: web.Application) -> None:
    return None


async def _noop_ctx(app: web.Application) -> AsyncIterator[None]:
    yield


def test_custom_attribute_warns_in_debug_mode() -> None:
    # Checked in dev mode (python -X dev), where aiohttp enables its extra checks.
    code = (
        "import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
        "from aiohttp import web\n"
        "app = web.Application()\n"
        "app.logger = app.logger\n"
        "try:\n"
        "    app.custom = 1\n"
        "except DeprecationWarning as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "Setting custom web.Application.custom attribute is discouraged"
