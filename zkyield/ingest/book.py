"""The portfolio file from the chain: every reader's legs, the period's external flows, owner, period and salt.

Deposits and withdrawals are transfers of the sources' erc20 tokens between the accounts and an outside address
that holds no code at the end block (an externally owned account, or the zero address for a mint or burn), or one
listed in ``flow_counterparties``. Transfers to and from contracts (pools, vaults, aTokens) move value between
positions of the same book and are not flows.
"""

from __future__ import annotations

import secrets

from eth_abi import decode
from eth_utils import to_checksum_address

from zkyield.circuits import encoding as enc
from zkyield.errors import InputError
from zkyield.field import R
from zkyield.ingest.aave import read_aave
from zkyield.ingest.erc import read_erc20, read_erc4626
from zkyield.ingest.legs import Leg, log_record, transfer_blocks
from zkyield.ingest.pins import Pins, iso, units_text
from zkyield.ingest.sources import Sources
from zkyield.ingest.uniswap import read_uniswap


def _flows(pins: Pins, sources: Sources, accounts: list[str]) -> tuple[list[dict], list[dict], list[dict]]:
    logs = transfer_blocks(pins, [t.address for t in sources.erc20], accounts)
    mine = set(accounts)
    moves = []
    for x in logs:
        src, dst = (to_checksum_address("0x" + t[-40:]) for t in x["topics"][1:3])
        if src in mine and dst in mine:
            continue
        (amount,) = decode(["uint256"], bytes.fromhex(x["data"][2:]))
        moves.append((x, src, dst, amount))
    others = sorted({d if s in mine else s for _, s, d, _ in moves})
    outside = {a for a, size in zip(others, pins.rpc.code_sizes(others, pins.end.number) if others else [],
                                    strict=True) if size == 0 or a in sources.flow_counterparties}
    totals: dict[str, list[int]] = {}
    kept = []
    for x, src, dst, amount in moves:
        if (dst if src in mine else src) not in outside:
            continue
        symbol = sources.symbol_of(x["address"])
        row = totals.setdefault(symbol, [0, 0])
        row[0 if dst in mine else 1] += amount
        kept.append(log_record(x))
    found = pins.decimals([t.address for t in sources.erc20])
    decimals = {t.symbol: found[t.address] for t in sources.erc20}
    deposits = [{"asset": s, "amount": units_text(v[0], decimals[s])} for s, v in totals.items() if v[0]]
    withdrawals = [{"asset": s, "amount": units_text(v[1], decimals[s])} for s, v in totals.items() if v[1]]
    return deposits, withdrawals, kept


def _merge(legs: list[Leg]) -> list[Leg]:
    merged: dict[tuple, Leg] = {}
    for leg in legs:
        if leg.key in merged:
            m = merged[leg.key]
            if m.decimals != leg.decimals:
                raise InputError(f"asset {leg.asset}: two sources give it different decimals; give each token its own "
                                 "symbol")
            m.start, m.end, m.fee = m.start + leg.start, m.end + leg.end, m.fee + leg.fee
        else:
            merged[leg.key] = leg
    return [m for m in merged.values() if m.start or m.end or m.fee or m.range]


def _position(leg: Leg) -> dict:
    if leg.range is not None:
        return {"protocol": leg.protocol, "asset": leg.asset, "kind": leg.kind, **leg.range}
    out = {"protocol": leg.protocol, "asset": leg.asset, "kind": leg.kind,
           "start_amount": units_text(leg.start, leg.decimals), "end_amount": units_text(leg.end, leg.decimals)}
    if leg.fee:
        out["fee_income"] = units_text(leg.fee, leg.decimals)
    return out


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
    deposits, withdrawals, flow_logs = _flows(pins, sources, accounts) if sources.erc20 else ([], [], [])
    portfolio = {
        "description": f"ingested from chain {pins.chain_id}, blocks {pins.start.number}..{pins.end.number}",
        "owner": owner,
        "period": {"start": iso(pins.start.timestamp), "end": iso(pins.end.timestamp)},
        "salt": str(1 + secrets.randbelow(R - 1)),
        "positions": [_position(leg) for leg in legs],
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
