"""What an attestor signs: a capacity-independent Poseidon hash of a book, and one of a price snapshot.

A circuit built for N positions and M assets must recompute the signed message from its own slots, and
a signature must not depend on N or M (an administrator signs the fund's book once, whatever circuit
proves a statement about it). So each message hashes only the *used* rows, in slot order, as a chain
of fixed-width Poseidon steps that the circuit runs once per slot and keeps or skips by a boolean it
already holds (``h' = h + keep * (step - h)``: one constraint per slot beside the hash). The rows are
the canonical field encodings of the commitment and market layouts (``publics.POSITION_FIELDS``,
``FLOW_FIELDS``, ``ASSET_FIELDS``), whole, so the circuit reuses its slot values as they are and an
attestor vouches for every field a clause can read (perps, chains, bridges, v3 ranges, rate models).
A row is longer than one Poseidon call takes, so a row step is the chained ``poseidon_many`` started
from the previous chain value.

Book message (layout ``ATTEST_LAYOUT_VERSION`` = 3):

    P_0 = 0;  P_i = poseidon_many(POSITION_FIELDS[1:] of the slot, iv = P_{i-1})
              for each active position slot (amounts normalised to 18 decimals)
    F_0 = 0;  F_i = Poseidon(F_{i-1}, asset_id, deposit, withdrawal)
              for each flow slot with deposit != 0 or withdrawal != 0 (market asset order)
    M_book = Poseidon(BOOK_TAG, owner, period_start, period_end, as_of, n_positions, P, n_flows, F)

Price message:

    A_0 = 0;  A_i = poseidon_many([*ASSET_FIELDS[1:] of the slot, shocks], iv = A_{i-1})
              for each listed asset slot
    shocks = sum over listed scenarios s of factor(s, asset) * 2^(20 s)   (factor = 10000 + shock < 2^20)
    M_prices = Poseidon(PRICES_TAG, period_start, period_end, price_decimals, has_deadline, deadline,
                        as_of, n_assets, n_scenarios, A)

The counts bind each chain's length; the tags (ASCII, like the history link tag) name the message and
its layout version, and differ in length from every ``publics.domain_tag``, so no other hash of this
project reads as a message. Exact costs and the argument are in docs/attestation.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from zkyield.circuits import encoding as enc
from zkyield.circuits import publics
from zkyield.circuits.attest_layout import ATTEST_LAYOUT_VERSION, BOOK_TAG, PRICES_TAG, SHOCK_FACTOR_BITS, SUBJECTS
from zkyield.circuits.binding import Bound, bind
from zkyield.circuits.models import Market, Portfolio
from zkyield.errors import InputError
from zkyield.poseidon import poseidon, poseidon_many

__all__ = ["ATTEST_LAYOUT_VERSION", "BOOK_TAG", "PRICES_TAG", "SHOCK_FACTOR_BITS", "SUBJECTS", "BookMessage",
           "PricesMessage", "book_message", "check_as_of", "prices_message"]


@dataclass(frozen=True)
class BookMessage:
    """The book message and the chain values a circuit would expose for debugging."""

    message: int
    n_positions: int
    positions_hash: int
    n_flows: int
    flows_hash: int


@dataclass(frozen=True)
class PricesMessage:
    message: int
    n_assets: int
    n_scenarios: int
    assets_hash: int


def check_as_of(as_of: int, where: str = "as-of") -> int:
    """An as-of time is a Unix second below 2^40, the width every time in a statement has."""
    if isinstance(as_of, bool) or not isinstance(as_of, int) or not 0 <= as_of < 1 << enc.TIME_BITS:
        raise InputError(f"{where}: expected Unix seconds in 0..2^{enc.TIME_BITS} - 1")
    return as_of


def _chain(rows: list[list[int]]) -> int:
    """A chain of long rows (positions, assets): each step a ``poseidon_many`` from the previous value."""
    h = 0
    for row in rows:
        h = poseidon_many(row, iv=h)
    return h


def _flow_chain(rows: list[list[int]]) -> int:
    h = 0
    for row in rows:
        h = poseidon([h, *row])
    return h


def book_rows(bound: Bound) -> tuple[list[list[int]], list[list[int]]]:
    """The position rows (``POSITION_FIELDS`` without ``active``) and the non-zero flow rows."""
    capacity = enc.Capacity(positions=max(1, len(bound.positions)), assets=max(1, len(bound.asset_ids)))
    positions = [row[1:] for row in publics.position_slots(bound, capacity) if row[0] == 1]
    flows = [row for row in publics.flow_slots(bound, capacity) if row[0] != 0 and row[1] + row[2] != 0]
    return positions, flows


def book_message(portfolio: Portfolio, market: Market, as_of: int) -> BookMessage:
    """``M_book`` for ``portfolio`` bound to ``market`` (which declares each asset's decimals)."""
    bound = bind(portfolio, market)
    positions, flows = book_rows(bound)
    p_hash, f_hash = _chain(positions), _flow_chain(flows)
    m = poseidon([BOOK_TAG, portfolio.owner, portfolio.period.start, portfolio.period.end,
                  check_as_of(as_of), len(positions), p_hash, len(flows), f_hash])
    return BookMessage(m, len(positions), p_hash, len(flows), f_hash)


def packed_shocks(market: Market, asset: int) -> int:
    """The asset's factor per listed scenario, 20 bits each; unlisted scenario slots add nothing."""
    symbol = market.assets[asset].symbol
    return sum((enc.BPS + s.shocks_bps.get(symbol, 0)) << (SHOCK_FACTOR_BITS * i)
               for i, s in enumerate(market.stress_scenarios))


def price_rows(market: Market) -> list[list[int]]:
    """Per listed asset: ``ASSET_FIELDS`` without ``listed``, then its packed shock factors."""
    capacity = enc.Capacity(assets=len(market.assets), scenarios=max(1, len(market.stress_scenarios)))
    rows = publics.asset_slots(market, capacity)
    return [[*row[1:], packed_shocks(market, i)] for i, row in enumerate(rows)]


def prices_message(market: Market, as_of: int) -> PricesMessage:
    """``M_prices`` for a market snapshot: everything its ``market_hash`` covers, capacity-free."""
    rows = price_rows(market)
    a_hash = _chain(rows)
    m = poseidon([PRICES_TAG, *publics.market_header(market), check_as_of(as_of), len(rows),
                  len(market.stress_scenarios), a_hash])
    return PricesMessage(m, len(rows), len(market.stress_scenarios), a_hash)
