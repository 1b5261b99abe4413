"""The statement circuit's Uniswap v3 range positions: their value, and their amounts tied to the range.

``range_values`` (every circuit) values a slot's committed token amounts at its pool's token prices
(selected from the pool's public asset row) and zeroes the range fields of every other slot. Only the
first ``Capacity.ranges`` slots may hold a v3 pool: on every later slot the circuit requires
``is_range = 0`` and its range fields to be 0, and spends nothing else on ranges there.
``range_amounts`` (clauses that read a range: ``Clause.needs`` RANGE) proves that a range slot's amounts
are exactly Uniswap's for its liquidity and sqrt-price bounds at the pool's public start and end prices,
``amount0 = floor(floor(L 2^96 (b - x) / b) / x)``, ``amount1 = floor(L (x - a) / 2^96)`` with
``x = clamp(p, a, b)`` (``range_math``), and computes whether the end price lies in ``[a, b)``. The
products exceed the field, so they are checked with ``gadgets.wide``. docs/statements.md, "Range
positions".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkyield.circuits import encoding as enc
from zkyield.circuits import range_math as rm
from zkyield.circuits.lp_range import RANGE_FIELDS
from zkyield.gadgets.bits import range_check
from zkyield.gadgets.compare import less_eq, less_than
from zkyield.gadgets.wide import floor_muldiv

if TYPE_CHECKING:
    from zkyield.circuits.statements import Builder
    from zkyield.dsl import Value


def range_values(b: Builder) -> tuple[list[Value], list[Value]]:
    """Per slot, the range amounts valued at the start and at the end (0 outside a v3 pool's slot)."""
    c = b.c
    b.is_range = [b.select(j, b.column("is_range")) for j in range(b.n)]
    b.range_norm, b.range_p1, starts, ends = [], [], [], []
    for j in range(b.n):
        if j >= b.shape.capacity.ranges:
            _no_range_slot(b, j)
            starts.append(0)
            ends.append(0)
            continue
        with c.scope(f"range_value[{j}]"):
            f = {name: b.pos[name][j] for name in RANGE_FIELDS}
            for name, x in f.items():  # widths: checked where the range math reads them (range_amounts)
                c.assert_product(x, 1 - b.is_range[j], 0, f"only_range_{name}")
            scale = [b.select(j, b.column(f"scale{k}")) for k in (0, 1)]
            norm = {f"{k}_{t}": range_check(c, c.mul(f[f"amount{k}_{t}"], scale[k]), enc.NORM_AMOUNT_BITS)
                    for t in ("start", "end") for k in (0, 1)}
            p0 = [b.select(j, b.column(f"price{k}_start")) for k in (0, 1)]
            p1 = [b.select(j, b.column(f"price{k}_end")) for k in (0, 1)]
            starts.append(c.mul(norm["0_start"], p0[0]) + c.mul(norm["1_start"], p0[1]))
            ends.append(c.mul(norm["0_end"], p1[0]) + c.mul(norm["1_end"], p1[1]))
            b.range_norm.append(norm)
            b.range_p1.append(p1)
    b.range_v1 = ends
    return starts, ends


def _no_range_slot(b: Builder, j: int) -> None:
    """A slot past the range slots: no v3 pool (``is_range = 0``, whatever asset the prover selects) and
    all-zero range fields, so its range value is the constant 0 and no range math is spent on it."""
    c = b.c
    with c.scope(f"range_value[{j}]"):
        c.assert_equal(b.is_range[j], 0, "no_range_slot")
        for name in RANGE_FIELDS:
            c.assert_equal(b.pos[name][j], 0, f"only_range_{name}")
    b.range_norm.append({f"{k}_{t}": 0 for t in ("start", "end") for k in (0, 1)})
    b.range_p1.append([0, 0])


def range_amounts(b: Builder) -> None:
    """Every range slot's amounts are Uniswap's; ``b.in_range_end[j]`` = [a <= end price < b] for it
    (the constant 0 past the range slots, where ``range_values`` forbids a v3 pool)."""
    c, q96 = b.c, rm.Q96
    b.in_range_end = [0] * b.n
    for j in range(b.shape.capacity.ranges):
        with c.scope(f"range[{j}]"):
            is_r, off = b.is_range[j], 1 - b.is_range[j]
            liq, lo, hi = (b.pos[name][j] for name in ("liquidity", "sqrt_lower", "sqrt_upper"))
            # TickMath's domain on a range slot (all zero elsewhere): MIN <= lo < hi <= MAX. With lo, hi < 2^160
            # and is_r in {0, 1}, a difference below 2^160 is a non-negative one (a negative one wraps near r).
            range_check(c, lo, rm.SQRT_BITS)
            range_check(c, hi, rm.SQRT_BITS)
            with c.scope("domain"):
                range_check(c, lo - rm.MIN_SQRT_RATIO * is_r, rm.SQRT_BITS)
                range_check(c, hi + off - lo - 1, rm.SQRT_BITS)
                range_check(c, rm.MAX_SQRT_RATIO - hi, rm.SQRT_BITS)
            flags = []
            for moment in ("start", "end"):
                with c.scope(moment):
                    price = b.select(j, b.column(f"sqrt_{moment}"))
                    below, above = less_than(c, price, lo, rm.SQRT_BITS), less_eq(c, hi, price, rm.SQRT_BITS)
                    x = c.mul(below, lo) + c.mul(above, hi) + c.mul(1 - below - above, price)
                    # x' = x and b' = b on a range slot; 1 elsewhere (all zero there), so no division by 0
                    t = floor_muldiv(c, (liq * q96, rm.LIQUIDITY_BITS + 96), (hi - x, rm.SQRT_BITS),
                                     (hi + off, rm.SQRT_BITS + 1), rm.LIQUIDITY_BITS + 96)
                    # an amount fits 112 bits (its normalised value does: range_values), so its quotient must
                    a0 = floor_muldiv(c, (t, rm.LIQUIDITY_BITS + 96), (1, 1), (x + off, rm.SQRT_BITS + 1),
                                      enc.NORM_AMOUNT_BITS)
                    a1 = floor_muldiv(c, (liq, rm.LIQUIDITY_BITS), (x - lo, rm.SQRT_BITS), (q96, 97),
                                      enc.NORM_AMOUNT_BITS)
                    c.assert_equal(a0, b.pos[f"amount0_{moment}"][j], "amount0")
                    c.assert_equal(a1, b.pos[f"amount1_{moment}"][j], "amount1")
                    flags = [below, above]
            b.in_range_end[j] = c.mul(c.mul(is_r, 1 - flags[0]), 1 - flags[1])
