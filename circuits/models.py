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


def _position(data: object, where: str) -> Position:
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
        range=spec,
    )
    obj.done()
    if kind == "borrow" and enc.decimal_parts(pos.fee_income, "") != ("0", ""):
        raise InputError(f"{obj.path('fee_income')} must be 0 for a borrow position (interest owed is in "
                         "end_amount)")
    return pos


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
    portfolio = Portfolio(
        owner=enc.address_int(obj.need("owner"), obj.path("owner")),
        period=_period(obj),
        positions=tuple(_position(p, f"{obj.path('positions')}[{i}]") for i, p in enumerate(positions)),
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
        rate_model=None if rate is None else load_rate_model(rate, obj.path("rate_model"), seconds),
    )
    obj.done()
    if pool is not None and pool.is_range and (asset.price_start or asset.price_end):
        raise InputError(f"{where}: a Uniswap v3 pool has no LP token price; set price_start and price_end to 0 "
                         "(its positions are valued by their token amounts)")
    return asset


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
    """Read and validate a policy: any subset of the thresholds, optionally an allowed-protocol tree."""
    data, name = load_json(source, "policy.json")
    obj = root(data, name)
    thresholds = {key: integer(obj.get(key), obj.path(key), low, high)
                  for key, (low, high) in threshold_ranges().items() if obj.data.get(key) is not None}
    root_value = obj.get("allowed_protocols_root")
    listed = obj.get("allowed_protocols")
    description = text(obj.get("description", ""), obj.path("description"), _DESCRIPTION, "a short text")
    obj.done()
    protocols: tuple[str, ...] = ()
    tree_root = None
    if (root_value is None) != (listed is None):
        raise InputError(f"{obj.path('allowed_protocols')} and allowed_protocols_root go together: the root "
                         "is public, the list lets the prover build membership proofs")
    if root_value is not None:
        tree_root = field_element(root_value, obj.path("allowed_protocols_root"))
        protocols = tuple(array(listed, obj.path("allowed_protocols"), 1 << enc.PROTOCOL_TREE_DEPTH))
        for i, p in enumerate(protocols):
            try:
                enc.protocol_id(p)
            except InputError as exc:
                raise InputError(f"{obj.path('allowed_protocols')}[{i}]: {exc}") from None
        if len(set(protocols)) != len(protocols) or not protocols:
            raise InputError(f"{obj.path('allowed_protocols')} must list distinct protocol names, at least one")
        if protocol_tree(protocols).root != tree_root:
            raise InputError(f"{obj.path('allowed_protocols_root')} is not the Poseidon Merkle root of "
                             f"allowed_protocols (depth {enc.PROTOCOL_TREE_DEPTH}, leaves = protocol ids)")
    if not thresholds and tree_root is None:
        raise InputError(f"{name}: the policy states nothing; set at least one of "
                         f"{', '.join(threshold_ranges())} or allowed_protocols_root")
    return Policy(thresholds, tree_root, protocols, description, name)


def protocol_tree(protocols: tuple[str, ...] | list[str]) -> MerkleTree:
    """The allowed-protocol tree: leaf i is ``protocol_id(protocols[i])``, fixed depth 8."""
    return MerkleTree([enc.protocol_id(p) for p in protocols], enc.PROTOCOL_TREE_DEPTH)


def example(name: str) -> tuple[Path, Path, Path]:
    """Paths of a shipped example's portfolio, market and policy files (``demo``, ``dao-treasury``, ``fund``)."""
    paths = tuple(EXAMPLES_DIR / f"{name}.{part}.json" for part in ("portfolio", "market", "policy"))
    if not all(p.is_file() for p in paths):
        raise InputError(f"example {name!r} does not exist; see {EXAMPLES_DIR}")
    return paths  # type: ignore[return-value]
