"""Kinked interest-rate models (Aave v3's ``DefaultReserveInterestRateStrategy``) and what they imply
for a period: the public growth bounds ``max_rate_model_deviation_bps`` compares positions against.

A market asset may carry ``rate_model``: the lending market's protocol, base rate, the slopes below
and above the optimal utilisation, the optimal utilisation (all in ray, 10^27, as Aave stores them),
the reserve factor (bps) and the utilisation at the period's start and end (ray). The variable borrow
rate at utilisation U is ``base + slope1 U / U*`` up to U*, then ``base + slope1 + slope2 (U - U*) /
(1 - U*)``; the supply rate is ``borrow(U) x U x (1 - reserve factor)`` (no stable debt, no unbacked
supply). Both rise with U, so over a period whose utilisation moved between U0 and U1 the rate lies
between the model's rates at the two points; simple linear accrual over the period's T seconds gives
the growth bounds ``g_lo = ceil(min(rate) T / YEAR)`` and ``g_hi = floor(max(rate) T / YEAR)`` in ray,
rounded inward (against the prover). docs/statements.md, "Rate models".
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import ceil, floor

from zkyield.circuits import encoding as enc
from zkyield.circuits.jsonread import Obj, integer
from zkyield.errors import InputError

RAY = 10**27
RATE_MAX = 100 * RAY  # 10,000% a year: what the loader accepts for a rate parameter
GROWTH_BITS = 104  # g < 2^104: 100 ray x 2^32 s / YEAR < 1.4e31 < 2^104
RATE_COLUMNS = ("rate_protocol", "supply_growth_lo", "supply_growth_hi", "borrow_growth_lo", "borrow_growth_hi")


@dataclass(frozen=True)
class RateModel:
    protocol: str
    base_rate: int
    slope1: int
    slope2: int
    optimal_utilisation: int
    reserve_factor_bps: int
    utilisation_start: int
    utilisation_end: int

    def borrow_rate(self, u: int) -> Fraction:
        opt = self.optimal_utilisation
        if u <= opt:
            return self.base_rate + Fraction(self.slope1 * u, opt)
        return self.base_rate + self.slope1 + Fraction(self.slope2 * (u - opt), RAY - opt)

    def supply_rate(self, u: int) -> Fraction:
        return self.borrow_rate(u) * Fraction(u, RAY) * Fraction(enc.BPS - self.reserve_factor_bps, enc.BPS)

    def growth_bounds(self, seconds: int, supply: bool) -> tuple[int, int]:
        """``(g_lo, g_hi)`` in ray over ``seconds``: the period's interest per unit of principal."""
        rate = self.supply_rate if supply else self.borrow_rate
        rates = [rate(self.utilisation_start), rate(self.utilisation_end)]
        lo, hi = min(rates) * seconds / enc.YEAR_SECONDS, max(rates) * seconds / enc.YEAR_SECONDS
        return ceil(lo), floor(hi)

    def columns(self, seconds: int) -> list[int]:
        """The asset row's ``RATE_COLUMNS`` (what the market hash pins)."""
        return [enc.protocol_id(self.protocol), *self.growth_bounds(seconds, True), *self.growth_bounds(seconds, False)]


def load_rate_model(data: object, where: str, seconds: int) -> RateModel:
    obj = Obj(data, where)
    protocol = obj.need("protocol")
    try:
        enc.protocol_id(protocol)
    except InputError as exc:
        raise InputError(f"{obj.path('protocol')}: {exc}") from None

    def ray(key: str, low: int = 0, high: int = RATE_MAX) -> int:
        return integer(obj.need(key), obj.path(key), low, high)

    model = RateModel(protocol, ray("base_rate_ray"), ray("slope1_ray"), ray("slope2_ray"),
                      ray("optimal_utilisation_ray", 1, RAY - 1),
                      integer(obj.get("reserve_factor_bps", 0), obj.path("reserve_factor_bps"), 0, enc.BPS),
                      ray("utilisation_start_ray", 0, RAY), ray("utilisation_end_ray", 0, RAY))
    obj.done()
    if model.growth_bounds(seconds, False)[1] >> GROWTH_BITS:
        raise InputError(f"{where}: the model's growth over the period exceeds 2^{GROWTH_BITS} ray; "
                         "check the rates (ray = 10^27 per year)")
    return model


def rate_columns(model: RateModel | None, seconds: int) -> list[int]:
    return [0] * len(RATE_COLUMNS) if model is None else model.columns(seconds)


# 10000 x RAY x start (< 2^14 x 2^90 x 2^112) plus (10000 + t) x start x g (< 2^15 x 2^112 x 2^104): < 2^232
RATE_BITS = enc.NORM_AMOUNT_BITS + GROWTH_BITS + 15 + 1
