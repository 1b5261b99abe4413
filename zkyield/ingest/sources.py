"""SOURCES.json (what to read for the book) and FEEDS.json (which Chainlink feed prices each asset): strict loaders.

Unknown fields, wrong types and malformed addresses are errors naming the field, like every statement file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from eth_utils import to_checksum_address

from zkyield.circuits import encoding as enc
from zkyield.circuits.jsonread import Obj, array, integer, load_json, root, text
from zkyield.errors import InputError

SYMBOL = r"[A-Za-z0-9][A-Za-z0-9._-]{0,30}"
SYMBOL_HINT = "an asset symbol of 1..31 characters [A-Za-z0-9._-]"
PROTOCOL = r"[a-z0-9][a-z0-9._-]{0,30}"
# ERC-4626 share-price guard: the share price at each pinned block may move at most this much against the block
# before it (a donation moves it within one block; honest accrual does not).
DEFAULT_MAX_SHARE_PRICE_JUMP_BPS = 100
MAX_STALENESS_S = 30 * 86_400


def address(value: object, where: str) -> str:
    enc.address_int(value, where)
    return to_checksum_address(value)


@dataclass(frozen=True)
class Token:
    address: str
    symbol: str
    protocol: str = "wallet"


@dataclass(frozen=True)
class Vault:
    address: str
    symbol: str  # the market symbol of the vault's underlying asset (amounts are in the underlying)
    kind: str = "lending"
    protocol: str = "erc4626"
    max_jump_bps: int = DEFAULT_MAX_SHARE_PRICE_JUMP_BPS


@dataclass(frozen=True)
class Sources:
    erc20: tuple[Token, ...] = ()
    erc4626: tuple[Vault, ...] = ()
    uniswap_factory: str | None = None
    uniswap_position_manager: str | None = None
    aave_provider: str | None = None
    flow_counterparties: tuple[str, ...] = ()
    symbols: dict[str, str] = field(default_factory=dict)  # token address -> market symbol
    uniswap_range_pools: tuple[str, ...] = ()  # v3 pools whose LP NFTs become range positions (uniswap_ranges)

    def symbol_of(self, token: str) -> str | None:
        return self.symbols.get(to_checksum_address(token))


def _protocol(obj: Obj, default: str) -> str:
    return text(obj.get("protocol", default), obj.path("protocol"), PROTOCOL, "a protocol name like aave-v3")


def load_sources(source: str | Path | dict) -> Sources:
    data, name = load_json(source, "sources.json")
    obj = root(data, name)
    tokens, vaults = [], []
    for i, item in enumerate(array(obj.get("erc20", []), obj.path("erc20"), enc.MAX_ASSETS)):
        t = Obj(item, f"{obj.path('erc20')}[{i}]")
        tokens.append(Token(address(t.need("address"), t.path("address")),
                            text(t.need("symbol"), t.path("symbol"), SYMBOL, SYMBOL_HINT), _protocol(t, "wallet")))
        t.done()
    for i, item in enumerate(array(obj.get("erc4626", []), obj.path("erc4626"), enc.MAX_POSITIONS)):
        v = Obj(item, f"{obj.path('erc4626')}[{i}]")
        kind = v.get("kind", "lending")
        if kind not in ("lending", "staking"):
            raise InputError(f"{v.path('kind')} must be lending or staking")
        vaults.append(Vault(address(v.need("address"), v.path("address")),
                            text(v.need("symbol"), v.path("symbol"), SYMBOL, SYMBOL_HINT), kind,
                            _protocol(v, "erc4626"),
                            integer(v.get("max_share_price_jump_bps", DEFAULT_MAX_SHARE_PRICE_JUMP_BPS),
                                    v.path("max_share_price_jump_bps"), 0, enc.BPS)))
        v.done()
    factory = manager = provider = None
    range_pools: tuple[str, ...] = ()
    if obj.data.get("uniswap_v3") is not None:
        u = Obj(obj.get("uniswap_v3"), obj.path("uniswap_v3"))
        factory = address(u.need("factory"), u.path("factory"))
        manager = address(u.need("position_manager"), u.path("position_manager"))
        where = u.path("range_pools")
        range_pools = tuple(address(x, f"{where}[{i}]") for i, x in enumerate(array(u.get("range_pools", []), where,
                                                                                    enc.MAX_ASSETS)))
        u.done()
    if obj.data.get("aave_v3") is not None:
        a = Obj(obj.get("aave_v3"), obj.path("aave_v3"))
        provider = address(a.need("pool_addresses_provider"), a.path("pool_addresses_provider"))
        a.done()
    where = obj.path("flow_counterparties")
    flows = tuple(address(x, f"{where}[{i}]") for i, x in enumerate(array(obj.get("flow_counterparties", []), where,
                                                                          256)))
    obj.done()
    symbols: dict[str, str] = {}
    for i, t in enumerate(tokens):
        if t.address in symbols or t.symbol in symbols.values():
            raise InputError(f"{obj.path('erc20')}[{i}] repeats an earlier token address or symbol")
        symbols[t.address] = t.symbol
    if not (tokens or vaults or factory or provider):
        raise InputError(f"{name}: names no source; list at least one of erc20, erc4626, uniswap_v3, aave_v3")
    return Sources(tuple(tokens), tuple(vaults), factory, manager, provider, flows, symbols, range_pools)


@dataclass(frozen=True)
class Feed:
    symbol: str
    aggregator: str
    max_staleness_s: int
    token: str | None = None
    decimals: int | None = None


def load_feeds(source: str | Path | dict) -> tuple[Feed, ...]:
    """``{"SYMBOL": {"aggregator", "max_staleness_s", "token" | "decimals"}}``; the file's order is the market's."""
    data, name = load_json(source, "feeds.json")
    obj = root(data, name)
    if not obj.data:
        raise InputError(f"{name}: lists no feed; add {{\"SYMBOL\": {{\"aggregator\": ADDR, ...}}}}")
    feeds = []
    for symbol in list(obj.data)[:enc.MAX_ASSETS + 1]:
        text(symbol, obj.path(symbol), SYMBOL, SYMBOL_HINT)
        f = Obj(obj.get(symbol), obj.path(symbol))
        token = f.get("token")
        decimals = f.get("decimals")
        if (token is None) == (decimals is None):
            raise InputError(f"{f.where}: give exactly one of token (its decimals() is read) or decimals")
        feeds.append(Feed(symbol, address(f.need("aggregator"), f.path("aggregator")),
                          integer(f.need("max_staleness_s"), f.path("max_staleness_s"), 1, MAX_STALENESS_S),
                          None if token is None else address(token, f.path("token")),
                          None if decimals is None else integer(decimals, f.path("decimals"), 0,
                                                                  enc.AMOUNT_DECIMALS)))
        f.done()
    if len(feeds) > enc.MAX_ASSETS:
        raise InputError(f"{name}: at most {enc.MAX_ASSETS} feeds (the market's asset capacity)")
    return tuple(feeds)
