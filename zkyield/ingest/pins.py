"""The two pinned blocks of a period, and the small conversions every reader shares."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from zkyield.errors import InputError
from zkyield.ingest.rpc import Block, Call, Rpc


@dataclass
class Pins:
    """The node and the period's two blocks (their hashes are re-checked before anything is written)."""

    rpc: Rpc
    chain_id: int
    start: Block
    end: Block
    memo: dict = field(default_factory=dict)  # token facts read once per run (decimals, symbols)

    @property
    def blocks(self) -> tuple[Block, Block]:
        return (self.start, self.end)

    def call_both(self, calls: list[Call], allow_revert: bool = False) -> tuple[list, list]:
        """The same calls at the start and the end block (two batches)."""
        return (self.rpc.call(calls, self.start.number, allow_revert),
                self.rpc.call(calls, self.end.number, allow_revert))

    def decimals(self, tokens: list[str]) -> dict[str, int]:
        """``decimals()`` of each token at the end block, each read once per run (one batch)."""
        todo = [t for t in dict.fromkeys(tokens) if ("decimals", t) not in self.memo]
        if todo:
            rows = self.rpc.call([Call(t, "decimals()", returns=("uint8",)) for t in todo], self.end.number)
            self.memo.update({("decimals", t): r[0] for t, r in zip(todo, rows, strict=True)})
        return {t: self.memo[("decimals", t)] for t in tokens}

    def require_code(self, addresses: dict[str, str]) -> None:
        """``{address: what the file says it is}`` must all hold code at both blocks."""
        names = list(addresses)
        for block in self.blocks:
            for a, size in zip(names, self.rpc.code_sizes(names, block.number), strict=True):
                if size == 0:
                    raise InputError(f"contract {a} ({addresses[a]}): no code at block {block.number}; the address "
                                     "is wrong or the contract was not deployed yet; fix the sources/feeds file")

    def recheck(self) -> None:
        """Refuse a reorg during the read: both blocks must still have the hashes they had at the start."""
        for before, now in zip(self.blocks, self.rpc.blocks([b.number for b in self.blocks]), strict=True):
            if before.hash != now.hash:
                raise InputError(f"block {before.number}: its hash changed while reading (reorg: {before.hash} -> "
                                 f"{now.hash}); wait until the blocks are final and ingest again")


def pin(rpc: Rpc, from_block: int, to_block: int) -> Pins:
    if not 0 <= from_block < to_block:
        raise InputError("--from-block must be below --to-block (the period runs from the first to the second)")
    chain_id = rpc.chain_id()
    start, end = rpc.blocks([from_block, to_block])
    if end.timestamp <= start.timestamp:
        raise InputError(f"blocks {from_block} and {to_block} have the same timestamp; pick blocks further apart")
    return Pins(rpc, chain_id, start, end)


def units_text(units: int, decimals: int) -> str:
    """Base units as the exact decimal string the statement files hold (``1500000`` at 6 -> ``1.5``)."""
    if units < 0:
        raise ValueError("negative amount")
    whole, frac = divmod(units, 10**decimals)
    frac_text = str(frac).rjust(decimals, "0").rstrip("0") if decimals else ""
    return f"{whole}.{frac_text}" if frac_text else str(whole)


def iso(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
