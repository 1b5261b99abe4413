"""Aave v3 reserves' interest-rate models for the market file: the strategy's parameters and the utilisation.

Per reserve: the ``DefaultReserveInterestRateStrategy`` the reserve names (``getReserveData``) gives the base
rate, the two slopes and the optimal usage ratio (ray); the reserve factor is bits 64-79 of the configuration;
the utilisation at each block is ``totalDebt / (availableLiquidity + totalDebt)`` with Aave's half-up ``rayDiv``
(total debt = the stable and variable debt tokens' ``totalSupply``, available = the underlying held by the
aToken), as the strategy's ``calculateInterestRates`` computes it. A strategy or reserve factor changed
between the blocks is refused: the period would have two models (docs/statements.md, "Rate models").
"""

from __future__ import annotations

from zkyield.errors import InputError
from zkyield.ingest.aave import RAY, RESERVE, reserves
from zkyield.ingest.pins import Pins
from zkyield.ingest.rpc import Call

_PARAMS = ("getBaseVariableBorrowRate()", "getVariableRateSlope1()", "getVariableRateSlope2()", "OPTIMAL_USAGE_RATIO()")


def ray_div(a: int, b: int) -> int:
    return (a * RAY + b // 2) // b


def _at(pins: Pins, pool: str, rs: list[dict], block: int) -> list[tuple[str, int, int]]:
    """Per reserve at ``block``: (strategy, reserve factor bps, utilisation in ray)."""
    rows = pins.rpc.call([Call(pool, "getReserveData(address)", (r["asset"],), (f"({','.join(RESERVE)})",))
                          for r in rs], block)
    calls = [c for r in rs for c in (Call(r["stable_debt"], "totalSupply()"), Call(r["variable_debt"], "totalSupply()"),
                                     Call(r["asset"], "balanceOf(address)", (r["atoken"],)))]
    totals = pins.rpc.call(calls, block)
    out = []
    for k, (row,) in enumerate(rows):
        (stable,), (variable,), (available,) = totals[3 * k:3 * k + 3]
        debt = stable + variable
        out.append((row[11], (row[0][0] >> 64) & 0xFFFF, ray_div(debt, available + debt) if debt else 0))
    return out


def rate_models(pins: Pins, provider: str) -> dict[str, dict]:
    """{reserve token address: the market file's ``rate_model`` object} for every reserve of the pool."""
    pool, rs = reserves(pins, provider)
    start, end = (_at(pins, pool, rs, b.number) for b in pins.blocks)
    out = {}
    for r, (s_strategy, s_factor, s_use), (strategy, factor, use) in zip(rs, start, end, strict=True):
        if (s_strategy, s_factor) != (strategy, factor):
            raise InputError(f"aave_v3: reserve {r['asset']} changed its rate strategy or reserve factor between the "
                             "blocks; pick a period with one model")
        params = [p[0] for p in pins.rpc.call([Call(strategy, name) for name in _PARAMS], pins.end.number)]
        out[r["asset"]] = {"protocol": "aave-v3", "base_rate_ray": str(params[0]), "slope1_ray": str(params[1]),
                           "slope2_ray": str(params[2]), "optimal_utilisation_ray": str(params[3]),
                           "reserve_factor_bps": factor, "utilisation_start_ray": str(s_use),
                           "utilisation_end_ray": str(use)}
    return out
