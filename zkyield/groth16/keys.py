"""Groth16 key and proof objects (the values that cross the setup / prove / verify seams)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from zkyield.curve import G2_GENERATOR, G1Affine, G2Affine, g2_neg
from zkyield.errors import PointError

if TYPE_CHECKING:
    from zkyield.pairing import Fq12Tower

_CONTRIBUTE = "add a phase-2 contribution (`zkyield ceremony contribute`) and export the key again"


@dataclass(frozen=True)
class Proof:
    a: G1Affine
    b: G2Affine
    c: G1Affine


@dataclass(frozen=True)
class VerifyingKey:
    """snarkjs's verification_key.json content; ``ic[0]`` is the constant-wire term."""

    alpha_g1: G1Affine
    beta_g2: G2Affine
    gamma_g2: G2Affine
    delta_g2: G2Affine
    ic: tuple[G1Affine, ...]

    @property
    def n_public(self) -> int:
        return len(self.ic) - 1

    @cached_property
    def alpha_beta(self) -> Fq12Tower:
        """e(α, β) in snarkjs's tower layout (verification_key.json's vk_alphabeta_12), paired once per key."""
        from zkyield.pairing import pairing  # imported here: proving never pairs

        return pairing(self.alpha_g1, self.beta_g2)

    def check_sound(self, name: str = "verification key") -> None:
        """Refuse a key under which proofs can be forged without the toxic waste (PointError naming the field).

        Groth16 is sound only if nobody knows a relation between γ and δ and every public input has its
        own IC point. With δ = ±γ the equation collapses to e(vk_x + C, γ), so from one valid proof
        C' = C + vk_x(x) - vk_x(x') proves any x'; δ = ±G2 is what a zkey straight from `ceremony new`
        (or `snarkjs groth16 setup`) carries; an IC point at infinity leaves its input unconstrained and
        IC_i = ±IC_j lets x_i and x_j trade value. No honest setup produces any of these except with
        negligible probability, so refusing them never rejects a real key. Not run by the constructor:
        the ceremony must still read and write the zero-contribution key byte-identically to snarkjs.
        """
        for key, point in (("vk_alpha_1", self.alpha_g1), ("vk_beta_2", self.beta_g2),
                           ("vk_gamma_2", self.gamma_g2), ("vk_delta_2", self.delta_g2)):
            if point is None:
                raise PointError(f"{name}: {key} is the point at infinity, which no Groth16 setup produces; "
                                 "regenerate the key")
        if self.delta_g2 in (G2_GENERATOR, g2_neg(G2_GENERATOR)):
            raise PointError(f"{name}: vk_delta_2 is the G2 generator, as in a key with no phase-2 contribution "
                             f"(`ceremony new`, `snarkjs groth16 setup`); anyone can forge proofs: {_CONTRIBUTE}")
        if self.delta_g2 in (self.gamma_g2, g2_neg(self.gamma_g2)):
            raise PointError(f"{name}: vk_delta_2 equals vk_gamma_2 or its negation, so one valid proof "
                             f"forges proofs for any public inputs: {_CONTRIBUTE}")
        seen: dict[int, int] = {}
        for i, p in enumerate(self.ic):
            if p is None:
                raise PointError(f"{name}: IC[{i}] is the point at infinity, so its public input is not "
                                 "constrained; regenerate the key")
            if p[0] in seen:  # same x: P = ±Q
                raise PointError(f"{name}: IC[{i}] equals IC[{seen[p[0]]}] or its negation, so those public "
                                 "inputs can be traded against each other; regenerate the key")
            seen[p[0]] = i

    def digest(self) -> str:
        """Hex SHA-256 over the key's points as EVM words (G2 as the precompile orders them: c1 before c0).

        The key's identity: attestations record it and the generated Solidity verifier embeds it.
        """
        words: list[int] = []
        for p in (self.alpha_g1,):
            words += [0, 0] if p is None else [p[0], p[1]]
        for q in (self.beta_g2, self.gamma_g2, self.delta_g2):
            words += [0, 0, 0, 0] if q is None else [q[0][1], q[0][0], q[1][1], q[1][0]]
        for p in self.ic:
            words += [0, 0] if p is None else [p[0], p[1]]
        return hashlib.sha256(b"".join(w.to_bytes(32, "big") for w in words)).hexdigest()


@dataclass(frozen=True)
class ProvingKey:
    """Everything the prover needs besides the R1CS and the witness.

    ``a_query[i]``, ``b_g1_query[i]``, ``b_g2_query[i]`` are A_i(τ), B_i(τ) for every wire i;
    ``c_query[j]`` is (β·A_i(τ) + α·B_i(τ) + C_i(τ))/δ for private wire i = n_public + 1 + j;
    ``h_query[k]`` is L^(2n)_(2k+1)(τ)/δ for k < n = domain_size (snarkjs's zkey section 9).
    ``circuit_digest`` binds the key to one R1CS so a key for another circuit is refused before any work is done.
    """

    vk: VerifyingKey
    domain_size: int
    n_wires: int
    circuit_digest: bytes
    alpha_g1: G1Affine
    beta_g1: G1Affine
    delta_g1: G1Affine
    a_query: Sequence[G1Affine]  # a tuple, or a PackedPoints when read from a key file (same behaviour)
    b_g1_query: Sequence[G1Affine]
    b_g2_query: Sequence[G2Affine]
    c_query: Sequence[G1Affine]
    h_query: Sequence[G1Affine]

    @property
    def n_public(self) -> int:
        return self.vk.n_public

    def check_sound(self, name: str = "proving key") -> None:
        """``VerifyingKey.check_sound`` on the key it proves for, and its own G1 points off infinity."""
        self.vk.check_sound(name)
        for key, point in (("alpha_1", self.alpha_g1), ("beta_1", self.beta_g1), ("delta_1", self.delta_g1)):
            if point is None:
                raise PointError(f"{name}: {key} is the point at infinity, which no Groth16 setup produces; "
                                 "regenerate the key")
