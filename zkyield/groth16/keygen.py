"""Groth16 key generation for one circuit (a single-party setup).

The toxic waste (τ, α, β, γ, δ) is drawn from ``secrets`` (``ToxicWaste.fresh``), lives only in this
function's locals and is never logged or written; whoever runs this setup could forge proofs, which is
why ``zkyield ceremony`` exists for keys other people must trust. A caller may pass the waste itself
(known-answer tests against an independent computation of the keys); nothing in zkyield does.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from zkyield.curve import G1_GENERATOR, G2_GENERATOR
from zkyield.errors import InputError
from zkyield.field import R
from zkyield.fixed_base import batch_mul_g1, batch_mul_g2
from zkyield.groth16.keys import ProvingKey, VerifyingKey
from zkyield.groth16.qap import domain_size, lagrange_at, wire_polynomials_at
from zkyield.r1cs import R1CS

Progress = Callable[[str], None]


def _random_nonzero() -> int:
    return 1 + secrets.randbelow(R - 1)


@dataclass(frozen=True)
class ToxicWaste:
    """τ, α, β, γ, δ: nonzero Fr elements; knowing them forges proofs, so they never reach a repr."""

    tau: int = field(repr=False)
    alpha: int = field(repr=False)
    beta: int = field(repr=False)
    gamma: int = field(repr=False)
    delta: int = field(repr=False)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < R:
                raise InputError(f"toxic waste: {f.name} must be a nonzero Fr element (0 < {f.name} < r)")

    @classmethod
    def fresh(cls, size: int) -> ToxicWaste:
        """Uniform nonzero values from ``secrets``, τ off the 2·size-th roots of unity."""
        tau = _random_nonzero()
        while pow(tau, 2 * size, R) == 1:
            tau = _random_nonzero()
        return cls(tau, *(_random_nonzero() for _ in range(4)))


def setup(
    r1cs: R1CS, progress: Progress | None = None, *, toxic_waste: ToxicWaste | None = None
) -> tuple[ProvingKey, VerifyingKey]:
    """Generate a proving key and verification key for ``r1cs`` with fresh (or the given) toxic waste."""
    say = progress or (lambda _msg: None)
    size = domain_size(r1cs)
    waste = toxic_waste if toxic_waste is not None else ToxicWaste.fresh(size)
    tau, alpha, beta, gamma, delta = waste.tau, waste.alpha, waste.beta, waste.gamma, waste.delta
    if pow(tau, 2 * size, R) == 1:  # τ on the 2n-domain would break the Lagrange evaluations
        raise InputError(f"toxic waste: tau is a {2 * size}-th root of unity (on the QAP domain); pick another")

    say(f"evaluating the QAP at tau (domain 2^{size.bit_length() - 1})")
    u, v, w = wire_polynomials_at(r1cs, lagrange_at(tau, size))
    gamma_inv = pow(gamma, -1, R)
    delta_inv = pow(delta, -1, R)
    n_pub = r1cs.n_public
    combined = [(beta * u[k] + alpha * v[k] + w[k]) % R for k in range(r1cs.n_wires)]
    ic_scalars = [x * gamma_inv % R for x in combined[: n_pub + 1]]
    c_scalars = [x * delta_inv % R for x in combined[n_pub + 1 :]]
    # H points: L^(2n)_(2i+1)(τ)/δ, the 2n-domain Lagrange basis at the odd roots (snarkjs's zkey layout).
    lagrange_2n = lagrange_at(tau, 2 * size)
    h_scalars = [x * delta_inv % R for x in lagrange_2n[1::2]]
    say(f"G1 points for {r1cs.n_wires} wires")
    g1_scalars = [alpha, beta, delta, *ic_scalars, *u, *v, *c_scalars]
    g1_points = batch_mul_g1(G1_GENERATOR, g1_scalars)
    say(f"G1 points for the quotient ({size} points)")
    h_query = batch_mul_g1(G1_GENERATOR, h_scalars)
    say("G2 points")
    g2_points = batch_mul_g2(G2_GENERATOR, [beta, gamma, delta, *v])

    alpha_g1, beta_g1, delta_g1 = g1_points[:3]
    pos = 3
    ic = g1_points[pos : pos + n_pub + 1]
    pos += n_pub + 1
    a_query = g1_points[pos : pos + r1cs.n_wires]
    pos += r1cs.n_wires
    b_g1_query = g1_points[pos : pos + r1cs.n_wires]
    pos += r1cs.n_wires
    c_query = g1_points[pos:]
    beta_g2, gamma_g2, delta_g2 = g2_points[:3]
    vk = VerifyingKey(alpha_g1=alpha_g1, beta_g2=beta_g2, gamma_g2=gamma_g2, delta_g2=delta_g2, ic=tuple(ic))
    pk = ProvingKey(
        vk=vk,
        domain_size=size,
        n_wires=r1cs.n_wires,
        circuit_digest=r1cs.digest(),
        alpha_g1=alpha_g1,
        beta_g1=beta_g1,
        delta_g1=delta_g1,
        a_query=tuple(a_query),
        b_g1_query=tuple(b_g1_query),
        b_g2_query=tuple(g2_points[3:]),
        c_query=tuple(c_query),
        h_query=tuple(h_query),
    )
    return pk, vk


