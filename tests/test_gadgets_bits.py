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
