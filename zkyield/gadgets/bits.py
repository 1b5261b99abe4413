"""Bit decomposition and range checks.

A decomposition ``x = sum(b_i * 2^i)`` with every ``b_i`` boolean proves ``x < 2^n`` only if the sum
cannot wrap modulo r, i.e. for ``n <= 253`` (2^253 < r < 2^254). At n = 254 two decompositions
(x and x + r) can exist; that needs circomlib's AliasCheck and is not offered here.

Cost: ``to_bits(x, n)`` / ``range_check(x, n)`` take **n constraints** and n - 1 wires. The top bit
is not a wire of its own but the linear combination ``(x - sum_{i<n-1} b_i 2^i) / 2^(n-1)``, whose
booleanity constraint also carries the recomposition; circomlib's Num2Bits(n) is n + 1 constraints
(n booleanity + 1 recomposition) before circom's linear simplification and n after it.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkyield.dsl import Circuit, Value
from zkyield.dsl.value import Operand
from zkyield.field import R

# Source: 2^253 < r (r ~ 2^253.6), so a sum of at most 253 weighted bits is below r and never wraps.
MAX_RANGE_BITS = 253


def to_bits(c: Circuit, x: Operand, n: int) -> list[Value]:
    """Little-endian bits of ``x``; proves ``x < 2^n``. Requires 0 <= n <= 253. Cost: n constraints."""
    with c.scope("to_bits"):
        return decompose(c, x, n)


def range_check(c: Circuit, x: Operand, n: int) -> Value:
    """Prove ``x < 2^n`` (n <= 253) and return ``x``; free when constraints already prove it.

    Cost: n constraints, or 0 if ``x.bound <= 2^n`` is already proven.
    """
    v = c.lift(x)
    _check_width(n)
    if v.bound is not None and v.bound <= 1 << n:
        return v
    with c.scope("range_check"):
        decompose(c, v, n)
    return v


def from_bits(c: Circuit, bits: Sequence[Operand]) -> Value:
    """sum(b_i * 2^i) for little-endian bits; asserts each bit boolean unless already proven.

    Cost: one constraint per bit not yet proven boolean (0 for the output of ``to_bits``).
    Requires len(bits) <= 253 so the result is the integer the bits spell.
    """
    _check_width(len(bits))
    with c.scope("from_bits"):
        checked = [require_bool(c, b) for b in bits]
    out = c.sum(b * (1 << i) for i, b in enumerate(checked))
    c.unsafe_assume_bound(out, 1 << len(bits))
    return out


def require_bool(c: Circuit, x: Operand) -> Value:
    """``x`` itself, with ``x * (x - 1) == 0`` emitted unless constraints already prove x in {0, 1}."""
    v = c.lift(x)
    if v.bound is not None and v.bound <= 2:
        return v
    return c.assert_bool(v)


def decompose(c: Circuit, x: Operand, n: int) -> list[Value]:
    """``to_bits`` without its own scope, for gadgets that label the constraints themselves.

    The circuit emits the decomposition in one pass (``Circuit.boolean_decomposition``: the range checks
    were 180,000 bits at N = 128); the same wires, steps, constraints, labels and bounds as
    ``decompose_reference`` (tests/test_gadgets_bits.py compares them).
    """
    _check_width(n)
    v = c.lift(x)
    if v.constant is None and n >= 2:
        return c.boolean_decomposition(v, n)
    return decompose_reference(c, v, n)


def decompose_reference(c: Circuit, x: Operand, n: int) -> list[Value]:
    """The definition of ``decompose``: n - 1 boolean hint bits, the top bit a checked combination."""
    _check_width(n)
    v = c.lift(x)
    k = v.constant
    if k is not None:
        if k >> n:
            raise ValueError(f"constant does not fit in {n} bits")
        return [c.constant((k >> i) & 1) for i in range(n)]
    if n == 0:
        c.assert_equal(v, 0)
        return []
    low = c.hint("low_bits", v, n - 1, n_out=n - 1, name="bits")
    c.assert_bools(low)
    # top = (x - sum of the low bits) / 2^(n-1): a linear combination, boolean-checked like the others.
    rest = v - c.linear([1 << i for i in range(n - 1)], low)
    top = rest * pow(1 << (n - 1), -1, R)
    c.assert_bool(top)
    c.unsafe_assume_bound(v, 1 << n)
    return [*low, top]


def _check_width(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_RANGE_BITS:
        raise ValueError(f"bit width {n!r}: must be an int in [0, {MAX_RANGE_BITS}]")
