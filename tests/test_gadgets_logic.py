"""is_zero / is_equal, boolean logic, select and mux: values, costs, and malicious provers."""

from __future__ import annotations

import itertools
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.dsl import R, assert_rejected, satisfying_assignments, tamper
from zkyield.dsl import Circuit, CompiledCircuit
from zkyield.errors import ConstraintError
from zkyield.gadgets.logic import all_of, and_, any_of, is_equal, is_zero, mux, not_, or_, select, xor

FIELD_EDGES = st.sampled_from([0, 1, 2, R - 1, R - 2, (R - 1) // 2]) | st.integers(0, R - 1)


@cache
def zero_circuit() -> CompiledCircuit:
    c = Circuit()
    x, a, b = c.private_input("x"), c.private_input("a"), c.private_input("b")
    n = c.n_constraints
    z = is_zero(c, x)
    assert c.n_constraints == n + 2
    c.output("z", z)
    c.output("eq", is_equal(c, a, b))
    return c.compile()


@given(FIELD_EDGES, FIELD_EDGES)
def test_is_zero_and_is_equal_match_python(x: int, a: int) -> None:
    cc = zero_circuit()
    for b in (a, (a + 1) % R, x):
        out = cc.outputs(cc.witness({"x": x, "a": a, "b": b}))
        assert out == {"z": int(x == 0), "eq": int(a == b)}


def test_is_zero_cannot_be_talked_into_the_wrong_answer() -> None:
    cc = zero_circuit()
    inputs = {"x": 5, "a": 1, "b": 2}
    inv = cc.wires_named("is_zero/inv")[0]
    # inv = 0 would make out = 1 - 5*0 = 1 ("5 is zero"); x * out == 0 must catch it.
    assert_rejected(cc, tamper(cc, inputs, {inv: 0}), "is_zero")
    for w in satisfying_assignments(cc, inputs, [inv], [0, 1, 2, R - 1, pow(5, -1, R)]):
        assert cc.outputs(w)["z"] == 0
    for w in satisfying_assignments(cc, {**inputs, "x": 0}, [inv], [0, 1, 2, R - 1]):
        assert cc.outputs(w)["z"] == 1


@cache
def bool_circuit() -> CompiledCircuit:
    c = Circuit()
    a, b = c.private_input("a"), c.private_input("b")
    n = c.n_constraints
    outs = {"and": and_(c, a, b)}
    assert c.n_constraints == n + 3  # two booleanity checks + the product
    outs |= {"or": or_(c, a, b), "xor": xor(c, a, b), "not": not_(c, a)}
    assert c.n_constraints == n + 5  # inputs now proven boolean: one constraint each
    for name, v in outs.items():
        c.output(name, v)
    return c.compile()


def test_boolean_gates_truth_tables() -> None:
    cc = bool_circuit()
    for a, b in itertools.product((0, 1), repeat=2):
        assert cc.outputs(cc.witness({"a": a, "b": b})) == {"and": a & b, "or": a | b, "xor": a ^ b, "not": 1 - a}


@pytest.mark.parametrize("a,b", [(2, 0), (0, R - 1), (2, R - 1)])
def test_boolean_gates_reject_non_boolean_inputs(a: int, b: int) -> None:
    with pytest.raises(ConstraintError, match="assert_bool"):
        bool_circuit().witness({"a": a, "b": b})


@pytest.mark.parametrize("k", [1, 2, 3, 7])
def test_all_of_and_any_of(k: int) -> None:
    c = Circuit()
    bs = c.private_input("bs", length=k)
    for b in bs:
        c.assert_bool(b)
    n = c.n_constraints
    c.output("all", all_of(c, bs))
    c.output("any", any_of(c, bs))
    assert c.n_constraints - n <= 2 + 2 + 2  # two gadgets of at most 2 constraints, plus output copies
    cc = c.compile()
    for bits in itertools.product((0, 1), repeat=k):
        assert cc.outputs(cc.witness({"bs": list(bits)})) == {"all": int(all(bits)), "any": int(any(bits))}


def test_all_of_refuses_non_boolean_inputs_that_would_fake_the_sum() -> None:
    c = Circuit()
    bs = c.private_input("bs", length=3)
    c.output("all", all_of(c, bs))
    cc = c.compile()
    assert cc.outputs(cc.witness({"bs": [1, 1, 1]}))["all"] == 1
    with pytest.raises(ConstraintError, match="assert_bool"):
        cc.witness({"bs": [2, 1, 0]})  # sums to 3 like [1, 1, 1]


@cache
def select_circuit() -> CompiledCircuit:
    c = Circuit()
    s, t, f = c.private_input("s"), c.private_input("t"), c.private_input("f")
    n = c.n_constraints
    out = select(c, s, t, f)
    assert c.n_constraints == n + 2  # booleanity of s + one product
    c.output("out", out)
    return c.compile()


@given(FIELD_EDGES, FIELD_EDGES)
def test_select_picks_a_branch(t: int, f: int) -> None:
    cc = select_circuit()
    assert cc.outputs(cc.witness({"s": 1, "t": t, "f": f}))["out"] == t
    assert cc.outputs(cc.witness({"s": 0, "t": t, "f": f}))["out"] == f


def test_select_rejects_a_non_boolean_condition() -> None:
    with pytest.raises(ConstraintError, match="select"):
        select_circuit().witness({"s": 2, "t": 10, "f": 3})


@cache
def mux_circuit(k: int) -> CompiledCircuit:
    c = Circuit()
    idx = c.private_input("idx")
    opts = c.private_input("opts", length=k)
    n = c.n_constraints
    out = mux(c, idx, opts)
    assert c.n_constraints - n == 2 * k + 2  # k booleanity + 2 sums + k products
    c.output("out", out)
    return c.compile()


@pytest.mark.parametrize("k", [1, 3, 5])
def test_mux_picks_the_indexed_option_and_nothing_else(k: int) -> None:
    cc = mux_circuit(k)
    opts = [(7 * i + 3) % R for i in range(k - 1)] + [R - 1]
    for i in range(k):
        assert cc.outputs(cc.witness({"idx": i, "opts": opts}))["out"] == opts[i]
    for bad in (k, k + 1, R - 1):
        with pytest.raises(ConstraintError, match="mux"):
            cc.witness({"idx": bad, "opts": opts})


def test_mux_selector_cannot_point_elsewhere() -> None:
    cc = mux_circuit(3)
    inputs = {"idx": 1, "opts": [10, 20, 30]}
    sel = cc.hint_wires
    assert_rejected(cc, tamper(cc, inputs, dict(zip(sel, [0, 0, 1], strict=True))), "mux")
    found = satisfying_assignments(cc, inputs, sel, [0, 1, 2, R - 1])
    assert [cc.outputs(w)["out"] for w in found] == [20]
    assert satisfying_assignments(cc, {**inputs, "idx": 3}, sel, [0, 1, 2, R - 1]) == []


def test_constant_inputs_fold_at_build_time() -> None:
    c = Circuit()
    assert is_zero(c, 0).constant == 1 and is_zero(c, 5).constant == 0
    assert c.n_constraints == 0
    with pytest.raises(ValueError):
        mux(c, 0, [])
