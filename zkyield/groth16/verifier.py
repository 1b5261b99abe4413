"""Groth16 verification as one multi-pairing with a single final exponentiation."""

from __future__ import annotations

from collections.abc import Sequence

from zkyield.curve import g1_neg, g1_validate, g2_validate
from zkyield.errors import InputError
from zkyield.field import fr
from zkyield.groth16.keys import Proof, VerifyingKey
from zkyield.msm import msm_g1
from zkyield.pairing import pairing_check


def check_public_inputs(vk: VerifyingKey, public_inputs: Sequence[int]) -> list[int]:
    """Count and canonical range of the public inputs; raises InputError naming the bad one."""
    if len(public_inputs) != vk.n_public:
        raise InputError(
            f"public inputs: got {len(public_inputs)} values but the verification key expects {vk.n_public}"
        )
    return [fr(x, f"public input {i}") for i, x in enumerate(public_inputs)]


def verify(vk: VerifyingKey, public_inputs: Sequence[int], proof: Proof) -> bool:
    """True iff e(A, B) = e(α, β)·e(Σ x_i·IC_i, γ)·e(C, δ).

    Malformed inputs (wrong count, values >= r, points off the curve or outside the subgroup) and
    keys under which proofs can be forged (``VerifyingKey.check_sound``) raise InputError rather than
    returning False, so callers can tell "bad file" or "unsafe key" from "bad proof".
    """
    vk.check_sound()
    inputs = check_public_inputs(vk, public_inputs)
    a = g1_validate(proof.a, "proof.pi_a")
    b = g2_validate(proof.b, "proof.pi_b")
    c = g1_validate(proof.c, "proof.pi_c")
    vk_x = msm_g1(vk.ic, [1, *inputs])
    return pairing_check([(g1_neg(a), b), (vk.alpha_g1, vk.beta_g2), (vk_x, vk.gamma_g2), (c, vk.delta_g2)])
