"""The integer series of a history window and the exact arithmetic its clauses are decided with.

Over a window of n returns with NAVs nav_0..nav_n (base units), the circuit holds the gross returns
``x_i = floor(S * nav_i / nav_{i-1})`` (S = 10^9; flooring rounds every return against the prover) and
the window's duration D = t_n - t_0. With Y = 365 days in seconds, rf the annual risk-free rate in bps
and thresholds in bps (k / 10^4), every clause is an integer comparison (docs/history.md derives them):

    annualised return  A = sum(x_i/S - 1) * Y / D          10^4 Y (Sx - nS) >= t D S
    volatility   s_ann^2 = V Y / (D S^2 (n - 1))           10^8 Y H^2 <= 4 v^2 D S^2 (n - 1),  V = n Sx2 - Sx^2
    Sharpe (A - rf) / s_ann                                E 2 sqrt(n - 1) >= k H sqrt(Y D)    (H for k > 0, L else)
    Sortino (A - rf) / downside_ann (target rf per period) E 10^4 n sqrt(Y) >= k sqrt(Q D)     (sqrt Q -> M for k <= 0)
    max drawdown over running peaks p_j                    10^4 nav_j + m p_j >= 10^4 p_j  for every j
    share of periods with nav_i > nav_{i-1}                10^4 count >= p n
    VaR at confidence c: #{10^4 nav_i < (10^4 - t) nav_(i-1)} <= floor((1 - c) n)
                                                           10^4 count + c n <= 10^4 n
    Calmar A / max drawdown                                10^4 Y (Sx - nS) p_j >= k D S (p_j - nav_j)  for every j

with E = 10^4 Y (Sx - nS) - rf D S and Q = sum(min(0, u_i)^2), u_i = 10^4 n Y (x_i - S) - rf D S.
The square-root comparisons are decided on squares with the signs of E and k (``directed_sqrt_ge``).

Rounding is directed against the prover in every clause (docs/history.md): flooring makes Sx, and so E, a
lower bound of the true value, and the floored Q an upper bound of the true downside sum; for the spread,
with s = isqrt(V), the true sqrt(V) lies in [L/2, H/2], H = 2s + 2 + n and L = max(0, 2s - n) (each return
moves by less than 1/S, so the centred vector moves by at most n/2 in norm times sqrt(n)); and the true
sqrt(Q) is at least M = max(0, isqrt(Q) - 10^4 n Y ceil(sqrt(n))). Each clause uses the bound that makes it
harder to pass, so a passing decision holds for the exact, unrounded returns.
A reported measurement is the threshold at which the clause flips, so it is rounded against the
prover: the largest passing value of a minimum, the smallest passing value of a maximum.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from zkyield.circuits import encoding as enc
from zkyield.errors import InputError

if TYPE_CHECKING:
    from zkyield.circuits.history_models import HistoryMarket, Snapshot

NAV_BITS = 64  # a NAV is an integer number of base units (nav_decimals) below 2^64
RETURN_SCALE = 10**9  # gross returns nav_i / nav_{i-1} are floored to 9 decimals (docs/history.md)
GROSS_BITS = 40  # floor(10^9 * nav_i / nav_{i-1}) < 2^40: at most ~1099x in one period
SIGNED_BITS = 21  # a signed threshold t in [-BPS_MAX, BPS_MAX] is carried as t + BPS_MAX < 2^21
BPS, BPS_MAX = enc.BPS, enc.BPS_MAX
DURATION_BITS = enc.DURATION_BITS  # a window and each of its steps last less than 2^32 s
YEAR_SECONDS = enc.YEAR_SECONDS
S, Y = RETURN_SCALE, YEAR_SECONDS
VAR_CONFIDENCE_BPS = 9500  # a policy's var_confidence_bps when it states max_var_bps without one (95%)


@dataclass(frozen=True)
class Series:
    """The integers the circuit derives from a window: NAVs, floored gross returns, duration, rate, and
    the policy's VaR confidence (a parameter of the ``max_var_bps`` clause, hashed with the policy)."""

    navs: tuple[int, ...]
    gross: tuple[int, ...]
    duration: int
    risk_free_bps: int
    var_confidence_bps: int = VAR_CONFIDENCE_BPS

    @property
    def n(self) -> int:
        return len(self.gross)

    @property
    def excess(self) -> int:
        """E = 10^4 Y (sum x - n S) - rf D S: the annualised excess return times 10^4 D S (signed)."""
        return BPS * Y * (sum(self.gross) - self.n * S) - self.risk_free_bps * self.duration * S

    @property
    def variance_numerator(self) -> int:
        """V = n sum(x^2) - (sum x)^2 = n (n - 1) S^2 times the sample variance of the returns."""
        return self.n * sum(x * x for x in self.gross) - sum(self.gross) ** 2

    @property
    def downside_squares(self) -> int:
        """Q = sum(min(0, u_i)^2), u_i = 10^4 n Y (x_i - S) - rf D S (the excess over rf per period)."""
        cut = BPS * self.n * Y * S + self.risk_free_bps * self.duration * S
        return sum((cut - BPS * self.n * Y * x) ** 2 for x in self.gross if BPS * self.n * Y * x < cut)

    @property
    def spread_bounds(self) -> tuple[int, int]:
        """(L, H): twice a lower and twice an upper bound of sqrt(V_true), the unfloored returns' V."""
        root = math.isqrt(self.variance_numerator)
        return max(0, 2 * root - self.n), 2 * root + 2 + self.n

    @property
    def downside_root_floor(self) -> int:
        """M = max(0, isqrt(Q) - 10^4 n Y ceil(sqrt(n))): a lower bound of sqrt(Q_true)."""
        return max(0, math.isqrt(self.downside_squares) - BPS * self.n * Y * ceil_sqrt(self.n))

    def losses_beyond(self, t: int) -> int:
        """How many period returns lie strictly below -t bps: 10^4 nav_i < (10^4 - t) nav_(i-1), exact on NAVs."""
        return sum(BPS * b < (BPS - t) * a for a, b in zip(self.navs, self.navs[1:], strict=False))

    def peaks(self) -> list[int]:
        out, peak = [], 0
        for v in self.navs:
            peak = max(peak, v)
            out.append(peak)
        return out


def gross_return(prev: int, nav: int, where: str) -> int:
    """floor(S * nav / prev), refused when it exceeds the circuit's width."""
    x = S * nav // prev
    if x >> GROSS_BITS:
        raise InputError(f"{where}: the NAV grew more than {((1 << GROSS_BITS) - 1) // S}x in one period; "
                         "the circuit holds gross returns below 2^40 / 10^9")
    return x


def series(snapshots: Sequence[Snapshot], market: HistoryMarket, where: str = "window",
           var_confidence_bps: int = VAR_CONFIDENCE_BPS) -> Series:
    """The window's integer series; the window must lie inside the market's period."""
    if len(snapshots) < 3:
        raise InputError(f"{where}: a window needs at least 3 snapshots (2 returns)")
    start, end = snapshots[0].timestamp, snapshots[-1].timestamp
    if not (market.period.start <= start and end <= market.period.end):
        raise InputError(f"{market.source}: period does not cover the window; use a risk-free rate published "
                         "for the whole window")
    if (end - start) >> DURATION_BITS:
        raise InputError(f"{where}: lasts 2^{DURATION_BITS} s or more")
    gross = tuple(gross_return(a.nav, b.nav, f"{where}: snapshot {i + 1}")
                  for i, (a, b) in enumerate(zip(snapshots, snapshots[1:], strict=False)))
    return Series(tuple(s.nav for s in snapshots), gross, end - start, market.risk_free_bps, var_confidence_bps)


def ceil_sqrt(n: int) -> int:
    root = math.isqrt(n)
    return root + (root * root != n)


def signed_sqrt_ge(e: int, a: int, k: int, b: int) -> bool:
    """e * sqrt(a) >= k * sqrt(b) for a > 0 (so e * sqrt(a) has e's sign) and b >= 0, decided on the
    squares e^2 a and k^2 b by sign; the Sharpe and Sortino clauses always have a > 0."""
    return directed_sqrt_ge(e, a, k, b, b)


def directed_sqrt_ge(e: int, a: int, k: int, b_hi: int, b_lo: int) -> bool:
    """e_true sqrt(a) >= k sqrt(b_true) for every e_true >= e and b_lo <= b_true <= b_hi: the comparison
    decided against the prover when e is a lower bound and b is only known within [b_lo, b_hi]."""
    if e >= 0:
        return k <= 0 or e * e * a >= k * k * b_hi
    return k <= 0 and e * e * a <= k * k * b_lo
