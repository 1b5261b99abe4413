"""Builders of small portfolio/market/policy documents for the statement tests."""

from __future__ import annotations

import copy
import json

from zkyield.circuits import encoding as enc
from zkyield.circuits.models import Market, Policy, Portfolio, example, load_market, load_policy, load_portfolio
from zkyield.circuits.publics import ASSET_FIELDS, domain_tag
from zkyield.circuits.statements import N_KINDS, PRIVATE_AMOUNTS
from zkyield.poseidon import commit

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


def recommit(inputs: dict, capacity: enc.Capacity) -> dict:
    """Recompute the public commitment over tampered private inputs, as a malicious prover would.

    The layout is written out here from docs/statements.md, independently of ``publics``; the tests
    check it reproduces the honest commitment first.
    """
    m, width = capacity.assets, len(ASSET_FIELDS)
    rows = [inputs["market_assets"][a * width:(a + 1) * width] for a in range(m)]
    ids = [row[ASSET_FIELDS.index("symbol")] * 32 + row[ASSET_FIELDS.index("decimals")] for row in rows]
    slots = []
    for j in range(capacity.positions):
        sel = inputs["pos_asset"][j * m:(j + 1) * m]
        kind = sum(k * b for k, b in enumerate(inputs["pos_kind"][j * N_KINDS:(j + 1) * N_KINDS]))
        slots += [inputs["pos_active"][j], sum(s * i for s, i in zip(sel, ids, strict=True)), kind,
                  *(inputs[f"pos_{f}"][j] for f in PRIVATE_AMOUNTS)]
    flows = [x for row in zip(ids, inputs["deposits"], inputs["withdrawals"], strict=True) for x in row]
    head = [domain_tag("commitment", capacity), inputs["owner"], inputs["period_start"], inputs["period_end"]]
    inputs["commitment"] = commit(head + slots + flows, inputs["salt"])
    return inputs
