"""Comparisons of values of a declared bit width that prove their own preconditions.

circomlib's ``LessThan(n)`` decomposes ``a + 2^n - b`` into n + 1 bits and reads the top one, which is
only meaningful when a, b < 2^n; it leaves that to the caller, and forgetting it is the classic
under-constrained comparator (a = r - 1, i.e. "-1", compares as small). Here every comparison
range-checks both inputs to n bits itself unless constraints already prove that width (``Value.bound``),
so the bug cannot be reached through this API.

Costs (n = bit width, inputs not yet range-checked / already proven):
``less_than`` & co: 3n + 1 / n + 1 constraints (circomlib LessThan(n): n + 1 after circom's
simplification, plus the 2n of the caller's Num2Bits that it presumes);
``assert_less_than`` & co: 3n / n constraints (one range check of the difference).
"""

from __future__ import annotations

from zkyield.dsl import Circuit, Value
from zkyield.dsl.value import Operand
from zkyield.gadgets.bits import decompose, range_check

# Source: circomlib comparators.circom asserts n <= 252, so a + 2^n - b < 2^(n+1) <= 2^253 < r.
MAX_COMPARE_BITS = 252


def less_than(c: Circuit, a: Operand, b: Operand, n: int) -> Value:
    """1 if a < b else 0, for a, b < 2^n (proven here). Cost: n + 1 (+ n per unproven input)."""
    _check_bits(n)
    with c.scope("less_than"):
        a, b = _inputs(c, a, b, n)
        ka, kb = a.constant, b.constant
        if ka is not None and kb is not None:
            return c.constant(int(ka < kb))
        bits = decompose(c, a + (1 << n) - b, n + 1)
    out = 1 - bits[n]
    c.unsafe_assume_bound(out, 2)
    return out


def less_eq(c: Circuit, a: Operand, b: Operand, n: int) -> Value:
    """1 if a <= b else 0 (= 1 - [b < a]). Same cost as ``less_than``."""
    out = 1 - less_than(c, b, a, n)
    c.unsafe_assume_bound(out, 2)
    return out


def greater_than(c: Circuit, a: Operand, b: Operand, n: int) -> Value:
    """1 if a > b else 0 (= [b < a]). Same cost as ``less_than``."""
    return less_than(c, b, a, n)


def greater_eq(c: Circuit, a: Operand, b: Operand, n: int) -> Value:
    """1 if a >= b else 0 (= 1 - [a < b]). Same cost as ``less_than``."""
    out = 1 - less_than(c, a, b, n)
    c.unsafe_assume_bound(out, 2)
    return out


def assert_less_eq(c: Circuit, a: Operand, b: Operand, n: int) -> None:
    """Constrain a <= b for a, b < 2^n (proven here). Cost: n (+ n per unproven input).

    With a, b in [0, 2^n): b - a is in [0, 2^n) exactly when a <= b; otherwise it is
    r - (a - b) > r - 2^n >= 2^n (n <= 252), which the range check rejects.
    """
    _check_bits(n)
    with c.scope("assert_less_eq"):
        a, b = _inputs(c, a, b, n)
        _range_or_fail(c, b - a, n)


def assert_less_than(c: Circuit, a: Operand, b: Operand, n: int) -> None:
    """Constrain a < b for a, b < 2^n (proven here), as b - a - 1 in [0, 2^n). Cost as ``assert_less_eq``."""
    _check_bits(n)
    with c.scope("assert_less_than"):
        a, b = _inputs(c, a, b, n)
        _range_or_fail(c, b - a - 1, n)


def assert_in_range(c: Circuit, x: Operand, lo: int, hi: int, n: int) -> None:
    """Constrain lo <= x <= hi for constants lo <= hi < 2^n. Cost: 2n (+ n when x is unproven)."""
    if not 0 <= lo <= hi < 1 << n:
        raise ValueError(f"assert_in_range: need 0 <= lo <= hi < 2^{n}")
    with c.scope("assert_in_range"):
        v = range_check(c, x, n)
        _range_or_fail(c, v - lo, n)
        _range_or_fail(c, hi - v, n)


def _inputs(c: Circuit, a: Operand, b: Operand, n: int) -> tuple[Value, Value]:
    for v in (a, b):
        k = c.lift(v).constant
        if k is not None and k >> n:
            raise ValueError(f"constant operand does not fit in {n} bits")
    return range_check(c, a, n), range_check(c, b, n)


def _range_or_fail(c: Circuit, d: Value, n: int) -> None:
    k = d.constant
    if k is not None:
        if k >> n:
            raise ValueError("comparison of constants is false")
        return
    decompose(c, d, n)


def _check_bits(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_COMPARE_BITS:
        raise ValueError(f"comparison bit width {n!r}: must be an int in [1, {MAX_COMPARE_BITS}]")
