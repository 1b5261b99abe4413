"""Read and write snarkjs's binary .wtns witness (snarkjs src/wtns_utils.js, version 2).

Section 1 header: u32 n8, the prime (n8 bytes), u32 nWitness; section 2: nWitness values of n8
bytes each, little-endian in standard form (not Montgomery). Only BN254's scalar field is accepted.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from zkyield.errors import FormatError
from zkyield.field import R
from zkyield.formats.atomic import write_bytes_atomic
from zkyield.formats.binio import Source, load_source, read_container, read_scalar_field_header, u32, write_container

MAGIC = b"wtns"
VERSION = 2
N8 = 32  # bytes per BN254 Fr element
SECTION_HEADER = 1
SECTION_VALUES = 2


def read_wtns(src: Source) -> list[int]:
    """Load a .wtns (path or bytes) as canonical Fr ints, wire 0 first."""
    data, name = load_source(src, "wtns")
    box = read_container(data, MAGIC, VERSION, name)
    h = box.section(SECTION_HEADER, "header")
    read_scalar_field_header(h, "witness")
    n_witness = h.u32("header nWitness")
    h.expect_end("header section")
    v = box.section(SECTION_VALUES, "witness values")
    if v.remaining != n_witness * N8:
        raise FormatError(
            f"{name}: header says {n_witness} values ({n_witness * N8} bytes) but the values section has "
            f"{v.remaining} bytes"
        )
    start = v.pos
    values = [int.from_bytes(data[p : p + N8], "little") for p in range(start, start + n_witness * N8, N8)]
    for i, x in enumerate(values):
        if x >= R:
            raise FormatError(f"{name}: witness value {i} is not a canonical Fr element (>= r)")
    return values


def wtns_to_bytes(witness: Sequence[int]) -> bytes:
    """Serialise as snarkjs ``wtns calculate`` does (sections 1, 2)."""
    for i, x in enumerate(witness):
        if isinstance(x, bool) or not isinstance(x, int) or not 0 <= x < R:
            raise FormatError(f"wtns: witness value {i} is not a canonical Fr element (0 <= x < r)")
    header = u32(N8, "n8") + R.to_bytes(N8, "little") + u32(len(witness), "nWitness")
    values = b"".join(x.to_bytes(N8, "little") for x in witness)
    return write_container(MAGIC, VERSION, [(SECTION_HEADER, header), (SECTION_VALUES, values)])


def write_wtns(witness: Sequence[int], path: str | os.PathLike) -> None:
    """Write ``wtns_to_bytes(witness)`` atomically."""
    write_bytes_atomic(path, wtns_to_bytes(witness))
