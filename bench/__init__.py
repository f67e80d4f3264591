"""Benchmarks of this aiohttp against the reference aiohttp 3.13.3 (see bench/README.md)."""
