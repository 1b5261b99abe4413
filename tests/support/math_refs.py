"""Helpers shared by the math-layer tests: py_ecc conversions, random points, an ffjavascript bridge."""

from __future__ import annotations

import json
import random

from hypothesis import strategies as st
from py_ecc import optimized_bn128 as ob
from py_ecc.fields import optimized_bn128_FQ as FQ
from py_ecc.fields import optimized_bn128_FQ2 as FQ2

from zkyield.curve import Fq2, G1Affine, G2Affine
from zkyield.field import Q, R

# Cofactor of the twist group E'(Fq2): #E' = r·(2q - r) (EIP-197 / Barreto-Naehrig).
G2_COFACTOR = 2 * Q - R

scalars = st.integers(min_value=0, max_value=R - 1)
nonzero_scalars = st.integers(min_value=1, max_value=R - 1)


def g1_from_pyecc(p: tuple) -> G1Affine:
    if ob.is_inf(p):
        return None
    x, y = ob.normalize(p)
    return int(x), int(y)


def g2_from_pyecc(p: tuple) -> G2Affine:
    if ob.is_inf(p):
        return None
    x, y = ob.normalize(p)
    return (int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1]))


def g1_to_pyecc(p: G1Affine) -> tuple:
    return ob.Z1 if p is None else (FQ(p[0]), FQ(p[1]), FQ.one())


def g2_to_pyecc(p: G2Affine) -> tuple:
    return ob.Z2 if p is None else (FQ2(list(p[0])), FQ2(list(p[1])), FQ2.one())


def g1_point(k: int) -> G1Affine:
    """k·G1 computed by py_ecc, so tests never build their inputs with the code under test."""
    return g1_from_pyecc(ob.multiply(ob.G1, k))


def g2_point(k: int) -> G2Affine:
    return g2_from_pyecc(ob.multiply(ob.G2, k))


def _fq_sqrt(a: int) -> int | None:
    s = pow(a, (Q + 1) // 4, Q)  # q = 3 mod 4
    return s if s * s % Q == a % Q else None


def _fq2_sqrt(a: Fq2) -> Fq2 | None:
    """sqrt(a0 + a1 u) via the norm: x0^2 = (a0 + n)/2, x1 = a1/(2 x0) with n = sqrt(a0^2 + a1^2)."""
    n = _fq_sqrt((a[0] * a[0] + a[1] * a[1]) % Q)
    if n is None:
        return None
    half = pow(2, -1, Q)
    for cand in ((a[0] + n) * half % Q, (a[0] - n) * half % Q):
        x0 = _fq_sqrt(cand)
        if x0:
            x = (x0, a[1] * pow(2 * x0, -1, Q) % Q)
            if FQ2(list(x)) ** 2 == FQ2(list(a)):
                return x
    return None


def twist_point_outside_g2(rng: random.Random) -> G2Affine:
    """A random point of the twist curve that is (overwhelmingly likely) not in the order-r subgroup."""
    while True:
        x = (rng.randrange(Q), rng.randrange(Q))
        rhs = FQ2(list(x)) ** 3 + ob.b2
        y = _fq2_sqrt(tuple(int(c) for c in rhs.coeffs))
        if y is not None:
            point = (x, y)
            if not ob.is_inf(ob.multiply(g2_to_pyecc(point), R)):
                return point


def ffjs_script(body: str) -> str:
    """A node script with ffjavascript's bn128 as `bn`, points from argv[1] as JSON, output via `out`."""
    return f"""
const {{buildBn128}} = require('ffjavascript');
const big = (v) => Array.isArray(v) ? v.map(big) : BigInt(v);
const str = (v) => JSON.stringify(v, (k, x) => typeof x === 'bigint' ? x.toString() : x);
(async () => {{
  const bn = await buildBn128(true);
  const input = JSON.parse(process.argv[1]);
  const g1 = (p) => bn.G1.fromObject(big(p));
  const g2 = (p) => bn.G2.fromObject(big(p));
  let out;
  {body}
  console.log(str(out));
  await bn.terminate();
}})();
"""


def to_json(value: object) -> str:
    """JSON with every int as a decimal string (JSON numbers lose precision in node)."""

    def strings(v: object) -> object:
        if isinstance(v, dict):
            return {k: strings(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [strings(x) for x in v]
        return str(v) if isinstance(v, int) else v

    return json.dumps(strings(value))
