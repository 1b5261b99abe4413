"""Chained Poseidon hashing and commitments in circuit, equal to ``zkyield.poseidon.poseidon_many``/``commit``."""

from __future__ import annotations

from collections.abc import Sequence

from zkyield.dsl.circuit import Circuit
from zkyield.dsl.value import Operand, Value
from zkyield.gadgets.poseidon import poseidon_gadget
from zkyield.poseidon import CHAIN_RATE


def poseidon_many_gadget(circuit: Circuit, values: Sequence[Operand], iv: Operand = 0) -> Value:
    """``h = Poseidon([iv, n])``, then ``h = Poseidon([h, *run])`` over runs of 15 values (n >= 1).

    The length n is the circuit's structure, so it enters as a constant: a circuit for n values can
    only ever open commitments to n values. Cost: 237 for the first call (240 less the constant n
    lane's first S-box; 0 when ``iv`` is a constant too: the whole call is then a constant), plus
    ``poseidon_gadget``'s count for each run (609 for a full run of 15 with variable inputs).
    """
    if len(values) == 0:
        raise ValueError("poseidon_many_gadget: the list is empty; hash at least one value")
    with circuit.scope("poseidon_many"):
        h = poseidon_gadget(circuit, [iv, len(values)])
        for k in range(0, len(values), CHAIN_RATE):
            h = poseidon_gadget(circuit, [h, *values[k : k + CHAIN_RATE]])
    return h


def commit_gadget(circuit: Circuit, values: Sequence[Operand], salt: Operand) -> Value:
    """The commitment ``zkyield.poseidon.commit(values, salt)``; pin it to the public commitment."""
    with circuit.scope("commit"):
        return poseidon_many_gadget(circuit, values, iv=salt)
