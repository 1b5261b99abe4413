"""What the readers return: positions in base units, before they become the portfolio file's decimal strings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from eth_utils import keccak, to_checksum_address

from zkyield.errors import InputError
from zkyield.ingest.pins import Pins
from zkyield.ingest.rpc import Call
from zkyield.ingest.sources import SYMBOL

TRANSFER = "0x" + keccak(text="Transfer(address,address,uint256)").hex()


@dataclass
class Leg:
    """One position of the book; legs with the same ``key`` (across accounts) are summed into one position."""

    protocol: str
    asset: str
    kind: str
    decimals: int
    start: int = 0
    end: int = 0
    fee: int = 0
    key: tuple = ()
    detail: dict = field(default_factory=dict)  # what the model cannot hold goes to the provenance file
    range: dict | None = None  # a Uniswap v3 range position's ``pool`` and ``range`` (uniswap_ranges)
    # an Aave position's principal changes inside the period: (block timestamp, signed base units)
    changes: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = self.key or (self.protocol, self.asset, self.kind)


def topic(address: str) -> str:
    return "0x" + "00" * 12 + to_checksum_address(address)[2:].lower()


def transfer_blocks(pins: Pins, tokens: list[str], accounts: list[str]) -> list[dict]:
    """Transfer logs of ``tokens`` from or to any of ``accounts`` strictly after the start block, up to the end."""
    if not tokens or not accounts:
        return []
    span = {"fromBlock": hex(pins.start.number + 1), "toBlock": hex(pins.end.number), "address": tokens}
    who = [topic(a) for a in accounts]
    sent, received = pins.rpc.request([("eth_getLogs", [{**span, "topics": [TRANSFER, who]}]),
                                       ("eth_getLogs", [{**span, "topics": [TRANSFER, None, who]}])])
    logs = {(x["blockNumber"], x["logIndex"]): x for x in [*sent, *received]}
    return [logs[k] for k in sorted(logs, key=lambda k: (int(k[0], 16), int(k[1], 16)))]


def log_record(x: dict) -> dict:
    """A log as the provenance keeps it (enough to find it again and check it)."""
    return {"block": int(x["blockNumber"], 16), "tx": x["transactionHash"], "log_index": int(x["logIndex"], 16),
            "address": to_checksum_address(x["address"]), "topics": x["topics"], "data": x["data"]}


def symbol(pins: Pins, sources_symbols: dict[str, str], token: str, where: str) -> str:
    """The market symbol of ``token``: from the sources file's erc20 list, else the token's own symbol()."""
    token = to_checksum_address(token)
    if token in sources_symbols:
        return sources_symbols[token]
    if ("symbol", token) not in pins.memo:
        (value,) = pins.rpc.call([Call(token, "symbol()", returns=("string",))], pins.end.number, allow_revert=True)
        if value is None or not re.fullmatch(SYMBOL, value[0]):
            raise InputError(f"token {token} ({where}) has no usable symbol(); list it under erc20 in the sources "
                             "file with the market symbol to use")
        pins.memo[("symbol", token)] = value[0]
    return pins.memo[("symbol", token)]
