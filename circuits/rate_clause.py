"""``max_rate_model_deviation_bps``: each lending or borrow position's interest against what the public
rate model implies for its time-weighted principal (docs/statements.md, "Rate models").

A position's interest over the period is ``I = end - start - F`` (F: its net principal change, signed)
and its time-weighted principal ``W = PS / T`` (PS: principal x seconds, T: the period); the model
brackets the period's growth per unit of principal in ``[g_lo, g_hi]`` (ray, ``rate_model``). The
statement is ``(1 - t) g_lo W <= RAY I <= (1 + t) g_hi W``, with W rounded against the prover: down
(``W_lo = floor(PS / T)``) for the upper bound, up (``W_hi = ceil(PS / T)``) for the lower one. Without
principal changes F = 0 and PS = start x T, so ``W_lo = W_hi = start``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from zkyield.circuits import encoding as enc
from zkyield.circuits.clause import Finding
from zkyield.circuits.encoding import BPS, Inequality
from zkyield.circuits.rate_model import RATE_BITS, RATE_COLUMNS, RAY
from zkyield.errors import InputError
from zkyield.gadgets.bits import decompose, range_check, to_bits
from zkyield.gadgets.logic import is_zero

if TYPE_CHECKING:
    from zkyield.circuits.statements import Builder
    from zkyield.circuits.sums import Sums
    from zkyield.dsl import Value


def rate_inequalities(i: int, start: int, end: int, flow: int, principal_seconds: int, period: int,
                      g_lo: int, g_hi: int, t: int) -> tuple[Inequality, ...]:
    """``10000 RAY (start + F+) + (10000 + t) W_lo g_hi >= 10000 RAY (end + F-)`` and
    ``10000 RAY (end + F-) >= 10000 RAY (start + F+) + (10000 - t) W_hi g_lo`` (normalised amounts)."""
    w_lo, rem = divmod(principal_seconds, period)
    w_hi = w_lo + (rem != 0)
    base, top = BPS * RAY * (start + max(flow, 0)), BPS * RAY * (end + max(-flow, 0))
    return (Inequality(f"rate/{i}/upper", base + (BPS + t) * w_lo * g_hi, top, RATE_BITS),
            Inequality(f"rate/{i}/lower", top, base + (BPS - t) * w_hi * g_lo, RATE_BITS))


def _least_threshold(holds: Callable[[int], bool]) -> int | None:
    """The smallest t in 0..10000 for which ``holds`` (monotone in t) is true, None when none is."""
    if not holds(BPS):
        return None
    lo, hi = 0, BPS
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if holds(mid) else (mid + 1, hi)
    return lo


def max_rate_deviation(s: Sums, t: int) -> Finding:
    market, ineqs, worst, at = s.market, [], 0, ""
    for i, p in enumerate(s.b.positions):
        if p.kind not in (enc.KIND_CODE[k] for k in enc.RATED):
            continue
        model = market.assets[p.asset].rate_model
        if model is None or enc.protocol_id(model.protocol) != p.protocol:
            raise InputError(f"{market.source}: assets[{p.asset}].rate_model is missing or names another protocol "
                             f"than positions[{i}]; max_rate_model_deviation_bps needs the model of every lending "
                             "market the portfolio lends to or borrows from")
        g_lo, g_hi = model.growth_bounds(s.period, p.kind == enc.KIND_CODE["lending"])
        scale = s.b.scales[p.asset]
        args = (p.start_amount * scale, p.end_amount * scale, p.principal_flow * scale,
                p.principal_seconds * scale, s.period, g_lo, g_hi)
        ineqs += rate_inequalities(i, *args, t)
        need = _least_threshold(lambda x, i=i, a=args: all(q.holds for q in rate_inequalities(i, *a, x)))
        if worst is not None and (need is None or need > worst):
            worst, at = need, f"at positions[{i}]"
    return Finding(all(q.holds for q in ineqs), worst, tuple(ineqs), where=at,
                   note="undefined: some position's interest is outside the model's band even at 100%")


def max_rate_deviation_circuit(b: Builder, t: Value) -> None:
    c = b.c
    col = {k: b.column(k) for k in RATE_COLUMNS}
    period = range_check(c, b.pub["period_end"] - b.pub["period_start"], enc.DURATION_BITS)
    for j in range(b.n):
        with c.scope(f"rate[{j}]"):
            lend, borrow = b.kind[j][enc.KIND_CODE["lending"]], b.kind[j][enc.KIND_CODE["borrow"]]
            rated = lend + borrow
            c.assert_product(rated, b.select(j, col["rate_protocol"]) - b.pos["protocol"][j], 0, "has_model")
            g_lo, g_hi = (c.mul(lend, b.select(j, col[f"supply_growth_{e}"]))
                          + c.mul(borrow, b.select(j, col[f"borrow_growth_{e}"])) for e in ("lo", "hi"))
            start, end = c.mul(rated, b.pos["start"][j]), c.mul(rated, b.pos["end"][j])
            flow_plus, flow_minus = _signed_parts(b, j)
            w_lo, w_hi = _time_weighted(b, j, period)
            base, top = BPS * RAY * (start + flow_plus), BPS * RAY * (end + flow_minus)
            b.at_least("upper", base + c.mul(BPS + t, c.mul(w_lo, g_hi)), top, RATE_BITS)
            b.at_least("lower", top, base + c.mul(BPS - t, c.mul(w_hi, g_lo)), RATE_BITS)


def _signed_parts(b: Builder, j: int) -> tuple[Value, Value]:
    """``(max(F, 0), max(-F, 0))`` of the slot's principal flow ``active x 2^112 + F`` (|F| < 2^112)."""
    c, flow = b.c, b.pos["principal_flow"][j]
    positive = to_bits(c, flow, enc.SIGNED_BITS)[-1]  # bit 112: F >= 0 (an unused slot's 0 reads as -0)
    magnitude = c.mul(2 * positive - 1, flow - enc.SIGNED_OFFSET * b.active[j])
    plus = c.mul(positive, magnitude)
    return plus, magnitude - plus


def _time_weighted(b: Builder, j: int, period: Value) -> tuple[Value, Value]:
    """``(floor(PS / T), ceil(PS / T))``: PS = q T + rem with q < 2^112 and 0 <= rem < T, so PS < 2^144 is
    read as that integer (no wrap) and the quotient is the only one."""
    c, ps = b.c, b.pos["principal_seconds"][j]
    q = range_check(c, c.hint("divide", ps, period, 0, name="w_lo"), enc.NORM_AMOUNT_BITS)
    rem = ps - c.mul(q, period)
    decompose(c, rem, enc.DURATION_BITS)
    decompose(c, period - rem - 1, enc.DURATION_BITS)
    return q, q + 1 - is_zero(c, rem)
