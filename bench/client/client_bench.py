"""The benchmark HTTP client: one case against a static server, with aiohttp or httpx.

With ``--lib aiohttp`` it uses only the public aiohttp 3.13 client API (``ClientSession``,
``TCPConnector``), so the same file runs on this project and on the reference aiohttp; with
``--lib httpx`` it does the same with ``httpx.AsyncClient``, as a peer. Cases:

- ``seq``: GETs of a small file one after another on one connection (requests/s);
- ``concurrent``: ``--concurrency`` tasks doing GETs through one pooled session whose
  connection limit is the same number (requests/s);
- ``download``: the big file streamed in 64 KiB chunks (MB/s).

Each case warms up, then runs for ``--duration`` seconds (or ``--max-ops`` operations, if
fewer), checks every status and body length, and prints one JSON line (``case``, ``lib``,
``ops``, ``seconds``, ``ops_per_s``, ``bytes``, ``mb_per_s``, ``cpu_seconds``, ``impl``,
``lib_file``).
Usage: ``client_bench.py --base http://127.0.0.1:PORT --case seq [--lib httpx]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

CHUNK = 64 * 1024
SMALL_PATH = "/small.txt"
BIG_PATH = "/big.bin"


@dataclass
class Plan:
    """What to run: the server, the case's bounds and the sizes every response must have."""

    base: str
    case: str
    duration: float
    max_ops: int
    concurrency: int
    small_size: int
    big_size: int


@dataclass
class Tally:
    """What the timed part of a case did, and the wall and CPU time it took."""

    ops: int = 0
    bytes: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0


#: one operation: fetch (small or big) and return the body size it read
Fetch = Callable[[], Awaitable[int]]


async def drive(plan: Plan, fetch: Fetch, workers: int, warmup_ops: int) -> Tally:
    """Warm up, then run ``workers`` loops of ``fetch`` until the duration or op budget ends."""
    want = plan.big_size if plan.case == "download" else plan.small_size
    for _ in range(warmup_ops):
        if await fetch() != want:
            raise RuntimeError("wrong body size during warm-up")
    tally = Tally()
    deadline = time.perf_counter() + plan.duration

    async def loop() -> None:
        while tally.ops < plan.max_ops and time.perf_counter() < deadline:
            tally.ops += 1  # claimed before the await, so the budget holds with many workers
            got = await fetch()
            if got != want:
                raise RuntimeError(f"read {got} bytes, expected {want}")
            tally.bytes += got

    start, cpu_start = time.perf_counter(), time.process_time()
    await asyncio.gather(*(loop() for _ in range(workers)))
    tally.cpu_seconds = time.process_time() - cpu_start  # all threads, user + system
    tally.seconds = time.perf_counter() - start
    return tally


async def run_aiohttp(plan: Plan) -> tuple[Tally, str, str]:
    import aiohttp
    from aiohttp.base_protocol import BaseProtocol
    from aiohttp.http_parser import HttpResponseParser

    limit = 1 if plan.case == "seq" else plan.concurrency
    connector = aiohttp.TCPConnector(limit=limit)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def small() -> int:
            async with session.get(plan.base + SMALL_PATH) as resp:
                if resp.status != 200:
                    raise RuntimeError(f"status {resp.status}")
                return len(await resp.read())

        async def big() -> int:
            got = 0
            async with session.get(plan.base + BIG_PATH) as resp:
                if resp.status != 200:
                    raise RuntimeError(f"status {resp.status}")
                async for chunk in resp.content.iter_chunked(CHUNK):
                    got += len(chunk)
            return got

        tally = await run_case(plan, small, big)
    parser = HttpResponseParser(
        BaseProtocol(asyncio.get_running_loop()), asyncio.get_running_loop(), 2**16
    )
    impl = f"{type(parser).__module__}.{type(parser).__qualname__}"
    engine = getattr(parser, "_engine", None)  # this project's parsers drive a wire-core engine
    if engine is not None:
        impl += f" (engine: {type(engine).__name__}"
        # the httptools engine hands some parsers (lax ones) to the pure one from the start
        fallback = getattr(engine, "_py", None)
        if fallback is not None:
            impl += f", running {type(fallback).__name__}"
        impl += ")"
    return tally, f"aiohttp {aiohttp.__version__}: {impl}", aiohttp.__file__


async def run_httpx(plan: Plan) -> tuple[Tally, str, str]:
    import httpcore
    import httpx

    limit = 1 if plan.case == "seq" else plan.concurrency
    limits = httpx.Limits(max_connections=limit, max_keepalive_connections=limit)
    async with httpx.AsyncClient(limits=limits, timeout=60.0) as client:

        async def small() -> int:
            resp = await client.get(plan.base + SMALL_PATH)
            if resp.status_code != 200:
                raise RuntimeError(f"status {resp.status_code}")
            return len(resp.content)

        async def big() -> int:
            got = 0
            async with client.stream("GET", plan.base + BIG_PATH) as resp:
                if resp.status_code != 200:
                    raise RuntimeError(f"status {resp.status_code}")
                async for chunk in resp.aiter_bytes(CHUNK):
                    got += len(chunk)
            return got

        tally = await run_case(plan, small, big)
    impl = f"httpx {httpx.__version__}, httpcore {httpcore.__version__}"
    return tally, impl, httpx.__file__


async def run_case(plan: Plan, small: Fetch, big: Fetch) -> Tally:
    if plan.case == "seq":
        return await drive(plan, small, workers=1, warmup_ops=200)
    if plan.case == "concurrent":
        return await drive(plan, small, workers=plan.concurrency, warmup_ops=200)
    return await drive(plan, big, workers=1, warmup_ops=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--case", required=True, choices=["seq", "concurrent", "download"])
    parser.add_argument("--lib", default="aiohttp", choices=["aiohttp", "httpx"])
    parser.add_argument("--duration", type=float, default=3.0, help="timed seconds (3)")
    parser.add_argument("--max-ops", type=int, default=1_000_000, help="operation budget")
    parser.add_argument("--concurrency", type=int, default=50, help="tasks and pool size (50)")
    parser.add_argument("--small-size", type=int, required=True, help="size of /small.txt")
    parser.add_argument("--big-size", type=int, required=True, help="size of /big.bin")
    args = parser.parse_args()
    if not args.base.startswith("http://127.0.0.1:"):
        parser.error("--base must be a loopback http://127.0.0.1:PORT address")
    plan = Plan(
        args.base.rstrip("/"),
        args.case,
        args.duration,
        args.max_ops,
        args.concurrency,
        args.small_size,
        args.big_size,
    )
    runner = run_aiohttp if args.lib == "aiohttp" else run_httpx
    tally, impl, lib_file = asyncio.run(runner(plan))
    seconds = tally.seconds
    print(
        json.dumps(
            {
                "case": plan.case,
                "lib": args.lib,
                "ops": tally.ops,
                "seconds": seconds,
                "ops_per_s": tally.ops / seconds,
                "bytes": tally.bytes,
                "mb_per_s": tally.bytes / seconds / 1e6,
                "cpu_seconds": tally.cpu_seconds,
                "impl": impl,
                "lib_file": lib_file,
            }
        )
    )


if __name__ == "__main__":
    main()
