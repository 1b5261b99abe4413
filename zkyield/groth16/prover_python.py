"""The Groth16 prover's algebra on lists of ints: the reference the native prover is held equal to.

``prove_rows`` here and in ``prover_native`` take the same arguments and, for the same blinding,
return the same proof (tests/test_fast_paths.py); ``zkyield.groth16.prover`` picks one per call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from zkyield.curve import G1Affine, g1_add, g1_mul, g1_neg, g2_add, g2_mul
from zkyield.field import R
from zkyield.groth16.keys import Proof, ProvingKey
from zkyield.groth16.qap import quotient_evaluations
from zkyield.msm import msm_g1, msm_g2


def prove_rows(
    pk: ProvingKey,
    witness: Sequence[int],
    rows: tuple[Sequence[int], Sequence[int], Sequence[int]],
    r: int,
    s: int,
    say: Callable[[str], None],
) -> Proof:
    """A = α + Σ w_i·A_i + r·δ, B = β + Σ w_i·B_i + s·δ, C = Σ_private w_j·C_j + Σ h_k·H_k + s·A + r·B1 - r·s·δ."""
    h = quotient_evaluations(*rows, say)
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
