"""The history family's clause table: each clause's record, its exact decision and its constraints.

Append-only: a clause's position is its slot in the hashed history policy (``history_models.policy_hash``:
an (enabled, threshold) pair per clause) and in the circuit's ``thresholds`` input, so a new clause
goes at the end (docs/ARCHITECTURE.md, "Adding a clause"). A decision ``(series, t) -> bool`` is the
exact integer comparison the circuit makes (docs/history.md derives each, with its rounding against
the prover); ``history_metrics.measure`` reports its flip point. A constraint function
``(builder, t)`` gets the threshold range-checked, a signed one as t + BPS_MAX.
"""

from __future__ import annotations

from zkyield.circuits.clause import Clause, ClauseTable
from zkyield.circuits.history_builder import HistoryBuilder, bounded_isqrt, ge, width
from zkyield.circuits.history_builder import directed_sqrt_ge as directed_sqrt_ge_circuit
from zkyield.circuits.history_series import (
    BPS,
    BPS_MAX,
    NAV_BITS,
    S,
    Series,
    Y,
    ceil_sqrt,
    directed_sqrt_ge,
)
from zkyield.dsl import Value
from zkyield.gadgets.bits import range_check
from zkyield.gadgets.compare import assert_less_eq, greater_eq, less_than
from zkyield.gadgets.logic import select

GROSS = "gross"  # the floored gross returns (HistoryBuilder.build_gross)
PEAKS = "peaks"  # the running maximum NAVs (HistoryBuilder.peaks)


# -- min_annual_return_bps ---------------------------------------------------------------------

def annual_return_holds(s: Series, t: int) -> bool:
    return BPS * Y * (sum(s.gross) - s.n * S) >= t * s.duration * S


def _annual_circuit(x: HistoryBuilder, t_off: Value) -> None:
    # 10^4 Y (sum x - n S) >= t D S  with t = t_off - BPS_MAX, all terms moved to be non-negative
    c, n = x.c, x.n
    ge(c, BPS * Y * x.sum_x() + BPS_MAX * S * x.duration, BPS * Y * n * S + c.mul(t_off, x.duration) * S)


# -- max_volatility_bps ------------------------------------------------------------------------

def volatility_holds(s: Series, v: int) -> bool:
    high = s.spread_bounds[1]
    return BPS * BPS * Y * high * high <= 4 * v * v * s.duration * S * S * (s.n - 1)


def _volatility_circuit(x: HistoryBuilder, v: Value) -> None:
    # 10^8 Y H^2 <= 4 v^2 D S^2 (n - 1): the upper bound H/2 of sqrt(V_true), so flooring cannot help
    c, n = x.c, x.n
    high = x.spread_bounds()[1]
    ge(c, c.mul(c.mul(v, v), x.duration) * (4 * S * S * (n - 1)), BPS * BPS * Y * c.mul(high, high))


# -- min_sharpe_bps ----------------------------------------------------------------------------

def sharpe_holds(s: Series, k: int) -> bool:
    low, high = s.spread_bounds
    yd = Y * s.duration
    return directed_sqrt_ge(s.excess, 4 * (s.n - 1), k, high * high * yd, low * low * yd)


def _sharpe_circuit(x: HistoryBuilder, k_off: Value) -> None:
    # 2 E sqrt(n - 1) >= k sqrt(Y D) (H if k > 0, L if k <= 0): sqrt(V_true) within [L/2, H/2]
    c, n = x.c, x.n
    e_nonneg, e2 = x.excess()
    k_pos, k2 = x.signed_threshold(k_off)
    k2yd = c.mul(k2, x.duration) * Y
    low, high = x.spread_bounds()
    directed_sqrt_ge_circuit(c, e_nonneg, k_pos, e2 * (4 * (n - 1)), c.mul(k2yd, c.mul(high, high)),
                             c.mul(k2yd, c.mul(low, low)))


# -- min_sortino_bps ---------------------------------------------------------------------------

def sortino_holds(s: Series, k: int) -> bool:
    low = s.downside_root_floor
    return directed_sqrt_ge(s.excess, BPS * BPS * s.n * s.n * Y, k, s.downside_squares * s.duration,
                            low * low * s.duration)


def _sortino_circuit(x: HistoryBuilder, k_off: Value) -> None:
    # E 10^4 n sqrt(Y) >= k sqrt(Q D),  Q = sum over periods below rf of (cut - 10^4 n Y x_i)^2
    c, n = x.c, x.n
    cut = BPS * n * Y * S + x.rf_d_s()
    squares = []
    for i, g in enumerate(x.gross):
        with c.scope(f"period[{i}]"):
            a = BPS * n * Y * g
            shortfall = c.mul(less_than(c, a, cut, width(a, cut)), cut - a)
            squares.append(c.mul(shortfall, shortfall))
    q_bits = 2 * width(cut) + n.bit_length()
    q = range_check(c, c.sum(squares), q_bits)  # a fact: each square < cut^2
    # M = max(0, isqrt(Q) - 10^4 n Y ceil(sqrt(n))) <= sqrt(Q_true): each shortfall moves by < 10^4 n Y
    root, slack = bounded_isqrt(c, q, q_bits), BPS * n * Y * ceil_sqrt(n)
    half = (q_bits + 1) // 2  # root < 2^half
    low = range_check(c, select(c, greater_eq(c, root, slack, max(half, slack.bit_length())), root - slack, 0),
                      half)
    e_nonneg, e2 = x.excess()
    k_pos, k2 = x.signed_threshold(k_off)
    k2d = c.mul(k2, x.duration)
    directed_sqrt_ge_circuit(c, e_nonneg, k_pos, e2 * (BPS * BPS * n * n * Y), c.mul(k2d, q),
                             c.mul(k2d, c.mul(low, low)))


# -- max_drawdown_bps --------------------------------------------------------------------------

def drawdown_holds(s: Series, m: int) -> bool:
    return all(BPS * v + m * p >= BPS * p for v, p in zip(s.navs, s.peaks(), strict=True))


def _drawdown_circuit(x: HistoryBuilder, m: Value) -> None:
    # for every j: 10^4 nav_j + m peak_j >= 10^4 peak_j
    c = x.c
    for j, peak in enumerate(x.peaks()[1:], 1):
        with c.scope(f"snapshot[{j}]"):
            ge(c, BPS * x.navs[j] + c.mul(m, peak), BPS * peak)


# -- min_positive_bps --------------------------------------------------------------------------

def positive_holds(s: Series, p: int) -> bool:
    count = sum(b > a for a, b in zip(s.navs, s.navs[1:], strict=False))
    return BPS * count >= p * s.n


def _positive_circuit(x: HistoryBuilder, p: Value) -> None:
    # 10^4 #{nav_i > nav_(i-1)} >= p n
    c = x.c
    count = c.sum(less_than(c, x.navs[i - 1], x.navs[i], NAV_BITS) for i in range(1, len(x.navs)))
    ge(c, BPS * count, p * x.n)


# -- max_var_bps -------------------------------------------------------------------------------

def var_holds(s: Series, t: int) -> bool:
    # at most floor((1 - c) n) returns below -t:  10^4 #{10^4 nav_i < (10^4 - t) nav_(i-1)} <= (10^4 - c) n
    return BPS * s.losses_beyond(t) <= (BPS - s.var_confidence_bps) * s.n


def _var_circuit(x: HistoryBuilder, t: Value) -> None:
    # loss_i = [10^4 nav_i + t nav_(i-1) < 10^4 nav_(i-1)] (< 2^79), then 10^4 sum(loss) + c n <= 10^4 n
    c, n, navs = x.c, x.n, x.navs
    losses = []
    for i in range(1, n + 1):
        with c.scope(f"period[{i}]"):
            lhs, rhs = BPS * navs[i] + c.mul(t, navs[i - 1]), BPS * navs[i - 1]
            losses.append(less_than(c, lhs, rhs, width(lhs, rhs)))
    bits = (2 * BPS * n).bit_length()  # count <= n and c <= 10^4 (range-checked with the policy)
    assert_less_eq(c, BPS * c.sum(losses) + n * x.var_confidence, BPS * n, bits)


# -- min_calmar_bps ----------------------------------------------------------------------------

def calmar_holds(s: Series, k: int) -> bool:
    # A >= k/10^4 x max drawdown, i.e. for every j: 10^4 Y (sum x - n S) p_j >= k D S (p_j - nav_j); the NAV
    # never below its peak (no drawdown) makes Calmar infinite: then it holds iff A >= 0, for every k
    excess = BPS * Y * (sum(s.gross) - s.n * S)
    return all(excess * p >= k * s.duration * S * (p - v) for v, p in zip(s.navs, s.peaks(), strict=True))


def _calmar_circuit(x: HistoryBuilder, k: Value) -> None:
    # 10^4 Y (Sx) p_j + k D S nav_j >= (10^4 Y n S + k D S) p_j for every j (all terms non-negative)
    c, n = x.c, x.n
    gain = BPS * Y * x.sum_x()
    kds = c.mul(k, x.duration) * S
    for j, peak in enumerate(x.peaks()):
        with c.scope(f"snapshot[{j}]"):
            ge(c, c.mul(gain, peak) + c.mul(kds, x.navs[j]), c.mul(BPS * Y * n * S + kds, peak))


CLAUSES = ClauseTable("history", (
    Clause("min_annual_return_bps", "annualised return", "min", "%", -BPS_MAX, BPS_MAX,
           annual_return_holds, _annual_circuit, needs=frozenset({GROSS})),
    Clause("max_volatility_bps", "annualised volatility", "max", "%", 0, BPS_MAX,
           volatility_holds, _volatility_circuit, needs=frozenset({GROSS})),
    Clause("min_sharpe_bps", "Sharpe ratio", "min", "x", -BPS_MAX, BPS_MAX,
           sharpe_holds, _sharpe_circuit, needs=frozenset({GROSS})),
    Clause("min_sortino_bps", "Sortino ratio", "min", "x", -BPS_MAX, BPS_MAX,
           sortino_holds, _sortino_circuit, needs=frozenset({GROSS})),
    Clause("max_drawdown_bps", "maximum drawdown", "max", "%", 0, BPS, drawdown_holds, _drawdown_circuit,
           needs=frozenset({PEAKS})),
    Clause("min_positive_bps", "share of positive periods", "min", "%", 0, BPS, positive_holds, _positive_circuit),
    Clause("max_var_bps", "value at risk at var_confidence_bps", "max", "%", 0, BPS,
           var_holds, _var_circuit),
    Clause("min_calmar_bps", "Calmar ratio", "min", "x", 0, BPS_MAX,
           calmar_holds, _calmar_circuit, needs=frozenset({GROSS, PEAKS})),
    # append new clauses here: the position is the policy slot
), hashed_as=lambda _: "(1, t mod r); (0, 0) when absent")
