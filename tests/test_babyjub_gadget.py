"""BabyJubJub gadgets against the out-of-circuit group law, their costs, and what they refuse."""

from __future__ import annotations

import random
from functools import cache

import pytest

from zkyield import babyjub
from zkyield.babyjub import BASE8, GENERATOR, IDENTITY, SUBORDER
from zkyield.dsl import Circuit
from zkyield.errors import ConstraintError
from zkyield.field import R
from zkyield.gadgets import babyjub as g
from zkyield.gadgets.bits import decompose
from zkyield.gadgets.eddsa import FIELD_BITS, to_bits_strict

RNG = random.Random(2024)
TORSION_8 = babyjub.mul(GENERATOR, SUBORDER)


def _random_point() -> tuple[int, int]:
    return babyjub.mul(BASE8, RNG.randrange(1, SUBORDER))


def _run(build, values: dict) -> tuple[dict, int]:
    """Build a circuit whose private inputs are ``values`` (ints or lists); return its outputs and cost."""
    c = Circuit("t")
    ins = {k: c.private_input(k, len(v) if isinstance(v, list) else None) for k, v in values.items()}
    before = c.n_constraints
    outs = build(c, ins)
    cost = c.n_constraints - before
    for name, p in outs.items():
        c.output(name, list(p))
    compiled = c.compile()
    return compiled.outputs(compiled.witness(values)), cost


def test_edwards_add_and_double_equal_the_group_law_on_edge_points() -> None:
    points = [_random_point(), _random_point(), IDENTITY, TORSION_8, babyjub.mul(TORSION_8, 4), BASE8]
    for p in points:
        for q in points:
            out, cost = _run(lambda c, i: {"s": g.edwards_add(c, i["p"], i["q"])}, {"p": list(p), "q": list(q)})
            assert tuple(out["s"]) == babyjub.add(p, q)
            assert cost == 6
        out, cost = _run(lambda c, i: {"d": g.edwards_double(c, i["p"])}, {"p": list(p)})
        assert tuple(out["d"]) == babyjub.add(p, p) and cost == 5


def test_constant_operand_makes_edwards_add_cheaper() -> None:
    p, q = _random_point(), _random_point()
    out, cost = _run(lambda c, i: {"s": g.edwards_add(c, i["p"], q)}, {"p": list(p)})
    assert tuple(out["s"]) == babyjub.add(p, q) and cost == 3


def test_montgomery_round_trip_add_and_double() -> None:
    p, q = _random_point(), _random_point()

    def build(c, i):
        mp, mq = g.to_montgomery(c, i["p"]), g.to_montgomery(c, i["q"])
        return {"sum": g.from_montgomery(c, g.montgomery_add(c, mp, mq)),
                "dbl": g.from_montgomery(c, g.montgomery_double(c, mp)),
                "back": g.from_montgomery(c, mp)}

    out, cost = _run(build, {"p": list(p), "q": list(q)})
    assert tuple(out["sum"]) == babyjub.add(p, q)
    assert tuple(out["dbl"]) == babyjub.add(p, p)
    assert tuple(out["back"]) == p
    assert cost == 2 + 2 + 3 + 2 + 4 + 2 + 2
    assert g.MONT_A == 168698 and g.MONT_B == 1


def test_lookup_returns_every_table_entry() -> None:
    table = [_random_point() for _ in range(8)]
    for n, cost_expected in ((1, 0), (2, 1), (3, 3)):
        for index in range(1 << n):
            bits = [(index >> i) & 1 for i in range(n)]

            def build(c, i, n=n):
                b = [c.assert_bool(x) for x in i["b"]]
                return {"p": g.lookup(c, b, table[: 1 << n])}

            out, cost = _run(build, {"b": bits})
            assert tuple(out["p"]) == table[index]
            assert cost == n + cost_expected  # n booleanity checks in the test circuit itself


@cache
def _mul_circuit(kind: str, n: int):
    c = Circuit(kind)
    k = c.private_input("k")
    p = c.private_input("p", 2)
    bits = to_bits_strict(c, k) if n == FIELD_BITS else decompose(c, k, n)
    before = c.n_constraints
    out = g.scalar_mul_any(c, bits, p) if kind == "any" else g.scalar_mul_fixed(c, bits, BASE8)
    cost = c.n_constraints - before
    c.output("out", list(out))
    return c.compile(), cost


@pytest.mark.parametrize("kind,n", [("any", 254), ("any", 20), ("fixed", 251), ("fixed", 253), ("fixed", 7)])
def test_scalar_multiplication_equals_the_group_law(kind: str, n: int) -> None:
    compiled, cost = _mul_circuit(kind, n)
    top = min((1 << n), R) - 1
    scalars = [0, 1, 2, 7, 8, top, top - 1, RNG.randrange(top)]
    if n >= 251:
        scalars += [SUBORDER - 1, SUBORDER, SUBORDER + 1, 8**83, 8**83 - 1, 2**148 - 1, 2**148, 2**148 + 1]
    base = babyjub.mul(BASE8, 987654321) if kind == "any" else BASE8
    for k in scalars:
        out = compiled.outputs(compiled.witness({"k": k, "p": list(base)}))
        assert tuple(out["out"]) == babyjub.mul(base, k), k
    if kind == "any":
        assert cost <= 9 * n + 30
    else:
        assert cost <= 2 * n + 20


def test_tampered_montgomery_quotient_is_refused() -> None:
    compiled, _ = _mul_circuit("any", 20)
    base = babyjub.mul(BASE8, 5)
    honest = compiled.witness({"k": 777, "p": list(base)})
    lambdas = compiled.wires_named("montgomery_add/lambda")
    assert len(lambdas) == 19
    for wire in lambdas[::6]:
        w = compiled.witness({"k": 777, "p": list(base)}, overrides={wire: honest[wire] + 1}, check=False)
        with pytest.raises(ConstraintError, match="scalar_mul_any"):
            compiled.r1cs.check(w)


def test_on_curve_check_refuses_off_curve_points() -> None:
    c = Circuit("oc")
    p = c.private_input("p", 2)
    g.assert_on_curve(c, p)
    compiled = c.compile()
    compiled.witness({"p": list(_random_point())})
    x, y = _random_point()
    for bad in ((x, (y + 1) % R), (1, 1), (0, 2)):
        with pytest.raises(ConstraintError, match="on_curve"):
            compiled.witness({"p": list(bad)})


def test_fixed_base_must_be_a_subgroup_point() -> None:
    c = Circuit("fb")
    b = c.private_input("b")
    for base in (IDENTITY, TORSION_8, babyjub.add(BASE8, TORSION_8)):
        with pytest.raises(Exception, match="scalar_mul_fixed base"):
            g.scalar_mul_fixed(c, [c.assert_bool(b)], base)
