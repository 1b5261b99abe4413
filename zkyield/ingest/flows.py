"""The period's deposits and withdrawals: transfers that cross the book's edge, valued in the asset they carry.

Three kinds of token carry an asset into or out of the fund's accounts: the sources' ERC-20 tokens (the asset
itself), Aave v3 aTokens (one aToken unit is one unit of the reserve's asset: ``Transfer`` carries the
underlying amount) and ERC-4626 shares (valued with the vault's ``convertToAssets`` at the transfer's block, as
the vault's income segments are). A transfer is a flow when its other party is outside the book: an address
that holds no code at the end block (an externally owned account) or one listed in ``flow_counterparties``.
Transfers between the fund's accounts, and to or from other contracts (pools, routers, vaults, the aToken
itself), move value between positions of the same book and are not flows. For an ERC-20 the zero address
(a mint or burn) is outside; for aTokens and vault shares it is the protocol's own supply, withdrawal or
interest mint (its counterpart is the underlying's transfer to or from the pool or vault), so it is not a flow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eth_abi import decode
from eth_utils import to_checksum_address

from zkyield.errors import InputError
from zkyield.ingest.aave import reserves
from zkyield.ingest.legs import log_record, symbol, transfer_blocks
from zkyield.ingest.pins import Pins, units_text
from zkyield.ingest.rpc import Call
from zkyield.ingest.sources import Sources

ZERO = "0x" + "00" * 20


@dataclass(frozen=True)
class Carrier:
    """A token whose transfers move an asset: its kind, the asset's symbol (resolved when a flow needs it)
    and decimals."""

    token: str
    kind: str  # "erc20", "atoken" or "erc4626"
    symbol: Callable[[], str]
    decimals: int

    def value(self, pins: Pins, amount: int, block: int) -> int:
        """The transferred amount in base units of the asset."""
        if self.kind != "erc4626":
            return amount
        ((assets,),) = pins.rpc.call([Call(self.token, "convertToAssets(uint256)", (amount,))], block)
        return assets


def carriers(pins: Pins, sources: Sources) -> list[Carrier]:
    """Every token of the sources whose transfers can carry value into or out of the book."""
    found = pins.decimals([t.address for t in sources.erc20])
    out = [Carrier(t.address, "erc20", lambda s=t.symbol: s, found[t.address]) for t in sources.erc20]
    if sources.aave_provider is not None:
        _, rs = reserves(pins, sources.aave_provider)
        out += [Carrier(r["atoken"], "atoken", lambda a=r["asset"]: symbol(pins, sources.symbols, a, "an Aave reserve"),
                        r["decimals"]) for r in rs]
    for v in sources.erc4626:
        ((asset,),) = pins.rpc.call([Call(v.address, "asset()", returns=("address",))], pins.end.number)
        out.append(Carrier(v.address, "erc4626", lambda s=v.symbol: s, pins.decimals([asset])[asset]))
    return out


def _outside(pins: Pins, sources: Sources, addresses: set[str]) -> set[str]:
    others = sorted(addresses)
    sizes = pins.rpc.code_sizes(others, pins.end.number) if others else []
    return {a for a, size in zip(others, sizes, strict=True) if size == 0 or a in sources.flow_counterparties}


def read_flows(pins: Pins, sources: Sources, accounts: list[str]) -> tuple[list[dict], list[dict], list[dict]]:
    """``(deposits, withdrawals, flow transfers)``: per asset, the base-unit sums as the portfolio's decimal
    strings, and each transfer counted (with its kind and value) for the provenance."""
    by_token = {c.token: c for c in carriers(pins, sources)}
    mine = set(accounts)
    moves = []
    for x in transfer_blocks(pins, list(by_token), accounts):
        carrier = by_token[to_checksum_address(x["address"])]
        src, dst = (to_checksum_address("0x" + t[-40:]) for t in x["topics"][1:3])
        if (src in mine and dst in mine) or (carrier.kind != "erc20" and ZERO in (src, dst)):
            continue
        (amount,) = decode(["uint256"], bytes.fromhex(x["data"][2:]))
        moves.append((x, carrier, src, dst, amount))
    outside = _outside(pins, sources, {d if s in mine else s for _, _, s, d, _ in moves})
    totals: dict[str, list[int]] = {}
    decimals: dict[str, int] = {}
    kept = []
    for x, carrier, src, dst, amount in moves:
        if (dst if src in mine else src) not in outside:
            continue
        asset = carrier.symbol()
        if decimals.setdefault(asset, carrier.decimals) != carrier.decimals:
            raise InputError(f"asset {asset}: two sources give it different decimals; give each token its own symbol")
        value = carrier.value(pins, amount, int(x["blockNumber"], 16))
        totals.setdefault(asset, [0, 0])[0 if dst in mine else 1] += value
        kept.append({**log_record(x), "kind": carrier.kind, "asset": asset,
                     "direction": "deposit" if dst in mine else "withdrawal", "value": value})
    deposits = [{"asset": s, "amount": units_text(v[0], decimals[s])} for s, v in totals.items() if v[0]]
    withdrawals = [{"asset": s, "amount": units_text(v[1], decimals[s])} for s, v in totals.items() if v[1]]
    return deposits, withdrawals, kept
