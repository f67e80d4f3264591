"""aiohttp.pytest_plugin, driven through pytester: generated test files run in a subprocess
with their own ini (so the project's ``asyncio_mode=auto`` does not leak in), alone and next
to pytest-asyncio in strict and auto mode.  Each run batches many generated tests."""

from __future__ import annotations

import importlib.metadata

import pytest

pytest_plugins = ["pytester"]

# Tests every mode must pass: the plugin alone, and beside pytest-asyncio (strict, auto).
CORE = """
import asyncio
import pytest
from aiohttp import web
from aiohttp.test_utils import AioHTTPTestCase

async def hello(request):
    return web.Response(text="Hello, world")

def make_app():
    app = web.Application()
    app.router.add_get("/", hello)
    return app

MADE = []
ORDER = []

@pytest.fixture
def cli(loop, aiohttp_client):
    return loop.run_until_complete(aiohttp_client(make_app()))

async def test_client_from_app(aiohttp_client, loop):
    assert asyncio.get_running_loop() is loop
    client = await aiohttp_client(make_app())
    MADE.append(client)
    resp = await client.get("/")
    assert resp.status == 200
    assert await resp.text() == "Hello, world"

def test_clients_were_closed_after_their_test():
    assert MADE and all(c.closed and c.server.closed for c in MADE)

async def test_sync_fixture_running_the_factory(cli):
    assert (await cli.get("/")).status == 200

async def test_servers(aiohttp_server, aiohttp_raw_server, aiohttp_client, aiohttp_unused_port):
    port = aiohttp_unused_port()
    server = await aiohttp_server(make_app(), port=port)
    assert server.port == port
    client = await aiohttp_client(server)
    assert client.app is server.app
    raw_client = await aiohttp_client(await aiohttp_raw_server(hello))
    assert raw_client.app is None
    assert await (await raw_client.get("/")).text() == "Hello, world"
    MADE.extend([client, raw_client])

async def test_server_kwargs_and_bad_argument(aiohttp_client, aiohttp_unused_port):
    port = aiohttp_unused_port()
    client = await aiohttp_client(make_app(), server_kwargs={"port": port})
    assert client.port == port
    with pytest.raises(ValueError, match="Unknown argument type"):
        await aiohttp_client(object())

def test_sync_test_gets_an_idle_loop(loop):
    assert not loop.is_running()
    assert loop.run_until_complete(asyncio.sleep(0, "x")) == "x"

@pytest.mark.asyncio
async def test_marked_asyncio_test_shares_the_loop(aiohttp_client, loop):
    assert asyncio.get_running_loop() is loop
    client = await aiohttp_client(make_app())
    assert (await client.get("/")).status == 200

class MyAppTestCase(AioHTTPTestCase):
    async def get_application(self):
        return make_app()

    async def test_example(self):
        resp = await self.client.request("GET", "/")
        assert resp.status == 200
        assert "Hello, world" in await resp.text()
"""

# Async fixtures not marked for pytest-asyncio: the plugin runs them (alone or in strict
# mode; in auto mode pytest-asyncio does).
ASYNC_FIXTURES = """
import pytest
from aiohttp import web

ORDER = []

@pytest.fixture
async def app(loop):
    ORDER.append("setup")
    yield web.Application()
    ORDER.append("teardown")

@pytest.fixture
async def number(loop):
    return 42

@pytest.fixture
async def own_name(request, loop):
    return request.fixturename

async def test_async_fixtures(app, number, own_name, aiohttp_client):
    assert number == 42
    assert own_name == "own_name"
    client = await aiohttp_client(app)
    assert (await client.get("/missing")).status == 404

def test_async_generator_fixture_was_finalised():
    assert ORDER == ["setup", "teardown"]

class TestInAClass:
    @pytest.fixture
    async def owner(self, loop):
        return type(self).__name__

    async def test_method_fixture(self, owner):
        assert owner == "TestInAClass"
"""

# Behaviour of the plugin when it runs the tests itself (pytest-asyncio disabled).
ALONE = """
import asyncio
import pytest
from aiohttp.client import ClientSession

@pytest.mark.filterwarnings("default::RuntimeWarning")
async def test_never_awaited_coroutine_fails():
    asyncio.sleep(0)

async def test_leaked_session_is_reported():
    ClientSession()

@pytest.mark.parametrize("name", ["test_client", "test_server", "raw_test_server", "unused_port"])
def test_deprecated_aliases_warn(name, request):
    with pytest.deprecated_call(match="Deprecated, use aiohttp_"):
        assert request.getfixturevalue(name) is not None

def test_proactor_loop(proactor_loop):
    assert proactor_loop.is_running() is False

async def test_without_loop_fixture_gets_a_loop_of_its_own():
    assert asyncio.get_running_loop() is not None
"""

OPTIONS = """
import asyncio

def test_options(loop, loop_debug, fast):
    assert loop_debug is True and fast is True
    assert loop.get_debug()

async def test_running_loop_is_in_debug_mode(loop):
    assert asyncio.get_running_loop().get_debug()
"""

INI_ALONE = """
[pytest]
filterwarnings = error
markers = asyncio: run by pytest-asyncio when it is loaded
"""

INI_ASYNCIO = """
[pytest]
filterwarnings = error
asyncio_mode = {mode}
asyncio_default_fixture_loop_scope = function
"""


def _write(pytester: pytest.Pytester, ini: str, **files: str) -> None:
    pytester.makeini(ini)
    pytester.makepyfile(**files)


def test_plugin_alone_runs_async_tests_and_fixtures(pytester: pytest.Pytester) -> None:
    _write(
        pytester, INI_ALONE, test_core=CORE, test_async_fixtures=ASYNC_FIXTURES, test_alone=ALONE
    )
    result = pytester.runpytest_subprocess("-p", "aiohttp.pytest_plugin", "-p", "no:asyncio")
    result.assert_outcomes(passed=16, failed=2, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*FAILED*test_never_awaited_coroutine_fails*",
            "*FAILED*test_leaked_session_is_reported*",
        ]
    )
    output = result.stdout.str()
    assert "coroutine 'sleep' was never awaited" in output
    assert "Unclosed client session" in output


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_plugin_beside_pytest_asyncio(pytester: pytest.Pytester, mode: str) -> None:
    _write(
        pytester,
        INI_ASYNCIO.format(mode=mode),
        test_core=CORE,
        test_async_fixtures=ASYNC_FIXTURES,
    )
    # pytest-asyncio is installed, so pytest loads it by its entry point.
    result = pytester.runpytest_subprocess("-p", "aiohttp.pytest_plugin")
    result.stdout.fnmatch_lines([f"asyncio: mode=Mode.{mode.upper()}*"])
    result.assert_outcomes(passed=11)


def test_plugin_options_debug_fast_and_loop_ids(pytester: pytest.Pytester) -> None:
    _write(pytester, INI_ALONE, test_options=OPTIONS)
    result = pytester.runpytest_subprocess(
        "-p",
        "aiohttp.pytest_plugin",
        "-p",
        "no:asyncio",
        "-v",
        "--aiohttp-enable-loop-debug",
        "--aiohttp-fast",
        "--aiohttp-loop=pyloop,uvloop?",
    )
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*test_options?pyloop? PASSED*"])


def test_plugin_unknown_loop_is_an_error(pytester: pytest.Pytester) -> None:
    _write(pytester, INI_ALONE, test_options=OPTIONS)
    result = pytester.runpytest_subprocess(
        "-p", "aiohttp.pytest_plugin", "-p", "no:asyncio", "--aiohttp-loop=nope"
    )
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*Unknown loop 'nope'*"])


def test_plugin_is_not_registered_by_installing_aiohttp() -> None:
    plugins = importlib.metadata.entry_points(group="pytest11")
    assert not [ep for ep in plugins if ep.value.startswith("aiohttp")]
