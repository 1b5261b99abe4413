"""Groth16 key and proof objects (the values that cross the setup / prove / verify seams)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from zkyield.curve import G1Affine, G2Affine


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
    a_query: tuple[G1Affine, ...]
    b_g1_query: tuple[G1Affine, ...]
    b_g2_query: tuple[G2Affine, ...]
    c_query: tuple[G1Affine, ...]
    h_query: tuple[G1Affine, ...]

    @property
    def n_public(self) -> int:
        return self.vk.n_public
