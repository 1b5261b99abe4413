"""``zkyield report OUT --key VK ... -o report.html``: the verification as a page an auditor can file.

It reads exactly what ``zkyield verify`` reads (the same loading code), verifies, and writes one
self-contained HTML file; a failed verification still writes the page, showing FAIL, and exits 1.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import click

from zkyield import __version__, report
from zkyield.cli.verify_command import load_inputs, verifier_inputs, verify_inputs
from zkyield.errors import InputError

if TYPE_CHECKING:
    from zkyield.registry_records import RegistryReader

_file = click.Path(exists=True, dir_okay=False, path_type=Path)


def _registry_commit_times(reader: RegistryReader, owner: int) -> list[tuple[int, int]]:
    """``(head, committed_at)`` of every snapshot the owner committed, from the registry's own events, in order."""
    from web3 import Web3

    from zkyield.verifier.chain import registry_contract

    event = registry_contract(reader.w3, reader.address).events.SnapshotCommitted
    logs = event.get_logs(from_block=0, argument_filters={"owner": Web3.to_checksum_address(f"0x{owner:040x}")})
    rows = sorted((int(e.args["index"]), int(e.args["head"]), int(e.args["committedAt"])) for e in logs)
    if [i for i, _, _ in rows] != list(range(1, len(rows) + 1)):  # the registry's index is 1-based
        return []  # a gap in what the node returned: draw nothing rather than a wrong window
    return [(head, t) for _, head, t in rows]


def _out_path(path: Path) -> Path:
    if path.is_dir():
        raise InputError(f"-o: {path} is a folder; name the report file, e.g. -o {path / 'report.html'}")
    if not path.parent.is_dir():
        raise InputError(f"-o: folder {path.parent} does not exist; create it or choose another path")
    return path


@click.command("report")
@verifier_inputs
@click.option("-o", "--out", "out_path", type=click.Path(path_type=Path), required=True, help="The HTML file to write.")
@click.pass_context
def report_cmd(ctx: click.Context, proof_dir: Path, key_path: Path | None, key_sha256: str | None,
               policy_path: Path | None, market_path: Path | None, log_path: Path | None, rpc_url: str | None,
               registry: str | None, out_path: Path) -> None:
    """Verify like `zkyield verify` and write a self-contained HTML report (exit 0 valid, 1 invalid, 2 bad input).

    \b
    The page shows the verdict, the clauses of YOUR policy, period, owner, commitment, key digest,
    every check, and for a history proof a chart of when each snapshot was committed. docs/verifying.md.
    Example:
      zkyield report proof/ --key build/ --policy policy.json --market market.json -o report.html
    """
    out_path = _out_path(out_path)
    inputs = load_inputs(proof_dir, key_path, key_sha256, policy_path, market_path, log_path, rpc_url, registry)
    result = verify_inputs(inputs)
    links = None
    if inputs.log is not None:
        links = report.window_links([(e.head, e.committed_at) for e in inputs.log.entries], result)
    elif inputs.registry is not None and result.statement == "history" and result:
        links = report.window_links(_registry_commit_times(inputs.registry, result.public_signals[1]), result)
    page = report.render(result, key_file=str(inputs.key_file), proof_dir=str(proof_dir),
                         generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
                         links=links, record=inputs.heads.description if inputs.heads else None,
                         version=__version__)
    report.write_report(out_path, page)
    verdict = "PASS" if result else f"FAIL ({result.failures[0].reason})"
    click.echo(f"{verdict}: report written to {out_path}")
    if not result:
        ctx.exit(1)
