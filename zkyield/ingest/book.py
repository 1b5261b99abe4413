"""The portfolio file from the chain: every reader's legs, the period's external flows, owner, period and salt.

Deposits and withdrawals (``flows.read_flows``) are transfers of the sources' ERC-20 tokens, Aave aTokens and
ERC-4626 shares between the accounts and an outside address, valued in the asset they carry.
"""

from __future__ import annotations

import secrets

from zkyield.circuits import encoding as enc
from zkyield.errors import InputError
from zkyield.field import R
from zkyield.ingest.aave import read_aave
from zkyield.ingest.erc import read_erc20, read_erc4626
from zkyield.ingest.flows import read_flows
from zkyield.ingest.legs import Leg
from zkyield.ingest.pins import Pins, iso, units_text
from zkyield.ingest.sources import Sources
from zkyield.ingest.uniswap import read_uniswap


def _merge(legs: list[Leg]) -> list[Leg]:
    merged: dict[tuple, Leg] = {}
    for leg in legs:
        if leg.key in merged:
            m = merged[leg.key]
            if m.decimals != leg.decimals:
                raise InputError(f"asset {leg.asset}: two sources give it different decimals; give each token its own "
                                 "symbol")
            m.start, m.end, m.fee = m.start + leg.start, m.end + leg.end, m.fee + leg.fee
            m.changes = m.changes + leg.changes
        else:
            merged[leg.key] = leg
    return [m for m in merged.values() if m.start or m.end or m.fee or m.range]


def _position(leg: Leg, chain: int) -> dict:
    if leg.range is not None:
        return {"protocol": leg.protocol, "asset": leg.asset, "kind": leg.kind, "chain": chain, **leg.range}
    out = {"protocol": leg.protocol, "asset": leg.asset, "kind": leg.kind,
           "start_amount": units_text(leg.start, leg.decimals), "end_amount": units_text(leg.end, leg.decimals),
           "chain": chain}
    if leg.fee:
        out["fee_income"] = units_text(leg.fee, leg.decimals)
    changes = _principal_changes(leg.changes)
    if changes:
        out["principal_changes"] = [{"time": iso(t), "amount": "-" * (d < 0) + units_text(abs(d), leg.decimals)}
                                    for t, d in changes]
    return out


def _principal_changes(changes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """One change per second (the portfolio's time resolution), in time order, zero sums dropped."""
    per_second: dict[int, int] = {}
    for t, delta in changes:
        per_second[t] = per_second.get(t, 0) + delta
    return [(t, d) for t, d in sorted(per_second.items()) if d]


def read_book(pins: Pins, sources: Sources, accounts: list[str], owner: str) -> tuple[dict, dict]:
    """``(portfolio file, provenance extras)``; refuses an empty book rather than writing one no statement takes."""
    aave_legs, thresholds = read_aave(pins, sources, accounts)
    raw = [*read_erc20(pins, sources, accounts), *read_erc4626(pins, sources, accounts),
           *read_uniswap(pins, sources, accounts), *aave_legs]
    details = [{"key": list(leg.key), "detail": leg.detail}
               for leg in raw if leg.detail]
    legs = _merge(raw)
    if not legs:
        raise InputError("the accounts hold nothing the sources file names at either block; check --account and "
                         "the sources file")
    if len(legs) > enc.MAX_POSITIONS:
        raise InputError(f"the accounts hold {len(legs)} positions; a portfolio holds at most {enc.MAX_POSITIONS}")
    deposits, withdrawals, flow_logs = read_flows(pins, sources, accounts)
    portfolio = {
        "description": f"ingested from chain {pins.chain_id}, blocks {pins.start.number}..{pins.end.number}",
        "owner": owner,
        "period": {"start": iso(pins.start.timestamp), "end": iso(pins.end.timestamp)},
        "salt": str(1 + secrets.randbelow(R - 1)),
        "positions": [_position(leg, pins.chain_id) for leg in legs],
        "deposits": deposits,
        "withdrawals": withdrawals,
    }
    extras = {"accounts": accounts, "owner": owner,
              "positions": [{"index": i, "key": list(leg.key),
                             "base_units": {"start": leg.start, "end": leg.end, "fee_income": leg.fee},
                             "decimals": leg.decimals} for i, leg in enumerate(legs)],
              "details": details,
              "aave_liquidation_threshold_bps": thresholds, "flow_transfers": flow_logs}
    return portfolio, extras
