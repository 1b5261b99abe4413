"""Fixed-depth binary Merkle trees over Poseidon, built and checked outside a circuit.

Semantics (shared with ``zkyield.gadgets.merkle``):

- a tree of depth d has 2^d leaf slots; leaves are canonical Fr elements stored as given (hash a
  record into one element first, e.g. with ``poseidon_many``); unused slots hold ``EMPTY_LEAF`` = 0;
- an inner node is ``poseidon([left, right])`` (circomlib ``Poseidon(2)``);
- a proof for leaf ``index`` is ``(siblings, path_bits)``, both listed leaf level first:
  ``path_bits[k]`` is bit k of ``index`` (1: the running node is the right child at level k).

The depth is fixed by the verifier, so a proof cannot pass an inner node off as a leaf.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from zkyield.errors import InputError
from zkyield.field import fr
from zkyield.poseidon import poseidon

EMPTY_LEAF = 0
MAX_DEPTH = 64  # a bound on proof sizes, not on Poseidon; 2^64 leaves is beyond any use here


def hash_pair(left: int, right: int) -> int:
    """An inner node from its children."""
    return poseidon([left, right])


@cache
def empty_root(depth: int) -> int:
    """Root of a subtree of ``depth`` levels holding only empty leaves."""
    if depth == 0:
        return EMPTY_LEAF
    below = empty_root(depth - 1)
    return hash_pair(below, below)


def _check_depth(depth: object) -> int:
    if isinstance(depth, bool) or not isinstance(depth, int) or not 0 <= depth <= MAX_DEPTH:
        raise InputError(f"merkle depth: expected an integer in 0..{MAX_DEPTH}, got {depth!r}")
    return depth


class MerkleTree:
    """All levels of a depth-``depth`` tree; only the filled part is stored, empty subtrees are implied."""

    def __init__(self, leaves: Sequence[int], depth: int) -> None:
        self.depth = _check_depth(depth)
        if len(leaves) > 1 << depth:
            raise InputError(f"merkle leaves: {len(leaves)} leaves do not fit a tree of depth {depth}; "
                             "raise the depth")
        level = [fr(x, f"leaves[{i}]") for i, x in enumerate(leaves)]
        self.levels: list[list[int]] = [level]
        for k in range(depth):
            if len(level) % 2:
                level = [*level, empty_root(k)]
            level = [hash_pair(level[i], level[i + 1]) for i in range(0, len(level), 2)]
            self.levels.append(level)

    @property
    def root(self) -> int:
        top = self.levels[self.depth]
        return top[0] if top else empty_root(self.depth)

    def proof(self, index: int) -> tuple[list[int], list[int]]:
        """``(siblings, path_bits)`` for the leaf at ``index`` (an empty slot's proof is allowed)."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 1 << self.depth:
            raise InputError(f"merkle index: expected an integer in 0..2^{self.depth}-1, got {index!r}")
        siblings, bits = [], []
        for k in range(self.depth):
            node = index >> k
            level = self.levels[k]
            sib = node ^ 1
            siblings.append(level[sib] if sib < len(level) else empty_root(k))
            bits.append(node & 1)
        return siblings, bits


def compute_root(leaf: int, siblings: Sequence[int], path_bits: Sequence[int]) -> int:
    """Root implied by a leaf and its proof; path bits must be 0 or 1 (InputError otherwise)."""
    if len(siblings) != len(path_bits):
        raise InputError(f"merkle proof: {len(siblings)} siblings but {len(path_bits)} path bits; "
                         "pass one of each per level")
    node = fr(leaf, "leaf")
    for k, (sib, bit) in enumerate(zip(siblings, path_bits, strict=True)):
        if isinstance(bit, bool) or not isinstance(bit, int) or bit not in (0, 1):
            raise InputError(f"merkle path_bits[{k}]: must be 0 or 1")
        sib = fr(sib, f"siblings[{k}]")
        node = hash_pair(sib, node) if bit else hash_pair(node, sib)
    return node


def verify_proof(root: int, leaf: int, siblings: Sequence[int], path_bits: Sequence[int], depth: int) -> bool:
    """Whether ``leaf`` sits under ``root`` in a depth-``depth`` tree at the position ``path_bits`` spell.

    A proof of the wrong length is simply false; malformed values (non-canonical elements, path bits
    other than 0/1) raise InputError, as they come from outside.
    """
    if len(siblings) != _check_depth(depth):
        return False
    return compute_root(leaf, siblings, path_bits) == fr(root, "root")
