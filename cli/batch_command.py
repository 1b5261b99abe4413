"""``zkyield prove-batch``: prove a folder or JSONL of portfolios on a process pool or a Dask cluster.

A thin shell over ``zkyield.batch.prove_batch``: a progress bar on stderr while it runs, then a table
(counts per status, and the portfolios not proven with their reasons) or JSON on stdout.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from zkyield.batch import STATUSES, SUMMARY, BatchResult, count_jobs, prove_batch
from zkyield.cli.context import settings

_EXIT = {"proven": 0, "statement_false": 1, "error": 1, "bad_input": 2}  # the CLI's codes, worst one wins
_LISTED = 20  # portfolios not proven shown in the table; the rest are in summary.jsonl


@click.command("prove-batch")
@click.argument("build_dir", metavar="BUILD", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--portfolios", "source", type=click.Path(exists=True, path_type=Path), required=True,
              help="A folder of <id>.json portfolios, or a JSONL file with an id field per line.")
@click.option("--market", "market_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="Public market snapshot JSON.")
@click.option("--policy", "policy_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="Public policy JSON.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for one attestation folder per portfolio and summary.jsonl.")
@click.option("--backend", type=click.Choice(["process", "in-process", "dask"]), default="process",
              show_default=True, help="Where proofs run (--scheduler implies dask).")
@click.option("--workers", "-j", type=click.IntRange(min=1), help="Process pool size [default: every core].")
@click.option("--scheduler", metavar="tcp://HOST:PORT", help="A Dask scheduler to run on (needs the dask extra).")
@click.option("--signatures", "signatures_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder of attestor signature files (attested policies): *.json shared by every portfolio, "
                   "<id>/*.json for one portfolio's own. PRIVATE: never published.")
@click.option("--no-resume", is_flag=True, help="Prove again even where OUT already holds a valid proof.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON on stdout.")
@click.pass_context
def prove_batch_cmd(ctx: click.Context, build_dir: Path, source: Path, market_path: Path, policy_path: Path,
                    out_dir: Path, backend: str, workers: int | None, scheduler: str | None,
                    signatures_dir: Path | None, no_resume: bool, as_json: bool) -> None:
    """Prove every portfolio of a folder or JSONL file against one statement.

    \b
    Writes OUT/<id>/ (as `zkyield prove`) per proven portfolio and OUT/summary.jsonl (id, status,
    commitment, seconds). A rerun keeps proofs that still verify and proves the rest.
    Exit code: 0 all proven, 1 some statement false or failed, 2 some input malformed.
    Examples:
      zkyield prove-batch build/ --portfolios books/ --market market.json --policy policy.json --out proofs/
      zkyield prove-batch build/ --portfolios books.jsonl --market m.json --policy p.json --out proofs/ \\
          --scheduler tcp://10.0.0.5:8786
      zkyield prove-batch build/ --portfolios books/ --market m.json --policy attested.json --out proofs/ \\
          --signatures sigs/     # sigs/prices.sig.json shared, sigs/<id>/*.sig.json per portfolio
    """
    results = prove_batch(build_dir, source, market_path, policy_path, out_dir, backend=backend,
                          workers=workers, scheduler=scheduler, resume=not no_resume, signatures=signatures_dir)
    show = not settings().quiet and sys.stderr.isatty()
    collected: list[BatchResult] = []
    if show:
        with click.progressbar(length=count_jobs(source), label="proving", file=sys.stderr,
                               item_show_func=lambda r: r.id if r else None) as bar:
            for result in results:
                collected.append(result)
                bar.update(1, result)
    else:
        collected.extend(results)
    counts = Counter(r.status for r in collected)
    if as_json:
        click.echo(json.dumps({"out": str(out_dir), "summary": str(out_dir / SUMMARY),
                               "counts": {s: counts.get(s, 0) for s in STATUSES},
                               "results": [r.summary_row() for r in sorted(collected, key=lambda r: r.index)]},
                              indent=2))
    else:
        click.echo(_table(collected, counts, out_dir))
    ctx.exit(max((_EXIT[r.status] for r in collected), default=0))


def _table(results: list[BatchResult], counts: Counter, out_dir: Path) -> str:
    """Counts and mean seconds per status, then the portfolios not proven (public reasons only)."""
    lines = [f"{'status':<16}{'count':>7}{'mean s':>9}"]
    for status in STATUSES:
        times = [r.seconds for r in results if r.status == status and not r.resumed]
        mean = f"{sum(times) / len(times):9.2f}" if times else f"{'-':>9}"
        lines.append(f"{status:<16}{counts.get(status, 0):>7}{mean}")
    resumed = sum(r.resumed for r in results)
    if resumed:
        lines.append(f"({resumed} proven in an earlier run, checked again and kept)")
    failed = sorted((r for r in results if r.status != "proven"), key=lambda r: r.index)
    if failed:
        width = max(len(r.id) for r in failed[:_LISTED])
        lines.append("")
        lines += [f"{r.id:<{width}}  {r.status:<15}  {r.error or ''}" for r in failed[:_LISTED]]
        if len(failed) > _LISTED:
            lines.append(f"... {len(failed) - _LISTED} more")
    lines.append(f"\n{len(results)} portfolios -> {out_dir / SUMMARY}")
    return "\n".join(lines)
