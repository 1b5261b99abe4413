"""A .r1cs used as its bytes: the header, the circuit digest and the Groth16 rows, no constraint in Python.

Why: proving needs only the rows <A_i,w>, <B_i,w>, <C_i,w> and the digest the proving key names.
Parsing the constraints into an ``R1CS`` of dicts just to get them cost more than the MSMs at 2^14
(``zkyield groth16 prove``), and at N = 128 it took gigabytes (``zkyield prove``). Both answers come from C
(``_witness.r1cs_rows`` and ``_witness.r1cs_digest_terms``). The reference is ``read_r1cs`` followed by
``R1CS``'s own ``digest`` and ``groth16.qap.row_evaluations``, with the same signatures here. It runs
without the extension, and on a file the C side will not take (the terms of a side not in increasing
wire order), where it sorts the terms or names what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zkyield._native import witness_lib
from zkyield.errors import ConstraintError, InputError
from zkyield.field import R
from zkyield.formats.r1cs_bin import SECTION_CONSTRAINTS, open_r1cs, read_r1cs
from zkyield.groth16.qap import row_evaluations
from zkyield.r1cs import R1CS, check_witness_shape, digest_prefix

Rows = tuple[Sequence[int], Sequence[int], Sequence[int]]


@dataclass(frozen=True)
class R1csLayout:
    """A .r1cs's shape and where its constraints section lies in the file's bytes."""

    n_wires: int
    n_pub_out: int
    n_pub_in: int
    n_prv_in: int
    n_constraints: int
    section: tuple[int, int]

    @property
    def n_public(self) -> int:
        return self.n_pub_out + self.n_pub_in


def r1cs_layout(data: bytes, name: str) -> R1csLayout:
    """The layout of a .r1cs's bytes, every header count checked (``FormatError`` naming ``name``)."""
    box, h = open_r1cs(data, name)
    section = box.section(SECTION_CONSTRAINTS, "constraints")
    section.need(h.n_constraints, 3 * 4, "header mConstraints")
    return R1csLayout(h.n_wires, h.n_pub_out, h.n_pub_in, h.n_prv_in, h.n_constraints, (section.pos, section.end))


def r1cs_digest(data: bytes, layout: R1csLayout) -> bytes:
    """``R1CS.digest`` of the file: what a proving key's circuit digest must equal."""
    h = digest_prefix(layout.n_wires, layout.n_pub_out, layout.n_pub_in, layout.n_prv_in, layout.n_constraints)
    lib = witness_lib()
    start, end = layout.section
    if lib is not None and lib.r1cs_digest_terms(memoryview(data)[start:end], layout.n_constraints,
                                                 layout.n_wires, h.update):
        return h.digest()
    return read_r1cs(data).digest()


def qap_rows(data: bytes, layout: R1csLayout, witness: Sequence[int], domain_size: int) -> Rows:
    """``groth16.qap.row_evaluations`` of the file's constraints; ConstraintError at the first broken one.

    The witness must have the file's shape (``check_witness_shape``); the caller checks it first.
    """
    lib = witness_lib()
    if lib is None:
        return row_evaluations_checked(read_r1cs(data), witness, domain_size)
    try:
        packed = b"".join(x.to_bytes(32, "little") for x in witness)
    except OverflowError:
        raise InputError("witness: values must be canonical Fr integers (0 <= x < r)") from None
    start, end = layout.section
    a, b, c, bad = lib.r1cs_rows(memoryview(data)[start:end], layout.n_constraints, packed,
                                 layout.n_public, domain_size)
    if bad >= 0:
        raise ConstraintError(bad, f"#{bad}")
    return PackedRow(a), PackedRow(b), PackedRow(c)


def row_evaluations_checked(r1cs: R1CS, witness: Sequence[int], domain_size: int) -> Rows:
    """The pure-Python rows (``groth16.qap.row_evaluations``), refusing a witness that breaks a constraint."""
    check_witness_shape(witness, r1cs.n_wires)
    a, b, c = row_evaluations(r1cs, witness, domain_size)
    for i in range(r1cs.n_constraints):
        if a[i] * b[i] % R != c[i]:
            raise ConstraintError(i, r1cs.label(i))
    return a, b, c


class PackedRow(Sequence):
    """A row of 32-byte little-endian field elements read as ints on demand (the prover packs it again,
    so three domain-sized lists of ints never exist at once)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def __len__(self) -> int:
        return len(self._data) // 32

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        return int.from_bytes(self._data[32 * i : 32 * i + 32], "little")

    def __iter__(self):
        data = self._data
        return (int.from_bytes(data[k : k + 32], "little") for k in range(0, len(data), 32))
