"""The circuit builder: costs, wire layout, witness generation, input validation, labels, symbols."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.dsl import R, assert_rejected, tamper
from zkyield.dsl import Circuit, hints
from zkyield.errors import ConstraintError, InputError, StatementFalse

SECRET = 987654321987654321  # a private value that must never show up in an error message


@hints.register("tests.divmod7")
def _divmod7(v: int) -> tuple[int, int]:
    return divmod(v, 7)


@hints.register("tests.plus_one")
def _plus_one(v: int) -> int:
    return v + 1


@hints.register("tests.identity")
def _identity(v: int) -> int:
    return v


@hints.register("tests.leaky")
def _leaky(v: int) -> int:
    raise ValueError(f"secret is {v}")


def _product_circuit() -> tuple[Circuit, object]:
    c = Circuit()
    a = c.public_input("a")
    b = c.private_input("b", length=2)
    t = c.mul(a, b[0], name="t")
    c.output("o", t * b[1])
    return c, t


def test_linear_operations_cost_no_constraints() -> None:
    c = Circuit()
    x, y = c.private_input("x"), c.private_input("y")
    before = c.n_constraints
    z = 3 * x - y + 7 - (x * 2) + c.sum([x, y, 5])
    assert c.n_constraints == before
    _ = z * 5 + (4 * z) * 1
    assert c.n_constraints == before
    _ = x * y
    assert c.n_constraints == before + 1
    _ = (x + 1) * (y - z)
    assert c.n_constraints == before + 2


def test_wire_layout_is_one_outputs_public_private_internal_whatever_the_declaration_order() -> None:
    c = Circuit()
    p = c.private_input("p")
    t = p * p
    u = c.public_input("u")
    c.output("out2", t * u)
    q = c.private_input("q", length=2)
    c.output("out1", [q[0] * q[1], t])
    cc = c.compile()
    r = cc.r1cs
    assert (r.n_pub_out, r.n_pub_in, r.n_prv_in) == (3, 1, 3)
    names = cc.var_names
    assert names[1:4] == ["out2", "out1[0]", "out1[1]"]
    assert names[4:8] == ["u", "p", "q[0]", "q[1]"]
    w = cc.witness({"p": 3, "u": 5, "q": [7, 11]})
    assert w[:8] == [1, 45, 77, 9, 5, 3, 7, 11]
    assert cc.outputs(w) == {"out2": 45, "out1": [77, 9]}
    assert cc.public_signals(w) == [45, 77, 9, 5]


def test_constraints_and_witness_identical_to_circom2_for_the_same_circuit(tmp_path) -> None:
    """Independent reference: circom2 compiles the same circuit to the same R1CS, .sym and witness."""
    from tests.support.tools import circom_witness, compile_circom
    from zkyield.formats.r1cs_bin import read_r1cs
    from zkyield.formats.wtns_bin import read_wtns

    source = """pragma circom 2.0.0;
template T() {
  signal input a; signal input b[2]; signal output o;
  signal t; t <== a * b[0];
  o <== t * b[1];
}
component main {public [a]} = T();
"""
    theirs = read_r1cs(compile_circom(source, tmp_path, "t"))
    c, _ = _product_circuit()
    cc = c.compile()
    ours = cc.r1cs
    assert (ours.n_wires, ours.n_pub_out, ours.n_pub_in, ours.n_prv_in) == (
        theirs.n_wires, theirs.n_pub_out, theirs.n_pub_in, theirs.n_prv_in)
    inputs = {"a": 3, "b": [R - 2, 11]}
    circom_w = read_wtns(circom_witness(tmp_path, {k: [str(x) for x in v] if isinstance(v, list) else str(v)
                                                   for k, v in inputs.items()}, "t"))
    assert cc.witness(inputs) == circom_w
    theirs.check(cc.witness(inputs))
    assert cc.symbol_map() == (tmp_path / "t.sym").read_text()


def test_witness_matches_plain_python_evaluation() -> None:
    @given(st.integers(0, R - 1), st.integers(0, R - 1), st.integers(0, R - 1))
    def run(x: int, y: int, z: int) -> None:
        w = cc.witness({"x": x, "yz": [y, z]})
        assert cc.outputs(w) == {"f": (x * y * z + 5 * x - y) % R, "g": (x - 3) * (y + z) % R}

    c = Circuit()
    x = c.public_input("x")
    y, z = c.private_input("yz", length=2)
    c.output("f", x * y * z + 5 * x - y)
    c.output("g", (x - 3) * (y + z))
    cc = c.compile()
    run()


def test_failing_constraint_is_named_by_its_scope_path() -> None:
    c = Circuit()
    x = c.private_input("x")
    with c.scope("concentration"), c.scope("pos[3]"):
        c.assert_equal(x * x, 9, name="less_than")
    cc = c.compile(simplify=False)
    cc.witness({"x": 3})
    with pytest.raises(ConstraintError, match=r"constraint 1 \(concentration/pos\[3\]/less_than\) not satisfied"):
        cc.witness({"x": 4})
    # Simplified, x*x - 9 = 0 is one constraint, named after the check it absorbed, then the product.
    simplified = c.compile()
    assert simplified.n_constraints == 1
    with pytest.raises(ConstraintError, match=r"constraint 0 \(concentration/pos\[3\]/less_than via "
                                              r"concentration/pos\[3\]\) not satisfied"):
        simplified.witness({"x": 4})


def test_hint_wires_are_unconstrained_until_the_caller_constrains_them() -> None:
    c = Circuit()
    x = c.private_input("x")
    q, r = c.hint(_divmod7, x, n_out=2, name="qr")
    c.assert_equal(q * 7 + r, x)
    cc = c.compile(simplify=False)  # simplified, r = x - 7q would leave the R1CS
    w = cc.witness({"x": 30})
    assert [w[cc.wire_of(q)], w[cc.wire_of(r)]] == [4, 2]
    assert cc.hint_wires == [cc.wire_of(q), cc.wire_of(r)]
    # q = 3, r = 9 satisfies q*7 + r = x: the hint alone proves nothing about r < 7.
    assert cc.r1cs.is_satisfied(tamper(cc, {"x": 30}, {cc.wire_of(q): 3, cc.wire_of(r): 9}))
    assert_rejected(cc, tamper(cc, {"x": 30}, {cc.wire_of(q): 3}), "assert_equal")


def test_overrides_propagate_to_later_wires() -> None:
    c = Circuit()
    x = c.private_input("x")
    h = c.hint("tests.plus_one", x, name="h")
    sq = h * h
    c.assert_equal(sq, (x + 1) * (x + 1))
    cc = c.compile(simplify=False)
    w = tamper(cc, {"x": 4}, {cc.wire_of(h): 9})
    assert w[cc.wire_of(sq)] == 81  # recomputed from the tampered hint, so only the real check fails
    assert_rejected(cc, w, "assert_equal")
    with pytest.raises(ValueError):
        cc.witness({"x": 4}, overrides={0: 5})


def test_input_validation_names_the_input_and_never_its_value() -> None:
    c = Circuit()
    c.public_input("a")
    c.private_input("xs", length=3)
    c.output("o", c.private_input("k") * 2)
    cc = c.compile()
    good = {"a": 1, "xs": [1, 2, 3], "k": SECRET}
    cc.witness(good)
    cc.witness({**good, "a": "12345"})  # decimal strings as in snarkjs input.json
    cases = [
        ({"a": 1, "xs": [1, 2, 3]}, "missing input 'k'"),
        ({**good, "zz": 1}, "unknown input 'zz'"),
        ({**good, "o": 2}, "public output"),
        ({**good, "xs": [1, 2]}, "inputs.xs: expected 3 values, got 2"),
        ({**good, "xs": 5}, "inputs.xs: expected a list"),
        ({**good, "k": R + SECRET}, "inputs.k: not a canonical field element"),
        ({**good, "k": -SECRET}, "inputs.k: not a canonical field element"),
        ({**good, "xs": [1, R, 3]}, "inputs.xs[1]"),
        ({**good, "k": float(SECRET)}, "inputs.k: expected an integer"),
        ({**good, "k": True}, "inputs.k: expected an integer"),
        ({**good, "k": f"-{SECRET}"}, "inputs.k: expected an integer"),
    ]
    for inputs, message in cases:
        with pytest.raises(InputError) as exc:
            cc.witness(inputs)
        assert message in str(exc.value)
        assert str(SECRET) not in str(exc.value) and str(R + SECRET) not in str(exc.value)
    with pytest.raises(InputError):
        cc.witness([("a", 1)])  # type: ignore[arg-type]


def test_hint_failure_is_statement_false_without_the_exception_text() -> None:
    c = Circuit()
    x = c.private_input("x")
    with c.scope("risk"):
        c.assert_equal(c.hint(_leaky, x, name="h") * x, 0)
    with pytest.raises(StatementFalse) as exc:
        c.compile().witness({"x": SECRET})
    assert "risk/h" in str(exc.value) and str(SECRET) not in str(exc.value)


def test_build_time_misuse_is_refused() -> None:
    c = Circuit()
    x = c.private_input("x")
    for bad in ["1x", "a b", "a,b", "", "x"]:
        with pytest.raises(ValueError):
            c.private_input(bad)
    with pytest.raises(ValueError):
        c.private_input("arr", length=0)
    with pytest.raises(ValueError), c.scope("a/b"):
        pass
    with pytest.raises(TypeError):
        _ = x == x
    with pytest.raises(TypeError):
        bool(x)
    with pytest.raises(TypeError):
        _ = x * 1.5  # type: ignore[operator]
    with pytest.raises(ValueError):
        c.assert_equal(c.constant(2), 3)
    with pytest.raises(ValueError):
        _ = x + Circuit().private_input("y")
    c.assert_equal(c.constant(R + 2), 2)  # constants are reduced mod r


def test_public_output_of_a_lone_wire_is_free_and_of_an_expression_costs_one() -> None:
    c = Circuit()
    x, y = c.private_input("x"), c.private_input("y")
    p = x * y
    n = c.n_constraints
    c.output("p", p)
    assert c.n_constraints == n
    c.output("s", p + x)
    c.output("k", 5)
    c.output("xin", x)  # an input exposed as output needs its own wire
    assert c.n_constraints == n + 3
    cc = c.compile()
    w = cc.witness({"x": 6, "y": 7})
    assert cc.outputs(w) == {"p": 42, "s": 48, "k": 5, "xin": 6}
    assert_rejected(cc, tamper(cc, {"x": 6, "y": 7}, {cc.wires_named("s")[0]: 47}), "output:s")


def test_symbol_map_has_one_line_per_wire_with_scoped_unique_names() -> None:
    c = Circuit("main")
    x = c.private_input("x")
    with c.scope("risk"), c.scope("pos[0]"):
        a = c.hint(_identity, x, name="h")
        b = c.hint(_identity, x, name="h")
        c.assert_equal(a, b)
    cc = c.compile(simplify=False)
    lines = cc.symbol_map().splitlines()
    assert len(lines) == cc.n_wires - 1
    assert lines[0] == "1,1,0,main.x"
    assert lines[1] == "2,2,1,main.risk.pos[0].h"
    assert lines[2] == "3,3,1,main.risk.pos[0].h@3"


def test_write_sym_writes_the_symbol_map(tmp_path) -> None:
    c, _ = _product_circuit()
    cc = c.compile()
    cc.write_sym(tmp_path / "c.sym")
    assert (tmp_path / "c.sym").read_text() == cc.symbol_map()


def test_linear_matches_its_reference_term_for_term_and_bound_for_bound() -> None:
    """``Circuit.linear`` (Poseidon's fast path) against the sum of scaled values it replaces: the same
    combination in the same order and the same proven bound, for bounded, unbounded, constant and
    cancelling terms (a different bound would change which range checks gadgets emit)."""
    import random

    rng = random.Random(5)
    c = Circuit()
    xs = c.private_input("xs", length=6)
    bits = [c.assert_bool(x) for x in xs[:3]]
    free = xs[3:]
    prod = c.mul(free[0], free[1])
    pool = [*bits, *free, prod, bits[0] * 3 + 1, c.constant(7), c.constant(0), 5, bits[1] - bits[1], free[0] * -1]
    for _ in range(300):
        values = rng.choices(pool, k=rng.randrange(0, 7))
        coefs = [rng.choice([0, 1, -1, 2, R, R - 1, rng.randrange(R), 2**200]) for _ in values]
        const = rng.choice([0, 3, -3, R])
        if rng.random() < 0.5:  # bounded-only terms: the reference's bound arithmetic decides
            values = [v for v in values if not isinstance(v, int) and c.lift(v).bound is not None]
            coefs = coefs[: len(values)]
        fast, ref = c.linear(coefs, values, const), c.linear_reference(coefs, values, const)
        assert list(fast.lc.items()) == list(ref.lc.items())
        assert fast.bound == ref.bound
    with pytest.raises(ValueError):
        c.linear([1, 2], [bits[0]])


def test_symbol_text_equals_the_slot_by_slot_reference() -> None:
    """Repeated names renamed ``@slot`` at every repeat (also two paths that dot alike, "x.y/q" and
    "x/y/q"), components numbered by first appearance, removed slots listed with varIdx -1, and a name
    holding '@' (which could collide with a rename) or not ASCII (both left to the reference)."""
    import random

    from zkyield._native import witness_lib
    from zkyield.dsl.symbols import symbol_text, symbol_text_reference

    rng = random.Random(11)
    scopes = ["", "a", "a/b", "c", "a/b/pos[3]", "x.y", "x/y", "/lead"]
    leaves = ["mul", "bits[0]", "q", "out", "mul"]
    lib = witness_lib()
    for extra in ([], ["a/q@7", "a/q"], ["a/\u00e9"]):
        names = ["one"] + [f"{s}/{leaf}" if s else leaf for s, leaf in
                           ((rng.choice(scopes), rng.choice(leaves)) for _ in range(400))] + extra
        for n_wires in (len(names), len(names) - 50, 1):
            ref = symbol_text_reference("main", names, n_wires)
            assert symbol_text("main", names, n_wires) == ref
            if lib is not None:
                assert lib.symbol_text("main", names, n_wires) == (None if extra else ref)
    assert symbol_text("main", ["one", "x.y/q", "x/y/q"], 3) == b"1,1,1,main.x.y.q\n2,2,2,main.x.y.q@2\n"
    assert symbol_text("main", ["one"], 1) == b""


def test_assert_bools_emits_what_assert_bool_on_each_value_emits() -> None:
    """Fresh hint bits, a repeated bit, a constant, a combination, a wire already proven boolean and
    one scaled by 2, in a scope and named: the same constraints, labels and bounds, in the same order."""
    from zkyield.dsl.value import Value

    def build(bulk: bool) -> Circuit:
        c = Circuit()
        x = c.private_input("x")
        with c.scope("s"):
            bits = c.hint("low_bits", x, 4, n_out=4, name="bits")
            done = c.assert_bool(c.hint("low_bits", x, 1, n_out=1, name="b")[0])
            values = [*bits[:2], bits[0], 1, bits[2] + bits[3], done, 2 * bits[3], bits[3]]
            out = c.assert_bools(values, name="chk") if bulk else [c.assert_bool(v, name="chk") for v in values]
            assert all(isinstance(v, Value) for v in out)
            c.output("o", c.sum(out))
        return c

    bulk, each = build(True), build(False)
    assert bulk._constraints == each._constraints and bulk._labels == each._labels
    assert bulk._var_bound == each._var_bound and bulk._var_names == each._var_names
    assert Circuit().assert_bools([]) == []
