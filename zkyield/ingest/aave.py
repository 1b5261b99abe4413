"""Aave v3: aToken supplies and variable debts per reserve, liquidation thresholds, interest from index growth,
and the principal changes (supplies, withdrawals, borrows, repayments) inside the period.

Interest is the growth of ``getReserveNormalizedIncome`` (supplies) and ``getReserveNormalizedVariableDebt``
(debts): a scaled balance is constant between the account's own mint/burn/transfer events of that token, so the
interest = sum over those segments of scaled x index(segment end) - scaled x index(segment start) (ray
multiplication, Aave's half-up rounding), every factor read at its block. At the end block the positions are
cross-checked with ``getUserAccountData`` (collateral and debt in the oracle's base currency, exact; the health
factor within one part in a million).
"""

from __future__ import annotations

from eth_utils import to_checksum_address

from zkyield.errors import InputError
from zkyield.ingest.legs import Leg, log_record, symbol, transfer_blocks
from zkyield.ingest.pins import Pins
from zkyield.ingest.rpc import Call
from zkyield.ingest.sources import Sources

RAY, WAD = 10**27, 10**18
RESERVE = ("(uint256)", "uint128", "uint128", "uint128", "uint128", "uint128", "uint40", "uint16", "address", "address",
           "address", "address", "uint128", "uint128", "uint128")
ACCOUNT_DATA = ("uint256",) * 6


def ray_mul(a: int, b: int) -> int:
    return (a * b + RAY // 2) // RAY


def lt_bps(configuration: int) -> int:
    """Liquidation threshold: bits 16-31 of the reserve configuration."""
    return (configuration >> 16) & 0xFFFF


def reserves(pins: Pins, provider: str) -> tuple[str, list[dict]]:
    """The pool behind ``provider`` and its reserves at the end block."""
    pins.require_code({provider: "the aave_v3 pool addresses provider"})
    ((pool,),) = pins.rpc.call([Call(provider, "getPool()", returns=("address",))], pins.end.number)
    pins.require_code({pool: "the Aave pool the provider names"})
    ((assets,),) = pins.rpc.call([Call(pool, "getReservesList()", returns=("address[]",))], pins.end.number)
    rows = pins.rpc.call([Call(pool, "getReserveData(address)", (a,), (f"({','.join(RESERVE)})",)) for a in assets],
                         pins.end.number)
    out = []
    for asset, (r,) in zip(assets, rows, strict=True):
        out.append({"asset": to_checksum_address(asset), "configuration": r[0][0], "id": r[7],
                    "atoken": to_checksum_address(r[8]), "stable_debt": to_checksum_address(r[9]),
                    "variable_debt": to_checksum_address(r[10]), "decimals": (r[0][0] >> 48) & 0xFF,
                    "liquidation_threshold_bps": lt_bps(r[0][0])})
    return to_checksum_address(pool), out


def _interest(pins: Pins, token: str, index_fn: str, pool: str, asset: str, accounts: list[str], logs: list) -> dict:
    points = sorted({pins.start.number, pins.end.number,
                     *(int(x["blockNumber"], 16) for x in logs if to_checksum_address(x["address"]) == token)})
    scaled, index, balance = {}, {}, {}
    for p in points:
        rows = pins.rpc.call([Call(pool, f"{index_fn}(address)", (asset,))]
                             + [Call(token, "scaledBalanceOf(address)", (a,)) for a in accounts]
                             + [Call(token, "balanceOf(address)", (a,)) for a in accounts], p)
        index[p] = rows[0][0]
        scaled[p] = [r[0] for r in rows[1:1 + len(accounts)]]
        balance[p] = [r[0] for r in rows[1 + len(accounts):]]
    interest = sum(ray_mul(s, index[n]) - ray_mul(s, index[h])
                   for h, n in zip(points, points[1:], strict=False) for s in scaled[h])
    # what moved the balance at a point besides interest: the new scaled balance minus the old, both at the
    # point's index (so end - start = interest + the sum of the changes, exactly)
    changes = [(n, sum(ray_mul(new, index[n]) - ray_mul(old, index[n]) for old, new in zip(scaled[h], scaled[n],
                                                                                             strict=True)))
               for h, n in zip(points, points[1:], strict=False)]
    return {"points": points, "index": [index[p] for p in points], "scaled": [scaled[p] for p in points],
            "start": balance[pins.start.number], "end": balance[pins.end.number], "interest": interest,
            "changes": [(block, delta) for block, delta in changes if delta]}


def _cross_check(pins: Pins, pool: str, oracle: str, rs: list[dict], per_account: dict, accounts: list[str]) -> list:
    prices = pins.rpc.call([Call(oracle, "getAssetPrice(address)", (r["asset"],)) for r in rs], pins.end.number)
    configs = pins.rpc.call([Call(pool, "getUserConfiguration(address)", (a,), ("(uint256)",)) for a in accounts],
                            pins.end.number)
    datas = pins.rpc.call([Call(pool, "getUserAccountData(address)", (a,), ACCOUNT_DATA) for a in accounts],
                          pins.end.number)
    checks = []
    for k, a in enumerate(accounts):
        bitmap = configs[k][0][0]
        coll = debt = weighted = 0
        for r, (price,) in zip(rs, prices, strict=True):
            unit = 10 ** r["decimals"]
            supplied, owed = per_account[r["asset"]]["supply"][k], per_account[r["asset"]]["debt"][k]
            if bitmap >> (2 * r["id"] + 1) & 1 and supplied and r["liquidation_threshold_bps"]:
                value = supplied * price // unit
                coll += value
                weighted += value * r["liquidation_threshold_bps"]
            debt += owed * price // unit
        data = datas[k]
        lt = weighted // coll if coll else 0
        hf = ((coll * lt + 5000) // 10000 * WAD + debt // 2) // debt if debt else 2**256 - 1
        if (coll, debt, lt) != (data[0], data[1], data[3]) or abs(hf - data[5]) * 10**6 > data[5]:
            raise InputError(f"aave_v3: the positions read for {a} do not reproduce the pool's getUserAccountData at "
                             f"block {pins.end.number} (e-mode, isolation or stable debt are not supported); check the "
                             "pool_addresses_provider")
        checks.append({"account": a, "collateral_base": coll, "debt_base": debt, "liquidation_threshold_bps": lt,
                       "health_factor_wad": data[5]})
    return checks


def _timed(pins: Pins, changes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``(block, delta)`` as ``(block timestamp, delta)``: the portfolio's principal changes."""
    blocks = pins.rpc.blocks([block for block, _ in changes]) if changes else []
    return [(b.timestamp, delta) for b, (_, delta) in zip(blocks, changes, strict=True)]


def read_aave(pins: Pins, sources: Sources, accounts: list[str]) -> tuple[list[Leg], dict[str, int]]:
    """Legs (supplies as ``lending``, variable debts as ``borrow``) and {symbol: liquidation threshold bps}."""
    if sources.aave_provider is None:
        return [], {}
    pool, rs = reserves(pins, sources.aave_provider)
    ((oracle,),) = pins.rpc.call([Call(sources.aave_provider, "getPriceOracle()", returns=("address",))],
                                 pins.end.number)
    tokens = [t for r in rs for t in (r["atoken"], r["variable_debt"])]
    logs = transfer_blocks(pins, tokens, accounts)
    stable = pins.rpc.call([Call(r["stable_debt"], "balanceOf(address)", (a,)) for r in rs for a in accounts],
                           pins.end.number)
    if any(s[0] for s in stable):
        raise InputError("aave_v3: an account holds stable-rate debt, which ingest does not read; repay or swap it to "
                         "variable first")
    legs, per_account, thresholds = [], {}, {}
    for r in rs:
        supply = _interest(pins, r["atoken"], "getReserveNormalizedIncome", pool, r["asset"], accounts, logs)
        debt = _interest(pins, r["variable_debt"], "getReserveNormalizedVariableDebt", pool, r["asset"], accounts, logs)
        per_account[r["asset"]] = {"supply": supply["end"], "debt": debt["end"]}
        if not any(supply["start"] + supply["end"] + debt["start"] + debt["end"]):
            continue
        sym = symbol(pins, sources.symbols, r["asset"], "an Aave reserve")
        thresholds[sym] = r["liquidation_threshold_bps"]
        detail = {"reserve": r, "supply": supply, "variable_debt": debt}
        if any(supply["start"] + supply["end"]):
            legs.append(Leg("aave-v3", sym, "lending", r["decimals"], sum(supply["start"]), sum(supply["end"]),
                            max(supply["interest"], 0), detail=detail, changes=_timed(pins, supply["changes"])))
        if any(debt["start"] + debt["end"]):
            legs.append(Leg("aave-v3", sym, "borrow", r["decimals"], sum(debt["start"]), sum(debt["end"]),
                            detail={} if legs and legs[-1].detail is detail else detail,
                            changes=_timed(pins, debt["changes"])))
    if legs:
        legs[0].detail = {**legs[0].detail, "pool": pool, "oracle": oracle,
                          "account_data": _cross_check(pins, pool, oracle, rs, per_account, accounts),
                          "transfers": [log_record(x) for x in logs]}
    return legs, thresholds
