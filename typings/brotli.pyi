# Stubs for Google's `brotli` binding (PyPI "Brotli" >= 1.1), which ships no type information.
# Generated with `stubgen -p brotli --inspect-mode` (see typings/regen.py), then tightened by
# hand from the binding's docstrings and observed runtime behaviour; checked by
# tests/test_stubs.py with mypy.stubtest.
#
# Argument conventions of the C extension (`_brotli`), verified at runtime:
# - data arguments accept any C-contiguous buffer (bytes, bytearray, memoryview ...);
# - Compressor/Decompressor.process take their data positionally only;
# - decompress() also accepts its argument by the keyword `string`.

from typing import Final

from _typeshed import ReadableBuffer
from typing_extensions import disjoint_base

version: Final[str]
__version__: Final[str]

MODE_GENERIC: Final[int]
MODE_TEXT: Final[int]
MODE_FONT: Final[int]

class error(Exception):
    """Raised when compression or decompression fails, or arguments are out of range."""

@disjoint_base
class Compressor:
    """Incremental compressor; concatenate the output of process/flush/finish."""

    def __init__(
        self, mode: int = ..., quality: int = ..., lgwin: int = ..., lgblock: int = ...
    ) -> None: ...
    def process(self, data: ReadableBuffer, /) -> bytes: ...
    def flush(self) -> bytes: ...
    def finish(self) -> bytes: ...

@disjoint_base
class Decompressor:
    """Incremental decompressor; `output_buffer_limit` bounds one call's output."""

    # The C slot reports a generic `(*args, **kwargs)` signature but rejects any argument;
    # see typings/stubtest_allowlist.txt.
    def __init__(self) -> None: ...
    def process(self, data: ReadableBuffer, /, output_buffer_limit: int = ...) -> bytes: ...
    def is_finished(self) -> bool: ...
    def can_accept_more_data(self) -> bool: ...

def compress(
    string: ReadableBuffer,
    mode: int = ...,
    quality: int = ...,
    lgwin: int = ...,
    lgblock: int = ...,
) -> bytes: ...
def decompress(string: ReadableBuffer) -> bytes: ...
