"""Division with a constrained remainder, isqrt and fixed point: exact values and malicious quotients."""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.dsl import R, assert_rejected, tamper
from zkyield.dsl import Circuit, CompiledCircuit, Value
from zkyield.errors import ConstraintError
from zkyield.gadgets.fixedpoint import FixedPoint, Rounding, div, div_const, isqrt, maximum, minimum

X_BITS = 64


def ref_div(x: int, d: int, rounding: Rounding) -> int:
    return x // d if rounding == Rounding.FLOOR else -(-x // d)


def edges(n: int) -> st.SearchStrategy[int]:
    return st.sampled_from([0, 1, 2, 2**n - 1, 2**n, R - 1]) | st.integers(0, 2**n - 1)


# -- division by a constant ---------------------------------------------------------------------------

@cache
def const_circuit(d: int, rounding: Rounding) -> CompiledCircuit:
    c = Circuit()
    x = c.private_input("x")
    n0 = c.n_constraints
    q = div_const(c, x, d, X_BITS, rounding=rounding)
    q_bits = ref_div(2**X_BITS - 1, d, Rounding.CEIL).bit_length()
    rem_bits = (d - 1).bit_length()
    expected = X_BITS + (q_bits + rem_bits * (1 if d & (d - 1) == 0 else 2) if d > 1 else 0)
    assert c.n_constraints - n0 == expected
    c.output("q", q)
    return c.compile()


@pytest.mark.parametrize("rounding", list(Rounding))
@pytest.mark.parametrize("d", [1, 2, 3, 10**6, 2**32, 2**64 - 59])
def test_div_const_matches_python(d: int, rounding: Rounding) -> None:
    cc = const_circuit(d, rounding)

    @given(edges(X_BITS))
    def run(x: int) -> None:
        if x < 2**X_BITS:
            assert cc.outputs(cc.witness({"x": x}))["q"] == ref_div(x, d, rounding)
        else:
            with pytest.raises(ConstraintError, match="range_check"):
                cc.witness({"x": x})

    run()


@pytest.mark.parametrize("rounding", list(Rounding))
def test_div_const_rejects_every_other_quotient(rounding: Rounding) -> None:
    d, x = 10**6, 123_456_789_012
    cc = const_circuit(d, rounding)
    q_wire = cc.wires_named("q")[0]
    q = ref_div(x, d, rounding)
    for bad in (q - 1, q + 1, 0, R - 1):
        assert_rejected(cc, tamper(cc, {"x": x}, {q_wire: bad}), f"div_{rounding.value}")
    # The field solution of q*d = x - rem for a small remainder: a naive "q*d + rem == x" accepts it.
    wrapped = (x - 5) * pow(d, -1, R) % R
    assert_rejected(cc, tamper(cc, {"x": x}, {q_wire: wrapped}), "range_check")


# -- division by a circuit value ----------------------------------------------------------------------

@cache
def div_circuit(rounding: Rounding) -> CompiledCircuit:
    c = Circuit()
    x, d = c.private_input("x"), c.private_input("d")
    n0 = c.n_constraints
    q = div(c, x, d, X_BITS, 32, rounding=rounding)
    assert c.n_constraints - n0 == X_BITS + 32 + 1 + X_BITS + 2 * 32
    c.output("q", q)
    return c.compile()


@pytest.mark.parametrize("rounding", list(Rounding))
def test_div_matches_python(rounding: Rounding) -> None:
    cc = div_circuit(rounding)

    @given(edges(X_BITS), st.sampled_from([1, 2, 3, 2**32 - 1]) | st.integers(1, 2**32 - 1))
    def run(x: int, d: int) -> None:
        if x < 2**X_BITS:
            assert cc.outputs(cc.witness({"x": x, "d": d}))["q"] == ref_div(x, d, rounding)
        else:
            with pytest.raises(ConstraintError):
                cc.witness({"x": x, "d": d})

    run()


@pytest.mark.parametrize("rounding", list(Rounding))
def test_div_rejects_zero_divisor_and_oversized_divisor(rounding: Rounding) -> None:
    cc = div_circuit(rounding)
    for x in (0, 7):
        with pytest.raises(ConstraintError, match=f"div_{rounding.value}"):
            cc.witness({"x": x, "d": 0})
    with pytest.raises(ConstraintError, match="range_check"):
        cc.witness({"x": 7, "d": 2**32})


@pytest.mark.parametrize("rounding", list(Rounding))
def test_div_rejects_malicious_quotients(rounding: Rounding) -> None:
    cc = div_circuit(rounding)
    x, d = 1_000_003, 1000
    q_wire = cc.wires_named("q")[0]
    q = ref_div(x, d, rounding)
    # q - 1 leaves remainder rem + d >= d, q + 1 a negative remainder: q*d + rem = x alone allows both.
    for bad in (q - 1, q + 1):
        assert_rejected(cc, tamper(cc, {"x": x, "d": d}, {q_wire: bad}), f"div_{rounding.value}")
    wrapped = (x - 1) * pow(d, -1, R) % R  # q*d = x - 1 in the field, remainder 1 < d
    assert_rejected(cc, tamper(cc, {"x": x, "d": d}, {q_wire: wrapped}), "range_check")


# -- isqrt --------------------------------------------------------------------------------------------

@cache
def sqrt_circuit(n: int) -> tuple[CompiledCircuit, Value]:
    c = Circuit()
    x = c.private_input("x")
    n0 = c.n_constraints
    s = isqrt(c, x, n)
    assert c.n_constraints - n0 == n + (n + 1) // 2 + 1 + n + (n + 1)
    c.output("s", s)
    return c.compile(), s


@pytest.mark.parametrize("n", [1, 7, 64, 251])
def test_isqrt_matches_math_isqrt(n: int) -> None:
    cc, _ = sqrt_circuit(n)

    @given(edges(n) | st.integers(0, 2**n - 1).map(lambda v: math.isqrt(v) ** 2))
    def run(x: int) -> None:
        if x < 2**n:
            assert cc.outputs(cc.witness({"x": x}))["s"] == math.isqrt(x)
        else:
            with pytest.raises(ConstraintError, match="isqrt/range_check"):
                cc.witness({"x": x})

    run()


def test_isqrt_rejects_neighbours_and_the_negated_root() -> None:
    cc, root = sqrt_circuit(64)
    s_wire = cc.wire_of(root)
    for x in (0, 1, 99, 100, 2**64 - 1):
        s = math.isqrt(x)
        for bad in {(s - 1) % R, s + 1, (R - s) % R} - {s}:
            assert_rejected(cc, tamper(cc, {"x": x}, {s_wire: bad}), "isqrt")


# -- fixed point --------------------------------------------------------------------------------------

FP = FixedPoint(10**6, 64)


@cache
def fixed_circuit(rounding: Rounding) -> CompiledCircuit:
    c = Circuit()
    a, b = c.private_input("a"), c.private_input("b")
    c.output("mul", FP.mul(c, a, b, rounding))
    c.output("div", FP.div(c, a, b, rounding))
    c.output("sqrt", FP.sqrt(c, a))
    c.output("min", FP.min(c, a, b))
    c.output("max", FP.max(c, a, b))
    c.output("sum", FP.sum(c, [a, b, 5]))
    return c.compile()


def fixed_values() -> st.SearchStrategy[int]:
    return st.sampled_from([0, 1, FP.scale, 2**64 - 1]) | st.integers(0, 2**64 - 1) | st.integers(0, 10**8)


@pytest.mark.parametrize("rounding", list(Rounding))
def test_fixed_point_matches_exact_rational_arithmetic(rounding: Rounding) -> None:
    cc = fixed_circuit(rounding)
    rnd = math.floor if rounding == Rounding.FLOOR else math.ceil

    @given(fixed_values(), fixed_values().filter(lambda v: v > 0))
    def run(a: int, b: int) -> None:
        fa, fb = FP.decode(a), FP.decode(b)
        expected = {"mul": rnd(fa * fb * FP.scale), "div": rnd(fa / fb * FP.scale),
                    "sqrt": math.isqrt(a * FP.scale), "min": min(a, b), "max": max(a, b), "sum": a + b + 5}
        if max(expected["mul"], expected["div"]) >= 2**64:
            with pytest.raises(ConstraintError, match="range_check"):  # overflow has no witness, never wraps
                cc.witness({"a": a, "b": b})
        else:
            assert cc.outputs(cc.witness({"a": a, "b": b})) == expected

    run()


def test_fixed_point_costs() -> None:
    c = Circuit()
    a, b = c.private_input("a"), c.private_input("b")
    FP.mul(c, a, b)
    assert c.n_constraints == 64 + 64 + 1 + 64 + 20 + 20  # input checks, product, quotient, rem twice (10^6 != 2^k)
    n0 = c.n_constraints
    FixedPoint(2**32, 64).mul(c, a, b)
    assert c.n_constraints - n0 == 1 + 64 + 32  # inputs already proven; 2^32 needs one remainder check


def test_fixed_point_encode_decode_and_parameters() -> None:
    assert FP.encode("1.5") == 1_500_000
    assert FP.encode(Fraction(1, 3)) == 333_333 and FP.encode(Fraction(1, 3), Rounding.CEIL) == 333_334
    assert FP.decode(2_250_000) == Fraction(9, 4)
    with pytest.raises(ValueError):
        FP.encode(-1)
    with pytest.raises(ValueError):
        FP.encode(2**64)
    for scale, bits in [(10**6, 127), (0, 64), (2**200, 64), (10**6, 0)]:
        with pytest.raises(ValueError):
            FixedPoint(scale, bits)


def test_min_max_range_check_their_inputs() -> None:
    c = Circuit()
    a, b = c.private_input("a"), c.private_input("b")
    c.output("min", minimum(c, a, b, 16))
    c.output("max", maximum(c, a, b, 16))
    cc = c.compile()
    assert cc.outputs(cc.witness({"a": 9, "b": 4})) == {"min": 4, "max": 9}
    with pytest.raises(ConstraintError, match="min/less_than/range_check"):
        cc.witness({"a": R - 1, "b": 4})  # "-1" must not count as the minimum


def test_no_wrap_preconditions_are_enforced_at_build_time() -> None:
    c = Circuit()
    x = c.private_input("x")
    with pytest.raises(ValueError):
        div(c, x, x, 200, 60)
    with pytest.raises(ValueError):
        div_const(c, x, 3, 253, q_bits=253)
    with pytest.raises(ValueError):
        isqrt(c, x, 252)
    with pytest.raises(ValueError):
        div_const(c, x, 0, 8)
