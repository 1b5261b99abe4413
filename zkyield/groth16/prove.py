"""Groth16 proving: fresh blinding (r, s) from ``secrets`` for every proof, H through NTTs.

With the C backend built (``zkyield._native``) the prover works on packed buffers end to end: the key's
point lists are packed once per key object (cached while the key lives), the QAP rows go through the
native NTTs without converting back to ints, and every blinding term rides in its MSM as one more
(point, scalar) pair, so a proof costs three G1 MSMs and one G2 MSM. Without it, the pure-Python path
below does the same algebra on lists of ints.
"""

from __future__ import annotations

import secrets
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from zkyield._native import FR_WIDTH, G1_WIDTH, G2_WIDTH, lib
from zkyield.curve import G1Affine, g1_add, g1_mul, g1_neg, g2_add, g2_mul
from zkyield.errors import ConstraintError, FieldError, InputError
from zkyield.field import R, root_of_unity
from zkyield.groth16.keys import Proof, ProvingKey
from zkyield.groth16.qap import quotient_evaluations, row_evaluations
from zkyield.msm import msm_g1, msm_g1_packed, msm_g2, msm_g2_packed
from zkyield.poly import intt_packed, ntt_packed
from zkyield.r1cs import R1CS

Progress = Callable[[str], None]


def check_key_matches(pk: ProvingKey, r1cs: R1CS) -> None:
    """Refuse a proving key made for another circuit before doing any work."""
    if pk.circuit_digest != r1cs.digest():
        raise InputError("proving key: made for another circuit (circuit digest differs); run setup for this one")


def prove(pk: ProvingKey, r1cs: R1CS, witness: Sequence[int], progress: Progress | None = None) -> Proof:
    """A zero-knowledge proof that ``witness`` satisfies ``r1cs``; two calls give different proofs."""
    check_key_matches(pk, r1cs)
    r1cs.validate_witness_shape(witness)
    a, b, c = row_evaluations(r1cs, witness, pk.domain_size)
    for i in range(r1cs.n_constraints):  # R1CS.check on the rows already computed for the QAP
        if a[i] * b[i] % R != c[i]:
            raise ConstraintError(i, r1cs.label(i))
    return prove_from_rows(pk, witness, a, b, c, progress)


def prove_from_rows(
    pk: ProvingKey,
    witness: Sequence[int],
    a: Sequence[int],
    b: Sequence[int],
    c: Sequence[int],
    progress: Progress | None = None,
) -> Proof:
    """The prover's core from the QAP row evaluations <A_i,w>, <B_i,w>, <C_i,w> (domain-sized lists).

    Shared by ``prove`` (rows from an R1CS) and provers whose key carries the rows itself (.zkey).
    """
    say = progress or (lambda _msg: None)
    if len(witness) != pk.n_wires or not len(a) == len(b) == len(c) == pk.domain_size:
        raise InputError(f"witness: has {len(witness)} values but the proving key expects {pk.n_wires}")
    r = secrets.randbelow(R)
    s = secrets.randbelow(R)
    if lib is not None:
        return _prove_native(pk, witness, (a, b, c), r, s, say)
    h = quotient_evaluations(a, b, c, say)
    private = witness[pk.n_public + 1 :]

    say("MSM for A")
    proof_a = _sum_g1(pk.alpha_g1, msm_g1(pk.a_query, witness), g1_mul(pk.delta_g1, r))
    say("MSM for B")
    proof_b = g2_add(g2_add(pk.vk.beta_g2, msm_g2(pk.b_g2_query, witness)), g2_mul(pk.vk.delta_g2, s))
    b1 = _sum_g1(pk.beta_g1, msm_g1(pk.b_g1_query, witness), g1_mul(pk.delta_g1, s))
    say("MSM for C")
    proof_c = _sum_g1(
        msm_g1(pk.c_query, private),
        msm_g1(pk.h_query, h),
        g1_mul(proof_a, s),
        g1_mul(b1, r),
        g1_neg(g1_mul(pk.delta_g1, r * s % R)),
    )
    return Proof(a=proof_a, b=proof_b, c=proof_c)


def _sum_g1(*points: G1Affine) -> G1Affine:
    acc: G1Affine = None
    for p in points:
        acc = g1_add(acc, p)
    return acc


@dataclass(frozen=True)
class _PackedKey:
    """The key's point lists as native buffers; ``c_h`` is C followed by H (one MSM covers both)."""

    a: bytes
    b1: bytes
    b2: bytes
    c_h: bytes


# id(pk) -> (weak reference to pk, its packed form); an entry leaves when its key is garbage collected.
_PACKED: dict[int, tuple[weakref.ref, _PackedKey]] = {}


def _packed_key(pk: ProvingKey) -> _PackedKey:
    entry = _PACKED.get(id(pk))
    if entry is not None and entry[0]() is pk:
        return entry[1]
    packed = _PackedKey(
        a=lib.pack(pk.a_query, G1_WIDTH),
        b1=lib.pack(pk.b_g1_query, G1_WIDTH),
        b2=lib.pack(pk.b_g2_query, G2_WIDTH),
        c_h=lib.pack(pk.c_query, G1_WIDTH) + lib.pack(pk.h_query, G1_WIDTH),
    )
    key = id(pk)
    _PACKED[key] = (weakref.ref(pk, lambda _ref: _PACKED.pop(key, None)), packed)
    return packed


def _pack_fr(values: Sequence[int], what: str) -> bytes:
    try:
        return lib.pack(values, FR_WIDTH)
    except (OverflowError, TypeError):
        raise FieldError(f"{what}: values must be canonical Fr integers (0 <= x < r)") from None


def _quotient_packed(rows: tuple[Sequence[int], ...]) -> bytes:
    """``qap.quotient_evaluations`` on packed buffers: A·B - C at the odd 2n-th roots of unity."""
    shift = root_of_unity(2 * len(rows[0]))
    try:
        a, b, c = (ntt_packed(intt_packed(_pack_fr(row, "QAP rows")), shift) for row in rows)
    except ValueError:
        raise FieldError("QAP rows: values must be canonical Fr integers (0 <= x < r)") from None
    return lib.fr_mul_sub(a, b, c)


def _prove_native(
    pk: ProvingKey, witness: Sequence[int], rows: tuple[Sequence[int], ...], r: int, s: int, say: Progress
) -> Proof:
    say("evaluating A, B, C on the odd coset")
    h = _quotient_packed(rows)
    key = _packed_key(pk)
    w = _pack_fr(witness, "witness")

    def g1(points: list[G1Affine]) -> bytes:
        return lib.pack(points, G1_WIDTH)

    def fr(scalars: list[int]) -> bytes:
        return lib.pack(scalars, FR_WIDTH)

    # Blinding terms ride in the MSMs: A = α + Σ w_i·A_i + r·δ, B = β + Σ w_i·B_i + s·δ.
    say("MSM for A")
    proof_a = msm_g1_packed(key.a + g1([pk.alpha_g1, pk.delta_g1]), w + fr([1, r]))
    say("MSM for B")
    proof_b = msm_g2_packed(key.b2 + lib.pack([pk.vk.beta_g2, pk.vk.delta_g2], G2_WIDTH), w + fr([1, s]))
    b1 = msm_g1_packed(key.b1 + g1([pk.beta_g1, pk.delta_g1]), w + fr([1, s]))
    # C = Σ w_j·C_j (private j) + Σ h_k·H_k + s·A + r·B1 - r·s·δ.
    say("MSM for C")
    private = w[32 * (pk.n_public + 1) :]
    proof_c = msm_g1_packed(key.c_h + g1([proof_a, b1, pk.delta_g1]), private + h + fr([s, r, -r * s % R]))
    return Proof(a=proof_a, b=proof_b, c=proof_c)
