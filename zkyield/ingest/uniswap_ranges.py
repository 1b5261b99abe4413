"""Uniswap v3 LP NFTs as range positions (the statements' concentrated-liquidity model) and their pools' prices.

A sources file may list ``uniswap_v3.range_pools``: the market then carries each such pool as an asset with its
``slot0`` sqrtPriceX96 at both blocks (``range_assets``), and an NFT of such a pool held at both blocks with the
same liquidity and no liquidity removed in between becomes one ``lp`` position with its ticks, liquidity and
the two token amounts at each block (``range_legs``), plus its fees owed as two spot legs per token (value
``tokensOwed`` + uncollected fee growth at each block, income from fee-growth accounting as in ``uniswap``).
Any other NFT stays two spot legs: a range opened, closed or resized mid-period is not one range over the period.
"""

from __future__ import annotations

from eth_utils import to_checksum_address

from zkyield.ingest.legs import Leg, symbol
from zkyield.ingest.pins import Pins, units_text
from zkyield.ingest.rpc import Call
from zkyield.ingest.sources import Sources

SLOT0 = ("uint160", "int24", "uint16", "uint16", "uint16", "uint8", "bool")


def pool_symbol(pins: Pins, sources: Sources, token0: str, token1: str, fee: int, pool: str) -> str:
    """``UNIV3-<token0>-<token1>-<fee>`` (or the pool address when that exceeds a symbol's 31 characters)."""
    s0, s1 = (symbol(pins, sources.symbols, t, f"a token of Uniswap v3 pool {pool}") for t in (token0, token1))
    name = f"UNIV3-{s0}-{s1}-{fee}"
    return name if len(name) <= 31 else f"UNIV3-{to_checksum_address(pool)[2:14]}"


def range_assets(pins: Pins, sources: Sources) -> list[dict]:
    """The market's asset per listed range pool: its tokens (in pool order) and sqrtPriceX96 at both blocks."""
    out = []
    for pool in sources.uniswap_range_pools:
        pins.require_code({pool: "a uniswap_v3.range_pools pool"})
        (t0,), (t1,), (fee,) = pins.rpc.call([Call(pool, "token0()", returns=("address",)),
                                              Call(pool, "token1()", returns=("address",)),
                                              Call(pool, "fee()", returns=("uint24",))], pins.end.number)
        prices = [pins.rpc.call([Call(pool, "slot0()", returns=SLOT0)], b.number)[0][0] for b in pins.blocks]
        syms = [symbol(pins, sources.symbols, t, f"a token of Uniswap v3 pool {pool}") for t in (t0, t1)]
        out.append({"symbol": pool_symbol(pins, sources, t0, t1, fee, pool), "decimals": 18, "price_start": "0",
                    "price_end": "0", "pool": {"assets": syms, "sqrt_price_x96_start": str(prices[0]),
                                               "sqrt_price_x96_end": str(prices[1])}})
    return out


def range_legs(pins: Pins, sources: Sources, token_id: int, s: dict | None, e: dict | None, decreased: bool,
               collected: list[int], decimals: dict[str, int]) -> list[Leg] | None:
    """The range position and its two fee legs, or None when the NFT is not one range over the whole period."""
    pools = {to_checksum_address(p) for p in sources.uniswap_range_pools}
    if s is None or e is None or decreased or s["liquidity"] != e["liquidity"] or e["pool"] not in pools:
        return None
    tokens = (e["token0"], e["token1"])
    syms = [symbol(pins, sources.symbols, t, f"token{k} of LP NFT #{token_id}") for k, t in enumerate(tokens)]
    amounts = {key: [units_text(st["amounts"][k], decimals[t]) for k, t in enumerate(tokens)]
               for key, st in (("amounts_start", s), ("amounts_end", e))}
    position = Leg("uniswap-v3", pool_symbol(pins, sources, *tokens, e["fee"], e["pool"]), "lp", 18,
                   key=("uniswap-v3", token_id, "range"))
    position.range = {"pool": syms, "range": {"tick_lower": e["tick_lower"], "tick_upper": e["tick_upper"],
                                              "liquidity": str(e["liquidity"]), **amounts}}
    fees = [Leg("uniswap-v3", syms[k], "spot", decimals[t], s["owed"][k], e["owed"][k],
                e["owed"][k] - s["owed"][k] + collected[k], key=("uniswap-v3", token_id, k))
            for k, t in enumerate(tokens)]
    return [position, *fees]
