"""Uniswap v3 range-position arithmetic in exact integers, as the protocol's own libraries compute it.

``sqrt_ratio_at_tick`` is a line-for-line port of v3-core's ``TickMath.getSqrtRatioAtTick``, and
``amounts_for_liquidity`` of v3-periphery's ``LiquidityAmounts.getAmountsForLiquidity`` (which rounds
down exactly like ``SqrtPriceMath.getAmount0Delta`` / ``getAmount1Delta`` with ``roundUp = false``,
i.e. what burning the liquidity returns). Both are tested against the real contracts on anvil
(tests/test_range_math.py). The statement circuit checks the amounts from the committed sqrt-price
bounds; the ticks are mapped to those bounds here, before anything is committed (docs/statements.md,
"Range positions").
"""

from __future__ import annotations

MIN_TICK = -887272
MAX_TICK = 887272
MIN_SQRT_RATIO = 4295128739
MAX_SQRT_RATIO = 1461446703485210103287273052203988822378723970342
Q96 = 1 << 96
SQRT_BITS = 160  # a sqrtPriceX96 is a uint160; MAX_SQRT_RATIO < 2^160
LIQUIDITY_BITS = 128  # a position's liquidity is a uint128

_UINT256_MAX = (1 << 256) - 1
_FACTORS = (  # TickMath's Q128 constants for bits 1..19 of |tick|
    0xfff97272373d413259a46990580e213a, 0xfff2e50f5f656932ef12357cf3c7fdcc, 0xffe5caca7e10e4e61c3624eaa0941cd0,
    0xffcb9843d60f6159c9db58835c926644, 0xff973b41fa98c081472e6896dfb254c0, 0xff2ea16466c96a3843ec78b326b52861,
    0xfe5dee046a99a2a811c461f1969c3053, 0xfcbe86c7900a88aedcffc83b479aa3a4, 0xf987a7253ac413176f2b074cf7815e54,
    0xf3392b0822b70005940c7a398e4b70f3, 0xe7159475a2c29b7443b29c7fa6e889d9, 0xd097f3bdfd2022b8845ad8f792aa5825,
    0xa9f746462d870fdf8a65dc1f90e061e5, 0x70d869a156d2a1b890bb3df62baf32f7, 0x31be135f97d08fd981231505542fcfa6,
    0x9aa508b5b7a84e1c677de54f3e99bc9, 0x5d6af8dedb81196699c329225ee604, 0x2216e584f5fa1ea926041bedfe98,
    0x48a170391f7dc42444e8fa2,
)


def sqrt_ratio_at_tick(tick: int) -> int:
    """sqrt(1.0001^tick) * 2^96 rounded as TickMath does (ValueError outside MIN_TICK..MAX_TICK)."""
    if isinstance(tick, bool) or not isinstance(tick, int) or not MIN_TICK <= tick <= MAX_TICK:
        raise ValueError(f"tick must be an integer in {MIN_TICK}..{MAX_TICK}")
    t = abs(tick)
    ratio = 0xfffcb933bd6fad37aa2d162d1a594001 if t & 1 else 1 << 128
    for bit, factor in enumerate(_FACTORS, start=1):
        if t >> bit & 1:
            ratio = ratio * factor >> 128
    if tick > 0:
        ratio = _UINT256_MAX // ratio
    return (ratio >> 32) + (1 if ratio & 0xFFFFFFFF else 0)


def clamp(sqrt_lower: int, sqrt_upper: int, sqrt_price: int) -> int:
    """The price the amounts are read at: the current price moved into ``[lower, upper]``."""
    return max(sqrt_lower, min(sqrt_price, sqrt_upper))


def amount0(liquidity: int, sqrt_a: int, sqrt_b: int) -> int:
    """``floor(floor(L * 2^96 * (b - a) / b) / a)`` (getAmount0ForLiquidity), for 0 < a <= b."""
    return (liquidity * Q96 * (sqrt_b - sqrt_a) // sqrt_b) // sqrt_a


def amount1(liquidity: int, sqrt_a: int, sqrt_b: int) -> int:
    """``floor(L * (b - a) / 2^96)`` (getAmount1ForLiquidity), for a <= b."""
    return liquidity * (sqrt_b - sqrt_a) // Q96


def amounts_for_liquidity(liquidity: int, sqrt_lower: int, sqrt_upper: int, sqrt_price: int) -> tuple[int, int]:
    """Token amounts of ``liquidity`` over ``[lower, upper]`` at ``sqrt_price`` (getAmountsForLiquidity).

    With ``x = clamp(...)``: ``amount0(L, x, upper)`` and ``amount1(L, lower, x)``, which is the library's
    three cases (below the range all token0, above it all token1) in one formula.
    """
    x = clamp(sqrt_lower, sqrt_upper, sqrt_price)
    return amount0(liquidity, x, sqrt_upper), amount1(liquidity, sqrt_lower, x)


def in_range(sqrt_lower: int, sqrt_upper: int, sqrt_price: int) -> bool:
    """The pool's active-range rule ``tickLower <= tick < tickUpper`` read on prices: lower <= p < upper."""
    return sqrt_lower <= sqrt_price < sqrt_upper
