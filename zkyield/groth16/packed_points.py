"""A key's point list kept as the C backend's packed buffer, decoded only where Python asks for a point.

A large proving key read into Python tuples costs ~200 bytes per G1 point and ~400 per G2 point, and
the native prover then packs them again; at N = 128 that is most of `zkyield prove`'s peak memory. A
``PackedPoints`` is the packed buffer itself (``_native.pack``'s layout: 32-byte little-endian coordinates,
infinity all zero), so the native prover uses it as is, while indexing, iterating and comparing still
behave like the tuple it replaces (pure-Python code and tests see no difference).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from zkyield._native import native


class PackedRecords(Sequence[Any]):
    """Fixed-size records of a byte buffer, decoded one at a time where Python asks; read-only, and equal
    to the tuple (or list, ``slice_type``) of decoded items it stands for.

    A subclass names its buffer (``data``), its record size (``record_size``) and how one record reads
    (``decode``); equality between two of the same class compares ``identity``.
    """

    __slots__ = ()
    slice_type: type = tuple

    @property
    def data(self) -> bytes | memoryview:
        raise NotImplementedError

    @property
    def record_size(self) -> int:
        raise NotImplementedError

    def decode(self, record: bytes | memoryview) -> Any:
        raise NotImplementedError

    def identity(self) -> object:
        return self.data

    def __len__(self) -> int:
        return len(self.data) // self.record_size

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return self.slice_type(self[i] for i in range(*index.indices(len(self))))
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"{type(self).__name__} index out of range")
        size = self.record_size
        start = (index % n) * size
        return self.decode(self.data[start : start + size])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, type(self)):
            return self.identity() == other.identity()
        if isinstance(other, Sequence):
            return len(other) == len(self) and tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.identity())


class PackedPoints(PackedRecords):
    """``len(buf) // (32 * width)`` points (width 2: G1, 4: G2) in packed form; read-only."""

    __slots__ = ("buf", "parent", "width")

    def __init__(self, buf: bytes | memoryview, width: int) -> None:
        if width not in (2, 4) or len(buf) % (32 * width):
            raise ValueError("PackedPoints: width must be 2 or 4 and divide the buffer")
        self.buf = buf
        self.width = width
        self.parent: tuple[bytes, int] | None = None  # set by ``split``: (its buffer, 0 head or 1 tail)

    @property
    def data(self) -> bytes | memoryview:
        return self.buf

    @property
    def record_size(self) -> int:
        return 32 * self.width

    def decode(self, record: bytes | memoryview) -> Any:
        return _unpack(record, self.width)[0]

    def identity(self) -> object:
        return self.width, self.buf

    def __iter__(self) -> Iterator[Any]:
        return iter(_unpack(self.buf, self.width))

    def __reduce__(self) -> tuple[type, tuple[bytes, int]]:
        """Pickles as its own bytes (a ``split`` half's view cannot travel; the copy is equal)."""
        return PackedPoints, (bytes(self.buf), self.width)

    def __repr__(self) -> str:
        return f"PackedPoints({len(self)} {'G1' if self.width == 2 else 'G2'} points)"

    @classmethod
    def split(cls, buf: bytes, width: int, first: int) -> tuple[PackedPoints, PackedPoints]:
        """Two lists over one buffer (its first ``first`` points, then the rest), sharing its memory:
        ``joined`` gives the buffer back, so a prover's MSM over both needs no copy."""
        view, cut = memoryview(buf), 32 * width * first
        head, tail = cls(view[:cut], width), cls(view[cut:], width)
        head.parent, tail.parent = (buf, 0), (buf, 1)
        return head, tail


def joined(first: object, second: object) -> bytes | None:
    """The buffer that ``first`` and ``second`` are the head and tail of (one ``split``); None for
    anything else (then the caller copies)."""
    if isinstance(first, PackedPoints) and isinstance(second, PackedPoints) and first.parent and second.parent:
        (a, head), (b, tail) = first.parent, second.parent
        if a is b and (head, tail) == (0, 1):
            return a
    return None


def _unpack(buf: bytes | memoryview, width: int) -> list[Any]:
    """The points of a packed buffer: ``_native.unpack``, or the same decoding in Python without it."""
    lib = native()
    if lib is not None:
        return lib.unpack(buf, width)
    ints = [int.from_bytes(buf[i : i + 32], "little") for i in range(0, len(buf), 32)]
    out: list[Any] = []
    for k in range(0, len(ints), width):
        c = ints[k : k + width]
        out.append(None if not any(c) else (c[0], c[1]) if width == 2 else ((c[0], c[1]), (c[2], c[3])))
    return out


class PackedScalars(PackedRecords):
    """Field elements as ``_native.pack(values, 1)``'s buffer (32-byte little-endian, canonical), read as ints
    on demand: the QAP rows and witness a .zkey prove computes in C reach the native prover without a list
    of ints (``prover_native`` uses ``buf`` as is). Read-only; compares equal to the list it stands for."""

    __slots__ = ("buf",)
    slice_type = list
    record_size = 32

    def __init__(self, buf: bytes) -> None:
        if len(buf) % 32:
            raise ValueError("PackedScalars: the buffer must hold whole 32-byte elements")
        self.buf = buf

    @property
    def data(self) -> bytes:
        return self.buf

    def decode(self, record: bytes | memoryview) -> int:
        return int.from_bytes(record, "little")

    def __iter__(self) -> Iterator[int]:
        buf = self.buf
        return (int.from_bytes(buf[k : k + 32], "little") for k in range(0, len(buf), 32))

    def __repr__(self) -> str:
        return f"PackedScalars({len(self)} elements)"
