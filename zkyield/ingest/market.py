"""The market file from the chain: Chainlink prices at both blocks, token decimals, Aave liquidation thresholds
and rate models (``aave_rates``).

Prices are rescaled exactly to one ``price_decimals`` (the largest feed's), so no digit is lost. With a sources
file naming ``aave_v3``, an asset whose token is an Aave reserve gets its liquidation threshold from the reserve
configuration at the end block.
"""

from __future__ import annotations

from zkyield.circuits import encoding as enc
from zkyield.errors import InputError
from zkyield.ingest.aave import reserves
from zkyield.ingest.aave_rates import rate_models
from zkyield.ingest.feeds import read_prices
from zkyield.ingest.pins import Pins, iso
from zkyield.ingest.sources import Feed, Sources
from zkyield.ingest.uniswap_ranges import range_assets


def read_market(pins: Pins, feeds: tuple[Feed, ...], sources: Sources | None = None) -> dict:
    prices = read_prices(pins, feeds)
    decimals = max(p.feed_decimals for p in prices)
    thresholds, models = {}, {}
    if sources is not None and sources.aave_provider is not None:
        _, rs = reserves(pins, sources.aave_provider)
        thresholds = {r["asset"]: r["liquidation_threshold_bps"] for r in rs if r["liquidation_threshold_bps"]}
        models = rate_models(pins, sources.aave_provider)
    assets = []
    for f, p in zip(feeds, prices, strict=True):
        scaled = [a * 10 ** (decimals - p.feed_decimals) for a in p.answers]
        if any(s >> enc.PRICE_BITS for s in scaled):
            raise InputError(f"feed {f.symbol}: the price does not fit {enc.PRICE_BITS} bits at {decimals} decimals")
        asset = {"symbol": f.symbol, "decimals": p.decimals, "price_start": str(scaled[0]), "price_end": str(scaled[1]),
                 "chain": pins.chain_id}
        if f.token in thresholds:
            asset["liquidation_threshold_bps"] = thresholds[f.token]
        if f.token in models:
            asset["rate_model"] = models[f.token]
        assets.append(asset)
    if sources is not None:
        assets += [{**a, "chain": pins.chain_id} for a in range_assets(pins, sources)]  # v3 pools: same chain
    return {
        "description": f"Chainlink prices from chain {pins.chain_id}, blocks {pins.start.number}..{pins.end.number}",
        "period": {"start": iso(pins.start.timestamp), "end": iso(pins.end.timestamp)},
        "price_decimals": decimals,
        "assets": assets,
    }
