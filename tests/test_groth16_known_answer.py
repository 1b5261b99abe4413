"""Groth16 keys and proofs for pinned toxic waste and blinding, against a from-scratch computation in py_ecc.

With τ, α, β, γ, δ and r, s fixed, every key point and proof element is a known scalar times a generator:
A = (α + Σ w_i·u_i(τ) + r·δ)·G1, B = (β + Σ w_i·v_i(τ) + s·δ)·G2 and
C = ((Σ_private w_i·(β·u_i + α·v_i + w_i)(τ) + A(τ)·B(τ) - C(τ))/δ + s·A + r·B - r·s·δ)·G1.
The reference below derives u, v, w from the R1CS with the textbook product formula for the Lagrange
basis (not ``qap.lagrange_at``'s closed form), lays the QAP out as snarkjs documents it (one extra A row per
public wire), and multiplies with py_ecc. Both backends must land on exactly these points.
"""

from __future__ import annotations

import pytest
from py_ecc import optimized_bn128 as ob

from tests.support.r1cs_samples import chained_multiplications
from zkyield._native import native, pure_python
from zkyield.errors import InputError
from zkyield.field import R
from zkyield.groth16 import Blinding, ToxicWaste, prove, setup, verify

WASTE = ToxicWaste(tau=R - 12345, alpha=7**40 % R, beta=11**50 % R, gamma=13**60 % R, delta=17**70 % R)
BLIND = Blinding(r=3**90 % R, s=R - 2)


def _lagrange(tau: int, n: int) -> list[int]:
    """L_j(τ) = Π_{k≠j} (τ - ω^k)/(ω^j - ω^k) over the n-th roots ω^k, ω = 5^((r-1)/n) (snarkjs's root)."""
    omega = pow(5, (R - 1) // n, R)
    roots = [pow(omega, k, R) for k in range(n)]
    out = []
    for j, wj in enumerate(roots):
        num = den = 1
        for k, wk in enumerate(roots):
            if k != j:
                num = num * (tau - wk) % R
                den = den * (wj - wk) % R
        out.append(num * pow(den, -1, R) % R)
    return out


def _reference(r1cs, witness):
    """Expected (vk points, A/B1/H query scalars, proof scalars) from the definitions above."""
    rows = r1cs.n_constraints + r1cs.n_public + 1
    n = 1 << (rows - 1).bit_length()
    lag = _lagrange(WASTE.tau, n)
    u, v, w = ([0] * r1cs.n_wires for _ in range(3))
    for i, con in enumerate(r1cs.constraints):
        for poly, side in ((u, con.a), (v, con.b), (w, con.c)):
            for k, coef in side.items():
                poly[k] = (poly[k] + coef * lag[i]) % R
    for j in range(r1cs.n_public + 1):
        u[j] = (u[j] + lag[r1cs.n_constraints + j]) % R
    al, be, ga, de = WASTE.alpha, WASTE.beta, WASTE.gamma, WASTE.delta
    combined = [(be * u[k] + al * v[k] + w[k]) % R for k in range(r1cs.n_wires)]
    ic = [x * pow(ga, -1, R) % R for x in combined[: r1cs.n_public + 1]]
    h_query = [x * pow(de, -1, R) % R for x in _lagrange(WASTE.tau, 2 * n)[1::2]]
    at, bt, ct = (sum(x * y for x, y in zip(witness, p, strict=True)) % R for p in (u, v, w))
    r, s = BLIND.r, BLIND.s
    a = (al + at + r * de) % R
    b = (be + bt + s * de) % R
    private = sum(x * y for x, y in zip(witness[r1cs.n_public + 1 :], combined[r1cs.n_public + 1 :], strict=True))
    c = ((private + at * bt - ct) * pow(de, -1, R) + s * a + r * b - r * s * de) % R
    return {"ic": ic, "a_query": u, "b_g1_query": v, "h_query": h_query, "proof": (a, b, c)}


def _g1(k: int):
    p = ob.normalize(ob.multiply(ob.G1, k))
    return None if ob.is_inf(ob.multiply(ob.G1, k)) else (int(p[0].n), int(p[1].n))


def _g2(k: int):
    p = ob.normalize(ob.multiply(ob.G2, k))
    return tuple(tuple(int(c) for c in coord.coeffs) for coord in p)


@pytest.fixture(scope="module")
def case():
    r1cs, witness = chained_multiplications(n_public=2, n_steps=6)
    return r1cs, witness, _reference(r1cs, witness)


@pytest.mark.parametrize("backend", ["native", "python"])
def test_keys_and_proof_equal_the_py_ecc_reference(case, backend: str) -> None:
    if backend == "native" and native() is None:
        pytest.skip("native backend not built (or ZKYIELD_PURE_PYTHON=1)")
    r1cs, witness, ref = case
    if backend == "python":
        with pure_python():
            pk, vk = setup(r1cs, toxic_waste=WASTE)
            proof = prove(pk, r1cs, witness, blinding=BLIND)
    else:
        pk, vk = setup(r1cs, toxic_waste=WASTE)
        proof = prove(pk, r1cs, witness, blinding=BLIND)
    assert vk.alpha_g1 == _g1(WASTE.alpha) and vk.beta_g2 == _g2(WASTE.beta)
    assert vk.gamma_g2 == _g2(WASTE.gamma) and vk.delta_g2 == _g2(WASTE.delta)
    assert list(vk.ic) == [_g1(k) for k in ref["ic"]]
    for name in ("a_query", "b_g1_query", "h_query"):
        assert list(getattr(pk, name)) == [_g1(k) for k in ref[name]], name
    a, b, c = ref["proof"]
    assert (proof.a, proof.b, proof.c) == (_g1(a), _g2(b), _g1(c))
    assert verify(vk, r1cs.public_inputs(witness), proof)


def test_toxic_waste_is_checked_and_never_printed(case) -> None:
    r1cs, _witness, _ref = case
    for bad in ({"tau": 0}, {"delta": R}, {"gamma": -1}):
        with pytest.raises(InputError, match="toxic waste: .* must be a nonzero Fr element"):
            ToxicWaste(**{**WASTE.__dict__, **bad})
    with pytest.raises(InputError, match="toxic waste: tau is a 32-th root of unity"):
        setup(r1cs, toxic_waste=ToxicWaste(**{**WASTE.__dict__, "tau": pow(5, (R - 1) // 32, R)}))
    assert str(WASTE.tau) not in repr(WASTE) and str(WASTE.delta) not in repr(WASTE)
