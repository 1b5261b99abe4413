"""Read and write circom's binary .r1cs (iden3 r1csfile doc/r1cs_bin_format.md, version 1).

Sections: 1 header (n8, prime, nWires, nPubOut, nPubIn, nPrvIn, u64 nLabels, mConstraints),
2 constraints (per constraint A, B, C; each a u32 factor count then (u32 wire, n8-byte coefficient)
pairs, coefficients in standard form), 3 wire -> label map (u64 per wire), and 4/5 for PLONK
custom gates. Only BN254's scalar field is accepted: every other prime is refused up front.
"""

from __future__ import annotations

import os
import struct
import sys
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from zkyield._native.lc_codec import encode
from zkyield.errors import FormatError
from zkyield.field import R
from zkyield.formats.atomic import write_bytes_atomic
from zkyield.formats.binio import (
    Container,
    Reader,
    Source,
    StreamedSection,
    container_pieces,
    load_source,
    read_container,
    read_scalar_field_header,
    u32,
    u64,
)
from zkyield.r1cs import R1CS, Constraint, LinearCombination

MAGIC = b"r1cs"
VERSION = 1
N8 = 32  # bytes per BN254 Fr element
SECTION_HEADER = 1
SECTION_CONSTRAINTS = 2
SECTION_WIRE2LABEL = 3
SECTION_CUSTOM_GATES_LIST = 4
SECTION_CUSTOM_GATES_APPLIED = 5
# circom 2 streams the constraints before it knows the counts, so it writes sections 2, 1, 3;
# writing the same order makes our files byte-identical to circom's.
WRITE_ORDER = (SECTION_CONSTRAINTS, SECTION_HEADER, SECTION_WIRE2LABEL)

_FACTOR = struct.Struct("<I")
_FACTOR_SIZE = 4 + N8
_SIDES = ("A", "B", "C")


@dataclass(frozen=True)
class R1csHeader:
    """Header counts as the file states them (``n_labels`` is not kept by ``R1CS`` itself)."""

    n_wires: int
    n_pub_out: int
    n_pub_in: int
    n_prv_in: int
    n_labels: int
    n_constraints: int


def read_r1cs(src: Source) -> R1CS:
    """Load a circom .r1cs (path or bytes) into an ``R1CS``, validating every count and value."""
    return read_r1cs_with_header(src)[0]


def read_r1cs_with_header(src: Source) -> tuple[R1CS, R1csHeader]:
    """Like ``read_r1cs`` but also returns the header (needed to re-write ``nLabels`` exactly)."""
    data, name = load_source(src, "r1cs")
    box, header = open_r1cs(data, name)
    constraints = _read_constraints(box.section(SECTION_CONSTRAINTS, "constraints"), header)
    wire_labels = None
    if box.has(SECTION_WIRE2LABEL):
        wire_labels = _read_wire_labels(box.section(SECTION_WIRE2LABEL, "wire-to-label map"), header)
    r1cs = R1CS(
        n_wires=header.n_wires,
        n_pub_out=header.n_pub_out,
        n_pub_in=header.n_pub_in,
        n_prv_in=header.n_prv_in,
        constraints=constraints,
        wire_labels=wire_labels,
        n_labels=header.n_labels,
    )
    return r1cs, header


def open_r1cs(data: bytes, name: str) -> tuple[Container, R1csHeader]:
    """The sections and the checked header of a .r1cs's bytes (a Groth16 circuit: no custom gates)."""
    box = read_container(data, MAGIC, VERSION, name)
    if box.has(SECTION_CUSTOM_GATES_LIST) or box.has(SECTION_CUSTOM_GATES_APPLIED):
        raise FormatError(
            f"{name}: circuit uses custom gates (PLONK only), which Groth16 cannot prove; "
            "compile it without `pragma custom_templates`"
        )
    return box, _read_header(box.section(SECTION_HEADER, "header"))


def _read_header(r: Reader) -> R1csHeader:
    read_scalar_field_header(r, "circuit")
    n_wires = r.u32("header nWires")
    n_pub_out = r.u32("header nPubOut")
    n_pub_in = r.u32("header nPubIn")
    n_prv_in = r.u32("header nPrvIn")
    n_labels = r.u64("header nLabels")
    n_constraints = r.u32("header mConstraints")
    r.expect_end("header section")
    if n_wires < 1 + n_pub_out + n_pub_in + n_prv_in:
        raise FormatError(
            f"{r.name}: header has nWires = {n_wires}, fewer than 1 + outputs + public + private inputs"
        )
    return R1csHeader(n_wires, n_pub_out, n_pub_in, n_prv_in, n_labels, n_constraints)


def _read_constraints(r: Reader, header: R1csHeader) -> list[Constraint]:
    r.need(header.n_constraints, 3 * 4, "header mConstraints")
    data, n_wires = r.data, header.n_wires
    constraints = []
    for i in range(header.n_constraints):
        sides = []
        for side in _SIDES:
            n_factors = r.u32(f"constraint {i} {side} factor count")
            r.need(n_factors, _FACTOR_SIZE, f"constraint {i} {side} factor count")
            lc: LinearCombination = {}
            pos = r.pos
            for _ in range(n_factors):
                (wire,) = _FACTOR.unpack_from(data, pos)
                coef = int.from_bytes(data[pos + 4 : pos + _FACTOR_SIZE], "little")
                pos += _FACTOR_SIZE
                if wire >= n_wires or coef >= R or wire in lc:
                    _bad_factor(r.name, i, side, wire, coef, n_wires)
                lc[wire] = coef
            r.pos = pos
            sides.append(lc)
        constraints.append(Constraint(*sides))
    r.expect_end("constraints section")
    return constraints


def _bad_factor(name: str, index: int, side: str, wire: int, coef: int, n_wires: int) -> None:
    where = f"{name}: constraint {index} {side}"
    if wire >= n_wires:
        raise FormatError(f"{where} uses wire {wire} but the circuit has {n_wires} wires")
    if coef >= R:
        raise FormatError(f"{where}: coefficient of wire {wire} is not a canonical Fr element (>= r)")
    raise FormatError(f"{where} lists wire {wire} twice")


def _read_wire_labels(r: Reader, header: R1csHeader) -> list[int]:
    if r.remaining != header.n_wires * 8:
        raise FormatError(
            f"{r.name}: wire-to-label map has {r.remaining} bytes, expected 8 per wire ({header.n_wires})"
        )
    labels = list(struct.unpack_from(f"<{header.n_wires}Q", r.data, r.pos))
    r.pos = r.end
    for wire, label in enumerate(labels):
        if label >= header.n_labels:
            raise FormatError(f"{r.name}: wire {wire} maps to label {label} but nLabels = {header.n_labels}")
    return labels


def r1cs_to_bytes(r1cs: R1CS, n_labels: int | None = None) -> bytes:
    """Serialise as circom does: section order 2, 1, 3 and each linear combination sorted by wire.

    ``n_labels`` defaults to ``r1cs.n_labels`` (kept from the file it was read from; circom's can exceed
    the largest label when optimised-away signals sort last), else one past the largest label in the map.
    """
    if n_labels is None:
        n_labels = r1cs.n_labels
    pieces = r1cs_file_pieces(r1cs.n_wires, r1cs.n_pub_out, r1cs.n_pub_in, r1cs.n_prv_in, r1cs.n_constraints,
                              [_constraints_section(r1cs)], r1cs.wire_labels, n_labels)
    return b"".join(pieces)


def r1cs_file_pieces(n_wires: int, n_pub_out: int, n_pub_in: int, n_prv_in: int, n_constraints: int,
                     constraints: Sequence[bytes] | StreamedSection, wire_labels: Sequence[int] | None,
                     n_labels: int | None) -> Iterator[bytes]:
    """A ``.r1cs`` file around an encoded constraints section (given as pieces, or streamed), as pieces."""
    what = "r1cs"
    wire_labels = wire_labels if wire_labels is not None else range(n_wires)
    if len(wire_labels) != n_wires:
        raise FormatError(f"{what}: wire_labels has {len(wire_labels)} entries for {n_wires} wires")
    if not wire_labels:
        low, high = 0, -1
    elif isinstance(wire_labels, range):  # a compiled circuit's labels: no pass over 600,000 ints
        low, high = min(wire_labels[0], wire_labels[-1]), max(wire_labels[0], wire_labels[-1])
    else:
        low, high = min(wire_labels), max(wire_labels)
    if n_labels is None:
        n_labels = high + 1
    if low < 0 or high >= n_labels:
        raise FormatError(f"{what}: wire_labels must lie in [0, n_labels = {n_labels})")
    if n_wires < 1 + n_pub_out + n_pub_in + n_prv_in:
        raise FormatError(f"{what}: n_wires = {n_wires} is smaller than 1 + public + private inputs")
    header = b"".join(
        [
            u32(N8, "n8"),
            R.to_bytes(N8, "little"),
            u32(n_wires, "n_wires"),
            u32(n_pub_out, "n_pub_out"),
            u32(n_pub_in, "n_pub_in"),
            u32(n_prv_in, "n_prv_in"),
            u64(n_labels, "n_labels"),
            u32(n_constraints, "n_constraints"),
        ]
    )
    words = array("Q", wire_labels)  # unsigned 64-bit, written little-endian
    if sys.byteorder == "big":
        words.byteswap()
    labels = words.tobytes()
    content = {SECTION_HEADER: [header], SECTION_CONSTRAINTS: constraints, SECTION_WIRE2LABEL: [labels]}
    return container_pieces(MAGIC, VERSION, [(t, content[t]) for t in WRITE_ORDER])


def _constraints_section(r1cs: R1CS) -> bytes:
    """The constraints encoded in C when built (the same bytes), else ``_constraints_section_reference``."""
    parts: list[bytes] = []
    if encode(r1cs.constraints, r1cs.n_wires, False, parts.append):
        return b"".join(parts)
    return _constraints_section_reference(r1cs)


def _constraints_section_reference(r1cs: R1CS) -> bytes:
    what = "r1cs"
    body = bytearray()
    for i, con in enumerate(r1cs.constraints):
        for side, lc in zip(_SIDES, (con.a, con.b, con.c), strict=True):
            body += _FACTOR.pack(len(lc))
            for wire in sorted(lc):
                coef = lc[wire]
                if not 0 <= wire < r1cs.n_wires or not 0 <= coef < R:
                    raise FormatError(f"{what}: constraint {i} {side}: wire {wire} out of range or coef >= r")
                body += _FACTOR.pack(wire)
                body += coef.to_bytes(N8, "little")
    return bytes(body)


def write_r1cs(r1cs: R1CS, path: str | os.PathLike, n_labels: int | None = None) -> None:
    """Write ``r1cs_to_bytes(r1cs, n_labels)`` atomically."""
    write_bytes_atomic(path, r1cs_to_bytes(r1cs, n_labels))
