"""Binding a portfolio to a market: every amount becomes an exact integer the circuit will hold.

The result (``Bound``) is the one integer view of the private data that the evaluator checks and that
the circuit's witness is built from, so the two cannot disagree about rounding or units.
"""

from __future__ import annotations

from dataclasses import dataclass

from zkyield.circuits import encoding as enc
from zkyield.circuits.lp_range import BoundRange, bind_range
from zkyield.circuits.models import Flow, Market, Period, Portfolio, Position
from zkyield.errors import InputError


@dataclass(frozen=True)
class BoundPosition:
    """One position as integers: amounts in the token's base units, asset as the market index (the
    evaluator's view; the commitment holds ``Bound.asset_ids[asset]``)."""

    asset: int
    kind: int
    protocol: int
    start_amount: int
    end_amount: int
    fee_income: int
    emission_income: int
    unlock_time: int  # 0 when the position is never locked
    chain: int = 1  # EIP-155 id: the chain the market lists for ``asset``
    base: int | None = None  # a perp's or future's base asset (market index); None for every other kind
    size: int = 0  # a derivative's signed size in base units of ``base`` (negative = short)
    entry_price: int = 0
    funding: int = 0  # a perp's, signed, base units of ``asset`` (the margin)
    expiry: int = 0  # a future's expiry (Unix s, after the period); 0 for every other kind
    range: BoundRange | None = None  # a Uniswap v3 range position (its LP-token amounts are 0)
    # a lending or borrow position's net principal change over the period (signed base units) and its
    # principal x seconds (``principal_seconds / period`` is the time-weighted principal); 0 elsewhere
    principal_flow: int = 0
    principal_seconds: int = 0

    @property
    def is_debt(self) -> bool:
        return self.kind == enc.KIND_CODE["borrow"]


@dataclass(frozen=True)
class Bound:
    """A portfolio bound to a market: positions plus per-asset deposit and withdrawal totals."""

    positions: tuple[BoundPosition, ...]
    deposits: tuple[int, ...]  # base units per market asset, summed over the deposit list
    withdrawals: tuple[int, ...]
    scales: tuple[int, ...]  # 10^(18 - decimals) per market asset
    asset_ids: tuple[int, ...]  # encoding.asset_id per market asset: what the commitment holds
    prices_start: tuple[int, ...]
    prices_end: tuple[int, ...]

    def value(self, asset: int, units: int, at_end: bool) -> int:
        """Value of ``units`` base units of ``asset``: normalised amount x price, exact (< 2^176)."""
        price = self.prices_end[asset] if at_end else self.prices_start[asset]
        return units * self.scales[asset] * price

    def pnl(self, p: BoundPosition, at_end: bool) -> tuple[int, int]:
        """A derivative's unrealised PnL ``size x (price - entry)`` at the start or end price, in value units
        (normalised size x price), as (gain, loss): both >= 0, at most one nonzero; (0, 0) for other kinds."""
        if p.base is None:
            return 0, 0
        price = self.prices_end[p.base] if at_end else self.prices_start[p.base]
        pnl = p.size * self.scales[p.base] * (price - p.entry_price)
        return max(pnl, 0), max(-pnl, 0)


def bind(portfolio: Portfolio, market: Market, capacity: enc.Capacity | None = None) -> Bound:
    """Check that the portfolio fits the market and the circuit capacity, and encode it as integers."""
    capacity = capacity or enc.MAX_CAPACITY
    pname, mname = portfolio.source, market.source
    if portfolio.period != market.period:
        raise InputError(f"{mname}: period does not match {pname}'s period; use the market snapshot "
                         "of the same period")
    if len(portfolio.positions) > capacity.positions:
        raise InputError(f"{pname}: positions has {len(portfolio.positions)} entries but the circuit holds "
                         f"{capacity.positions} (capacity N); build a circuit with a larger N")
    if len(market.assets) > capacity.assets:
        raise InputError(f"{mname}: assets has {len(market.assets)} entries but the circuit holds "
                         f"{capacity.assets} (capacity M); build a circuit with a larger M")
    if len(market.stress_scenarios) > capacity.scenarios:
        raise InputError(f"{mname}: stress_scenarios has {len(market.stress_scenarios)} entries but the "
                         f"circuit holds {capacity.scenarios}; build a circuit with more scenarios")
    for i, p in enumerate(portfolio.positions[capacity.ranges:], start=capacity.ranges):
        if p.range is not None:
            raise InputError(f"{pname}: positions[{i}] is a Uniswap v3 range position but the circuit has "
                             f"{capacity.ranges} range slot(s); list range positions first, or compile with "
                             "--range-slots K")
    positions = tuple(_position(p, f"{pname}: positions[{i}]", market, portfolio.period)
                      for i, p in enumerate(portfolio.positions))
    return Bound(
        positions=positions,
        deposits=_flow_totals(portfolio.deposits, f"{pname}: deposits", market),
        withdrawals=_flow_totals(portfolio.withdrawals, f"{pname}: withdrawals", market),
        scales=tuple(enc.unit_scale(a.decimals) for a in market.assets),
        asset_ids=tuple(enc.asset_id(a.symbol, a.decimals) for a in market.assets),
        prices_start=tuple(a.price_start for a in market.assets),
        prices_end=tuple(a.price_end for a in market.assets),
    )


def range_slots(portfolio: Portfolio) -> int:
    """The range slots (``Capacity.ranges``) a book needs: one past its last Uniswap v3 range position."""
    return max((i + 1 for i, p in enumerate(portfolio.positions) if p.range is not None), default=0)


def _asset_index(symbol: str, where: str, market: Market) -> int:
    index = market.index(symbol)
    if index is None:
        raise InputError(f"{where} is not an asset listed in {market.source}; add its prices there")
    return index


def _amount(text: str, where: str, market: Market, asset: int) -> int:
    a = market.assets[asset]
    units = enc.to_base_units(text, a.decimals, where, a.symbol)
    enc.check_norm_amount(units, a.decimals, where)
    return units


def _position(pos: Position, where: str, market: Market, period: Period) -> BoundPosition:
    asset = _asset_index(pos.asset, f"{where}.asset", market)
    pool = market.assets[asset].pool
    if pos.kind == "lp":
        if pool is None:
            raise InputError(f"{where}.asset is not a pool in {market.source}: an lp position holds the "
                             "pool's LP token, which the market lists with its pool")
        if pos.pool is None or set(pos.pool) != set(pool.assets):
            raise InputError(f"{where}.pool does not match the pool assets {market.source} lists for the LP token")
    elif pool is not None:
        raise InputError(f"{where}.kind must be lp: its asset is an LP token in {market.source}")
    rng = None
    if pool is not None and pool.is_range != (pos.range is not None):
        raise InputError(f"{where}.range: a position in a Uniswap v3 pool ({market.source} lists its sqrt prices) "
                         "has a range, and only such a position has one")
    if pos.range is not None:
        tokens = [market.assets[_asset_index(s, f"{where}.pool", market)] for s in pool.assets]
        rng = bind_range(pos.range, f"{where}.range", (tokens[0].decimals, tokens[1].decimals),
                         (tokens[0].symbol, tokens[1].symbol), (pool.sqrt_price_start, pool.sqrt_price_end))
    amounts = {key: _amount(getattr(pos, key), f"{where}.{key}", market, asset)
               for key in ("start_amount", "end_amount", "fee_income", "emission_income")}
    chain = market.assets[asset].chain
    if pos.chain is not None and pos.chain != chain:
        raise InputError(f"{where}.chain is {pos.chain} but {market.source} lists {pos.asset} on chain {chain}; "
                         "a token on another chain is another market asset")
    extra: dict[str, int] = {}
    if pos.kind in enc.DERIVATIVES:
        base = _asset_index(pos.base or "", f"{where}.base", market)
        if market.assets[base].pool is not None:
            raise InputError(f"{where}.base is an LP token in {market.source}; a {pos.kind}'s base is a plain asset")
        extra = {"base": base, "entry_price": pos.entry_price, "expiry": pos.expiry or 0,
                 "size": _signed(pos.size, f"{where}.size", market, base),
                 "funding": _signed(pos.funding, f"{where}.funding", market, asset)}
    if pos.kind in enc.RATED:
        extra = _principal(pos, where, market, asset, amounts["start_amount"], period)
    return BoundPosition(asset=asset, kind=enc.KIND_CODE[pos.kind], protocol=enc.protocol_id(pos.protocol),
                         unlock_time=pos.unlock_time or 0, chain=chain, range=rng, **amounts, **extra)


def _principal(pos: Position, where: str, market: Market, asset: int, start: int, period: Period) -> dict[str, int]:
    """Net change and principal x seconds of a lending or borrow position: the principal is ``start`` until
    its first change, then moves by each change; it never goes below zero nor beyond the amount width."""
    principal, flow, seconds, since = start, 0, 0, period.start
    for k, change in enumerate(pos.principal_changes):
        here = f"{where}.principal_changes[{k}].amount"
        seconds += principal * (change.time - since)
        delta = _signed(change.amount, here, market, asset)
        principal, flow, since = principal + delta, flow + delta, change.time
        if principal < 0:
            raise InputError(f"{here} takes the principal below zero; check the changes and start_amount")
        enc.check_norm_amount(principal, market.assets[asset].decimals, f"{here} (the principal after it)")
    enc.check_norm_amount(abs(flow), market.assets[asset].decimals, f"{where}.principal_changes (their sum)")
    return {"principal_flow": flow, "principal_seconds": seconds + principal * (period.end - since)}


def _signed(text: str, where: str, market: Market, asset: int) -> int:
    """A signed amount in base units; its magnitude obeys the 112-bit normalised width."""
    negative = text.startswith("-")
    units = _amount(text[1:] if negative else text, where, market, asset)
    return -units if negative else units


def _flow_totals(flows: tuple[Flow, ...], where: str, market: Market) -> tuple[int, ...]:
    totals = [0] * len(market.assets)
    for i, flow in enumerate(flows):
        asset = _asset_index(flow.asset, f"{where}[{i}].asset", market)
        totals[asset] += _amount(flow.amount, f"{where}[{i}].amount", market, asset)
        enc.check_norm_amount(totals[asset], market.assets[asset].decimals, f"{where} (total of {flow.asset})")
    return tuple(totals)
