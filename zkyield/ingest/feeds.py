"""Chainlink prices at the pinned blocks: ``latestRoundData`` and ``decimals`` by ``eth_call`` at each block.

A round is refused when its answer is not positive, when ``updatedAt`` is older than the feed's
``max_staleness_s`` at that block's timestamp (or in its future), or when ``answeredInRound < roundId``
(the answer was carried over from an earlier round).
"""

from __future__ import annotations

from dataclasses import dataclass

from zkyield.circuits import encoding as enc
from zkyield.errors import InputError
from zkyield.ingest.pins import Pins
from zkyield.ingest.rpc import Call
from zkyield.ingest.sources import Feed

ROUND = ("uint80", "int256", "uint256", "uint256", "uint80")


@dataclass(frozen=True)
class Price:
    symbol: str
    decimals: int  # the token's
    feed_decimals: int
    answers: tuple[int, int]  # at the start and the end block, at feed_decimals


def check_round(feed: Feed, block_number: int, block_time: int, rnd: tuple) -> int:
    round_id, answer, _started, updated, answered_in = rnd
    where = f"feed {feed.symbol} ({feed.aggregator}) at block {block_number}"
    if answer <= 0:
        raise InputError(f"{where}: answer {answer} is not a positive price; do not use this feed at this block")
    if updated > block_time or block_time - updated > feed.max_staleness_s:
        raise InputError(f"{where}: round {round_id} was updated {block_time - updated} s before the block, more than "
                         f"max_staleness_s={feed.max_staleness_s}; the feed is stale (pick another block or feed)")
    if answered_in < round_id:
        raise InputError(f"{where}: answeredInRound {answered_in} < roundId {round_id} (a carried-over answer); "
                         "pick another block")
    return answer


def read_prices(pins: Pins, feeds: tuple[Feed, ...]) -> list[Price]:
    pins.require_code({f.aggregator: f"the Chainlink feed for {f.symbol}" for f in feeds}
                      | {f.token: f"the token {f.symbol}" for f in feeds if f.token})
    calls = [Call(f.aggregator, "decimals()", returns=("uint8",)) for f in feeds]
    calls += [Call(f.aggregator, "latestRoundData()", returns=ROUND) for f in feeds]
    calls += [Call(f.token, "decimals()", returns=("uint8",)) for f in feeds if f.token]
    at_start, at_end = pins.call_both(calls)
    n = len(feeds)
    token_decimals = iter(r[0] for r in at_end[2 * n:])
    out = []
    for i, f in enumerate(feeds):
        fd = at_end[i][0]
        if at_start[i][0] != fd:
            raise InputError(f"feed {f.symbol} ({f.aggregator}): decimals changed within the period; split the period")
        answers = tuple(check_round(f, b.number, b.timestamp, r[n + i][:5])
                        for b, r in zip(pins.blocks, (at_start, at_end), strict=True))
        decimals = next(token_decimals) if f.token else f.decimals
        if decimals > enc.AMOUNT_DECIMALS or fd > enc.MAX_PRICE_DECIMALS:
            raise InputError(f"feed {f.symbol}: {decimals} token decimals or {fd} feed decimals exceed 18")
        out.append(Price(f.symbol, decimals, fd, answers))  # type: ignore[arg-type]
    return out
