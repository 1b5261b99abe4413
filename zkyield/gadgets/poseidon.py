"""Poseidon in circuit: the same permutation as ``zkyield.poseidon``, 3 constraints per live S-box.

Round-constant additions and MDS products are linear, so they only rewrite linear combinations;
each S-box x^5 costs x2 = x*x, x4 = x2*x2, x5 = x4*x. An S-box whose input is a known constant (the
zero capacity lane of the first round, constant inputs) is evaluated at build time for free. With
all n inputs variable, ``Poseidon(n)`` (t = n + 1) costs 3 * (8t + R_P) - 3 constraints, exactly
circom 2's ``--O2`` count for circomlib's ``Poseidon(n)`` (240 for n = 2, 609 for n = 16):

    n:  1   2   3   4   5   6   7   8   9  10  11  12  13  14  15  16
       213 240 261 297 321 354 381 402 417 459 465 504 543 537 573 609

The price of not allocating the linear layers is density: in partial rounds an S-box input is a
combination of up to t + R_P wires.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkyield.dsl.circuit import Circuit
from zkyield.dsl.value import Operand, Value
from zkyield.poseidon import MAX_INPUTS, sbox
from zkyield.poseidon_constants import params


def _sbox(circuit: Circuit, x: Value) -> Value:
    k = x.constant
    if k is not None:
        return circuit.constant(sbox(k))
    x2 = circuit.mul(x, x)
    x4 = circuit.mul(x2, x2)
    return circuit.mul(x4, x)


def poseidon_permutation_gadget(circuit: Circuit, state: Sequence[Operand]) -> list[Value]:
    """The Poseidon permutation of width len(state) (2..17); returns the final state as linear combinations."""
    p = params(len(state))
    half_f = p.n_rounds_f // 2
    s = [circuit.lift(x) for x in state]
    for r, round_constants in enumerate(p.constants):
        with circuit.scope(f"round{r}"):
            s = [x + c for x, c in zip(s, round_constants, strict=True)]
            if half_f <= r < half_f + p.n_rounds_p:
                s[0] = _sbox(circuit, s[0])
            else:
                s = [_sbox(circuit, x) for x in s]
            s = [circuit.sum(m * x for m, x in zip(row, s, strict=True)) for row in p.mds]
    return s


def poseidon_gadget(circuit: Circuit, inputs: Sequence[Operand]) -> Value:
    """circomlib ``Poseidon(len(inputs))`` of 1..16 field elements; the result is a linear combination.

    Inputs are field elements by construction, so there is no precondition beyond the count. The
    returned Value costs no wire; pass it to ``circuit.output`` or an assertion to pin it.
    """
    if not 1 <= len(inputs) <= MAX_INPUTS:
        raise ValueError(f"poseidon_gadget inputs: expected 1..{MAX_INPUTS} values, got {len(inputs)}")
    with circuit.scope(f"poseidon{len(inputs)}"):
        return poseidon_permutation_gadget(circuit, [0, *inputs])[0]
