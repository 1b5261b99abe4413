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

Actions on the fund's behalf (an ERC-4626 deposit or withdrawal, an Aave supply, withdrawal, borrow or repayment
whose payer and receiver differ) are read from the protocols' events; collateral seized as aTokens in a
liquidation is a loss, so the transactions of a ``LiquidationCall`` naming an account carry no flow.
docs/ingest.md lists the events and how the two cases without an indexed account are found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eth_abi import decode
from eth_utils import keccak, to_checksum_address

from zkyield.errors import InputError
from zkyield.ingest.aave import reserves
from zkyield.ingest.legs import log_record, symbol, topic, transfer_blocks
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
        """A transferred amount in base units of the asset (vault shares at the block's share price)."""
        if self.kind != "erc4626":
            return amount
        ((assets,),) = pins.rpc.call([Call(self.token, "convertToAssets(uint256)", (amount,))], block)
        return assets


@dataclass(frozen=True)
class Move:
    """Value moving from ``src`` to ``dst`` in one log: ``amount`` in the asset's base units, or in vault
    shares when ``shares`` (valued at the log's block)."""

    log: dict
    kind: str
    carrier: Carrier
    src: str
    dst: str
    amount: int
    shares: bool = False


@dataclass(frozen=True)
class Book:
    """The carriers by token address, and the Aave pool with its reserves' aToken carriers by asset."""

    carriers: dict[str, Carrier]
    pool: str | None
    by_reserve: dict[str, Carrier]


def book_tokens(pins: Pins, sources: Sources) -> Book:
    """Every token of the sources whose transfers can carry value into or out of the book."""
    found = pins.decimals([t.address for t in sources.erc20])
    out = [Carrier(t.address, "erc20", lambda s=t.symbol: s, found[t.address]) for t in sources.erc20]
    pool, by_reserve = None, {}
    if sources.aave_provider is not None:
        pool, rs = reserves(pins, sources.aave_provider)
        for r in rs:
            by_reserve[r["asset"]] = Carrier(
                r["atoken"], "atoken", lambda a=r["asset"]: symbol(pins, sources.symbols, a, "an Aave reserve"),
                r["decimals"])
        out += by_reserve.values()
    for v in sources.erc4626:
        ((asset,),) = pins.rpc.call([Call(v.address, "asset()", returns=("address",))], pins.end.number)
        out.append(Carrier(v.address, "erc4626", lambda s=v.symbol: s, pins.decimals([asset])[asset]))
    return Book({c.token: c for c in out}, pool, by_reserve)


def _party(t: str) -> str:
    return to_checksum_address("0x" + t[-40:])


def _transfers(pins: Pins, book: Book, accounts: list[str]) -> list[Move]:
    """Token transfers touching the accounts; for aTokens and shares, mints and burns are the protocol's own."""
    moves = []
    for x in transfer_blocks(pins, list(book.carriers), accounts):
        carrier = book.carriers[to_checksum_address(x["address"])]
        src, dst = (_party(t) for t in x["topics"][1:3])
        if carrier.kind != "erc20" and ZERO in (src, dst):
            continue
        (amount,) = decode(["uint256"], bytes.fromhex(x["data"][2:]))
        moves.append(Move(x, carrier.kind, carrier, src, dst, amount, shares=carrier.kind == "erc4626"))
    return moves


# event -> (contract, topic positions that can name an account, its data types, (src, dst, amount) from the
# parties: topics t1..t3 then the data fields)
_EVENTS = {
    "Deposit(address,address,uint256,uint256)": ("vault", (1, 2), ("uint256", "uint256"), ("t1", "t2", "d0")),
    "Withdraw(address,address,address,uint256,uint256)": ("vault", (2, 3), ("uint256", "uint256"),
                                                          ("t3", "t2", "d0")),
    "Supply(address,address,address,uint256,uint16)": ("pool", (2,), ("address", "uint256"), ("d0", "t2", "d1")),
    "Withdraw(address,address,address,uint256)": ("pool", (2, 3), ("uint256",), ("t2", "t3", "d0")),
    "Borrow(address,address,address,uint256,uint8,uint256,uint16)": (
        "pool", (2,), ("address", "uint256", "uint8", "uint256"), ("t2", "d0", "d1")),
    "Repay(address,address,address,uint256,bool)": ("pool", (2, 3), ("uint256", "bool"), ("t3", "t2", "d0")),
}


def _decoded(x: dict, types: tuple[str, ...]) -> dict[str, object]:
    """A log's parties and fields: ``t1``..``t3`` (indexed addresses) and ``d0``.. (the data, addresses
    checksummed)."""
    fields: dict[str, object] = {f"t{i}": _party(t) for i, t in enumerate(x["topics"]) if i}
    fields.update({f"d{i}": v if not isinstance(v, str) else to_checksum_address(v)
                   for i, v in enumerate(decode(list(types), bytes.fromhex(x["data"][2:])))})
    return fields


def _move(book: Book, signature: str, x: dict) -> Move:
    where, _, types, (src, dst, amount) = _EVENTS[signature]
    fields = _decoded(x, types)
    carrier = book.carriers[to_checksum_address(x["address"])] if where == "vault" else book.by_reserve[fields["t1"]]
    kind = f"{'erc4626' if where == 'vault' else 'aave'}-{signature.split('(')[0].lower()}"
    return Move(x, kind, carrier, fields[src], fields[dst], fields[amount])  # type: ignore[arg-type]


def _paid_or_received_by_the_fund(pins: Pins, book: Book, transfers: list[Move], mine: set[str]) -> list[Move]:
    """Aave supplies the fund pays for another ``onBehalfOf`` and borrows it receives on another's credit:
    their ``user`` is not indexed, so they are found in the blocks where the fund's underlying moved to or from
    an aToken (one ``eth_getLogs`` per such block)."""
    atokens = {c.token for c in book.by_reserve.values()}
    txs = {m.log["transactionHash"] for m in transfers
           if m.kind == "erc20" and (m.src in atokens or m.dst in atokens) and (m.src in mine or m.dst in mine)}
    if book.pool is None or not txs:
        return []
    signatures = [sig for sig in _EVENTS if sig.startswith(("Supply(", "Borrow("))]
    topics = {"0x" + keccak(text=sig).hex(): sig for sig in signatures}
    blocks = sorted({int(m.log["blockNumber"], 16) for m in transfers if m.log["transactionHash"] in txs})
    found = pins.rpc.request([("eth_getLogs", [{"fromBlock": hex(b), "toBlock": hex(b), "address": [book.pool],
                                                "topics": [list(topics)]}]) for b in blocks])
    moves = []
    for x in (x for logs in found for x in logs if x["transactionHash"] in txs):
        signature = topics[x["topics"][0]]
        fields = _decoded(x, _EVENTS[signature][2])
        if fields["d0"] in mine and fields["t2"] not in mine:  # the fund's user, another onBehalfOf
            moves.append(_move(book, signature, x))
    return moves


def _on_behalf(pins: Pins, book: Book, vaults: list[str], accounts: list[str]) -> list[Move]:
    """Protocol actions that move value between an account's position and another address without a
    transfer of the position's token to or from the account: an ERC-4626 deposit or withdrawal, an Aave
    supply, withdrawal, borrow or repayment, where payer and receiver differ."""
    span = {"fromBlock": hex(pins.start.number + 1), "toBlock": hex(pins.end.number)}
    who = [topic(a) for a in accounts]
    queries, meta = [], []
    for signature, (where, positions, _, _) in _EVENTS.items():
        addresses = vaults if where == "vault" else [book.pool] if book.pool else []
        if not addresses:
            continue
        sig = "0x" + keccak(text=signature).hex()
        for p in positions:
            queries.append(("eth_getLogs", [{**span, "address": addresses,
                                             "topics": [sig, *([None] * (p - 1)), who]}]))
            meta.append(signature)
    found: dict[tuple, tuple[str, dict]] = {}
    for signature, logs in zip(meta, pins.rpc.request(queries) if queries else [], strict=True):
        for x in logs:
            found[(int(x["blockNumber"], 16), int(x["logIndex"], 16))] = (signature, x)
    return [_move(book, *found[key]) for key in sorted(found)]


LIQUIDATION = "LiquidationCall(address,address,address,uint256,uint256,address,bool)"


def _liquidations(pins: Pins, book: Book, accounts: list[str]) -> set[str]:
    """Transactions liquidating an account: collateral sent to the liquidator as aTokens is a loss, not a
    withdrawal."""
    if book.pool is None:
        return set()
    sig = "0x" + keccak(text=LIQUIDATION).hex()
    span = {"fromBlock": hex(pins.start.number + 1), "toBlock": hex(pins.end.number), "address": [book.pool]}
    (logs,) = pins.rpc.request([("eth_getLogs", [{**span, "topics": [sig, None, None, [topic(a) for a in accounts]]}])])
    return {x["transactionHash"] for x in logs}


def _outside(pins: Pins, sources: Sources, addresses: set[str]) -> set[str]:
    others = sorted(addresses)
    sizes = pins.rpc.code_sizes(others, pins.end.number) if others else []
    return {a for a, size in zip(others, sizes, strict=True) if size == 0 or a in sources.flow_counterparties}


def read_flows(pins: Pins, sources: Sources, accounts: list[str]) -> tuple[list[dict], list[dict], list[dict]]:
    """``(deposits, withdrawals, flow records)``: per asset, the base-unit sums as the portfolio's decimal
    strings, and each move counted (with its kind, direction and value) for the provenance."""
    book = book_tokens(pins, sources)
    mine = set(accounts)
    liquidated = _liquidations(pins, book, accounts)
    transfers = [t for t in _transfers(pins, book, accounts) if t.log["transactionHash"] not in liquidated]
    moves = [m for m in (*transfers, *_on_behalf(pins, book, [v.address for v in sources.erc4626], accounts),
                         *_paid_or_received_by_the_fund(pins, book, transfers, mine))
             if (m.src in mine) != (m.dst in mine)]
    outside = _outside(pins, sources, {m.dst if m.src in mine else m.src for m in moves})
    totals: dict[str, list[int]] = {}
    decimals: dict[str, int] = {}
    kept = []
    for m in moves:
        if (m.dst if m.src in mine else m.src) not in outside:
            continue
        asset = m.carrier.symbol()
        if decimals.setdefault(asset, m.carrier.decimals) != m.carrier.decimals:
            raise InputError(f"asset {asset}: two sources give it different decimals; give each token its own symbol")
        block = int(m.log["blockNumber"], 16)
        value = m.carrier.value(pins, m.amount, block) if m.shares else m.amount
        totals.setdefault(asset, [0, 0])[0 if m.dst in mine else 1] += value
        kept.append({**log_record(m.log), "kind": m.kind, "asset": asset,
                     "direction": "deposit" if m.dst in mine else "withdrawal", "value": value})
    deposits = [{"asset": s, "amount": units_text(v[0], decimals[s])} for s, v in totals.items() if v[0]]
    withdrawals = [{"asset": s, "amount": units_text(v[1], decimals[s])} for s, v in totals.items() if v[1]]
    return deposits, withdrawals, kept
