"""Builders of small portfolio/market/policy documents for the statement tests."""

from __future__ import annotations

import copy
import json

from zkyield.circuits.models import Market, Policy, Portfolio, example, load_market, load_policy, load_portfolio

OWNER = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55's own example address
SALT = "123456789"
YEAR_PERIOD = {"start": "2023-01-01T00:00:00Z", "end": "2024-01-01T00:00:00Z"}  # 365 days
USD = 10**8  # one dollar at price_decimals 8


def asset(symbol: str, decimals: int = 6, p0: int = USD, p1: int = USD, **extra: object) -> dict:
    return {"symbol": symbol, "decimals": decimals, "price_start": p0, "price_end": p1, **extra}


def position(asset: str, kind: str, start: str, end: str, protocol: str = "aave-v3", **extra: object) -> dict:
    return {"protocol": protocol, "asset": asset, "kind": kind, "start_amount": start, "end_amount": end, **extra}


def documents(positions: list[dict], assets: list[dict], policy: dict, deposits: tuple = (),
              withdrawals: tuple = (), **market_extra: object) -> tuple[dict, dict, dict]:
    portfolio = {"owner": OWNER, "period": YEAR_PERIOD, "salt": SALT, "positions": positions,
                 "deposits": list(deposits), "withdrawals": list(withdrawals)}
    market = {"period": YEAR_PERIOD, "price_decimals": 8, "assets": assets, **market_extra}
    return portfolio, market, policy


def load(docs: tuple[dict, dict, dict]) -> tuple[Portfolio, Market, Policy]:
    p, m, q = (copy.deepcopy(d) for d in docs)
    return load_portfolio(p), load_market(m), load_policy(q)


def example_docs(name: str) -> tuple[dict, dict, dict]:
    return tuple(json.loads(path.read_text()) for path in example(name))  # type: ignore[return-value]
