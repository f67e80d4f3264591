"""``aiohttp.worker``: importable without gunicorn, a clear error when used without it, and
the access-log format translation (tests needing gunicorn run only where it is installed)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from aiohttp import worker
from aiohttp.web_log import AccessLogger

HAS_GUNICORN = importlib.util.find_spec("gunicorn") is not None


def test_worker_module_imports_in_a_clean_interpreter() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import aiohttp.worker as w; print(w.GunicornWebWorker.__name__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "GunicornWebWorker"


def test_worker_classes_and_formats() -> None:
    assert issubclass(worker.GunicornUVLoopWebWorker, worker.GunicornWebWorker)
    assert worker.GunicornWebWorker.DEFAULT_AIOHTTP_LOG_FORMAT == AccessLogger.LOG_FORMAT
    assert worker.GunicornWebWorker.DEFAULT_GUNICORN_LOG_FORMAT == (
        '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'
    )


@pytest.mark.skipif(HAS_GUNICORN, reason="checks the error shown without gunicorn")
def test_worker_without_gunicorn_says_what_is_missing() -> None:
    with pytest.raises(RuntimeError, match="needs gunicorn"):
        worker.GunicornWebWorker()


def _bare_worker() -> worker.GunicornWebWorker:
    # The log-format logic needs no gunicorn state: skip __init__.
    return worker.GunicornWebWorker.__new__(worker.GunicornWebWorker)


def test_gunicorn_default_format_becomes_aiohttp_default() -> None:
    w = _bare_worker()
    assert w._get_valid_log_format(w.DEFAULT_GUNICORN_LOG_FORMAT) == AccessLogger.LOG_FORMAT
    assert w._get_valid_log_format('%a "%r" %s') == '%a "%r" %s'


def test_gunicorn_style_format_is_refused() -> None:
    with pytest.raises(ValueError, match="Gunicorn's style options"):
        _bare_worker()._get_valid_log_format("%(h)s %(r)s")
