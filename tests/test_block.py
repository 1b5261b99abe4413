"""Recorded blocks: a replayed gadget equals building it again, wire for wire and label for label."""

from __future__ import annotations

import random
from contextlib import ExitStack

import pytest

from zkyield._native import pure_python, witness_lib
from zkyield.dsl.block import record_block
from zkyield.dsl.circuit import Circuit
from zkyield.field import R
from zkyield.gadgets.bits import range_check
from zkyield.gadgets.poseidon import poseidon_gadget, poseidon_permutation_reference
from zkyield.poseidon import poseidon


def _emitted(c: Circuit) -> tuple:
    """Everything a build leaves behind, in builder numbering (the compile input)."""
    rec = c._recorded()
    steps = [tuple(_plain(x) for x in step) for step in rec.steps]
    return rec.kinds, rec.var_names, rec.constraints, rec.labels, steps


def _plain(x: object) -> object:
    """Hint arguments with each Value as its combination (Values refuse ``==``)."""
    if isinstance(x, (list, tuple)):
        return [_plain(a) for a in x]
    return x.lc if hasattr(x, "lc") else x


def _inputs(c: Circuit, rng: random.Random) -> list:
    """Lanes of every shape a caller passes: lone wires, scaled and summed wires, bounded values, constants."""
    a, b, d = c.private_input("a"), c.private_input("b"), c.private_input("d")
    range_check(c, d, 8)
    return [a, 3 * a + b - 7, d, rng.randrange(R), a, 0, b * 5 + d]


@pytest.mark.parametrize("native", [True, False])
@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 15, 16])
def test_poseidon_replay_equals_the_reference_build(n: int, native: bool) -> None:
    with ExitStack() as stack:
        if not native:
            stack.enter_context(pure_python())  # _stamp in Python: the reference of _witness.stamp
        _check_replay_equals_reference(n)


def _check_replay_equals_reference(n: int) -> None:
    rng = random.Random(n)
    picks = [rng.randrange(7) for _ in range(n)]
    built: list[tuple] = []
    for use_block in (True, False):
        c = Circuit()
        pool = _inputs(c, random.Random(n))
        lanes = [pool[i] for i in picks]
        with c.scope("outer"):
            if use_block:
                out = poseidon_gadget(c, lanes)
            else:
                with c.scope(f"poseidon{n}"):
                    out = poseidon_permutation_reference(c, [0, *lanes])[0]
        c.output("h", out)
        built.append(_emitted(c))
    assert built[0] == built[1]


def test_replayed_poseidon_proves_the_hash_and_refuses_a_tampered_wire() -> None:
    c = Circuit()
    xs = c.private_input("xs", length=4)
    c.output("h", poseidon_gadget(c, [xs[0], xs[1] + xs[2], 9, xs[3]]))
    cc = c.compile()
    w = cc.witness({"xs": [1, 2, 3, 4]})
    assert cc.outputs(w)["h"] == poseidon([1, 5, 9, 4])
    inner = cc.wires_named("round30/mul")[0]
    bad = list(w)
    bad[inner] = (bad[inner] + 1) % R
    with pytest.raises(Exception, match="round30"):
        cc.check(bad)


def test_replay_at_top_level_and_inside_scopes_keeps_the_names() -> None:
    block = record_block(lambda c, ins: [c.mul(ins[0], ins[1], name="p") + 1], 2)
    assert block.names == ("p",) and block.n_internal == 1
    for scopes in ((), ("s",), ("s", "t")):
        c = Circuit()
        x, y = c.private_input("x"), c.private_input("y")
        with ExitStack() as stack:
            for s in scopes:
                stack.enter_context(c.scope(s))
            (out,) = c.replay(block, [x, y])
        assert c._var_names[-1] == "/".join([*scopes, "p"])
        assert out.lc == {3: 1, 0: 1}


def test_record_refuses_blocks_replay_could_not_reproduce() -> None:
    with pytest.raises(ValueError, match="only multiply"):
        record_block(lambda c, ins: [c.hint("divide", ins[0], 3)], 1)
    with pytest.raises(ValueError, match="bounds"):
        record_block(lambda c, ins: [c.assert_bool(c.mul(ins[0], ins[0]))], 1)
    with pytest.raises(ValueError, match="label"):
        record_block(lambda c, ins: [c.mul(ins[0], ins[0])], 1)  # unscoped, unnamed: "mul" at top level
    with pytest.raises(ValueError, match="inputs or outputs"):
        record_block(lambda c, ins: [c.private_input("z")], 1)


def test_replay_checks_its_inputs() -> None:
    block = record_block(lambda c, ins: [c.mul(ins[0], ins[0], name="sq")], 1)
    c, other = Circuit(), Circuit()
    with pytest.raises(ValueError, match="takes 1 inputs"):
        c.replay(block, [])
    with pytest.raises(ValueError, match="another circuit"):
        c.replay(block, [other.private_input("x")])


@pytest.mark.skipif(witness_lib() is None, reason="native backend not built (or ZKYIELD_PURE_PYTHON=1)")
def test_compose_builds_the_combinations_the_python_stamp_builds() -> None:
    """``_witness.compose`` (a replayed block's combinations that name its inputs) against ``_stamp``: the
    same dict, keys in the same order, for every such combination of Poseidon's blocks (an input plus its
    round constant; own wires with the constant placed first), on inputs of one or many terms, a constant
    input, and an input whose constant cancels the round constant (the term is dropped)."""
    from zkyield.dsl.circuit import _stamp
    from zkyield.gadgets.poseidon import _block

    rng = random.Random(4)
    lib = witness_lib()
    for pattern in [(0, None, None), (0, None, None, None, None), (0, *[None] * 16)]:
        block = _block(pattern)
        first, off = block.first_internal, 1000
        mixed = [lc for lc in block.lcs if lc.mixed is not None]
        assert mixed
        for trial in range(4):
            ins = [{rng.randrange(1, 900): rng.randrange(1, R) for _ in range(rng.choice([1, 2, 7]))}
                   for _ in range(block.n_inputs)]
            if trial == 1:
                ins[0] = {0: 5}  # a constant input
            cancelled = None
            if trial == 2:  # a constant input 1 that cancels the round constant added to it
                lc = next(lc for lc in mixed if 1 in lc.mixed and 0 in lc.mixed)
                ins[0] = {0: (R - lc.mixed[0]) * pow(lc.mixed[1], -1, R) % R, 7: 3}
                cancelled = (lc, 0)
            for lc in mixed:
                want = _stamp(lc, off, first, ins)
                got = lib.compose(lc.mixed, off, first, ins, R)
                assert list(got.items()) == list(want.items())
            if cancelled is not None:
                lc, wire = cancelled
                assert wire not in lib.compose(lc.mixed, off, first, ins, R)
