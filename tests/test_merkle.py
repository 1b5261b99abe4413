"""Poseidon Merkle trees: roots against circomlibjs, proofs out of circuit and in circuit, soundness."""

from __future__ import annotations

import random

import pytest
from _poseidon_util import run_circomlibjs
from hypothesis import given
from hypothesis import strategies as st

from zkyield.errors import FieldError, InputError
from zkyield.field import R
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
