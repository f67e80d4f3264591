"""Application lifecycle: the order of ``on_startup``/``cleanup_ctx``/``on_shutdown``/
``on_cleanup`` (with a sub-application), and what happens when one of them fails."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from aiohttp import web

Ctx = Callable[[web.Application], AsyncIterator[None]]


def ctx(log: list[str], name: str, *, fail: bool = False, twice: bool = False) -> Ctx:
    async def gen(app: web.Application) -> AsyncIterator[None]:
        log.append(f"{name} start")
        yield
        log.append(f"{name} stop")
        if fail:
            raise ValueError(name)
        if twice:
            yield

    return gen


def build(
    log: list[str], *, fail: tuple[str, ...] = (), startup_fails: bool = False
) -> web.Application:
    app, sub = web.Application(), web.Application()

    def recorder(event: str) -> Callable[[web.Application], Awaitable[None]]:
        async def record(a: web.Application) -> None:
            log.append(event + (" sub" if a is sub else ""))

        return record

    app.on_startup.append(recorder("startup"))
    app.cleanup_ctx.append(ctx(log, "c1", fail="c1" in fail))
    app.cleanup_ctx.append(ctx(log, "c2", fail="c2" in fail, twice="twice" in fail))
    if startup_fails:

        async def boom(a: web.Application) -> None:
            raise RuntimeError("boom")

        app.on_startup.append(boom)
    app.cleanup_ctx.append(ctx(log, "c3"))
    app.on_shutdown.append(recorder("shutdown"))
    app.on_cleanup.append(recorder("cleanup"))
    for event, signal in [
        ("startup", sub.on_startup),
        ("shutdown", sub.on_shutdown),
        ("cleanup", sub.on_cleanup),
    ]:
        signal.append(recorder(event))
    sub.cleanup_ctx.append(ctx(log, "sub"))
    app.add_subapp("/sub", sub)
    return app


async def test_lifecycle_order_with_a_subapp() -> None:
    log: list[str] = []
    runner = web.AppRunner(build(log))
    await runner.setup()
    assert log == ["c1 start", "c2 start", "c3 start", "startup", "sub start", "startup sub"]
    log.clear()
    await runner.cleanup()
    assert log == [
        "shutdown",
        "shutdown sub",
        "c3 stop",
        "c2 stop",
        "c1 stop",
        "cleanup",
        "sub stop",
        "cleanup sub",
    ]


async def test_startup_failure_tears_down_what_was_set_up() -> None:
    log: list[str] = []
    runner = web.AppRunner(build(log, startup_fails=True))
    with pytest.raises(RuntimeError, match="boom"):
        await runner.setup()
    await runner.cleanup()
    # on_cleanup never ran: the app never finished starting; the contexts were closed.
    assert log == ["c1 start", "c2 start", "c3 start", "startup", "c3 stop", "c2 stop", "c1 stop"]


async def test_one_cleanup_failure_is_reraised_after_all_teardowns() -> None:
    log: list[str] = []
    runner = web.AppRunner(build(log, fail=("c2",)))
    await runner.setup()
    with pytest.raises(ValueError, match="c2"):
        await runner.cleanup()
    assert log[-3:] == ["c3 stop", "c2 stop", "c1 stop"]


async def test_several_cleanup_failures_raise_cleanup_error() -> None:
    log: list[str] = []
    runner = web.AppRunner(build(log, fail=("c1", "c2")))
    await runner.setup()
    with pytest.raises(web.CleanupError) as info:
        await runner.cleanup()
    assert [str(e) for e in info.value.exceptions] == ["c2", "c1"]
    assert info.value.args[0] == "Multiple errors on cleanup stage"
    assert isinstance(info.value, RuntimeError)
    assert web.CleanupError.__module__ == "aiohttp.web_app"


async def test_context_yielding_twice_is_an_error() -> None:
    log: list[str] = []
    runner = web.AppRunner(build(log, fail=("twice",)))
    await runner.setup()
    with pytest.raises(RuntimeError, match="has more than one 'yield'"):
        await runner.cleanup()
    assert "c1 stop" in log


async def test_context_that_never_yields_is_an_error() -> None:
    async def no_yield(app: web.Application) -> AsyncIterator[None]:
        if len(app) > 99:  # pragma: no cover  # never: an async generator that never yields
            yield

    app = web.Application()
    app.cleanup_ctx.append(no_yield)
    runner = web.AppRunner(app)
    with pytest.raises(RuntimeError, match="did not yield"):
        await runner.setup()
    await runner.cleanup()


async def test_cleanup_is_idempotent_for_contexts() -> None:
    log: list[str] = []
    app = web.Application()
    app.cleanup_ctx.append(ctx(log, "only"))
    runner = web.AppRunner(app)
    await runner.setup()
    await runner.cleanup()
    await app.cleanup()  # a second cleanup does not resume the finished generator
    assert log == ["only start", "only stop"]


async def test_signals_must_be_frozen_to_send() -> None:
    app = web.Application()
    with pytest.raises(RuntimeError, match="non-frozen"):
        await app.startup()


async def test_shutdown_and_cleanup_methods_send_signals() -> None:
    events: list[str] = []

    async def on_shutdown(app: web.Application) -> None:
        events.append("shutdown")

    async def on_cleanup(app: web.Application) -> None:
        events.append("cleanup")

    app = web.Application()
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    app.freeze()
    await app.shutdown()
    await app.cleanup()
    assert events == ["shutdown", "cleanup"]
