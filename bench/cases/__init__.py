"""Benchmark cases: standalone scripts, each run in a fresh interpreter by ``bench/run.py``.

A case uses only the aiohttp 3.13 API both implementations share, checks its own results, and
prints one JSON line: ``{"case", "ops", "seconds", "ops_per_s", "impl", "aiohttp_file"}``.
Cases import nothing from this package, so that they run under any interpreter.
"""
