"""Poseidon in circuit: the same permutation as ``zkyield.poseidon``, 3 constraints per live S-box.

Round-constant additions and MDS products are linear, so they only rewrite linear combinations;
each S-box x^5 costs x2 = x*x, x4 = x2*x2, x5 = x4*x. An S-box whose input is a known constant (the
zero capacity lane of the first round, constant inputs) is evaluated at build time for free. With
all n inputs variable, ``Poseidon(n)`` (t = n + 1) costs 3 * (8t + R_P) - 3 constraints, exactly
circom 2's ``--O2`` count for circomlib's ``Poseidon(n)`` (240 for n = 2, 609 for n = 16):

    n:  1   2   3   4   5   6   7   8   9  10  11  12  13  14  15  16
       213 240 261 297 321 354 381 402 417 459 465 504 543 537 573 609

The partial rounds' linear lanes are precomputed per width as coefficients over the S-box outputs
(``_PartialPhase``), so building costs O(t + R_P) per partial round instead of O(t^2 (t + R_P)).
The price of not allocating the linear layers is density: a partial round's S-box input is a
combination of up to t + R_P wires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from zkyield.dsl.block import Block, record_block
from zkyield.dsl.circuit import Circuit
from zkyield.dsl.value import Operand, Value
from zkyield.field import R
from zkyield.poseidon import MAX_INPUTS, sbox
from zkyield.poseidon_constants import params


def _sbox(circuit: Circuit, x: Value) -> Value:
    k = x.constant
    if k is not None:
        return circuit.constant(sbox(k))
    x2 = circuit.mul(x, x)
    x4 = circuit.mul(x2, x2)
    return circuit.mul(x4, x)


def _mat_vec(m: tuple[tuple[int, ...], ...], v: list[int]) -> list[int]:
    return [sum(a * b for a, b in zip(row, v, strict=True)) % R for row in m]


@dataclass(frozen=True)
class _PartialPhase:
    """The partial rounds of width t as linear maps over the basis [z_0..z_{t-1}, y_0, y_1, ..., 1].

    z are the S-box outputs of the last full round before the phase (its MDS folded in), y_k the
    S-box output of partial round k. ``sbox_inputs[k]`` holds the coefficients of z, y_0..y_{k-1}
    and the constant for round k's S-box input; ``final[i]`` those of lane i after the phase.
    """

    sbox_inputs: tuple[tuple[int, ...], ...]
    final: tuple[tuple[int, ...], ...]


@cache
def _partial_phase(t: int) -> _PartialPhase:
    """Why: tracking the linear lanes as circuit linear combinations costs t^2 (t + R_P) dictionary
    operations per round on every build; these numbers cost that once per width, then O(t + R_P).

    With P zeroing lane 0 (it becomes the next basis element) and e_i unit vectors, round k's S-box
    input has coefficient e_0 (MP)^k M e_j on z_j and e_0 (MP)^(k-m-1) M e_0 on y_m; lane i after
    the phase has e_i (MP)^R_P M e_j on z_j and e_i (MP)^(R_P-m-1) M e_0 on y_m. So one row vector
    and one column vector carried through the rounds, and one matrix power, give every coefficient
    (t^2 per round instead of t^2 (t + k)); tests/test_poseidon.py checks them against the lanes tracked
    round by round."""
    p = params(t)
    half_f, n_p, m = p.n_rounds_f // 2, p.n_rounds_p, p.mds
    row = [1] + [0] * (t - 1)  # e_0 (MP)^k
    column = [r[0] for r in m]  # (MP)^n M e_0
    rows_z, columns_y = [], []
    for _ in range(n_p):
        rows_z.append(_vec_mat(row, m))
        columns_y.append(column)
        row = [0, *rows_z[-1][1:]]
        column = _mat_vec(m, [0, *column[1:]])
    const = [0] * t
    consts = []
    for k in range(n_p):
        const = [(a + c) % R for a, c in zip(const, p.constants[half_f + k], strict=True)]
        consts.append(const[0])
        const = _mat_vec(m, [0, *const[1:]])
    sbox_inputs = tuple((*rows_z[k], *(columns_y[k - j - 1][0] for j in range(k)), consts[k]) for k in range(n_p))
    projected = [[0 if j == 0 else m[i][j] for j in range(t)] for i in range(t)]  # MP
    z_final = _mat_mul(_mat_pow(projected, n_p), m)
    final = tuple((*z_final[i], *(columns_y[n_p - j - 1][i] for j in range(n_p)), const[i]) for i in range(t))
    return _PartialPhase(sbox_inputs, final)


def _vec_mat(v: list[int], m: tuple[tuple[int, ...], ...]) -> list[int]:
    return [sum(v[i] * m[i][j] for i in range(len(v))) % R for j in range(len(m[0]))]


def _mat_mul(a: Sequence[Sequence[int]], b: Sequence[Sequence[int]]) -> list[list[int]]:
    columns = list(zip(*b, strict=True))
    return [[sum(x * y for x, y in zip(r, c, strict=True)) % R for c in columns] for r in a]


def _mat_pow(a: list[list[int]], n: int) -> list[list[int]]:
    result = [[int(i == j) for j in range(len(a))] for i in range(len(a))]
    while n:
        if n & 1:
            result = _mat_mul(result, a)
        a, n = _mat_mul(a, a), n >> 1
    return result


def _combine(circuit: Circuit, coefficients: tuple[int, ...], basis: Sequence[Value]) -> Value:
    return circuit.linear(coefficients[:-1], basis, coefficients[-1])


def poseidon_permutation_gadget(circuit: Circuit, state: Sequence[Operand]) -> list[Value]:
    """The Poseidon permutation of width len(state) (2..17); returns the final state as linear combinations.

    Replays a block recorded once per width and pattern of constant lanes (``zkyield.dsl.block``):
    the same constraints as ``poseidon_permutation_reference``, without rebuilding its rounds.
    """
    lanes = [circuit.lift(x) for x in state]
    pattern = tuple(v.constant for v in lanes)
    block = _block(pattern)
    if block is None:
        return poseidon_permutation_reference(circuit, lanes)
    return circuit.replay(block, [v for v in lanes if v.constant is None])


@cache
def _block(pattern: tuple[int | None, ...]) -> Block | None:
    """The permutation with the constant lanes of ``pattern`` folded in, or None when replay could
    differ from a build: a variable lane's first round constant below 2^127 would let x^2 of a small
    input carry a proven bound, which a block cannot reproduce."""
    first = params(len(pattern)).constants[0]
    if any(k is None and c < 1 << 127 for k, c in zip(pattern, first, strict=True)):
        return None

    def build(circuit: Circuit, inputs: list[Value]) -> list[Value]:
        it = iter(inputs)
        return poseidon_permutation_reference(circuit, [next(it) if k is None else k for k in pattern])

    return record_block(build, pattern.count(None))


def poseidon_permutation_reference(circuit: Circuit, state: Sequence[Operand]) -> list[Value]:
    """The permutation built round by round: the definition the replayed block is recorded from."""
    p = params(len(state))
    half_f = p.n_rounds_f // 2
    s = [circuit.lift(x) for x in state]
    for r in range(half_f):
        with circuit.scope(f"round{r}"):
            s = [_sbox(circuit, x + c) for x, c in zip(s, p.constants[r], strict=True)]
            if r < half_f - 1:
                s = _mds(circuit, p.mds, s)
    phase = _partial_phase(len(state))
    basis = s  # z: the last full round's S-box outputs; its MDS lives in the phase's coefficients
    for k, coefficients in enumerate(phase.sbox_inputs):
        with circuit.scope(f"round{half_f + k}"):
            basis.append(_sbox(circuit, _combine(circuit, coefficients, basis)))
    s = [_combine(circuit, coefficients, basis) for coefficients in phase.final]
    for r in range(half_f + p.n_rounds_p, p.n_rounds_f + p.n_rounds_p):
        with circuit.scope(f"round{r}"):
            s = [_sbox(circuit, x + c) for x, c in zip(s, p.constants[r], strict=True)]
            s = _mds(circuit, p.mds, s)
    return s


def _mds(circuit: Circuit, mds: tuple[tuple[int, ...], ...], s: list[Value]) -> list[Value]:
    return [circuit.linear(row, s) for row in mds]


def poseidon_gadget(circuit: Circuit, inputs: Sequence[Operand]) -> Value:
    """circomlib ``Poseidon(len(inputs))`` of 1..16 field elements; the result is a linear combination.

    Inputs are field elements by construction, so there is no precondition beyond the count. The
    returned Value costs no wire; pass it to ``circuit.output`` or an assertion to pin it.
    """
    if not 1 <= len(inputs) <= MAX_INPUTS:
        raise ValueError(f"poseidon_gadget inputs: expected 1..{MAX_INPUTS} values, got {len(inputs)}")
    with circuit.scope(f"poseidon{len(inputs)}"):
        return poseidon_permutation_gadget(circuit, [0, *inputs])[0]
