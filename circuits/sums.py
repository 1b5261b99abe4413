"""The portfolio-level integer sums every portfolio clause's evaluation draws on (one value scale).

``Sums`` mirrors the circuit builder's shared sums (``statements.Builder.sums``) term for term, so a
clause's evaluation and its constraints compare the same integers (docs/statements.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkyield.circuits import encoding as enc
from zkyield.circuits.encoding import BPS, Inequality

if TYPE_CHECKING:
    from zkyield.circuits.binding import Bound
    from zkyield.circuits.models import Market, Policy


class Sums:
    """Values of a bound portfolio (normalised amount x price) and the sums of them the clauses use."""

    def __init__(self, b: Bound, market: Market, policy: Policy, period: int) -> None:
        self.b, self.market, self.policy, self.period = b, market, policy, period
        self.v_start = [b.value(p.asset, p.start_amount, False) + self.range_value(i, "start", False)
                        for i, p in enumerate(b.positions)]
        self.v_end = [b.value(p.asset, p.end_amount, True) + self.range_value(i, "end", True)
                      for i, p in enumerate(b.positions)]
        assets = [i for i, p in enumerate(b.positions) if not p.is_debt]
        debts = [i for i, p in enumerate(b.positions) if p.is_debt]
        self.assets, self.debts = assets, debts
        # a perp's PnL: its gain on the asset side, its loss on the debt side (both >= 0)
        self.pnl_start = [b.pnl(p, False) for p in b.positions]
        self.pnl_end = [b.pnl(p, True) for p in b.positions]
        self.asset_end = [(0 if p.is_debt else v) + g for p, v, (g, _) in zip(b.positions, self.v_end, self.pnl_end,
                                                                               strict=True)]
        self.debt_end = [(v if p.is_debt else 0) + q for p, v, (_, q) in zip(b.positions, self.v_end, self.pnl_end,
                                                                             strict=True)]
        self.a_start = sum(self.v_start[i] for i in assets) + sum(g for g, _ in self.pnl_start)
        self.b_start = sum(self.v_start[i] for i in debts) + sum(q for _, q in self.pnl_start)
        self.a_end = sum(self.asset_end)
        self.b_end = sum(self.debt_end)
        self.deposits = sum(b.value(a, u, False) for a, u in enumerate(b.deposits))
        self.withdrawals = sum(b.value(a, u, True) for a, u in enumerate(b.withdrawals))
        self.fees = sum(b.value(p.asset, p.fee_income, True) for p in b.positions)
        self.emissions = sum(b.value(p.asset, p.emission_income, True) for p in b.positions)
        # Modified-Dietz-like simple form: deposits count from the start, withdrawals until the end
        self.base = self.a_start + self.deposits - self.b_start  # S (may be <= 0: return undefined)
        self.final = self.a_end + self.withdrawals - self.b_end  # E

    def range_value(self, i: int, amounts: str, at_end: bool) -> int:
        """Position i's range amounts (``"start"`` or ``"end"``) valued at the tokens' start or end prices
        (0 unless a range position): ``sum of amount_k x scale_k x price_k`` over the pool's two tokens."""
        p = self.b.positions[i]
        if p.range is None:
            return 0
        tokens = (self.market.index(s) for s in self.market.assets[p.asset].pool.assets)
        units = (getattr(p.range, f"amount{k}_{amounts}") for k in (0, 1))
        return sum(self.b.value(t, u, at_end) for t, u in zip(tokens, units, strict=True))

    def return_terms(self, coef_e: int, coef_s: int) -> list[tuple[int, int]]:
        """Terms of ``coef_e * E - coef_s * S`` with E and S split into their non-negative parts."""
        return [(coef_e, self.a_end + self.withdrawals), (-coef_e, self.b_end),
                (-coef_s, self.a_start + self.deposits), (coef_s, self.b_start)]

    def base_positive(self) -> Inequality:
        return Inequality("return/base_positive", self.a_start + self.deposits, self.b_start + 1, enc.POSITIVE_BITS)

    def held(self) -> list[int]:
        """Per market asset: ``asset_end`` of the positions in it (gross; a perp's margin plus its gain)."""
        out = [0] * len(self.market.assets)
        for i, p in enumerate(self.b.positions):
            out[p.asset] += self.asset_end[i]
        return out

    def shocked(self, factors: list[int]) -> tuple[int, int]:
        """Asset and debt sides of the end values x 10000 under per-asset factors ``10000 + shock``: a perp's
        gain and loss move with its base's factor (``L p f + 10000 S entry``, ``10000 L entry + S p f``)."""
        side = [0, 0]
        for i, p in enumerate(self.b.positions):
            side[p.is_debt] += self.v_end[i] * factors[p.asset]
            if p.base is not None:
                norm, f = p.size * self.b.scales[p.base], factors[p.base]
                long, short, price = max(norm, 0), max(-norm, 0), self.b.prices_end[p.base]
                side[0] += long * price * f + short * p.entry_price * BPS
                side[1] += long * p.entry_price * BPS + short * price * f
        return side[0], side[1]

    def nav_positive(self, label: str) -> Inequality:
        return Inequality(f"{label}/nav_positive", self.a_end, self.b_end + 1, enc.POSITIVE_BITS)

    def collateral(self) -> list[int]:
        """Indices of the lending positions (the collateral of leverage and health factor)."""
        return [i for i in self.assets if self.b.positions[i].kind == enc.KIND_CODE["lending"]]


def ceil_div(num: int, den: int) -> int:
    return -((-num) // den)


def il_inequality(label: str, n: int, d: int, m: int) -> Inequality:
    """``1 - 2 sqrt(nd)/(n + d) <= m / 10000`` squared: ``4 * 10000^2 * n * d >= (10000 - m)^2 (n + d)^2``."""
    return Inequality(label, 4 * BPS * BPS * n * d, (BPS - m) ** 2 * (n + d) ** 2, enc.IL_BITS)


def impermanent_loss_bps_ceil(n: int, d: int) -> int:
    """Smallest integer x with IL(k = n/d) <= x bps, IL = 1 - 2 sqrt(k)/(1 + k), decided like the circuit."""
    lo, hi = 0, BPS  # IL is in [0, 1): x = 10000 always satisfies the squared form
    while lo < hi:
        mid = (lo + hi) // 2
        if il_inequality("il", n, d, mid).holds:
            hi = mid
        else:
            lo = mid + 1
    return lo
