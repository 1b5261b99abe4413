"""``zkyield ingest``: read the book and the prices from a JSON-RPC node at two pinned blocks (docs/ingest.md).

Each command writes its statement file and a ``*.provenance.json`` beside it (atomically, after re-checking the
blocks' hashes), and prints a one-line summary; the portfolio's amounts and provenance are private.
"""

from __future__ import annotations

from pathlib import Path

import click

_file = click.Path(dir_okay=False, path_type=Path)
_existing = click.Path(exists=True, dir_okay=False, path_type=Path)


def _block(value: str) -> int:
    if not value.isdigit():
        raise click.BadParameter("a block number (decimal)")
    return int(value)


@click.group("ingest")
def ingest() -> None:
    """Read portfolio and market files from an Ethereum node at two blocks.

    \b
    Example:
      zkyield ingest market --rpc http://127.0.0.1:8545 --feeds feeds.json \\
          --from-block 19000000 --to-block 19650000 --out market.json
      zkyield ingest portfolio --rpc http://127.0.0.1:8545 --account 0xFund... \\
          --sources sources.json --from-block 19000000 --to-block 19650000 --out portfolio.json
    """


@ingest.command("market")
@click.option("--rpc", "rpc_url", required=True, help="JSON-RPC URL of an archive node (or one that has both blocks).")
@click.option("--feeds", required=True, type=_existing, help='FEEDS.json: {"SYMBOL": {"aggregator", "max_staleness_s", '
              '"token"|"decimals"}}.')
@click.option("--sources", type=_existing, help="SOURCES.json; with aave_v3, liquidation thresholds are read too.")
@click.option("--from-block", required=True, type=_block, help="The period's first block.")
@click.option("--to-block", required=True, type=_block, help="The period's last block.")
@click.option("--out", required=True, type=_file, help="MARKET.json to write (and MARKET.provenance.json).")
def market_cmd(rpc_url: str, feeds: Path, sources: Path | None, from_block: int, to_block: int, out: Path) -> None:
    """Chainlink prices (latestRoundData at each block) and token decimals into a market file."""
    from zkyield.ingest.run import ingest_market

    market = ingest_market(rpc_url, feeds, from_block, to_block, out, sources)
    click.echo(f"wrote {out}: {len(market['assets'])} assets, blocks {from_block}..{to_block}")


@ingest.command("portfolio")
@click.option("--rpc", "rpc_url", required=True, help="JSON-RPC URL of an archive node (or one that has both blocks).")
@click.option("--account", "accounts", multiple=True, required=True, help="An account of the fund (repeat for more).")
@click.option("--owner", help="The address the proof is bound to (default: the first --account).")
@click.option("--sources", required=True, type=_existing, help="SOURCES.json: erc20, erc4626, uniswap_v3, aave_v3.")
@click.option("--from-block", required=True, type=_block, help="The period's first block.")
@click.option("--to-block", required=True, type=_block, help="The period's last block.")
@click.option("--out", required=True, type=_file, help="PORTFOLIO.json to write (and PORTFOLIO.provenance.json).")
def portfolio_cmd(rpc_url: str, accounts: tuple[str, ...], owner: str | None, sources: Path, from_block: int,
                  to_block: int, out: Path) -> None:
    """Balances, vault shares, Uniswap v3 LP NFTs and Aave positions into a (private) portfolio file."""
    from zkyield.ingest.run import ingest_portfolio

    portfolio = ingest_portfolio(rpc_url, list(accounts), sources, from_block, to_block, out, owner)
    click.echo(f"wrote {out}: {len(portfolio['positions'])} positions, blocks {from_block}..{to_block}")


@ingest.command("check")
@click.argument("provenance", type=_existing)
@click.option("--rpc", "rpc_url", required=True, help="JSON-RPC URL of a node of the same chain.")
def check_cmd(provenance: Path, rpc_url: str) -> None:
    """Replay every read a *.provenance.json records; exit 1 if any answers differently now.

    \b
    Example (what an attestor runs before signing):
      zkyield ingest check portfolio.provenance.json --rpc http://127.0.0.1:8545
    """
    from zkyield.ingest.replay import replay
    from zkyield.ingest.rpc import Rpc

    counts = replay(Rpc(rpc_url), provenance)
    click.echo(f"{provenance}: every read answers as recorded ({sum(counts.values())} reads: "
               + ", ".join(f"{n} {m}" for m, n in sorted(counts.items())) + ")")
