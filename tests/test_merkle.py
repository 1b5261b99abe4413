"""Poseidon Merkle trees: roots against circomlibjs, proofs out of circuit and in circuit, soundness."""

from __future__ import annotations

import random
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.poseidon import run_circomlibjs
from tests.support.tools import run_snarkjs
from zkyield.dsl.circuit import Circuit
from zkyield.errors import ConstraintError, FieldError, InputError
from zkyield.field import R
from zkyield.formats.r1cs_bin import write_r1cs
from zkyield.formats.wtns_bin import write_wtns
from zkyield.gadgets.merkle import CONSTRAINTS_PER_LEVEL, merkle_inclusion
from zkyield.merkle import EMPTY_LEAF, MerkleTree, compute_root, empty_root, verify_proof

# Full tree in JS with circomlibjs's Poseidon: pad with "0" to 2^depth, hash pairs level by level.
_JS_ROOTS = """input.map(({leaves, depth}) => {
  let level = leaves.slice();
  while (level.length < 2 ** depth) level.push("0");
  for (let k = 0; k < depth; k++) {
    const up = [];
    for (let i = 0; i < level.length; i += 2) up.push(H([level[i], level[i + 1]]));
    level = up;
  }
  return level[0];
})"""
_JS_EMPTY_ROOTS = """(() => {
  const z = ["0"];
  for (let k = 0; k < input; k++) z.push(H([z[k], z[k]]));
  return z;
})()"""


def test_roots_equal_a_circomlibjs_tree(tmp_path) -> None:
    rng = random.Random(7)
    cases = [([], 0), ([5], 0), ([], 3), ([R - 1], 1), ([1, 2], 1), ([0, 1, R - 1], 2)]
    cases += [([rng.randrange(R) for _ in range(rng.randint(1, 2**d))], d) for d in (2, 3, 4, 5, 5)]
    payload = [{"leaves": [str(x) for x in leaves], "depth": d} for leaves, d in cases]
    expected = [int(x) for x in run_circomlibjs(_JS_ROOTS, payload, tmp_path)]
    assert [MerkleTree(leaves, d).root for leaves, d in cases] == expected


def test_empty_roots_equal_circomlibjs_zero_chain(tmp_path) -> None:
    expected = [int(x) for x in run_circomlibjs(_JS_EMPTY_ROOTS, 32, tmp_path)]
    assert [empty_root(d) for d in range(33)] == expected
    assert MerkleTree([], 32).root == expected[32]


def test_every_proof_verifies_and_rebuilds_the_root() -> None:
    leaves = [3, 1, 4, 1, 5, 9, 2]
    tree = MerkleTree(leaves, 3)
    for i in range(8):
        siblings, bits = tree.proof(i)
        leaf = leaves[i] if i < len(leaves) else EMPTY_LEAF
        assert bits == [(i >> k) & 1 for k in range(3)]
        assert verify_proof(tree.root, leaf, siblings, bits, 3)
        assert compute_root(leaf, siblings, bits) == tree.root


def test_wrong_leaf_sibling_bit_root_or_depth_fail() -> None:
    leaves = [11, 22, 33, 44, 55]
    tree = MerkleTree(leaves, 4)
    siblings, bits = tree.proof(2)
    assert verify_proof(tree.root, 33, siblings, bits, 4)
    assert not verify_proof(tree.root, 34, siblings, bits, 4)
    assert not verify_proof(tree.root, 22, siblings, bits, 4)
    for k in range(4):
        bad = list(siblings)
        bad[k] = (bad[k] + 1) % R
        assert not verify_proof(tree.root, 33, bad, bits, 4)
        flipped = list(bits)
        flipped[k] ^= 1
        assert not verify_proof(tree.root, 33, siblings, flipped, 4)
    assert not verify_proof((tree.root + 1) % R, 33, siblings, bits, 4)
    assert not verify_proof(tree.root, 33, siblings, bits, 5)
    # An inner node is not a leaf of a shallower tree when the verifier fixes the depth.
    inner = compute_root(33, siblings[:1], bits[:1])
    assert compute_root(inner, siblings[1:], bits[1:]) == tree.root
    assert not verify_proof(tree.root, inner, siblings[1:], bits[1:], 4)


def test_malformed_inputs_are_rejected() -> None:
    tree = MerkleTree([1, 2, 3], 2)
    siblings, bits = tree.proof(0)
    with pytest.raises(InputError, match="path_bits"):
        compute_root(1, siblings, [2, 0])
    with pytest.raises(InputError, match="path_bits"):
        compute_root(1, siblings, [True, 0])
    with pytest.raises(InputError, match="siblings"):
        compute_root(1, siblings, bits[:1])
    with pytest.raises(FieldError, match="leaf"):
        compute_root(R, siblings, bits)
    with pytest.raises(FieldError, match="leaves"):
        MerkleTree([R], 1)
    with pytest.raises(InputError, match="depth"):
        MerkleTree([1, 2, 3], 1)
    with pytest.raises(InputError, match="depth"):
        MerkleTree([], -1)
    with pytest.raises(InputError, match="index"):
        tree.proof(4)


@given(st.lists(st.integers(0, R - 1) | st.sampled_from([0, 1, R - 1]), min_size=1, max_size=16),
       st.integers(4, 6), st.data())
def test_proofs_of_random_trees(leaves: list[int], depth: int, data: st.DataObject) -> None:
    tree = MerkleTree(leaves, depth)
    index = data.draw(st.integers(0, len(leaves) - 1))
    siblings, bits = tree.proof(index)
    assert verify_proof(tree.root, leaves[index], siblings, bits, depth)
    assert not verify_proof(tree.root, (leaves[index] + 1) % R, siblings, bits, depth)
    other = data.draw(st.integers(0, 2**depth - 1).filter(lambda j: j != index))
    other_bits = [(other >> k) & 1 for k in range(depth)]
    padded = MerkleTree([*leaves, *[0] * (2**depth - len(leaves))], depth)
    assert padded.root == tree.root
    if (leaves + [0] * (2**depth))[other] != leaves[index]:
        assert not verify_proof(tree.root, leaves[index], siblings, other_bits, depth)


# -- in circuit ------------------------------------------------------------------------------------

DEPTH = 4


@cache
def _inclusion_circuit(depth: int = DEPTH):
    """Public root; private leaf, siblings[depth], bits[depth]; asserts the implied root is the root."""
    c = Circuit("inclusion")
    root = c.public_input("root")
    leaf = c.private_input("leaf")
    siblings = c.private_input("siblings", depth)
    bits = c.private_input("bits", depth)
    before = c.n_constraints
    c.assert_equal(merkle_inclusion(c, leaf, siblings, bits, depth), root, "root")
    cost = c.n_constraints - before
    return c.compile(), cost


def _inputs(tree: MerkleTree, index: int, leaf: int) -> dict:
    siblings, bits = tree.proof(index)
    return {"root": tree.root, "leaf": leaf, "siblings": siblings, "bits": bits}


def _failures(compiled, inputs: dict) -> list[str]:
    """Labels of every constraint the honestly computed witness for ``inputs`` violates."""
    w = compiled.witness(inputs, check=False)
    r1cs = compiled.r1cs
    bad = []
    for i, con in enumerate(r1cs.constraints):
        ev = [sum(w[k] * v for k, v in lc.items()) % R for lc in (con.a, con.b, con.c)]
        if ev[0] * ev[1] % R != ev[2]:
            bad.append(r1cs.label(i))
    return bad


TREE = MerkleTree([101, 202, 303, 404, 505, 606], DEPTH)
LEAVES = [101, 202, 303, 404, 505, 606]


def test_proofs_built_out_of_circuit_verify_in_circuit() -> None:
    compiled, cost = _inclusion_circuit()
    assert cost == DEPTH * CONSTRAINTS_PER_LEVEL + 1  # + the root assertion
    for index in range(2**DEPTH):
        leaf = LEAVES[index] if index < len(LEAVES) else EMPTY_LEAF
        compiled.witness(_inputs(TREE, index, leaf))  # raises ConstraintError if unsatisfied


def test_wrong_leaf_sibling_or_path_bit_is_rejected() -> None:
    compiled, _ = _inclusion_circuit()
    good = _inputs(TREE, 2, 303)
    with pytest.raises(ConstraintError, match="root"):
        compiled.witness({**good, "leaf": 304})
    with pytest.raises(ConstraintError, match="root"):
        compiled.witness({**good, "leaf": 202})
    with pytest.raises(ConstraintError, match="root"):
        compiled.witness({**good, "root": (TREE.root + 1) % R})
    for k in range(DEPTH):
        siblings = list(good["siblings"])
        siblings[k] = (siblings[k] + 1) % R
        with pytest.raises(ConstraintError, match="root"):
            compiled.witness({**good, "siblings": siblings})
        bits = list(good["bits"])
        bits[k] ^= 1
        with pytest.raises(ConstraintError, match="root"):
            compiled.witness({**good, "bits": bits})


@pytest.mark.snarkjs
def test_snarkjs_checks_our_inclusion_circuit_and_witness(tmp_path) -> None:
    compiled, _ = _inclusion_circuit()
    write_r1cs(compiled.r1cs, tmp_path / "inclusion.r1cs")
    good = _inputs(TREE, 3, 404)
    siblings = list(good["siblings"])
    siblings[1] = (siblings[1] + 1) % R
    for name, inputs, verdict in (("good", good, "WITNESS IS CORRECT"),
                                  ("bad", {**good, "siblings": siblings}, "WITNESS IS NOT CORRECT")):
        write_wtns(compiled.witness(inputs, check=False), tmp_path / f"{name}.wtns")
        out = run_snarkjs("wtns", "check", tmp_path / "inclusion.r1cs", tmp_path / f"{name}.wtns", check=False)
        assert verdict in out.stdout, out.stdout


@pytest.mark.parametrize("bad_bit", [2, R - 1, 1 + (1 << 200)])
def test_non_boolean_path_bit_fails_its_booleanity_constraint(bad_bit: int) -> None:
    compiled, _ = _inclusion_circuit()
    good = _inputs(TREE, 5, 606)
    for k in (0, DEPTH - 1):
        bits = list(good["bits"])
        bits[k] = bad_bit
        # Play a prover who also claims the root that the bad bit implies: only booleanity stops it.
        probe = Circuit("probe")
        leaf, sib, bit = probe.private_input("leaf"), probe.private_input("s", DEPTH), probe.private_input("b", DEPTH)
        probe.output("r", merkle_inclusion(probe, leaf, sib, bit, DEPTH))
        implied = probe.compile().witness({"leaf": 606, "s": good["siblings"], "b": bits}, check=False)[1]
        assert implied != TREE.root
        assert _failures(compiled, {**good, "bits": bits, "root": implied}) == [f"merkle{k}/path_bit"]


def test_proven_boolean_bits_skip_the_booleanity_constraint() -> None:
    c = Circuit()
    bits = [c.assert_bool(b) for b in c.private_input("b", 2)]
    leaf, siblings = c.private_input("leaf"), c.private_input("s", 2)
    before = c.n_constraints
    merkle_inclusion(c, leaf, siblings, bits, 2)
    assert c.n_constraints - before == 2 * (CONSTRAINTS_PER_LEVEL - 1)
    with pytest.raises(ValueError, match="siblings"):
        merkle_inclusion(c, leaf, siblings, bits, 3)


@given(st.lists(st.integers(0, R - 1) | st.sampled_from([0, 1, R - 1]), min_size=1, max_size=16), st.data())
def test_random_trees_verify_in_circuit(leaves: list[int], data: st.DataObject) -> None:
    compiled, _ = _inclusion_circuit()
    tree = MerkleTree(leaves, DEPTH)
    index = data.draw(st.integers(0, len(leaves) - 1))
    w = compiled.witness(_inputs(tree, index, leaves[index]))
    assert compiled.r1cs.public_inputs(w) == [tree.root]
    wrong = (leaves[index] + data.draw(st.integers(1, R - 1))) % R
    assert not compiled.r1cs.is_satisfied(compiled.witness(_inputs(tree, index, wrong), check=False))
