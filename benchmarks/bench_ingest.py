"""Ingest time and RPC traffic for a book of 1, 10 and 50 positions, read from anvil.

    python3 benchmarks/bench_ingest.py            # 1, 10, 50 Uniswap v3 LP NFTs (+ wallet, vault, Aave)
    python3 benchmarks/bench_ingest.py 1 10 50 100

Each size starts a fresh anvil with the devnet protocols (zkyield.devnet), opens that many range positions for
the fund, runs swaps through them so every NFT earns fees, and times ``ingest_portfolio`` (best of three) over
the period. Reports HTTP requests (JSON-RPC batches) and JSON-RPC calls inside them; the calls grow with the
positions, the requests do not (every stage is one batch per block). Prints one JSON object per size.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zkyield.devnet import Anvil, deploy_world  # noqa: E402
from zkyield.ingest.rpc import Rpc  # noqa: E402
from zkyield.ingest.run import ingest_portfolio  # noqa: E402

E18, E6 = 10**18, 10**6


def bench(nfts: int, rounds: int = 3) -> dict:
    with Anvil() as anvil, tempfile.TemporaryDirectory() as tmp:
        world = deploy_world(anvil)
        fund, trader = world.w3.eth.accounts[1], world.w3.eth.accounts[3]
        world.supply(fund, "WETH", 10 * E18)
        world.vault_deposit(fund, 1_000 * E6)
        tick = world.pool.functions.slot0().call()[1] // 60 * 60
        for i in range(nfts):
            world.mint_lp(fund, tick - 600 * (1 + i % 10), tick + 600 * (1 + i % 7), E18 // 10, 200 * E6)
        a = anvil.mine()
        for _ in range(3):
            world.swap(trader, "WETH", E18 // 2)
            world.swap(trader, "USDC", 1_000 * E6)
        anvil.advance(86_400)
        for s in ("WETH", "USDC", "DAI"):
            world.set_price(s, world.feeds[s].functions.latestAnswer().call())
        b = anvil.mine()
        sources = Path(tmp) / "sources.json"
        sources.write_text(json.dumps(world.sources()))
        best, rpc = float("inf"), None
        for _ in range(rounds):
            rpc = Rpc(anvil.url)
            start = time.perf_counter()
            portfolio = ingest_portfolio(anvil.url, [fund], sources, a, b, Path(tmp) / "p.json", rpc=rpc)
            best = min(best, time.perf_counter() - start)
        return {"lp_nfts": nfts, "positions": len(portfolio["positions"]), "ingest_s": round(best, 3),
                "http_requests": rpc.requests, "rpc_calls": rpc.calls}


def main(argv: list[str]) -> None:
    for n in [int(x) for x in argv] or [1, 10, 50]:
        print(json.dumps(bench(n)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
