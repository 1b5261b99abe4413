"""Comparators: values on edge inputs, the under-constrained-comparator bug, costs vs circomlib."""

from __future__ import annotations

import itertools
import operator
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.dsl import R, satisfying_assignments
from zkyield.dsl import Circuit, CompiledCircuit
from zkyield.errors import ConstraintError
from zkyield.gadgets.bits import decompose, to_bits
from zkyield.gadgets.compare import (
    assert_in_range,
    assert_less_eq,
    assert_less_than,
    greater_eq,
    greater_than,
    less_eq,
    less_than,
)

OPS = {"lt": (less_than, operator.lt), "le": (less_eq, operator.le),
       "gt": (greater_than, operator.gt), "ge": (greater_eq, operator.ge)}
WIDTHS = [1, 8, 64, 252]


def edge_values(n: int) -> st.SearchStrategy[int]:
    return st.sampled_from([0, 1, 2**n - 1, 2**n, R - 1, R - 2**n]) | st.integers(0, 2**n - 1)


@cache
def compare_circuit(n: int) -> CompiledCircuit:
    c = Circuit()
    a, b = c.private_input("a"), c.private_input("b")
    n0 = c.n_constraints
    out = less_than(c, a, b, n)
    assert c.n_constraints - n0 == 3 * n + 1  # both inputs range-checked here, then Num2Bits(n+1)
    c.output("lt", out)
    for name, (gadget, _) in OPS.items():
        if name != "lt":
            n0 = c.n_constraints
            c.output(name, gadget(c, a, b, n))
            assert c.n_constraints - n0 == n + 1 + 1  # inputs now proven; + the output copy
    return c.compile()


@pytest.mark.parametrize("n", WIDTHS)
def test_comparisons_match_python_or_refuse_out_of_range_inputs(n: int) -> None:
    cc = compare_circuit(n)

    @given(edge_values(n), edge_values(n))
    def run(a: int, b: int) -> None:
        if a < 2**n and b < 2**n:
            out = cc.outputs(cc.witness({"a": a, "b": b}))
            assert out == {name: int(op(a, b)) for name, (_, op) in OPS.items()}
        else:
            with pytest.raises(ConstraintError, match="less_than/range_check"):
                cc.witness({"a": a, "b": b})

    run()


def test_the_classic_under_constrained_comparator_is_not_reachable() -> None:
    """circomlib's LessThan without the caller's range checks says r - 1 ("-1") < 0; ours has no witness."""
    n = 8
    naive = Circuit()
    a, b = naive.private_input("a"), naive.private_input("b")
    bits = decompose(naive, a + (1 << n) - b, n + 1)  # exactly LessThan(n)'s constraints
    naive.output("lt", 1 - bits[n])
    naive_cc = naive.compile()
    assert naive_cc.outputs(naive_cc.witness({"a": R - 1, "b": 0}))["lt"] == 1  # the bug, demonstrated
    with pytest.raises(ConstraintError, match="range_check"):
        compare_circuit(n).witness({"a": R - 1, "b": 0})


def test_brute_force_prover_cannot_flip_a_comparison() -> None:
    n = 3
    cc = compare_circuit(n)
    wires = [w for w in cc.hint_wires if "less_than" in cc.var_names[w]][:7]  # first less_than: a, b, a+8-b
    assert len(wires) == 2 + 2 + 3
    for a, b in [(5, 2), (2, 5), (4, 4), (0, 7)]:
        found = satisfying_assignments(cc, {"a": a, "b": b}, wires, [0, 1])
        assert found and all(cc.outputs(w)["lt"] == int(a < b) for w in found)


def test_inputs_with_proven_width_skip_the_range_checks() -> None:
    c = Circuit()
    a, b = c.private_input("a"), c.private_input("b")
    to_bits(c, a, 16)
    to_bits(c, b, 8)  # narrower than n: still proven < 2^16
    n0 = c.n_constraints
    less_than(c, a, b, 16)
    assert c.n_constraints - n0 == 17
    less_than(c, a, b, 8)  # a is only proven < 2^16: it must be checked again at 8 bits
    assert c.n_constraints - n0 == 17 + 8 + 9


@pytest.mark.parametrize("n", [4, 64])
def test_asserting_comparisons(n: int) -> None:
    c = Circuit()
    a, b = c.private_input("a"), c.private_input("b")
    n0 = c.n_constraints
    assert_less_eq(c, a, b, n)
    assert c.n_constraints - n0 == 3 * n
    with c.scope("strict"):
        assert_less_than(c, a, b, n)
    assert c.n_constraints - n0 == 4 * n
    cc = c.compile()
    top = 2**n - 1
    for x, y in [(0, 1), (3, top), (top - 1, top), (0, top)]:
        cc.witness({"a": x, "b": y})
    with pytest.raises(ConstraintError, match="strict/assert_less_than"):
        cc.witness({"a": 5, "b": 5})
    for x, y in [(1, 0), (top, 0), (top, top - 1), (R - 1, 0), (0, 2**n)]:
        with pytest.raises(ConstraintError, match="assert_less_eq"):
            cc.witness({"a": x, "b": y})


def test_assert_less_eq_brute_force() -> None:
    c = Circuit()
    a, b = c.private_input("a"), c.private_input("b")
    assert_less_eq(c, a, b, 3)
    cc = c.compile()
    for x, y in itertools.product(range(8), repeat=2):
        found = satisfying_assignments(cc, {"a": x, "b": y}, cc.hint_wires, [0, 1])
        assert len(found) == int(x <= y)


def test_assert_in_range() -> None:
    c = Circuit()
    x = c.private_input("x")
    assert_in_range(c, x, 10, 20, 8)
    assert c.n_constraints == 24
    cc = c.compile()
    for v in (10, 15, 20):
        cc.witness({"x": v})
    for v in (0, 9, 21, 255, 256, R - 1):
        with pytest.raises(ConstraintError, match="assert_in_range"):
            cc.witness({"x": v})
    with pytest.raises(ValueError):
        assert_in_range(c, x, 20, 10, 8)


def test_bad_widths_and_constant_operands() -> None:
    c = Circuit()
    x = c.private_input("x")
    for bad in (0, 253, -1):
        with pytest.raises(ValueError):
            less_than(c, x, 1, bad)
    with pytest.raises(ValueError):
        less_than(c, x, 256, 8)
    assert less_than(c, 3, 5, 8).constant == 1
    assert less_eq(c, 5, 5, 8).constant == 1


CIRCOMLIB = {
    "Num2Bits(8)": ("bitify.circom", "Num2Bits(8)", "signal input in; c.in <== in;", 8),
    "LessThan(8)": ("comparators.circom", "LessThan(8)", "signal input in[2]; c.in <== in;", 9),
    "IsZero()": ("comparators.circom", "IsZero()", "signal input in; c.in <== in;", 2),
    "IsEqual()": ("comparators.circom", "IsEqual()", "signal input in[2]; c.in <== in;", 2),
}


@pytest.mark.snarkjs
@pytest.mark.parametrize("template", list(CIRCOMLIB))
def test_costs_at_or_below_circomlib_compiled_by_circom2(template: str, tmp_path) -> None:
    from tests.support.tools import compile_circom
    from zkyield.formats.r1cs_bin import read_r1cs

    include, instance, wiring, ours = CIRCOMLIB[template]
    source = (f'pragma circom 2.0.0;\ninclude "circomlib/circuits/{include}";\n'
              f"template W() {{ component c = {instance}; {wiring} }}\ncomponent main = W();\n")
    theirs = read_r1cs(compile_circom(source, tmp_path)).n_constraints
    assert ours <= theirs, (template, ours, theirs)
    assert ours == _our_cost(template)


def _our_cost(template: str) -> int:
    from zkyield.gadgets.logic import is_equal, is_zero

    c = Circuit()
    a, b = c.private_input("a"), c.private_input("b")
    if template == "Num2Bits(8)":
        to_bits(c, a, 8)
    elif template == "LessThan(8)":
        to_bits(c, a, 8)  # circomlib presumes the caller proved both widths
        to_bits(c, b, 8)
        n0 = c.n_constraints
        less_than(c, a, b, 8)
        return c.n_constraints - n0
    elif template == "IsZero()":
        is_zero(c, a)
    else:
        is_equal(c, a, b)
    return c.n_constraints
