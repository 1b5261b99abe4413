"""Portfolio (private), market snapshot (public) and policy (public): dataclasses and strict JSON loaders.

Amounts stay decimal strings here: their token decimals are declared in the market file (one public
source per asset, like the token contract), so they become exact integers when a portfolio is bound to
a market (``zkyield.circuits.evaluate``). Everything else is validated and converted on load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from zkyield.circuits import encoding as enc
from zkyield.circuits.attest_policy import AttestorSet, load_attestor_set
from zkyield.circuits.jsonread import Obj, array, field_element, integer, load_json, root, text, timestamp
from zkyield.circuits.lp_range import RangeSpec, load_range
from zkyield.circuits.portfolio_clauses import CLAUSES
from zkyield.circuits.range_math import MAX_SQRT_RATIO, MIN_SQRT_RATIO
from zkyield.circuits.rate_model import RateModel, load_rate_model
from zkyield.errors import InputError
from zkyield.field import R
from zkyield.merkle import MerkleTree

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
_SYMBOL = r"[A-Za-z0-9][A-Za-z0-9._-]{0,30}"  # <= 31 bytes: the packed symbol is a field element
_SYMBOL_HINT = "an asset symbol of 1..31 characters [A-Za-z0-9._-]"
_DESCRIPTION = r"[^\x00-\x1f]{0,500}"


@dataclass(frozen=True)
class Period:
    """A half-open interval of Unix seconds, start < end."""

    start: int
    end: int

    @property
    def seconds(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class PrincipalChange:
    """A supply or withdrawal (a new borrow or a repayment) in the period: ``amount`` signed, in the
    position's asset, at Unix second ``time`` (start < time <= end; one at the end weighs nothing in the
    time-weighted principal but is not interest)."""

    time: int
    amount: str


@dataclass(frozen=True)
class Position:
    protocol: str
    asset: str
    kind: str
    start_amount: str
    end_amount: str
    fee_income: str = "0"
    emission_income: str = "0"
    unlock_time: int | None = None
    pool: tuple[str, str] | None = None
    # a perp or future (docs/statements.md, "Derivatives"): ``asset`` is its margin (quote) asset,
    # start/end amounts the margin; ``base`` the asset ``size`` is in (signed: negative = short),
    # ``entry_price`` at the market's price_decimals, a perp's ``funding`` signed, in the margin asset,
    # already in end_amount; a future's ``expiry`` (after the period: it is still open at the end)
    base: str | None = None
    size: str = "0"
    entry_price: int = 0
    funding: str = "0"
    expiry: int | None = None
    # a lending or borrow position's supplies / withdrawals (new debt / repayments) during the period
    principal_changes: tuple[PrincipalChange, ...] = ()
    chain: int | None = None  # EIP-155 id; None = the chain the market lists for the asset
    range: RangeSpec | None = None  # a Uniswap v3 range position (lp_range); then no LP-token amounts


@dataclass(frozen=True)
class Flow:
    asset: str
    amount: str


@dataclass(frozen=True)
class Portfolio:
    owner: int
    period: Period
    positions: tuple[Position, ...]
    salt: int
    deposits: tuple[Flow, ...] = ()
    withdrawals: tuple[Flow, ...] = ()
    description: str = ""
    source: str = "portfolio.json"

    @classmethod
    def load(cls, source: str | Path | dict) -> Portfolio:
        """Load and validate a portfolio JSON file (or an already parsed dict)."""
        return load_portfolio(source)


@dataclass(frozen=True)
class Pool:
    """An LP token's pool: its two assets and the public price of ``assets[0]`` in ``assets[1]``."""

    assets: tuple[str, str]
    price_ratio_start: int
    price_ratio_end: int
    sqrt_price_start: int = 0  # a Uniswap v3 pool's sqrtPriceX96 (then the ratios are 0): range positions
    sqrt_price_end: int = 0

    @property
    def is_range(self) -> bool:
        return self.sqrt_price_start != 0


@dataclass(frozen=True)
class Asset:
    symbol: str
    decimals: int
    price_start: int
    price_end: int
    liquidation_threshold_bps: int | None = None
    pool: Pool | None = None
    chain: int = 1  # EIP-155 id of the chain the token lives on (default Ethereum mainnet)
    bridge: str | None = None  # the bridge a bridged token came through (a protocol-style name)
    cash: bool = False  # the quote currency's own unit (a stablecoin): no price exposure, no delta
    rate_model: RateModel | None = None  # the lending market's interest-rate model (rate_model.py)


@dataclass(frozen=True)
class Scenario:
    name: str
    shocks_bps: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Market:
    period: Period
    price_decimals: int
    assets: tuple[Asset, ...]
    liquidity_deadline: int | None = None
    stress_scenarios: tuple[Scenario, ...] = ()
    description: str = ""
    source: str = "market.json"

    def index(self, symbol: str) -> int | None:
        """Position of ``symbol`` in ``assets`` (the circuit's one-hot selector index), None if absent."""
        return next((i for i, a in enumerate(self.assets) if a.symbol == symbol), None)

    @classmethod
    def load(cls, source: str | Path | dict) -> Market:
        """Load and validate a market JSON file (or an already parsed dict)."""
        return load_market(source)


def threshold_ranges() -> dict[str, tuple[int, int]]:
    """Policy key -> allowed threshold range (bps), from the clause table."""
    return {c.key: (c.low, c.high) for c in CLAUSES.thresholds}


@dataclass(frozen=True)
class Policy:
    """Thresholds a proof asserts; ``None`` means the statement does not include that check."""

    thresholds: dict[str, int]
    allowed_protocols_root: int | None = None
    allowed_protocols: tuple[str, ...] = ()
    description: str = ""
    source: str = "policy.json"
    attested_by: AttestorSet | None = None  # who vouches for the book (attest_policy)
    prices_attested_by: AttestorSet | None = None  # who vouches for the market snapshot
    home_chain: int | None = None  # EIP-155 id max_chain_bps exempts (hashed after the clause slots)
    allowed_bridges_root: int | None = None
    allowed_bridges: tuple[str, ...] = ()

    def get(self, key: str) -> int | None:
        return self.thresholds.get(key)

    @classmethod
    def load(cls, source: str | Path | dict) -> Policy:
        """Load and validate a policy JSON file (or an already parsed dict)."""
        return load_policy(source)


def _period(obj: Obj) -> Period:
    per = Obj(obj.need("period"), obj.path("period"))
    start = timestamp(per.need("start"), per.path("start"))
    end = timestamp(per.need("end"), per.path("end"))
    per.done()
    if end <= start:
        raise InputError(f"{per.where}.end must be after period.start")
    if end - start >> enc.DURATION_BITS or end >> enc.TIME_BITS:
        raise InputError(f"{per.where} is too long: at most 2^{enc.DURATION_BITS} seconds, ending before 2^40")
    return Period(start, end)


def _symbol(value: object, where: str) -> str:
    return text(value, where, _SYMBOL, _SYMBOL_HINT)


def _amount_text(value: object, where: str) -> str:
    """Syntax only (the decimals come from the market); the full check is ``encoding.to_base_units``."""
    enc.decimal_parts(value, where)
    return value  # type: ignore[return-value]  # decimal_parts accepted it, so it is a str


def _position(data: object, where: str, period: Period) -> Position:
    obj = Obj(data, where)
    try:
        protocol = obj.need("protocol")
        enc.protocol_id(protocol)
    except InputError as exc:
        raise InputError(f"{obj.path('protocol')}: {exc}") from None
    kind = obj.need("kind")
    if kind not in enc.KINDS:
        raise InputError(f"{obj.path('kind')} must be one of {'|'.join(enc.KINDS)}")
    unlock = obj.get("unlock_time")
    pool = obj.get("pool")
    spec = obj.get("range")
    if spec is not None:
        if kind != "lp":
            raise InputError(f"{obj.path('range')} is only for lp positions (a Uniswap v3 range)")
        spec = load_range(spec, obj.path("range"), _amount_text)
        for key in ("start_amount", "end_amount", "fee_income", "emission_income"):
            if obj.get(key) is not None:
                raise InputError(f"{obj.path(key)} is not for a range position: its value is range.amounts_start "
                                 "and amounts_end (its fees are not yet modelled)")
    if kind == "lp":
        if pool is None:
            raise InputError(f"{obj.path('pool')} is missing: an lp position names the pool's two assets")
        pool = tuple(_symbol(s, f"{obj.path('pool')}[{i}]") for i, s in enumerate(array(pool, obj.path("pool"), 2)))
        if len(pool) != 2 or pool[0] == pool[1]:
            raise InputError(f"{obj.path('pool')} must list the pool's two different assets")
    elif pool is not None:
        raise InputError(f"{obj.path('pool')} is only for lp positions")
    derivative = _derivative_fields(obj, kind, period)
    changes = _principal_changes(obj, kind, period)
    chain = obj.get("chain")
    pos = Position(
        protocol=protocol,
        asset=_symbol(obj.need("asset"), obj.path("asset")),
        kind=kind,
        start_amount="0" if spec else _amount_text(obj.need("start_amount"), obj.path("start_amount")),
        end_amount="0" if spec else _amount_text(obj.need("end_amount"), obj.path("end_amount")),
        fee_income=_amount_text(obj.get("fee_income", "0"), obj.path("fee_income")),
        emission_income=_amount_text(obj.get("emission_income", "0"), obj.path("emission_income")),
        unlock_time=None if unlock is None else timestamp(unlock, obj.path("unlock_time")),
        pool=pool,
        chain=None if chain is None else integer(chain, obj.path("chain"), 1, (1 << enc.CHAIN_BITS) - 1),
        **derivative,
        principal_changes=changes,
        range=spec,
    )
    obj.done()
    if kind in enc.DERIVATIVES and (enc.decimal_parts(pos.fee_income, "") != ("0", "")
                                    or enc.decimal_parts(pos.emission_income, "") != ("0", "")):
        raise InputError(f"{obj.path('fee_income')} and emission_income must be 0 for a {kind}: funding and "
                         "basis are neither fee revenue nor emissions (a perp states funding in funding)")
    if kind == "borrow" and enc.decimal_parts(pos.fee_income, "") != ("0", ""):
        raise InputError(f"{obj.path('fee_income')} must be 0 for a borrow position (interest owed is in "
                         "end_amount)")
    return pos


def _derivative_fields(obj: Obj, kind: str, period: Period) -> dict[str, object]:
    """A perp's or future's base, signed size and entry price, a perp's signed funding, a future's
    expiry; refused on any other kind."""
    keys = ("base", "size", "entry_price", "funding", "expiry")
    allowed = {"perp": keys[:4], "future": (*keys[:3], "expiry")}.get(kind, ())
    for key in keys:
        if key not in allowed and obj.get(key) is not None:
            hint = " (a future pays no funding: its basis is in entry_price)" if kind == "future" else ""
            raise InputError(f"{obj.path(key)} is only for {'perp' if key == 'funding' else 'perp and future'} "
                             f"positions{hint}")
    if not allowed:
        return {}
    out: dict[str, object] = {"base": _symbol(obj.need("base"), obj.path("base")),
                              "size": _signed_text(obj.need("size"), obj.path("size")),
                              "entry_price": _price(obj.need("entry_price"), obj.path("entry_price"), 1)}
    if kind == "perp":
        out["funding"] = _signed_text(obj.get("funding", "0"), obj.path("funding"))
    else:
        expiry = timestamp(obj.need("expiry"), obj.path("expiry"))
        if expiry <= period.end:
            raise InputError(f"{obj.path('expiry')} must be after period.end: a future that expired in the period "
                             "was settled at its expiry price (book the settled margin as a spot position)")
        out["expiry"] = expiry
    return out


def _principal_changes(obj: Obj, kind: str, period: Period) -> tuple[PrincipalChange, ...]:
    """A lending or borrow position's principal changes, after the start and up to the end, in time order."""
    items = obj.get("principal_changes")
    if items is None:
        return ()
    if kind not in enc.RATED:
        raise InputError(f"{obj.path('principal_changes')} is only for lending and borrow positions")
    out: list[PrincipalChange] = []
    for i, item in enumerate(array(items, obj.path("principal_changes"), 64)):
        ch = Obj(item, f"{obj.path('principal_changes')}[{i}]")
        when = timestamp(ch.need("time"), ch.path("time"))
        amount = _signed_text(ch.need("amount"), ch.path("amount"))
        ch.done()
        if not period.start < when <= period.end:
            raise InputError(f"{ch.path('time')} must lie after period.start (a change at the start is in "
                             "start_amount) and not after period.end")
        if out and when < out[-1].time:
            raise InputError(f"{ch.path('time')} is before the previous change; list changes in time order")
        if enc.decimal_parts(amount.removeprefix("-"), "") == ("0", ""):
            raise InputError(f"{ch.path('amount')} is zero; leave the change out")
        out.append(PrincipalChange(when, amount))
    return tuple(out)


def _signed_text(value: object, where: str) -> str:
    """A decimal string with an optional leading minus (a derivative's size, funding, a principal change)."""
    enc.decimal_parts(value[1:] if isinstance(value, str) and value.startswith("-") else value, where)
    return value  # type: ignore[return-value]


def _flows(obj: Obj, key: str) -> tuple[Flow, ...]:
    out = []
    for i, item in enumerate(array(obj.get(key, []), obj.path(key), 4 * enc.MAX_ASSETS)):
        f = Obj(item, f"{obj.path(key)}[{i}]")
        out.append(Flow(_symbol(f.need("asset"), f.path("asset")), _amount_text(f.need("amount"), f.path("amount"))))
        f.done()
    return tuple(out)


def _salt(value: object, where: str) -> int:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,80}", value) or not 0 < int(value) < R:
        raise InputError(f"{where} must be a random field element: a decimal string of an integer in 1..r-1")
    return int(value)


def load_portfolio(source: str | Path | dict) -> Portfolio:
    """Read and validate a portfolio file (or parsed dict); raises InputError naming the bad field."""
    data, name = load_json(source, "portfolio.json")
    obj = root(data, name)
    positions = array(obj.need("positions"), obj.path("positions"), enc.MAX_POSITIONS)
    if not positions:
        raise InputError(f"{obj.path('positions')} is empty; a portfolio needs at least one position")
    period = _period(obj)
    portfolio = Portfolio(
        owner=enc.address_int(obj.need("owner"), obj.path("owner")),
        period=period,
        positions=tuple(_position(p, f"{obj.path('positions')}[{i}]", period) for i, p in enumerate(positions)),
        salt=_salt(obj.need("salt"), obj.path("salt")),
        deposits=_flows(obj, "deposits"),
        withdrawals=_flows(obj, "withdrawals"),
        description=text(obj.get("description", ""), obj.path("description"), _DESCRIPTION, "a short text"),
        source=name,
    )
    obj.done()
    return portfolio


def _price(value: object, where: str, low: int) -> int:
    return integer(value, where, low, (1 << enc.PRICE_BITS) - 1)


def _asset(data: object, where: str, seconds: int) -> Asset:
    obj = Obj(data, where)
    lt = obj.get("liquidation_threshold_bps")
    pool_data = obj.get("pool")
    rate = obj.get("rate_model")
    pool = None
    if pool_data is not None:
        p = Obj(pool_data, obj.path("pool"))
        pair = array(p.need("assets"), p.path("assets"), 2)
        pair = tuple(_symbol(s, f"{p.path('assets')}[{i}]") for i, s in enumerate(pair))
        if len(pair) != 2 or pair[0] == pair[1]:
            raise InputError(f"{p.path('assets')} must list the pool's two different assets")
        if p.get("sqrt_price_x96_start") is not None:
            pool = Pool(pair, 0, 0, *(integer(p.need(k), p.path(k), MIN_SQRT_RATIO, MAX_SQRT_RATIO)
                                      for k in ("sqrt_price_x96_start", "sqrt_price_x96_end")))
        else:
            pool = Pool(pair, _price(p.need("price_ratio_start"), p.path("price_ratio_start"), 1),
                        _price(p.need("price_ratio_end"), p.path("price_ratio_end"), 1))
        p.done()
    asset = Asset(
        symbol=_symbol(obj.need("symbol"), obj.path("symbol")),
        decimals=integer(obj.need("decimals"), obj.path("decimals"), 0, enc.AMOUNT_DECIMALS),
        price_start=_price(obj.need("price_start"), obj.path("price_start"), 0),
        price_end=_price(obj.need("price_end"), obj.path("price_end"), 0),
        liquidation_threshold_bps=None if lt is None else integer(lt, obj.path("liquidation_threshold_bps"),
                                                                  0, enc.BPS),
        pool=pool,
        chain=integer(obj.get("chain", 1), obj.path("chain"), 1, (1 << enc.CHAIN_BITS) - 1),
        bridge=_bridge(obj.get("bridge"), obj.path("bridge")),
        cash=_flag(obj.get("cash", False), obj.path("cash")),
        rate_model=None if rate is None else load_rate_model(rate, obj.path("rate_model"), seconds),
    )
    obj.done()
    if asset.pool is not None and (asset.cash or asset.bridge is not None):
        raise InputError(f"{where}: an LP token is neither cash nor bridged (its pool's assets are)")
    if pool is not None and pool.is_range and (asset.price_start or asset.price_end):
        raise InputError(f"{where}: a Uniswap v3 pool has no LP token price; set price_start and price_end to 0 "
                         "(its positions are valued by their token amounts)")
    return asset


def _bridge(value: object, where: str) -> str | None:
    if value is None:
        return None
    try:
        enc.protocol_id(value)  # type: ignore[arg-type]
    except InputError as exc:
        raise InputError(f"{where}: bridge names follow the protocol rule: {exc}") from None
    return value  # type: ignore[return-value]


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"{where} must be true or false")
    return value


def _scenario(data: object, where: str, symbols: set[str]) -> Scenario:
    obj = Obj(data, where)
    name = text(obj.need("name"), obj.path("name"), r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}", "a short name")
    shocks = Obj(obj.need("shocks_bps"), obj.path("shocks_bps"))
    out = {}
    for symbol in shocks.data:
        if symbol not in symbols:
            raise InputError(f"{shocks.path(symbol)} names an asset the market does not list")
        out[symbol] = integer(shocks.get(symbol), shocks.path(symbol), enc.SHOCK_MIN_BPS, enc.SHOCK_MAX_BPS)
    obj.done()
    return Scenario(name, out)


def load_market(source: str | Path | dict) -> Market:
    """Read and validate a market snapshot: assets in circuit order, prices at ``price_decimals``."""
    data, name = load_json(source, "market.json")
    obj = root(data, name)
    items = array(obj.need("assets"), obj.path("assets"), enc.MAX_ASSETS)
    period = _period(obj)
    assets = tuple(_asset(a, f"{obj.path('assets')}[{i}]", period.seconds) for i, a in enumerate(items))
    if not assets:
        raise InputError(f"{obj.path('assets')} is empty; list every asset the portfolio holds")
    symbols = [a.symbol for a in assets]
    for i, a in enumerate(assets):
        if symbols.index(a.symbol) != i:
            raise InputError(f"{obj.path('assets')}[{i}].symbol repeats an earlier asset")
        if a.pool and not all(s in symbols and assets[symbols.index(s)].pool is None for s in a.pool.assets):
            raise InputError(f"{obj.path('assets')}[{i}].pool.assets must name two listed non-pool assets")
    deadline = obj.get("liquidity_deadline")
    scenarios = array(obj.get("stress_scenarios", []), obj.path("stress_scenarios"), enc.MAX_SCENARIOS)
    market = Market(
        period=period,
        price_decimals=integer(obj.need("price_decimals"), obj.path("price_decimals"), 0, enc.MAX_PRICE_DECIMALS),
        assets=assets,
        liquidity_deadline=None if deadline is None else timestamp(deadline, obj.path("liquidity_deadline")),
        stress_scenarios=tuple(_scenario(s, f"{obj.path('stress_scenarios')}[{i}]", set(symbols))
                               for i, s in enumerate(scenarios)),
        description=text(obj.get("description", ""), obj.path("description"), _DESCRIPTION, "a short text"),
        source=name,
    )
    obj.done()
    if len({s.name for s in market.stress_scenarios}) != len(market.stress_scenarios):
        raise InputError(f"{obj.path('stress_scenarios')} repeats a scenario name")
    return market


def load_policy(source: str | Path | dict) -> Policy:
    """Read and validate a policy: any subset of the thresholds, optionally allowed-protocol and
    allowed-bridge trees and the home chain."""
    data, name = load_json(source, "policy.json")
    obj = root(data, name)
    thresholds = {key: integer(obj.get(key), obj.path(key), low, high)
                  for key, (low, high) in threshold_ranges().items() if obj.data.get(key) is not None}
    protocols, tree_root = _tree(obj, "allowed_protocols", "protocol", enc.PROTOCOL_TREE_DEPTH)
    bridges, bridge_root = _tree(obj, "allowed_bridges", "bridge", enc.BRIDGE_TREE_DEPTH)
    home = obj.get("home_chain")
    home = None if home is None else integer(home, obj.path("home_chain"), 1, (1 << enc.CHAIN_BITS) - 1)
    description = text(obj.get("description", ""), obj.path("description"), _DESCRIPTION, "a short text")
    attested = {key: load_attestor_set(obj.get(key), obj.path(key)) for key in ("attested_by", "prices_attested_by")
                if obj.data.get(key) is not None}
    obj.done()
    if "max_protocol_bps" in thresholds and tree_root is None:
        raise InputError(f"{obj.path('max_protocol_bps')} needs allowed_protocols_root: without a public list "
                         "protocol names are the prover's to invent, so one protocol could hide under two names")
    if "max_chain_bps" in thresholds and home is None:
        raise InputError(f"{obj.path('max_chain_bps')} needs home_chain (the EIP-155 id the limit exempts)")
    if not thresholds and tree_root is None and bridge_root is None and not attested:
        raise InputError(f"{name}: the policy states nothing; set at least one of "
                         f"{', '.join(threshold_ranges())}, allowed_protocols_root, allowed_bridges_root "
                         "or attested_by")
    return Policy(thresholds, tree_root, protocols, description, name, home_chain=home,
                  allowed_bridges_root=bridge_root, allowed_bridges=bridges, **attested)


def _tree(obj: Obj, key: str, what: str, depth: int) -> tuple[tuple[str, ...], int | None]:
    """``key`` (the leaves: names) and ``key_root`` (their Poseidon Merkle root), both or neither."""
    root_value, listed = obj.get(f"{key}_root"), obj.get(key)
    if (root_value is None) != (listed is None):
        raise InputError(f"{obj.path(key)} and {key}_root go together: the root "
                         "is public, the list lets the prover build membership proofs")
    if root_value is None:
        return (), None
    tree_root = field_element(root_value, obj.path(f"{key}_root"))
    names = tuple(array(listed, obj.path(key), 1 << depth))
    for i, p in enumerate(names):
        try:
            enc.protocol_id(p)
        except InputError as exc:
            raise InputError(f"{obj.path(key)}[{i}]: {exc}") from None
    if len(set(names)) != len(names) or not names:
        raise InputError(f"{obj.path(key)} must list distinct {what} names, at least one")
    if protocol_tree(names, depth).root != tree_root:
        raise InputError(f"{obj.path(f'{key}_root')} is not the Poseidon Merkle root of "
                         f"{key} (depth {depth}, leaves = {what} ids)")
    return names, tree_root


def protocol_tree(protocols: tuple[str, ...] | list[str], depth: int = enc.PROTOCOL_TREE_DEPTH) -> MerkleTree:
    """The allowed-protocol (or allowed-bridge) tree: leaf i is ``protocol_id(names[i])``, fixed depth 8."""
    return MerkleTree([enc.protocol_id(p) for p in protocols], depth)


def example(name: str) -> tuple[Path, Path, Path]:
    """Paths of a shipped example's portfolio, market and policy files (``demo``, ``dao-treasury``, ``fund``)."""
    paths = tuple(EXAMPLES_DIR / f"{name}.{part}.json" for part in ("portfolio", "market", "policy"))
    if not all(p.is_file() for p in paths):
        raise InputError(f"example {name!r} does not exist; see {EXAMPLES_DIR}")
    return paths  # type: ignore[return-value]
