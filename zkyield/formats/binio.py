"""The iden3 binary container shared by .r1cs, .wtns, .zkey and .ptau, read with every bound checked.

Layout (iden3 r1csfile doc/r1cs_bin_format.md, snarkjs binfileutils): 4-byte magic, u32 version,
u32 section count, then per section u32 type, u64 byte size and the content. All integers are
little-endian; field elements are ``n8``-byte little-endian integers. Sections may come in any order.

Every count read from a file is checked against the bytes actually present before anything is
allocated from it, so a hostile header claiming 2^40 entries costs nothing.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from zkyield.errors import FormatError
from zkyield.field import R

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_SECTION_HEADER = struct.Struct("<IQ")

Source = bytes | bytearray | memoryview | str | os.PathLike
FR_BYTES = 32  # bytes per BN254 Fr element in iden3 files


def load_source(src: Source, default_name: str) -> tuple[bytes, str]:
    """Bytes of a path or a buffer, with the name errors should mention (the file name, else the format)."""
    if isinstance(src, (bytes, bytearray, memoryview)):
        return bytes(src), default_name
    path = Path(src)
    try:
        return path.read_bytes(), path.name
    except OSError as e:
        raise FormatError(f"{path.name}: cannot read file ({e.strerror or e})") from None


class Reader:
    """A cursor over ``data[start:end]`` whose reads raise FormatError instead of running past ``end``."""

    def __init__(self, data: bytes, start: int, end: int, name: str) -> None:
        self.data = data
        self.pos = start
        self.end = end
        self.name = name

    @property
    def remaining(self) -> int:
        return self.end - self.pos

    def need(self, count: int, item_size: int, what: str) -> None:
        """Refuse ``count`` items of ``item_size`` bytes unless the section really holds them."""
        if count * item_size > self.remaining:
            raise FormatError(
                f"{self.name}: {what} claims {count} entries ({count * item_size} bytes) "
                f"but only {self.remaining} bytes remain; the file is truncated or corrupt"
            )

    def _fixed(self, size: int, what: str) -> None:
        if size > self.remaining:
            left = self.remaining
            raise FormatError(f"{self.name}: truncated at {what} ({size} bytes needed, {left} left)")

    def u32(self, what: str) -> int:
        self._fixed(4, what)
        (v,) = _U32.unpack_from(self.data, self.pos)
        self.pos += 4
        return v

    def u64(self, what: str) -> int:
        self._fixed(8, what)
        (v,) = _U64.unpack_from(self.data, self.pos)
        self.pos += 8
        return v

    def take(self, n: int, what: str) -> bytes:
        self._fixed(n, what)
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def element(self, n8: int, modulus: int, what: str) -> int:
        """An ``n8``-byte little-endian field element in standard (not Montgomery) form, < modulus."""
        self._fixed(n8, what)
        v = int.from_bytes(self.data[self.pos : self.pos + n8], "little")
        if v >= modulus:
            raise FormatError(f"{self.name}: {what} is not a canonical field element (>= the prime)")
        self.pos += n8
        return v

    def expect_end(self, what: str) -> None:
        """Section sizes must match their content exactly: trailing bytes mean a corrupt file."""
        if self.pos != self.end:
            raise FormatError(f"{self.name}: {what} has {self.end - self.pos} unexpected trailing bytes")


@dataclass(frozen=True)
class Container:
    """A parsed section table: section type -> list of (offset, size) in ``data``."""

    data: bytes
    name: str
    sections: dict[int, list[tuple[int, int]]]

    def has(self, section_type: int) -> bool:
        return section_type in self.sections

    def section(self, section_type: int, what: str) -> Reader:
        """A reader over the one section of this type; missing or duplicated sections are refused."""
        found = self.sections.get(section_type)
        if not found:
            raise FormatError(f"{self.name}: missing {what} section (type {section_type})")
        if len(found) > 1:
            raise FormatError(f"{self.name}: {what} section (type {section_type}) appears {len(found)} times")
        offset, size = found[0]
        return Reader(self.data, offset, offset + size, self.name)


def read_scalar_field_header(r: Reader, noun: str) -> None:
    """The iden3 field header (u32 n8, then the n8-byte prime) of .r1cs/.wtns: only BN254's r is accepted.

    ``noun`` names what the file holds in the error (``circuit``, ``witness``).
    """
    n8 = r.u32("header field size")
    prime = int.from_bytes(r.take(n8, "header prime"), "little")
    if prime != R:
        shown = str(prime) if n8 <= 64 else f"of {n8} bytes"
        raise FormatError(f"{r.name}: {noun} is for prime {shown}, zkyield supports BN254 r")
    if n8 != FR_BYTES:
        raise FormatError(f"{r.name}: field elements are {n8} bytes, BN254 files use {FR_BYTES}")


def read_container(data: bytes, magic: bytes, version: int, name: str) -> Container:
    """Check magic and version and index the sections, each of which must fit inside the file."""
    if len(data) < 12:
        raise FormatError(f"{name}: file too short ({len(data)} bytes) for a {magic.decode()} header")
    if data[:4] != magic:
        raise FormatError(f"{name}: bad magic {data[:4]!r}, expected {magic!r} (not a {magic.decode()} file)")
    (got_version,) = _U32.unpack_from(data, 4)
    if got_version != version:
        raise FormatError(f"{name}: unsupported {magic.decode()} version {got_version}, expected {version}")
    (n_sections,) = _U32.unpack_from(data, 8)
    if n_sections * _SECTION_HEADER.size > len(data) - 12:
        raise FormatError(f"{name}: header claims {n_sections} sections, more than the file can hold")
    sections: dict[int, list[tuple[int, int]]] = {}
    pos = 12
    for i in range(n_sections):
        if pos + _SECTION_HEADER.size > len(data):
            raise FormatError(f"{name}: truncated before section {i} of {n_sections}")
        section_type, size = _SECTION_HEADER.unpack_from(data, pos)
        pos += _SECTION_HEADER.size
        if size > len(data) - pos:
            raise FormatError(
                f"{name}: section {i} (type {section_type}) claims {size} bytes, {len(data) - pos} left"
            )
        sections.setdefault(section_type, []).append((pos, size))
        pos += size
    if pos != len(data):
        raise FormatError(f"{name}: {len(data) - pos} bytes after the last section")
    return Container(data, name, sections)


def write_container(magic: bytes, version: int, sections: Sequence[tuple[int, bytes]]) -> bytes:
    """Serialise (type, content) sections in the given order behind magic, version and count."""
    return b"".join(container_pieces(magic, version, [(t, [content]) for t, content in sections]))


@dataclass(frozen=True)
class StreamedSection:
    """A section whose pieces are made while the file is written, its size known up front: a constraints
    section of hundreds of megabytes is never held whole."""

    size: int
    pieces: Iterable[bytes]


def container_pieces(magic: bytes, version: int,
                     sections: Sequence[tuple[int, Sequence[bytes] | StreamedSection]]) -> Iterator[bytes]:
    """``write_container``'s bytes as pieces, each section given as pieces too (or streamed): a file of
    hundreds of megabytes is written without joining it into one buffer first."""
    yield magic + _U32.pack(version) + _U32.pack(len(sections))
    for section_type, content in sections:
        if isinstance(content, StreamedSection):
            yield _SECTION_HEADER.pack(section_type, content.size)
            made = 0
            for piece in content.pieces:
                made += len(piece)
                yield piece
            if made != content.size:  # the header already went out: a file that would not parse
                raise FormatError(f"section {section_type}: {made} bytes made, {content.size} announced")
        else:
            yield _SECTION_HEADER.pack(section_type, sum(map(len, content)))
            yield from content


def u32(value: int, what: str) -> bytes:
    """Pack a count, refusing values the format cannot represent instead of leaking struct.error."""
    if not 0 <= value < 1 << 32:
        raise FormatError(f"{what} = {value} does not fit the format's 32-bit field")
    return _U32.pack(value)


def u64(value: int, what: str) -> bytes:
    if not 0 <= value < 1 << 64:
        raise FormatError(f"{what} = {value} does not fit the format's 64-bit field")
    return _U64.pack(value)
