"""The R1CS -> QAP reduction, laid out exactly as snarkjs does it.

snarkjs appends one row per public wire (constant wire included): row ``n_constraints + i`` has
``A[i] = 1`` and empty B, C. Those rows make the public wires' polynomials linearly independent,
so the IC points cannot be degenerate (an unused public input could otherwise be forged).
The domain is the smallest power of two holding all rows plus one, as in snarkjs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from zkyield.field import R, batch_inverse, root_of_unity
from zkyield.poly import coset_ntt, intt
from zkyield.r1cs import R1CS


def domain_size(r1cs: R1CS) -> int:
    rows = r1cs.n_constraints + r1cs.n_public + 1
    size = 1
    while size < rows:
        size <<= 1
    return size


def row_evaluations(r1cs: R1CS, witness: Sequence[int], size: int) -> tuple[list[int], list[int], list[int]]:
    """<A_i, w>, <B_i, w>, <C_i, w> for every QAP row, zero-padded to the domain size."""
    a = [0] * size
    b = [0] * size
    c = [0] * size
    for i, con in enumerate(r1cs.constraints):
        a[i] = sum(witness[k] * v for k, v in con.a.items()) % R
        b[i] = sum(witness[k] * v for k, v in con.b.items()) % R
        c[i] = sum(witness[k] * v for k, v in con.c.items()) % R
    base = r1cs.n_constraints
    for j in range(r1cs.n_public + 1):
        a[base + j] = witness[j]
    return a, b, c


def quotient_evaluations(
    a: Sequence[int], b: Sequence[int], c: Sequence[int], progress: Callable[[str], None] | None = None
) -> list[int]:
    """A·B - C at the odd 2n-th roots of unity ω_2n^(2i+1), from the row evaluations, via NTTs.

    A·B - C = H·Z has degree < 2n and vanishes on the n-th roots (the even 2n-th roots), so its
    values on the odd coset alone determine H(τ)·Z(τ) = Σ_i (A·B - C)(ω_2n^(2i+1))·L^(2n)_(2i+1)(τ);
    the key's H points carry those Lagrange values, so no division by Z is ever needed (snarkjs's method).
    """
    if progress:
        progress("evaluating A, B, C on the odd coset")
    shift = root_of_unity(2 * len(a))
    a_odd = coset_ntt(intt(a), shift)
    b_odd = coset_ntt(intt(b), shift)
    c_odd = coset_ntt(intt(c), shift)
    return [(x * y - z) % R for x, y, z in zip(a_odd, b_odd, c_odd, strict=True)]


def lagrange_at(tau: int, size: int) -> list[int]:
    """L_i(τ) for the size-n domain: (τ^n - 1)/n · ω^i/(τ - ω^i); τ must not be in the domain."""
    omega = root_of_unity(size)
    powers = [1] * size
    for i in range(1, size):
        powers[i] = powers[i - 1] * omega % R
    z = (pow(tau, size, R) - 1) % R
    scale = z * pow(size, -1, R) % R
    inverses = batch_inverse([(tau - w) % R for w in powers])
    return [scale * w % R * inv % R for w, inv in zip(powers, inverses, strict=True)]


def wire_polynomials_at(r1cs: R1CS, lagrange: Sequence[int]) -> tuple[list[int], list[int], list[int]]:
    """u_k(τ), v_k(τ), w_k(τ) for every wire k, from the Lagrange basis evaluated at τ."""
    n = r1cs.n_wires
    u = [0] * n
    v = [0] * n
    w = [0] * n
    for i, con in enumerate(r1cs.constraints):
        li = lagrange[i]
        for k, coef in con.a.items():
            u[k] = (u[k] + coef * li) % R
        for k, coef in con.b.items():
            v[k] = (v[k] + coef * li) % R
        for k, coef in con.c.items():
            w[k] = (w[k] + coef * li) % R
    base = r1cs.n_constraints
    for j in range(r1cs.n_public + 1):
        u[j] = (u[j] + lagrange[base + j]) % R
    return u, v, w
