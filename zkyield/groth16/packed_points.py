"""A key's point list kept as the C backend's packed buffer, decoded only where Python asks for a point.

A large proving key read into Python tuples costs ~200 bytes per G1 point and ~400 per G2 point, and
the native prover then packs them again; at N = 128 that is most of `zkyield prove`'s peak memory. A
``PackedPoints`` is the packed buffer itself (``_native.pack``'s layout: 32-byte little-endian coordinates,
infinity all zero), so the native prover uses it as is, while indexing, iterating and comparing still
behave like the tuple it replaces (pure-Python code and tests see no difference).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

from zkyield._native import native


class PackedPoints(Sequence[Any]):
    """``len(buf) // (32 * width)`` points (width 2: G1, 4: G2) in packed form; read-only."""

    __slots__ = ("buf", "width")

    def __init__(self, buf: bytes, width: int) -> None:
        if width not in (2, 4) or len(buf) % (32 * width):
            raise ValueError("PackedPoints: width must be 2 or 4 and divide the buffer")
        self.buf = buf
        self.width = width

    def __len__(self) -> int:
        return len(self.buf) // (32 * self.width)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Any, ...]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        n = len(self)
        if not -n <= index < n:
            raise IndexError("PackedPoints index out of range")
        item = 32 * self.width
        start = (index % n) * item
        return native().unpack(self.buf[start : start + item], self.width)[0]

    def __iter__(self) -> Iterator[Any]:
        return iter(native().unpack(self.buf, self.width))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedPoints):
            return self.width == other.width and self.buf == other.buf
        if isinstance(other, Sequence):
            return len(other) == len(self) and tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.width, self.buf))

    def __repr__(self) -> str:
        return f"PackedPoints({len(self)} {'G1' if self.width == 2 else 'G2'} points)"
