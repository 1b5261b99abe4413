"""Proving with a snarkjs ``.zkey``: the key carries the A and B rows, C's rows come from c = a·b.

This is snarkjs's own method (groth16_prove.js): for a satisfying witness every constraint row has
<C_i, w> = <A_i, w>·<B_i, w>, and the extra public-input rows have empty B and C, so the key never
needs the C matrix. A witness that does not satisfy the circuit gives a proof that does not verify;
pass the R1CS to refuse such a witness (and a key for another circuit) before any work is done.

The key's B2 points are read on the twist but not tested for the subgroup (docs/ceremony.md, "What each
loader checks"): instead the one point they feed, π_B, is tested before the proof is returned, because a
π_B with a component outside G2 could carry information about the witness to whoever supplied the key.

With the C backend the witness is packed once, the rows come from ``_native.zkey_rows`` over the key's
``Coefficients`` bytes, and both reach the native prover as ``PackedScalars`` (no list of ints);
``zkey_rows_python`` is the reference, and the pure-Python path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from zkyield._native import native
from zkyield.curve import g2_in_subgroup
from zkyield.errors import InputError
from zkyield.field import R
from zkyield.formats.zkey import MATRIX_A, Coefficients, Zkey
from zkyield.groth16.keys import Proof
from zkyield.groth16.packed_points import PackedScalars
from zkyield.groth16.prover import prove_from_rows
from zkyield.r1cs import R1CS, check_canonical


def circuit_coefficients(r1cs: R1CS) -> list[tuple[int, int, int, int]]:
    """The (matrix, row, wire, value) entries snarkjs's ``zkey new`` writes for ``r1cs`` (section 4).

    The order within a row follows the R1CS's dicts: the file order for a read .r1cs (as snarkjs),
    whatever a builder inserted otherwise, so comparisons use ``same_coefficients``.
    """
    out = []
    for row, con in enumerate(r1cs.constraints):
        out.extend((0, row, wire, value % R) for wire, value in con.a.items())
        out.extend((1, row, wire, value % R) for wire, value in con.b.items())
    out.extend((0, r1cs.n_constraints + wire, wire, 1) for wire in range(r1cs.n_public + 1))
    return out


def same_coefficients(a: Sequence[tuple[int, int, int, int]], b: Sequence[tuple[int, int, int, int]]) -> bool:
    """Equal as sets of entries: the order of terms within a row does not change the circuit."""
    return sorted(a) == sorted(b)


def check_zkey_matches(zkey: Zkey, r1cs: R1CS) -> None:
    """Refuse a key made for another circuit: sizes and the A/B coefficients must be the circuit's."""
    sizes = (zkey.n_vars, zkey.n_public) == (r1cs.n_wires, r1cs.n_public)
    if not sizes or not same_coefficients(zkey.coefs, circuit_coefficients(r1cs)):
        raise InputError("zkey: made for another circuit (wires, public inputs or A/B coefficients differ)")


Rows = tuple[Sequence[int], Sequence[int], Sequence[int]]


def zkey_rows(zkey: Zkey, witness: Sequence[int]) -> Rows:
    """<A_i, w>, <B_i, w> from the key's coefficients, and <C_i, w> = <A_i, w>·<B_i, w>, for a witness of
    canonical Fr values (``prove_zkey`` checks it first). Native when the key's coefficients are a
    ``Coefficients`` (a key read from a file): three ``PackedScalars``; else ``zkey_rows_python``'s lists."""
    lib = native()
    if lib is None or not isinstance(zkey.coefs, Coefficients):
        return zkey_rows_python(zkey, witness)
    packed = witness.buf if isinstance(witness, PackedScalars) else lib.pack(witness, 1)
    a, b, c = lib.zkey_rows(zkey.coefs.raw, packed, zkey.domain_size)
    return PackedScalars(a), PackedScalars(b), PackedScalars(c)


def zkey_rows_python(zkey: Zkey, witness: Sequence[int]) -> tuple[list[int], list[int], list[int]]:
    """The reference for ``zkey_rows`` (same signature), on Python ints."""
    size = zkey.domain_size
    a = [0] * size
    b = [0] * size
    for matrix, row, wire, value in zkey.coefs:
        if matrix == MATRIX_A:
            a[row] += value * witness[wire]
        else:
            b[row] += value * witness[wire]
    a = [x % R for x in a]
    b = [x % R for x in b]
    return a, b, [x * y % R for x, y in zip(a, b, strict=True)]


def checked_witness(witness: Sequence[int]) -> Sequence[int]:
    """The witness after refusing any value that is not a canonical Fr int (InputError naming the wire):
    natively packed once (``PackedScalars``, which the rows and the prover then share), else as given.

    The fast test (every value's type exactly int, min >= 0, max < r, all in C) passes exactly the witnesses
    the reference loop ``r1cs.check_canonical`` passes, bar int subclasses other than bool: those, and every
    refusal, go through the reference, so the error is always its message."""
    lib = native()
    if lib is None or not witness or set(map(type, witness)) != {int} or min(witness) < 0 or max(witness) >= R:
        check_canonical(witness)
        if lib is None:
            return witness
    return witness if isinstance(witness, PackedScalars) else PackedScalars(lib.pack(witness, 1))


def prove_zkey(
    zkey: Zkey,
    witness: Sequence[int],
    r1cs: R1CS | None = None,
    progress: Callable[[str], None] | None = None,
) -> Proof:
    """A Groth16 proof from a snarkjs .zkey (ours or snarkjs's) and a full witness."""
    if r1cs is not None:
        check_zkey_matches(zkey, r1cs)
        r1cs.check(witness)
    if len(witness) != zkey.n_vars:
        raise InputError(f"witness: has {len(witness)} values but the zkey expects {zkey.n_vars}")
    witness = checked_witness(witness)
    a, b, c = zkey_rows(zkey, witness)
    proof = prove_from_rows(zkey.proving_key(), witness, a, b, c, progress)
    if not g2_in_subgroup(proof.b):
        raise InputError(
            "zkey: its B2 points are not all in G2 (a corrupt or hostile key); no proof is output, since "
            "its pi_B could leak the witness. Get the key again from its ceremony and run `ceremony verify`"
        )
    return proof
