"""The package's layers (DESIGN.md section 2), checked from the source.

Every ``aiohttp/**/*.py`` is parsed with :mod:`ast` and its imports of other package modules
collected, ``if TYPE_CHECKING:`` ones included.  Rules:

* the client never imports the server (``web*``, ``worker``) and the server never imports
  the client (``client*``, ``connector`` ...) except ``client_exceptions``: directly,
  counting type-only imports, or through any chain of run-time imports;
* run-time imports only point down the layer table below (type-only imports may point up:
  the protocol layer names the classes of the layers above);
* the wire core (``aiohttp._sansio``, and the WebSocket framing in ``aiohttp._websocket``)
  imports nothing but itself and the vocabulary layer, and none of them imports ``asyncio``
  or ``socket``;
* of the ``aiohttp`` facade itself a module imports ``__version__`` only.

Finally each module is imported on its own, in a clean interpreter state, to catch import
cycles that a full ``import aiohttp`` hides.
"""

from __future__ import annotations

import ast
import functools
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "aiohttp"
ROOT = "aiohttp"


def _modules(names: str) -> list[str]:
    return [f"{ROOT}.{name}" for name in names.split()]


CLIENT = set(
    _modules(
        "client client_reqrep client_proto client_ws client_middlewares "
        "client_middleware_digest_auth connector resolver cookiejar tracing"
    )
)
SERVER = set(
    _modules(
        "web web_app web_protocol web_request web_response web_fileresponse web_ws "
        "web_exceptions web_urldispatcher web_routedef web_middlewares web_server web_runner "
        "web_log worker"
    )
)
# Public modules by layer; lower layers never import higher ones at run time.  A private
# module has no rank of its own: the rules see through it (a chain via it is checked).
_LAYER_TABLE = [
    _modules("typedefs hdrs log http_exceptions client_exceptions abc"),
    _modules("_sansio _websocket"),
    _modules(
        "base_protocol streams http_parser http_writer http_websocket http compression_utils "
        "payload payload_streamer multipart formdata helpers"
    ),
    sorted(CLIENT | SERVER),
    _modules("test_utils pytest_plugin"),
]
LAYERS = {module: rank for rank, modules in enumerate(_LAYER_TABLE) for module in modules}
SERVER_MAY_USE_FROM_CLIENT = {f"{ROOT}.client_exceptions"}
SANSIO = f"{ROOT}._sansio"
# The sans-IO packages: the HTTP/1.1 engine and the WebSocket framing.
WIRE_CORE = (SANSIO, f"{ROOT}._websocket")
WIRE_CORE_MAY_USE = {f"{ROOT}.{name}" for name in ("typedefs", "hdrs", "log", "http_exceptions")}
IO_MODULES = {"asyncio", "socket", "selectors", "ssl"}


@dataclass(frozen=True)
class Import:
    target: str  # an aiohttp module, or a top-level module outside the package
    names: tuple[str, ...]  # for ``from X import a, b``
    type_only: bool
    line: int


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


@functools.cache
def _sources() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, type_only: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    """Every node under ``node``, with whether it sits in an ``if TYPE_CHECKING:`` body."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            yield child, type_only
            for stmt in child.body:
                yield stmt, True
                yield from _walk(stmt, True)
            for stmt in child.orelse:
                yield stmt, type_only
                yield from _walk(stmt, type_only)
        else:
            yield child, type_only
            yield from _walk(child, type_only)


def _resolve_from(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


@functools.cache
def _imports(module: str) -> tuple[Import, ...]:
    path = _sources()[module]
    is_package = path.name == "__init__.py"
    found: list[Import] = []
    for node, type_only in _walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = alias.name
                if target != ROOT and not target.startswith(f"{ROOT}."):
                    target = target.split(".")[0]
                found.append(Import(target, (), type_only, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            target = _resolve_from(module, is_package, node)
            names = tuple(alias.name for alias in node.names)
            if target == ROOT or target.startswith(f"{ROOT}."):
                # ``from . import x`` names a submodule when one exists.
                submodules = [f"{target}.{n}" for n in names if f"{target}.{n}" in _sources()]
                if submodules:
                    found.extend(Import(s, (), type_only, node.lineno) for s in submodules)
                    continue
            else:
                target = target.split(".")[0]
            found.append(Import(target, names, type_only, node.lineno))
    return tuple(found)


def _internal(module: str, *, runtime_only: bool) -> set[str]:
    return {
        imp.target
        for imp in _imports(module)
        if imp.target.startswith(f"{ROOT}.") and not (runtime_only and imp.type_only)
    }


@functools.cache
def _reachable(module: str) -> frozenset[str]:
    """Package modules ``module`` imports at run time, directly or through others.

    The facade (``aiohttp/__init__``) is not followed: it imports everything.
    """
    seen: set[str] = set()
    todo = [module]
    while todo:
        for target in _internal(todo.pop(), runtime_only=True):
            if target in _sources() and target not in seen:
                seen.add(target)
                todo.append(target)
    return frozenset(seen)


def _public(module: str) -> str:
    """The module that gives ``module`` its layer: a wire-core package for its submodules."""
    for package in WIRE_CORE:
        if module.startswith(f"{package}."):
            return package
    return module


MODULES = sorted(_sources())


def test_checker_sees_type_only_and_relative_imports() -> None:
    """Guards the checker itself: abc names web_request under TYPE_CHECKING, relatively."""
    found = {imp.target: imp.type_only for imp in _imports(f"{ROOT}.abc")}
    assert found[f"{ROOT}.web_request"] is True
    assert found[f"{ROOT}.typedefs"] is False
    assert f"{ROOT}.web_request" not in _reachable(f"{ROOT}.abc")


def test_checker_follows_chains_through_private_modules() -> None:
    # _engine imports _messages, which imports typedefs.
    reachable = _reachable(f"{SANSIO}._engine")
    assert {f"{SANSIO}._messages", f"{ROOT}.typedefs"} <= reachable


def test_every_public_module_has_a_layer() -> None:
    unknown = [
        m
        for m in MODULES
        if m != ROOT
        and not m.startswith(WIRE_CORE)
        and not any(part.startswith("_") for part in m.split(".")[1:])
        and m not in LAYERS
    ]
    assert unknown == [], f"add {unknown} to LAYERS in {__file__}"


@pytest.mark.parametrize("module", sorted(CLIENT & set(MODULES)))
def test_client_module_never_imports_the_server(module: str) -> None:
    direct = _internal(module, runtime_only=False)
    bad = sorted((direct | _reachable(module)) & SERVER)
    assert bad == [], f"{module} reaches server modules {bad}"


@pytest.mark.parametrize("module", sorted(SERVER & set(MODULES)))
def test_server_module_never_imports_the_client(module: str) -> None:
    direct = _internal(module, runtime_only=False)
    bad = sorted(((direct | _reachable(module)) & CLIENT) - SERVER_MAY_USE_FROM_CLIENT)
    assert bad == [], f"{module} reaches client modules {bad}"


@pytest.mark.parametrize("module", [m for m in MODULES if _public(m) in LAYERS])
def test_runtime_imports_point_down(module: str) -> None:
    rank = LAYERS[_public(module)]
    above = sorted(
        target
        for target in _reachable(module)
        if LAYERS.get(_public(target), -1) > rank and _public(target) != _public(module)
    )
    assert above == [], f"{module} (layer {rank}) imports higher layers: {above}"


@pytest.mark.parametrize("module", [m for m in MODULES if m.startswith(WIRE_CORE)])
def test_wire_core_imports_only_itself_and_the_vocabulary(module: str) -> None:
    direct = _internal(module, runtime_only=False)
    bad = sorted(t for t in direct if not t.startswith(WIRE_CORE) and t not in WIRE_CORE_MAY_USE)
    assert bad == [], f"{module} imports {bad}"
    closure = {module} | _reachable(module)
    io = sorted(
        f"{m}:{imp.line} imports {imp.target}"
        for m in closure
        for imp in _imports(m)
        if imp.target in IO_MODULES
    )
    assert io == [], "the wire core must not touch I/O: " + "; ".join(io)


@pytest.mark.parametrize("module", MODULES)
def test_facade_is_imported_for_version_only(module: str) -> None:
    bad = [
        f"line {imp.line}: {imp.names}"
        for imp in _imports(module)
        if imp.target == ROOT and set(imp.names) - {"__version__"}
    ]
    assert bad == [], f"{module} imports from the aiohttp facade: {bad}"


# ---- import each module alone -------------------------------------------------------------

# Third-party packages some modules need but the project does not depend on.
OPTIONAL_DEPENDENCIES = {"gunicorn", "uvloop"}

# The facade (aiohttp/__init__.py) imports nearly everything, so importing a submodule the
# normal way would always run the facade's import order first. Each module is instead
# imported under a bare stand-in package that only carries ``__version__``, so the module
# must bring in everything it needs itself.
_IMPORT_EACH = textwrap.dedent(
    """
    import importlib, json, re, sys, traceback, types
    package_dir, modules, optional = sys.argv[1], json.loads(sys.argv[2]), set(sys.argv[3:])
    with open(package_dir + "/__init__.py", encoding="utf-8") as init:
        version = re.search(r'^__version__ = "([^"]+)"', init.read(), re.M).group(1)
    failures = {}
    for name in modules:
        for loaded in [m for m in sys.modules if m == "aiohttp" or m.startswith("aiohttp.")]:
            del sys.modules[loaded]
        if name != "aiohttp":
            bare = types.ModuleType("aiohttp")
            bare.__path__ = [package_dir]
            bare.__version__ = version
            sys.modules["aiohttp"] = bare
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] not in optional:
                failures[name] = traceback.format_exc()
        except BaseException:
            failures[name] = traceback.format_exc()
    print(json.dumps(failures))
    """
)


def test_each_module_imports_on_its_own() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-c",
            _IMPORT_EACH,
            str(PACKAGE_DIR),
            json.dumps([ROOT, *MODULES]),
            *sorted(OPTIONAL_DEPENDENCIES),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    failures: dict[str, str] = json.loads(proc.stdout.splitlines()[-1])
    assert failures == {}, "\n".join(f"--- {m}\n{tb}" for m, tb in failures.items())
