"""Uniswap v3 range positions in the files: the portfolio's ``range`` object and its binding.

A range position is an ``lp`` position whose asset is a market asset with a v3 pool (``pool`` with
``sqrt_price_x96_start`` / ``_end`` instead of price ratios). It holds no LP token: its value is its two
token amounts at the two tokens' prices. Binding maps the ticks to sqrt-price bounds exactly as
TickMath does and refuses amounts that are not Uniswap's for the liquidity at the market's prices, so
the evaluator and the circuit (``range_circuit``) see the same integers (docs/statements.md, "Range
positions").
"""

from __future__ import annotations

from dataclasses import dataclass

from zkyield.circuits import encoding as enc
from zkyield.circuits import range_math as rm
from zkyield.circuits.jsonread import Obj, array, integer
from zkyield.errors import InputError

RANGE_FIELDS = ("liquidity", "sqrt_lower", "sqrt_upper", "amount0_start", "amount1_start", "amount0_end",
                "amount1_end")  # appended to each commitment slot (raw token base units for the amounts)


@dataclass(frozen=True)
class RangeSpec:
    """A position's tick range, liquidity and the two token amounts (pool order: token0, token1)."""

    tick_lower: int
    tick_upper: int
    liquidity: int
    amounts_start: tuple[str, str]
    amounts_end: tuple[str, str]


def load_range(data: object, where: str, amount_text) -> RangeSpec:  # noqa: ANN001 (models._amount_text)
    obj = Obj(data, where)
    lower = integer(obj.need("tick_lower"), obj.path("tick_lower"), rm.MIN_TICK, rm.MAX_TICK)
    upper = integer(obj.need("tick_upper"), obj.path("tick_upper"), rm.MIN_TICK, rm.MAX_TICK)
    if lower >= upper:
        raise InputError(f"{obj.path('tick_upper')} must be above tick_lower")
    liquidity = integer(obj.need("liquidity"), obj.path("liquidity"), 0, (1 << rm.LIQUIDITY_BITS) - 1)

    def pair(key: str) -> tuple[str, str]:
        items = array(obj.need(key), obj.path(key), 2)
        if len(items) != 2:
            raise InputError(f"{obj.path(key)} must list two amounts: token0's, then token1's (the pool's order)")
        return tuple(amount_text(x, f"{obj.path(key)}[{i}]") for i, x in enumerate(items))  # type: ignore[return-value]

    spec = RangeSpec(lower, upper, liquidity, pair("amounts_start"), pair("amounts_end"))
    obj.done()
    return spec


@dataclass(frozen=True)
class BoundRange:
    """A range position as the circuit holds it: sqrt bounds and raw token amounts (base units)."""

    liquidity: int
    sqrt_lower: int
    sqrt_upper: int
    amount0_start: int
    amount1_start: int
    amount0_end: int
    amount1_end: int

    def row(self) -> list[int]:
        return [getattr(self, f) for f in RANGE_FIELDS]


def bind_range(spec: RangeSpec, where: str, decimals: tuple[int, int], symbols: tuple[str, str],
               sqrt_prices: tuple[int, int]) -> BoundRange:
    """Exact integers of ``spec``; InputError when its amounts are not Uniswap's at the market's prices."""
    lower, upper = rm.sqrt_ratio_at_tick(spec.tick_lower), rm.sqrt_ratio_at_tick(spec.tick_upper)
    amounts = []
    for key, texts in (("amounts_start", spec.amounts_start), ("amounts_end", spec.amounts_end)):
        for i, text in enumerate(texts):
            units = enc.to_base_units(text, decimals[i], f"{where}.{key}[{i}]", symbols[i])
            enc.check_norm_amount(units, decimals[i], f"{where}.{key}[{i}]")
            amounts.append(units)
    for k, (key, sqrt_price) in enumerate((("amounts_start", sqrt_prices[0]), ("amounts_end", sqrt_prices[1]))):
        if tuple(amounts[2 * k:2 * k + 2]) != rm.amounts_for_liquidity(spec.liquidity, lower, upper, sqrt_price):
            moment = "start" if k == 0 else "end"
            raise InputError(f"{where}.{key} are not the token amounts of its liquidity over its tick range at the "
                             f"pool's {moment} price (Uniswap's getAmountsForLiquidity, rounded down); re-read "
                             "them from the pool")
    return BoundRange(spec.liquidity, lower, upper, *amounts)


RANGE_COLUMNS = ("is_range", "sqrt_start", "sqrt_end", "scale0", "scale1", "price0_start", "price0_end",
                 "price1_start", "price1_end")  # appended to each market asset row (zero unless a v3 pool)


def range_columns(market, asset) -> list[int]:  # noqa: ANN001 (models.Market, models.Asset: models imports us)
    """A v3 pool asset's public row: its sqrt prices and its two tokens' scales and prices, so a slot
    holding it selects them with its one-hot asset selector; zeros for any other asset."""
    pool = asset.pool
    if pool is None or not pool.is_range:
        return [0] * len(RANGE_COLUMNS)
    t0, t1 = (market.assets[market.index(s)] for s in pool.assets)
    return [1, pool.sqrt_price_start, pool.sqrt_price_end, enc.unit_scale(t0.decimals), enc.unit_scale(t1.decimals),
            t0.price_start, t0.price_end, t1.price_start, t1.price_end]
