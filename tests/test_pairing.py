"""The multi-pairing check and snarkjs's Gt layout, against py_ecc and ffjavascript (bn128 in wasm)."""

from __future__ import annotations

import json
import random

import pytest
from py_ecc import optimized_bn128 as ob

from tests.support.math_refs import ffjs_script, g1_point, g1_to_pyecc, g2_point, g2_to_pyecc, to_json
from tests.support.tools import run_node
from zkyield import curve
from zkyield.errors import PointError
from zkyield.field import Q, R
from zkyield.pairing import pairing, pairing_check

RNG = random.Random(254)


def test_pairing_check_is_bilinear_and_agrees_with_pyecc_products() -> None:
    a, b = RNG.randrange(1, R), RNG.randrange(1, R)
    lhs = (g1_point(a), g2_point(b))
    good = [lhs, (g1_point(-a * b % R), curve.G2_GENERATOR)]
    bad = [lhs, (g1_point(-(a * b + 1) % R), curve.G2_GENERATOR)]
    for pairs, expected in ((good, True), (bad, False)):
        product = ob.FQ12.one()
        for p, q in pairs:
            product = product * ob.pairing(g2_to_pyecc(q), g1_to_pyecc(p))
        assert (product == ob.FQ12.one()) is expected
        assert pairing_check(pairs) is expected


def test_pairing_check_infinity_pairs_contribute_one() -> None:
    p, q = curve.G1_GENERATOR, curve.G2_GENERATOR
    assert pairing_check([])
    assert pairing_check([(None, q), (p, None), (None, None)])
    assert not pairing_check([(p, q), (None, q)])
    # e(P, Q)·e(-P, Q) = 1 with an infinity pair in between.
    assert pairing_check([(p, q), (p, None), (curve.g1_neg(p), q)])


def test_pairing_check_rejects_points_off_their_curves() -> None:
    x, y = curve.G1_GENERATOR
    with pytest.raises(PointError):
        pairing_check([((x, y + 1), curve.G2_GENERATOR)])
    qx, (y0, y1) = curve.G2_GENERATOR
    with pytest.raises(PointError):
        pairing_check([(curve.G1_GENERATOR, (qx, (y0, (y1 + 1) % Q)))])


def test_pairing_and_pairing_check_match_ffjavascript() -> None:
    """Gt values byte-for-byte as snarkjs's vk_alphabeta_12, and a Groth16-shaped 4-pair equation."""
    ks = [RNG.randrange(1, R) for _ in range(6)]
    gt_inputs = [(curve.G1_GENERATOR, curve.G2_GENERATOR), (g1_point(ks[0]), g2_point(ks[1]))]
    # e(A, B) = e(alpha, beta)·e(L, gamma)·e(C, delta): a = alpha·beta + l·gamma + c·delta over B = b·G2.
    alpha, beta, gamma, delta, l_, b = ks[:4] + ks[4:]
    c = RNG.randrange(1, R)
    a = (alpha * beta + l_ * gamma + c * delta) * pow(b, -1, R) % R
    eq = [g1_point(-a % R), g2_point(b), g1_point(alpha), g2_point(beta),
          g1_point(l_), g2_point(gamma), g1_point(c), g2_point(delta)]
    broken = [*eq[:6], g1_point(c + 1), eq[7]]
    script = ffjs_script("""
      out = {gt: [], eq: []};
      for (const [p, q] of input.gt) out.gt.push(bn.Gt.toObject(await bn.pairing(g1(p), g2(q))));
      for (const ps of input.eq) {
        const args = ps.map((p, i) => i % 2 ? g2(p) : g1(p));
        out.eq.push(await bn.pairingEq(...args));
      }
    """)
    result = json.loads(run_node(script, to_json({"gt": gt_inputs, "eq": [eq, broken]})))
    expected_gt = [[[[int(x) for x in c] for c in half] for half in gt] for gt in result["gt"]]
    assert [pairing(p, q) for p, q in gt_inputs] == expected_gt
    assert result["eq"] == [True, False]
    assert pairing_check(list(zip(eq[::2], eq[1::2], strict=True)))
    assert not pairing_check(list(zip(broken[::2], broken[1::2], strict=True)))
