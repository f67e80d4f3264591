"""What the network benchmarks (``run_server.py``, ``run_client.py``) share.

Owns the lifetime of the processes a bench starts (servers, nginx, load generators): each runs
in a session of its own, dies with the harness (``PR_SET_PDEATHSIG``) and is terminated, then
killed, when the harness leaves, also on Ctrl+C or SIGTERM. Also: CPU pinning with ``taskset``
(skipped, with a notice, where it is missing or the machine has one core), reading a process's
memory high-water mark, per-contender samples and the median/ratio table both harnesses print.
The contenders themselves are those of ``bench/run.py``.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In the child before exec: get SIGTERM when the harness dies, even by SIGKILL."""
    name = ctypes.util.find_library("c")
    if sys.platform.startswith("linux") and name:
        ctypes.CDLL(name, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def exit_on_sigterm() -> None:
    """Turn SIGTERM into ``SystemExit`` so that every ``finally`` (and child cleanup) runs."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


class Pinning:
    """CPU pinning: which core the system under test and the load generator each get."""

    def __init__(
        self,
        enabled: bool,
        subject_core: int = 0,
        load_core: int = 1,
        names: tuple[str, str] = ("system under test", "load"),
    ) -> None:
        self.names = names
        cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
        self.taskset = shutil.which("taskset")
        self.subject_core = subject_core
        self.load_core = load_core
        self.why_not = ""
        if not enabled:
            self.why_not = "disabled with --no-pin"
        elif self.taskset is None:
            self.why_not = "taskset not found"
        elif not {subject_core, load_core} <= cores:
            self.why_not = f"cores {subject_core} and {load_core} are not both available"

    @property
    def active(self) -> bool:
        return not self.why_not

    def describe(self) -> str:
        if not self.active:
            return f"no CPU pinning ({self.why_not})"
        subject, load = self.names
        return f"pinned: {subject} on core {self.subject_core}, {load} on core {self.load_core}"

    def subject(self, cmd: Sequence[str]) -> list[str]:
        return self._prefix(self.subject_core) + list(cmd)

    def load(self, cmd: Sequence[str]) -> list[str]:
        return self._prefix(self.load_core) + list(cmd)

    def _prefix(self, core: int) -> list[str]:
        if not self.active or self.taskset is None:
            return []
        return [self.taskset, "-c", str(core)]

    def pin_self_to_load_core(self) -> None:
        """Keep the harness itself (and what it runs in-process) off the subject's core."""
        if self.active:
            os.sched_setaffinity(0, {self.load_core})


class Children:
    """The processes a harness started; ``close`` (or leaving the ``with``) ends all of them."""

    def __init__(self) -> None:
        self._procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Children:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(
        self,
        cmd: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        stdout: int | IO[bytes] | None = subprocess.PIPE,
        stderr: int | IO[bytes] | None = None,
    ) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            list(cmd),
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,  # Ctrl+C reaches only the harness, which then cleans up
            preexec_fn=die_with_parent,
        )
        self._procs.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
        """SIGTERM the child's process group (it and its workers), SIGKILL after ``grace``."""
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        if proc in self._procs:
            self._procs.remove(proc)

    def close(self) -> None:
        for proc in list(self._procs):
            self.stop(proc)


def read_json_line(proc: subprocess.Popen[bytes], timeout: float) -> dict[str, Any]:
    """The first line the child prints on stdout, as JSON; RuntimeError if none in time."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    buf = b""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"no ready line within {timeout:.0f} s")
            if not sel.select(left):
                continue
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"exited with status {proc.wait()} before it was ready")
            buf += chunk
    result: dict[str, Any] = json.loads(buf.split(b"\n", 1)[0])
    return result


def vm_kib(pid: int, field_name: str) -> int:
    """A ``VmXxx`` line of ``/proc/<pid>/status`` in KiB (``VmHWM``: peak resident set)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field_name} for pid {pid}")


def _stat_fields(pid: int) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after "pid (comm) " (comm may hold spaces)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (``/proc/<pid>/stat``)."""
    fields = _stat_fields(pid)
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def minor_faults(pid: int) -> int:
    """Minor page faults of the process so far: memory the C allocator handed back to the
    kernel and touched again shows here (and as system time)."""
    return int(_stat_fields(pid)[7])


def tail(path: Path, lines: int = 3) -> str:
    """The last lines of a log file, for an error message."""
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


@dataclass
class Samples:
    """The results of one case under one contender."""

    values: list[float] = field(default_factory=list)
    extra: list[dict[str, Any]] = field(default_factory=list)
    impl: str = ""
    error: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    def median_of(self, name: str) -> float | None:
        """The median of one field of the per-run records in ``extra``."""
        found = [float(run[name]) for run in self.extra if run.get(name) is not None]
        return statistics.median(found) if found else None


@dataclass(frozen=True)
class Column:
    """A table column: a contender's medians, or a ratio of two contenders' medians."""

    title: str
    key: str
    over: str = ""  # set for a ratio column: key / over


def fmt_rate(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value >= 1e6:
        return f"{value / 1e6:.2f}M"
    if value >= 1e4:
        return f"{value / 1e3:.1f}k"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}"


def print_table(
    corner: str,
    rows: Sequence[str],
    columns: Sequence[Column],
    value: Callable[[str, str], float | None],
    fmt: Callable[[float | None], str] = fmt_rate,
) -> None:
    """One row per case; contender columns show ``fmt(value(case, key))``, ratio columns
    ``value(case, key) / value(case, over)``."""
    table = [[corner] + [c.title for c in columns]]
    for row in rows:
        cells = [row]
        for col in columns:
            num = value(row, col.key)
            if not col.over:
                cells.append(fmt(num))
                continue
            den = value(row, col.over)
            cells.append("n/a" if num is None or not den else f"{num / den:.2f}x")
        table.append(cells)
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for i, cells in enumerate(table):
        print(
            "  ".join(
                [cells[0].ljust(widths[0])] + [v.rjust(w) for v, w in zip(cells[1:], widths[1:])]
            )
        )
        if i == 0:
            print("  ".join("-" * w for w in widths))
