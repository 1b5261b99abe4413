"""Zero tests, equality, boolean logic and selection.

Boolean inputs must be 0 or 1: every gadget here emits ``b * (b - 1) == 0`` for an input that is not
already proven boolean (by ``assert_bool``, ``to_bits`` or another gadget's output), so a prover
cannot feed 2 into ``and_`` and get a "true" out of it. Costs below exclude those checks
(add one constraint per unproven boolean input).
"""

from __future__ import annotations

from collections.abc import Sequence

from zkyield.dsl import Circuit, Value
from zkyield.dsl.value import Operand
from zkyield.gadgets.bits import require_bool


def is_zero(c: Circuit, x: Operand) -> Value:
    """1 if x == 0 else 0 (any field element). Cost: 2 constraints, 2 wires (circomlib IsZero: 2).

    Hint ``inv`` = 1/x (0 when x = 0); ``out = 1 - x*inv`` and ``x * out == 0``: if x != 0 the second
    constraint forces out = 0, and if x = 0 the first forces out = 1, whatever ``inv`` the prover picks.
    """
    v = c.lift(x)
    k = v.constant
    if k is not None:
        return c.constant(int(k == 0))
    with c.scope("is_zero"):
        inv = c.hint("inverse_or_zero", v, name="inv")
        out = 1 - v * inv
        c.assert_product(v, out, 0)
    c.unsafe_assume_bound(out, 2)
    return out


def is_equal(c: Circuit, a: Operand, b: Operand) -> Value:
    """1 if a == b else 0. Cost: 2 constraints (circomlib IsEqual: 2)."""
    with c.scope("is_equal"):
        return is_zero(c, c.lift(a) - c.lift(b))


def not_(c: Circuit, a: Operand) -> Value:
    """1 - a for boolean a. Cost: 0."""
    out = 1 - require_bool(c, a)
    c.unsafe_assume_bound(out, 2)
    return out


def and_(c: Circuit, a: Operand, b: Operand) -> Value:
    """a AND b for booleans. Cost: 1 constraint (circomlib AND: 1)."""
    out = require_bool(c, a) * require_bool(c, b)
    c.unsafe_assume_bound(out, 2)
    return out


def or_(c: Circuit, a: Operand, b: Operand) -> Value:
    """a OR b = a + b - a*b for booleans. Cost: 1 constraint (circomlib OR: 1)."""
    a, b = require_bool(c, a), require_bool(c, b)
    out = a + b - a * b
    c.unsafe_assume_bound(out, 2)
    return out


def xor(c: Circuit, a: Operand, b: Operand) -> Value:
    """a XOR b = a + b - 2ab for booleans. Cost: 1 constraint (circomlib XOR: 1)."""
    a, b = require_bool(c, a), require_bool(c, b)
    out = a + b - 2 * (a * b)
    c.unsafe_assume_bound(out, 2)
    return out


def all_of(c: Circuit, bits: Sequence[Operand]) -> Value:
    """AND of k booleans as ``sum == k``. Cost: 2 constraints for any k (circomlib MultiAND: k - 1)."""
    if not bits:
        return c.constant(1)
    checked = [require_bool(c, b) for b in bits]
    if len(checked) <= 2:
        return checked[0] if len(checked) == 1 else and_(c, *checked)
    with c.scope("all_of"):
        return is_equal(c, c.sum(checked), len(checked))


def any_of(c: Circuit, bits: Sequence[Operand]) -> Value:
    """OR of k booleans as ``sum != 0``. Cost: 2 constraints for any k (k < r, so the sum cannot wrap)."""
    if not bits:
        return c.constant(0)
    checked = [require_bool(c, b) for b in bits]
    with c.scope("any_of"):
        out = 1 - is_zero(c, c.sum(checked))
    c.unsafe_assume_bound(out, 2)
    return out


def select(c: Circuit, cond: Operand, if_true: Operand, if_false: Operand) -> Value:
    """cond ? if_true : if_false for boolean cond. Cost: 1 constraint (0 if the branches are equal
    constants); circomlib Mux1: 1. The result keeps the weaker of the branches' proven bounds."""
    t, f = c.lift(if_true), c.lift(if_false)
    with c.scope("select"):
        s = require_bool(c, cond)
        out = f + s * (t - f)
    if t.bound is not None and f.bound is not None:
        c.unsafe_assume_bound(out, max(t.bound, f.bound))
    return out


def mux(c: Circuit, index: Operand, options: Sequence[Operand]) -> Value:
    """options[index] for 0 <= index < k; no satisfying witness exists for any other index.

    A one-hot selector ``s`` is hinted and constrained: k booleanity + ``sum s_i == 1`` +
    ``sum i*s_i == index``. Cost: k + 2 constraints, plus one per non-constant option.
    """
    k = len(options)
    if k == 0:
        raise ValueError("mux needs at least one option")
    opts = [c.lift(o) for o in options]
    with c.scope("mux"):
        sel = c.hint("one_hot", index, k, n_out=k, name="sel")
        for s in sel:
            c.assert_bool(s)
        c.assert_equal(c.sum(sel), 1)
        c.assert_equal(c.sum(i * s for i, s in enumerate(sel)), index)
        out = c.sum(s * o for s, o in zip(sel, opts, strict=True))
    bounds = [o.bound for o in opts]
    if None not in bounds:
        c.unsafe_assume_bound(out, max(bounds))  # type: ignore[type-var]
    return out

