"""Bit decomposition and range checks: values, costs, and malicious provers."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.dsl import R, assert_rejected, satisfying_assignments, tamper
from zkyield.dsl import Circuit, CompiledCircuit
from zkyield.errors import ConstraintError
from zkyield.gadgets.bits import from_bits, range_check, to_bits

WIDTHS = [1, 2, 8, 64, 252, 253]


def edge_values(n: int) -> st.SearchStrategy[int]:
    return st.sampled_from([0, 1, 2**n - 1, 2**n, 2**n + 1, R - 1, R - 2**n]) | st.integers(0, 2 ** (n + 1))


@cache
def bits_circuit(n: int) -> tuple[CompiledCircuit, list]:
    c = Circuit()
    x = c.private_input("x")
    bits = to_bits(c, x, n)
    assert c.n_constraints == n
    c.output("back", from_bits(c, bits))
    assert c.n_constraints == n + 1  # from_bits of proven bits is free; the output copy is the + 1
    return c.compile(), bits


@pytest.mark.parametrize("n", WIDTHS)
def test_to_bits_costs_n_constraints(n: int) -> None:
    cc, _ = bits_circuit(n)
    assert cc.n_constraints == n + 1
    assert len(cc.hint_wires) == n - 1


@pytest.mark.parametrize("n", WIDTHS)
def test_to_bits_gives_the_binary_digits_or_no_witness(n: int) -> None:
    cc, bits = bits_circuit(n)

    @given(edge_values(n))
    def run(x: int) -> None:
        x %= R
        if x < 2**n:
            w = cc.witness({"x": x})
            assert [cc.value_of(w, b) for b in bits] == [(x >> i) & 1 for i in range(n)]
            assert cc.outputs(w)["back"] == x
        else:
            with pytest.raises(ConstraintError, match="to_bits"):
                cc.witness({"x": x})

    run()


def test_non_boolean_bits_that_still_sum_to_x_are_rejected() -> None:
    cc, bits = bits_circuit(3)
    # 5 = 3*1 + 1*2 + 0*4: a naive "sum equals x" check passes, booleanity must not.
    w = tamper(cc, {"x": 5}, {cc.wire_of(bits[0]): 3, cc.wire_of(bits[1]): 1})
    assert sum(cc.value_of(w, b) << i for i, b in enumerate(bits)) % R == 5
    assert_rejected(cc, w, "to_bits")


def test_brute_force_prover_finds_only_the_honest_decomposition() -> None:
    cc, bits = bits_circuit(4)
    candidates = [0, 1, 2, 3, R - 1, (R + 1) // 2]
    wires = cc.hint_wires
    found = satisfying_assignments(cc, {"x": 11}, wires, candidates)
    assert [[w[i] for i in wires] for w in found] == [[1, 1, 0]]
    assert satisfying_assignments(cc, {"x": 16}, wires, candidates) == []


def test_range_check_is_free_once_proven_and_refuses_bad_widths() -> None:
    c = Circuit()
    x = c.private_input("x")
    range_check(c, x, 8)
    assert c.n_constraints == 8
    range_check(c, x, 8)
    range_check(c, x, 200)
    assert c.n_constraints == 8
    range_check(c, x, 4)
    assert c.n_constraints == 12
    assert x.bits == 4
    y = c.private_input("y")
    range_check(c, y * 3 + 1, 10)  # any linear combination
    assert c.n_constraints == 22
    for bad in (-1, 254, 1.0, True):
        with pytest.raises(ValueError):
            range_check(c, x, bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("value,ok", [(0, True), (2**10 - 1, True), (2**10, False), (R - 1, False)])
def test_range_check_of_a_linear_combination(value: int, ok: bool) -> None:
    c = Circuit()
    y = c.private_input("y")
    range_check(c, y * 3 + 1, 10)
    cc = c.compile()
    y_val = (value - 1) * pow(3, -1, R) % R
    if ok:
        cc.witness({"y": y_val})
    else:
        with pytest.raises(ConstraintError, match="range_check"):
            cc.witness({"y": y_val})


def test_zero_width_means_zero_and_constants_are_checked_at_build_time() -> None:
    c = Circuit()
    x = c.private_input("x")
    assert to_bits(c, x, 0) == []
    cc = c.compile()
    cc.witness({"x": 0})
    with pytest.raises(ConstraintError):
        cc.witness({"x": 1})
    assert [b.constant for b in to_bits(c, 6, 3)] == [0, 1, 1]
    with pytest.raises(ValueError):
        to_bits(c, 8, 3)


def test_from_bits_checks_booleanity_of_unproven_bits() -> None:
    c = Circuit()
    bs = c.private_input("bs", length=3)
    c.output("v", from_bits(c, bs))
    cc = c.compile()
    assert cc.n_constraints == 3 + 1  # three booleanity checks, one output copy
    assert cc.outputs(cc.witness({"bs": [1, 0, 1]}))["v"] == 5
    with pytest.raises(ConstraintError, match="from_bits"):
        cc.witness({"bs": [3, 1, 0]})  # 3 + 2 = 5 as well, but 3 is not a bit


def _everything(c: Circuit) -> tuple:
    """What a build leaves in the circuit, dicts compared with their order (a side's term order is encoded)."""
    def lc(d: dict) -> tuple:
        return tuple(d.items())

    steps = [tuple(lc(x) if isinstance(x, dict) else x for x in s[:3]) + s[4:] for s in c._steps]
    return ([tuple(map(lc, con)) for con in c._constraints], c._labels, steps, c._var_names, c._kinds,
            list(c._var_bound.items()), c._hint_vars)


def _operand(c: Circuit, shape: str):
    a, b = c.private_input("a"), c.private_input("b")
    c.assert_bool(b)  # a bounded wire: its bound must be kept or raised alike
    return {"wire": a, "bounded": b, "scaled": 5 * a, "offset": a + 7, "difference": a - b + (1 << 70),
            "product": c.mul(a, b)}[shape]


@pytest.mark.parametrize("shape", ["wire", "bounded", "scaled", "offset", "difference", "product"])
@pytest.mark.parametrize("n", [2, 3, 17, 64, 253])
@pytest.mark.parametrize("scoped", [False, True])
def test_boolean_decomposition_emits_what_the_reference_decomposition_does(shape: str, n: int, scoped: bool) -> None:
    """``decompose`` (the circuit's one-pass ``boolean_decomposition``) and ``decompose_reference`` leave
    the same constraints (terms in the same order), labels, steps, names, bounds and returned values."""
    from contextlib import nullcontext

    from zkyield.gadgets.bits import decompose, decompose_reference

    built = []
    for fn in (decompose, decompose_reference):
        c = Circuit()
        x = _operand(c, shape)
        with c.scope("range[3]") if scoped else nullcontext():
            bits = fn(c, x, n)
        built.append((_everything(c), [(tuple(v.lc.items()), v.bound) for v in bits], x.bound))
    assert built[0] == built[1]


def test_boolean_decomposition_refuses_what_it_does_not_cover() -> None:
    c, other = Circuit(), Circuit()
    x = c.private_input("x")
    for bad in ((c.constant(3), 8), (x, 1), (x, 254), (other.private_input("y"), 8)):
        with pytest.raises(ValueError, match="boolean_decomposition"):
            c.boolean_decomposition(*bad)
