"""Groth16 proving: fresh blinding (r, s) from ``secrets`` for every proof, H through NTTs."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence

from zkyield.curve import G1Affine, g1_add, g1_mul, g1_neg, g2_add, g2_mul
from zkyield.errors import InputError
from zkyield.field import R
from zkyield.groth16.keys import Proof, ProvingKey
from zkyield.groth16.qap import quotient_evaluations, row_evaluations
from zkyield.msm import msm_g1, msm_g2
from zkyield.r1cs import R1CS

Progress = Callable[[str], None]


def check_key_matches(pk: ProvingKey, r1cs: R1CS) -> None:
    """Refuse a proving key made for another circuit before doing any work."""
    if pk.circuit_digest != r1cs.digest():
        raise InputError("proving key: made for another circuit (circuit digest differs); run setup for this one")


def prove(pk: ProvingKey, r1cs: R1CS, witness: Sequence[int], progress: Progress | None = None) -> Proof:
    """A zero-knowledge proof that ``witness`` satisfies ``r1cs``; two calls give different proofs."""
    check_key_matches(pk, r1cs)
    r1cs.check(witness)
    a, b, c = row_evaluations(r1cs, witness, pk.domain_size)
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
    h = quotient_evaluations(a, b, c, say)
    r = secrets.randbelow(R)
    s = secrets.randbelow(R)
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

