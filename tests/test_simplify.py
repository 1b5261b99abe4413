"""Linear-constraint simplification: fewer constraints, the same relation on the kept wires.

Each soundness case builds the attack: a witness that breaks a constraint the simplification removed
must still be refused by what remains, with a constant contradiction kept rather than dropped.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.dsl import R, assert_rejected, builder_witness, tamper
from zkyield._native import witness_lib
from zkyield.dsl import Circuit
from zkyield.formats.r1cs_bin import r1cs_to_bytes, read_r1cs
from zkyield.gadgets.poseidon import poseidon_gadget


def test_poseidon2_with_its_output_is_circomlib_o2_count() -> None:
    c = Circuit()
    c.output("h", poseidon_gadget(c, c.private_input("a", length=2)))
    assert c.compile(simplify=False).n_constraints == 241  # 240 S-box constraints + the output copy
    assert c.compile().n_constraints == 240  # circom 2 --O2 on circomlib Poseidon(2): 240


def test_removed_linear_constraint_is_still_enforced_through_its_substitution() -> None:
    c = Circuit()
    x, y = c.public_input("x"), c.private_input("y")
    t = c.mul(y, y, name="t")
    c.assert_equal(t, x + 5, name="link")  # linear: t - x - 5 = 0, so t is substituted out
    u = c.mul(t, y, name="u")
    c.output("o", u)
    cc = c.compile()
    assert cc.n_constraints == 2 and cc.stats()["substituted_wires"] == 1
    good = cc.witness({"x": 4, "y": 3})
    assert cc.outputs(good) == {"o": 27}
    with pytest.raises(ValueError, match="substituted out"):
        cc.wire_of(t)
    assert cc.value_of(good, t) == 9
    # The prover claims y = 2 (t = 4 != x + 5) and computes o = 8 honestly from it: refused.
    lie = tamper(cc, {"x": 4, "y": 3}, {cc.wires_named("y")[0]: 2})
    assert_rejected(cc, lie, "t")
    full = c.compile(simplify=False)
    assert not full.r1cs.is_satisfied(full.witness({"x": 4, "y": 2}, check=False))


def test_contradictory_linear_constraints_keep_a_constant_one_that_no_witness_meets() -> None:
    c = Circuit()
    y = c.private_input("y")
    t = y * y
    c.assert_equal(t, 4, name="four")
    c.assert_equal(t, 5, name="five")  # after t := 4 this is 4 - 5 = 0: must not disappear
    cc = c.compile()
    assert any(con.a.keys() <= {0} and con.a for con in cc.r1cs.constraints)
    for value in (2, R - 2, 0, 1):
        assert not cc.r1cs.is_satisfied(cc.witness({"y": value}, check=False))


def test_public_wires_inputs_and_hints_are_never_substituted_out() -> None:
    c = Circuit()
    a, b = c.private_input("a"), c.private_input("b")
    p = c.public_input("p")
    c.output("s", a + b)  # s - a - b = 0 names only an output and inputs: kept
    c.assert_equal(a * 2, p)  # only inputs: kept
    (h,) = c.hint("low_bits", a, 1, n_out=1)
    c.assert_equal(h, b)  # a hint wire and an input: kept
    cc = c.compile()
    assert cc.n_constraints == c.compile(simplify=False).n_constraints == 3
    assert cc.stats()["substituted_wires"] == 0


@given(st.lists(st.integers(0, R - 1), min_size=3, max_size=3))
def test_simplified_and_full_circuits_agree_on_outputs_and_satisfiability(xs: list[int]) -> None:
    c = Circuit()
    v = c.private_input("v", length=3)
    m1 = v[0] * v[1]
    m2 = c.mul(m1 + 3, v[2])
    s = c.mul(m2 - m1, 1 + v[0])
    c.assert_equal(s * 2, c.mul(m2 - m1, 2 + 2 * v[0]))  # linear in the product wires
    copy = c.mul(s, 1 + 0 * v[0])
    c.output("o", [copy + m1, m2])
    simple, full = c.compile(), c.compile(simplify=False)
    assert simple.n_constraints < full.n_constraints
    inputs = {"v": xs}
    ws, wf = simple.witness(inputs), full.witness(inputs)
    assert simple.outputs(ws) == full.outputs(wf)
    assert ws == builder_witness(simple, inputs)


def test_sym_lists_substituted_signals_with_var_index_minus_one_and_the_r1cs_keeps_their_labels() -> None:
    c = Circuit("main")
    x, y = c.public_input("x"), c.private_input("y")
    t = c.mul(y, y, name="t")
    c.assert_equal(t, x + 5)
    c.output("o", c.mul(t, y, name="u"))
    cc = c.compile()
    lines = cc.symbol_map().splitlines()
    assert len(lines) == cc.program.n_slots - 1
    removed = [line for line in lines if line.split(",")[1] == "-1"]
    assert [r.split(",")[3] for r in removed] == ["main.t"]
    back = read_r1cs(r1cs_to_bytes(cc.r1cs))
    assert back.n_labels == cc.program.n_slots and back.digest() == cc.r1cs.digest()
    back.check(cc.witness({"x": 4, "y": 3}))


def _mixed_circuit() -> Circuit:
    """Outputs declared last, removed wires, hints and constants: a slot map far from the identity."""
    c = Circuit()
    xs = c.private_input("xs", length=3)
    p = c.public_input("p")
    y = c.mul(xs[0], xs[1]) + 3 * xs[2] - p
    z = c.mul(y, y + 1)
    q = c.hint("divide", xs[2], 7, 0, name="q")
    c.assert_equal(c.mul(q, q) + xs[0], q * 7)
    c.assert_equal(z + 5, c.mul(xs[1], xs[2]) * 2)
    c.output("out", [z, y, xs[0] + 1])
    return c


@pytest.mark.parametrize("simplify", [True, False])
def test_r1cs_and_circuit_id_encoded_through_the_slot_map_equal_the_wire_numbered_r1cs(simplify: bool) -> None:
    from zkyield._native import pure_python
    from zkyield.dsl.program_file import program_to_bytes

    cc = _mixed_circuit().compile(simplify)
    fast = b"".join(cc.r1cs_pieces())
    assert fast == r1cs_to_bytes(cc.r1cs)
    assert cc.program.circuit_id == cc.r1cs._compute_digest_reference()
    with pure_python():
        slow = _mixed_circuit().compile(simplify)
        assert b"".join(slow.r1cs_pieces()) == fast
    assert slow.program.circuit_id == cc.program.circuit_id
    assert program_to_bytes(slow.program) == program_to_bytes(cc.program)  # C freezing = the Python loop


def test_the_circuit_id_read_while_the_r1cs_streams_is_the_one_computed_on_its_own() -> None:
    """Writing ``.r1cs`` first reads the circuit id off the streamed bytes; asking for the id first
    computes it alone: both give the same id, the same file, and the reference digest. A stream left
    unfinished keeps no id."""
    from zkyield.dsl.program_file import program_to_bytes

    streamed, alone = _mixed_circuit().compile(), _mixed_circuit().compile()
    pieces = b"".join(streamed.r1cs_pieces())
    assert "circuit_id" in streamed.__dict__
    want = alone.circuit_id
    assert streamed.circuit_id == want == alone.r1cs._compute_digest_reference()
    assert b"".join(alone.r1cs_pieces()) == pieces
    assert program_to_bytes(streamed.program) == program_to_bytes(alone.program)
    unfinished = _mixed_circuit().compile()
    next(iter(unfinished.r1cs_pieces()))
    assert "circuit_id" not in unfinished.__dict__ and unfinished.circuit_id == want


def test_the_kept_indices_are_every_index_but_the_dropped() -> None:
    from zkyield.dsl.simplify import _without

    for n, dropped in ((0, set()), (5, set()), (5, {0}), (5, {4}), (10, {0, 3, 4, 9}), (3, {0, 1, 2})):
        assert _without(n, dropped) == [i for i in range(n) if i not in dropped]


@pytest.mark.skipif(witness_lib() is None, reason="native backend not built (or ZKYIELD_PURE_PYTHON=1)")
def test_touching_finds_the_constraints_the_python_scan_finds() -> None:
    """``_witness.touching`` (removed variables in a byte map, a side shared with the one before read once)
    names the same constraints as ``simplify``'s Python scan, and refuses a removed variable it cannot map."""
    import random

    rng = random.Random(3)
    n_vars = 500
    sides = [{v: 1 for v in rng.sample(range(n_vars), rng.choice([0, 1, 3, 20]))} for _ in range(60)]
    cons = tuple((x, x if i % 2 else sides[(i + 1) % 60], sides[(i * 7) % 60])
                 for i, x in enumerate(sides[i % 60] for i in range(400)))
    kept = [i for i in range(len(cons)) if i % 5]
    removed = {v: {} for v in rng.sample(range(n_vars), 12)}
    want = [j for j, (a, b, c) in enumerate(map(cons.__getitem__, kept))
            if not (removed.keys().isdisjoint(a) and removed.keys().isdisjoint(b) and removed.keys().isdisjoint(c))]
    assert 0 < len(want) < len(kept)
    assert witness_lib().touching(cons, kept, removed, n_vars) == want
    with pytest.raises(ValueError, match="out of range"):
        witness_lib().touching(cons, kept, {n_vars: {}}, n_vars)
