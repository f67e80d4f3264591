"""Shared fixtures: the parser engines run every parametrized test twice, pure Python and
httptools (llhttp), the way multidict runs its tests on both implementations."""
