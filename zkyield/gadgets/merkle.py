"""Merkle inclusion in circuit: the root a leaf and its proof imply, as ``zkyield.merkle`` defines it."""

from __future__ import annotations

from collections.abc import Sequence

from zkyield.dsl.circuit import Circuit
from zkyield.dsl.value import Operand, Value
from zkyield.gadgets.poseidon import poseidon_gadget

# Per level: Poseidon(2) = 240, the swap = 1, booleanity of the path bit = 1 (skipped when proven).
CONSTRAINTS_PER_LEVEL = 242


def merkle_inclusion(circuit: Circuit, leaf: Operand, siblings: Sequence[Operand],
                     path_bits: Sequence[Operand], depth: int) -> Value:
    """Root of the depth-``depth`` Poseidon tree in which ``leaf`` sits at the position ``path_bits`` spell.

    ``siblings`` and ``path_bits`` are listed leaf level first; ``path_bits[k]`` = 1 means the running
    node is the right child at level k. Every path bit is constrained to {0, 1} here (unless emitted
    constraints already prove it), so the caller only has to pin the returned root, e.g.
    ``circuit.assert_equal(merkle_inclusion(...), root)``. Cost: 242 constraints per level.
    """
    if len(siblings) != depth or len(path_bits) != depth:
        raise ValueError(f"merkle_inclusion: need {depth} siblings and path bits, got "
                         f"{len(siblings)} and {len(path_bits)}")
    node = circuit.lift(leaf)
    for k in range(depth):
        with circuit.scope(f"merkle{k}"):
            bit = circuit.lift(path_bits[k])
            if bit.bound is None or bit.bound > 2:
                circuit.assert_bool(bit, "path_bit")
            sibling = circuit.lift(siblings[k])
            swap = circuit.mul(bit, sibling - node)  # bit = 1 puts the running node on the right
            node = poseidon_gadget(circuit, [node + swap, sibling - swap])
    return node
