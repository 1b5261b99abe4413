"""The two ingest entry points the CLI and the tests call: read, validate against the statement loaders, write."""

from __future__ import annotations

from pathlib import Path

from eth_utils import to_checksum_address

from zkyield.circuits.models import load_market, load_portfolio
from zkyield.errors import InputError
from zkyield.ingest.book import read_book
from zkyield.ingest.market import read_market
from zkyield.ingest.output import write_with_provenance
from zkyield.ingest.pins import pin
from zkyield.ingest.rpc import Rpc
from zkyield.ingest.sources import address, load_feeds, load_sources


def ingest_market(rpc_url: str, feeds: str | Path, from_block: int, to_block: int, out: str | Path,
                  sources: str | Path | None = None, rpc: Rpc | None = None) -> dict:
    feed_list = load_feeds(feeds)
    source_obj = load_sources(sources) if sources is not None else None
    pins = pin(rpc or Rpc(rpc_url), from_block, to_block)
    market = read_market(pins, feed_list, source_obj)
    load_market(market)  # the statements' own loader accepts it, or nothing is written
    write_with_provenance(out, "market", market, pins)
    return market


def ingest_portfolio(rpc_url: str, accounts: list[str], sources: str | Path, from_block: int, to_block: int,
                     out: str | Path, owner: str | None = None, rpc: Rpc | None = None) -> dict:
    if not accounts:
        raise InputError("--account: give at least one account to read")
    checked = [address(a, "--account") for a in accounts]
    if len(set(checked)) != len(checked):
        raise InputError("--account: an account is listed twice")
    owner_address = address(owner, "--owner") if owner is not None else checked[0]
    source_obj = load_sources(sources)
    pins = pin(rpc or Rpc(rpc_url), from_block, to_block)
    portfolio, extras = read_book(pins, source_obj, checked, to_checksum_address(owner_address))
    load_portfolio(portfolio)
    write_with_provenance(out, "portfolio", portfolio, pins, extras)
    return portfolio
