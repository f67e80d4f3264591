"""Server benchmark: ``wrk`` against ``bench/server/app.py`` under each contender; print ratios.

One server per contender (this project with httptools and pure, aiohttp 3.13.3 with C and
pure; see ``bench/run.py``) runs on 127.0.0.1, pinned to core 0, and ``wrk`` loads it from
core 1. Cases: hello-world text, a small JSON response, a dynamic route, a 4 KiB POST echo, a
1 MiB ``FileResponse``, and hello-world again with ``Connection: close``. Runs are interleaved
(round by round, the contender order rotated each round); the table shows median requests per
second and ratios where > 1 means we are faster. Before that, a fresh server per contender
answers 10,000 keep-alive requests and its peak RSS (``VmHWM``) is reported. Every server is
checked (status and body of every case) before it is measured, and must run the aiohttp it
stands for. Usage: ``python bench/run_server.py [--rounds R] [--duration S] [--case NAME ...]``.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import random
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._net import (
    ROOT,
    Children,
    Column,
    Pinning,
    Samples,
    cpu_seconds,
    die_with_parent,
    exit_on_sigterm,
    fmt_rate,
    minor_faults,
    print_table,
    read_json_line,
    tail,
    vm_kib,
)
from bench.run import CONTENDERS, Contender

SERVER_DIR = ROOT / "bench" / "server"
APP = SERVER_DIR / "app.py"
WRK_SCRIPT = SERVER_DIR / "wrk.lua"
HELLO = b"Hello, World!"
FILE_SIZE = 1024 * 1024
POST_SIZE = 4096
_PATTERN = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"  # as in wrk.lua


@dataclass(frozen=True)
class Case:
    """One wrk load: the path, extra wrk arguments and headers."""

    name: str
    path: str
    what: str
    script_args: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()


CASES = (
    Case("hello", "/", "GET / -> 13 B text, keep-alive"),
    Case("json", "/json", "GET /json -> web.json_response, 93 B"),
    Case("route", "/users/4711/posts/hello-bench", "GET dynamic route, 2 match_info parts"),
    Case("post_4k", "/echo", "POST 4 KiB body, echoed back", ("post", str(POST_SIZE))),
    Case("file_1m", "/file", "GET 1 MiB web.FileResponse"),
    Case("hello_close", "/", "GET / with Connection: close", (), ("Connection: close",)),
)
CASE_BY_NAME = {c.name: c for c in CASES}
RATIOS = (Column("ext/C", "ours_ext", "ref_c"), Column("pure/pure", "ours_py", "ref_py"))


def post_body(size: int) -> bytes:
    """The body wrk.lua sends in ``post`` mode."""
    return (_PATTERN * (size // len(_PATTERN) + 1))[:size]


@dataclass
class Server:
    """A running app.py under one contender."""

    contender: Contender
    proc: subprocess.Popen[bytes]
    port: int
    pid: int
    impl: str


def start_server(
    children: Children, pin: Pinning, contender: Contender, file: Path, log: Path
) -> Server:
    cmd = pin.subject([str(contender.python), str(APP), "--port", "0", "--file", str(file)])
    with log.open("wb") as err:
        proc = children.start(cmd, env=contender.env(), cwd=SERVER_DIR, stderr=err)
    try:
        ready = read_json_line(proc, timeout=30.0)
    except RuntimeError as exc:
        children.stop(proc)
        raise RuntimeError(f"{exc}: {tail(log, 4)}") from exc
    if not contender.owns(str(ready["aiohttp_file"])):
        children.stop(proc)
        raise RuntimeError(f"imported the wrong aiohttp: {ready['aiohttp_file']}")
    return Server(contender, proc, int(ready["port"]), int(ready["pid"]), str(ready["impl"]))


def request(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": "application/octet-stream"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def closes_after_response(port: int) -> bool:
    """Whether the server ends the connection after answering a ``Connection: close`` GET."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data.startswith(b"HTTP/1.1 200") and data.endswith(HELLO)


def check_server(port: int, file_bytes: bytes) -> None:
    """Every case's answer is right, or RuntimeError says which is not."""
    checks: list[tuple[str, tuple[int, bytes], bytes | None]] = [
        ("hello", request(port, "GET", "/"), HELLO),
        ("route", request(port, "GET", CASE_BY_NAME["route"].path), b"user 4711 post hello-bench"),
        ("post_4k", request(port, "POST", "/echo", post_body(POST_SIZE)), post_body(POST_SIZE)),
        ("file_1m", request(port, "GET", "/file"), file_bytes),
    ]
    status, body = request(port, "GET", "/json")
    ok_json = status == 200 and json.loads(body).get("message") == HELLO.decode()
    checks.append(("json", (200 if ok_json else status, b""), b""))
    for name, (status, body), want in checks:
        if status != 200 or (want is not None and body != want):
            raise RuntimeError(f"case {name}: status {status}, {len(body)} B body, not as expected")
    if not closes_after_response(port):
        raise RuntimeError("case hello_close: the server kept the connection open")


def run_wrk(
    pin: Pinning, server: Server, case: Case, duration: float, connections: int
) -> dict[str, Any]:
    """One wrk run; its JSON report plus ``rps`` and the server's CPU µs per request."""
    port = server.port
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--timeout", "10s"]
    for header in case.headers:
        cmd += ["-H", header]
    cmd += ["-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}{case.path}"]
    if case.script_args:
        cmd += ["--", *case.script_args]
    cpu_before, faults_before = cpu_seconds(server.pid), minor_faults(server.pid)
    proc = subprocess.run(
        pin.load(cmd),
        cwd=SERVER_DIR,
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=False,
        preexec_fn=die_with_parent,
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines or not lines[-1].startswith("{"):
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr.strip()[-300:]}")
    cpu = cpu_seconds(server.pid) - cpu_before
    faults = minor_faults(server.pid) - faults_before
    result: dict[str, Any] = json.loads(lines[-1])
    errors = sum(result[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    if result["status_errors"]:
        raise RuntimeError(f"{result['status_errors']} responses with a non-2xx/3xx status")
    if errors > result["requests"] // 100:
        raise RuntimeError(f"{errors} socket errors/timeouts in {result['requests']} requests")
    result["rps"] = result["requests"] * 1e6 / result["duration_us"]
    result["cpu_us_per_request"] = cpu * 1e6 / max(result["requests"], 1)
    result["minor_faults_per_request"] = faults / max(result["requests"], 1)
    return result


async def _hammer(port: int, total: int, connections: int) -> int:
    """``total`` keep-alive ``GET /`` over ``connections`` sockets; returns responses read."""
    req = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"

    async def one_connection(n: int) -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for _ in range(n):
                writer.write(req)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if (
                    not head.startswith(b"HTTP/1.1 200")
                    or await reader.readexactly(length) != HELLO
                ):
                    raise RuntimeError("bad response while measuring memory")
            return n
        finally:
            writer.close()

    share = [total // connections + (i < total % connections) for i in range(connections)]
    done = await asyncio.gather(*(one_connection(n) for n in share))
    return sum(done)


def measure_memory(
    children: Children, pin: Pinning, contender: Contender, file: Path, log: Path, total: int
) -> tuple[int, int]:
    """(VmHWM at start, VmHWM after ``total`` requests) in KiB, of a fresh server."""
    server = start_server(children, pin, contender, file, log)
    try:
        idle = vm_kib(server.pid, "VmHWM")
        hammer = _hammer(server.port, total, connections=50)
        served = asyncio.run(asyncio.wait_for(hammer, timeout=max(60.0, total / 100)))
        if served != total:
            raise RuntimeError(f"served {served} of {total} requests")
        return idle, vm_kib(server.pid, "VmHWM")
    finally:
        children.stop(server.proc)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=50, help="wrk connections (50)")
    parser.add_argument("--case", action="append", choices=list(CASE_BY_NAME), help="only this")
    parser.add_argument("--contender", action="append", choices=[c.key for c in CONTENDERS])
    parser.add_argument("--memory-requests", type=int, default=10_000, help="0: skip RSS")
    parser.add_argument("--no-pin", action="store_true", help="do not pin with taskset")
    parser.add_argument("--json", type=Path, help="also write every sample to this file")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every sample")
    args = parser.parse_args(argv)
    if not 1 <= args.rounds <= 50 or not 0.5 <= args.duration <= 120:
        parser.error("--rounds must be 1..50 and --duration 0.5..120 seconds")
    if not 1 <= args.connections <= 1000 or not 0 <= args.memory_requests <= 1_000_000:
        parser.error("--connections must be 1..1000 and --memory-requests 0..1000000")
    return args


@dataclass
class Bench:
    """One benchmark session: what runs, where, and the samples gathered so far."""

    args: argparse.Namespace
    pin: Pinning
    kids: Children
    cases: list[Case]
    contenders: list[Contender]
    file: Path
    logs: dict[str, Path]
    results: dict[tuple[str, str], Samples]
    servers: dict[str, Server]

    def measure_memory(self) -> dict[str, tuple[int, int] | str]:
        memory: dict[str, tuple[int, int] | str] = {}
        for c in self.contenders:
            try:
                memory[c.key] = measure_memory(
                    self.kids, self.pin, c, self.file, self.logs[c.key], self.args.memory_requests
                )
            except (RuntimeError, OSError, EOFError, asyncio.TimeoutError) as exc:
                memory[c.key] = f"{type(exc).__name__}: {exc}"
        return memory

    def start_servers(self) -> None:
        """A checked, warmed-up server per contender; one that fails fails all its cases."""
        file_bytes = self.file.read_bytes()
        for c in self.contenders:
            try:
                server = start_server(self.kids, self.pin, c, self.file, self.logs[c.key])
                self.servers[c.key] = server
                check_server(server.port, file_bytes)
                run_wrk(self.pin, server, CASES[0], 1.0, self.args.connections)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                self.servers.pop(c.key, None)
                for case in self.cases:
                    self.results[case.name, c.key].error = f"server: {exc}"

    def run_round(self, rnd: int) -> None:
        shift = rnd % len(self.contenders)
        order = self.contenders[shift:] + self.contenders[:shift]
        for case in self.cases:
            for c in order:
                samples = self.results[case.name, c.key]
                server = self.servers.get(c.key)
                if samples.error or server is None:
                    continue  # a contender that failed once is not retried
                try:
                    result = run_wrk(
                        self.pin, server, case, self.args.duration, self.args.connections
                    )
                except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                    samples.error = str(exc)
                    if server.proc.poll() is not None:
                        samples.error += f" (server exited: {tail(self.logs[c.key], 4)})"
                    continue
                samples.values.append(result["rps"])
                samples.extra.append(result)
                samples.impl = server.impl
                if self.args.verbose:
                    rate, p99 = fmt_rate(result["rps"]), result["p99_us"] / 1e3
                    cpu = result["cpu_us_per_request"]
                    faults = result["minor_faults_per_request"]
                    print(
                        f"round {rnd + 1} {case.name:<12} {c.title:<18} "
                        f"{rate:>8} rps  {cpu:6.0f} CPU us/req  {faults:.3f} faults/req  "
                        f"p99 {p99:.1f} ms",
                        file=sys.stderr,
                    )

    def peak_memory(self) -> dict[str, int]:
        """VmHWM of every server still alive after the rounds."""
        return {
            key: vm_kib(s.pid, "VmHWM") for key, s in self.servers.items() if s.proc.poll() is None
        }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk not found (make bench-server installs it)", file=sys.stderr)
        return 2
    contenders = [c for c in CONTENDERS if not args.contender or c.key in args.contender]
    for contender in contenders:
        if not contender.python.exists():
            print(f"missing interpreter {contender.python} (run `make bench`)", file=sys.stderr)
            return 2
    cases = [c for c in CASES if not args.case or c.name in args.case]
    exit_on_sigterm()
    pin = Pinning(enabled=not args.no_pin)
    pin.pin_self_to_load_core()
    print(pin.describe(), file=sys.stderr)

    memory: dict[str, tuple[int, int] | str] = {}
    with tempfile.TemporaryDirectory(prefix="aiohttp-bench-server-") as tmp, Children() as kids:
        file = Path(tmp) / "file-1m.bin"
        file.write_bytes(random.Random(1).randbytes(FILE_SIZE))
        bench = Bench(
            args,
            pin,
            kids,
            cases,
            contenders,
            file,
            logs={c.key: Path(tmp) / f"{c.key}.log" for c in contenders},
            results={(case.name, c.key): Samples() for case in cases for c in contenders},
            servers={},
        )
        if args.memory_requests:
            memory = bench.measure_memory()
            print("memory measured", file=sys.stderr)
        bench.start_servers()
        for rnd in range(args.rounds):
            bench.run_round(rnd)
            print(f"round {rnd + 1}/{args.rounds} done", file=sys.stderr)
        peak_after = bench.peak_memory()

    results = bench.results
    report(args, cases, contenders, results, memory, peak_after, pin)
    if args.json is not None:
        dump = {
            "samples": {
                f"{case}/{key}": {"rps": s.values, "wrk": s.extra, "impl": s.impl, "error": s.error}
                for (case, key), s in results.items()
            },
            "memory_kib": memory,
            "peak_after_bench_kib": peak_after,
        }
        args.json.write_text(json.dumps(dump, indent=2) + "\n")
    failed = any(s.error for s in results.values())
    return 1 if failed or any(isinstance(m, str) for m in memory.values()) else 0


def report(
    args: argparse.Namespace,
    cases: list[Case],
    contenders: list[Contender],
    results: dict[tuple[str, str], Samples],
    memory: dict[str, tuple[int, int] | str],
    peak_after: dict[str, int],
    pin: Pinning,
) -> None:
    keys = {c.key for c in contenders}
    columns = [Column(c.title, c.key) for c in contenders]
    columns += [r for r in RATIOS if r.key in keys and r.over in keys]
    print(
        f"\nwrk -t1 -c{args.connections} -d{args.duration:g}s, median of {args.rounds} rounds, "
        f"{pin.describe()}\nrequests/s; ratios are ours/aiohttp 3.13.3 (>1: we are faster)\n"
    )
    print_table(
        "case (requests/s)",
        [c.name for c in cases],
        columns,
        lambda row, key: results[row, key].median if (row, key) in results else None,
        fmt=lambda v: "n/a" if v is None else f"{v:.0f}",
    )
    # CPU time per request holds up far better than requests/s when other work shares the
    # machine: ratios here are aiohttp's CPU over ours, so > 1 still means we are faster
    print(
        "\nserver CPU time (user+sys) per request, us, median; "
        "ratios are aiohttp/ours (>1: we use less)\n"
    )
    inverse_ratios = [
        Column(r.title, r.over, r.key) for r in RATIOS if r.key in keys and r.over in keys
    ]
    cpu_columns = [Column(c.title, c.key) for c in contenders] + inverse_ratios
    print_table(
        "case (CPU us/request)",
        [c.name for c in cases],
        cpu_columns,
        lambda row, key: results[row, key].median_of("cpu_us_per_request"),
        fmt=lambda v: "n/a" if v is None else f"{v:.0f}",
    )
    if "file_1m" in {c.name for c in cases}:
        mbs = {
            key: s.median * FILE_SIZE / 1e6
            for (case, key), s in results.items()
            if case == "file_1m" and s.median is not None
        }
        print(
            "\nfile_1m as MB/s: "
            + ", ".join(f"{c.title} {mbs[c.key]:.0f}" for c in contenders if c.key in mbs)
        )
    print("\ncases:")
    for case in cases:
        print(f"  {case.name:<12} {case.what}")

    if memory or peak_after:
        print(
            "\nserver peak resident set (VmHWM), KiB; ratios are aiohttp/ours (>1: we use less)\n"
        )
        mem_rows = ["at start", f"after {args.memory_requests} requests", "after the whole bench"]

        def mem(row: str, key: str) -> float | None:
            value = memory.get(key)
            if row == mem_rows[2]:
                return float(peak_after[key]) if key in peak_after else None
            if not isinstance(value, tuple):
                return None
            return float(value[0] if row == mem_rows[0] else value[1])

        print_table(
            "VmHWM (KiB)",
            mem_rows,
            [Column(c.title, c.key) for c in contenders] + inverse_ratios,
            mem,
            fmt=lambda v: "n/a" if v is None else f"{v:.0f}",
        )

    print("\nimplementations:")
    for c in contenders:
        impls = {results[case.name, c.key].impl for case in cases} - {""}
        print(f"  {c.title:<18} {'; '.join(sorted(impls)) or '-'}")
        failures = [(case.name, results[case.name, c.key].error) for case in cases]
        if isinstance(memory.get(c.key), str):
            failures.append(("memory", str(memory[c.key])))
        shown: set[str] = set()
        for where, error in failures:
            if error and error not in shown:
                shown.add(error)  # a server that did not start fails every case alike
                print(f"  {'':<18} FAILED {where}: {error}")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the children are gone already: main's ``with`` ended them
        print("interrupted", file=sys.stderr)
        sys.exit(130)
