"""Plain ERC-20 balances and ERC-4626 vault positions (shares -> assets with ``convertToAssets``).

Vault income is share-price growth: each account's share balance is constant between its own share transfers
(deposits, withdrawals), so its income = sum over those segments of convertToAssets(shares) at the segment's
end minus at its start, each read at its block (per account: each account's own view of its position).
The donated-share-price guard compares the share price at each pinned block with the block before it and
refuses a jump beyond ``max_share_price_jump_bps``.
"""

from __future__ import annotations

from collections.abc import Callable

from zkyield.circuits import encoding as enc
from zkyield.errors import InputError
from zkyield.ingest.legs import Leg, log_record, topic, transfer_blocks
from zkyield.ingest.pins import Pins
from zkyield.ingest.rpc import Call
from zkyield.ingest.sources import Sources, Vault


def read_erc20(pins: Pins, sources: Sources, accounts: list[str]) -> list[Leg]:
    tokens = list(sources.erc20)
    if not tokens:
        return []
    pins.require_code({t.address: f"the erc20 token {t.symbol}" for t in tokens})
    decimals = pins.decimals([t.address for t in tokens])
    calls = [Call(t.address, "balanceOf(address)", (a,)) for t in tokens for a in accounts]
    at_start, at_end = pins.call_both(calls)
    legs, k = [], len(accounts)
    for i, t in enumerate(tokens):
        rows = slice(i * k, (i + 1) * k)
        legs.append(Leg(t.protocol, t.symbol, "spot", decimals[t.address],
                        sum(r[0] for r in at_start[rows]), sum(r[0] for r in at_end[rows])))
    return legs


def _share_price_guard(pins: Pins, vault: Vault, unit: int) -> None:
    for block in pins.blocks:
        if block.number == 0:
            continue
        (before,), (now,) = (pins.rpc.call([Call(vault.address, "convertToAssets(uint256)", (unit,))], b)[0]
                             for b in (block.number - 1, block.number))
        if before and abs(now - before) * enc.BPS > vault.max_jump_bps * before:
            raise InputError(f"vault {vault.address}: share price moved {abs(now - before) * enc.BPS // before} bps "
                             f"in block {block.number} (max_share_price_jump_bps={vault.max_jump_bps}): a donation "
                             "or a manipulated price; pick another block or raise the bound")


def _vault(pins: Pins, vault: Vault, accounts: list[str], sources_symbol: Callable[[str], str | None]) -> Leg:
    pins.require_code({vault.address: f"the erc4626 vault for {vault.symbol}"})
    asset, vault_decimals = pins.rpc.call([Call(vault.address, "asset()", returns=("address",)),
                                           Call(vault.address, "decimals()", returns=("uint8",))], pins.end.number)
    listed = sources_symbol(asset[0])
    if listed is not None and listed != vault.symbol:
        raise InputError(f"vault {vault.address}: its asset() is the erc20 token listed as {listed}, not "
                         f"{vault.symbol}; fix the vault's symbol in the sources file")
    decimals = pins.decimals([asset[0]])[asset[0]]
    _share_price_guard(pins, vault, 10 ** vault_decimals[0])
    logs = transfer_blocks(pins, [vault.address], accounts)
    start = end = income = 0
    segments = []
    for a in accounts:
        mine = [x for x in logs if topic(a) in x["topics"][1:3]]
        points = sorted({pins.start.number, pins.end.number, *(int(x["blockNumber"], 16) for x in mine)})
        shares = {p: _call(pins, vault.address, "balanceOf(address)", a, p) for p in points}
        start += _call(pins, vault.address, "convertToAssets(uint256)", shares[pins.start.number], pins.start.number)
        end += _call(pins, vault.address, "convertToAssets(uint256)", shares[pins.end.number], pins.end.number)
        for here, nxt in zip(points, points[1:], strict=False):
            grown = (_call(pins, vault.address, "convertToAssets(uint256)", shares[here], nxt)
                     - _call(pins, vault.address, "convertToAssets(uint256)", shares[here], here))
            income += grown
            segments.append({"account": a, "from_block": here, "to_block": nxt, "shares": shares[here],
                             "income": grown})
    return Leg(vault.protocol, vault.symbol, vault.kind, decimals, start, end, max(income, 0),
               detail={"vault": vault.address, "underlying": asset[0], "income": income, "segments": segments,
                       "share_transfers": [log_record(x) for x in logs]})


def _call(pins: Pins, to: str, signature: str, arg: object, block: int) -> int:
    ((value,),) = pins.rpc.call([Call(to, signature, (arg,))], block)
    return value


def read_erc4626(pins: Pins, sources: Sources, accounts: list[str]) -> list[Leg]:
    return [_vault(pins, v, accounts, sources.symbol_of) for v in sources.erc4626]
