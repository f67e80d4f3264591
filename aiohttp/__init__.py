"""aiohttp: an asynchronous HTTP client/server framework for asyncio."""

__version__ = "3.13.0.post0.dev1"
