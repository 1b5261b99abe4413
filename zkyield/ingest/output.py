"""Write a statement file and its ``*.provenance.json`` atomically, after the reorg checks.

The provenance holds the chain id, both blocks (number, hash, timestamp), every ``eth_call`` (block, address,
function, calldata, raw result) and every log used, so an attestor can replay exactly what was read. A re-run at
the same blocks writes byte-identical files (only the portfolio's salt differs); if the previous provenance at the
same path recorded another hash for one of the blocks, the chain reorganised and the run is refused.
"""

from __future__ import annotations

import json
from pathlib import Path

from zkyield.errors import InputError
from zkyield.formats.atomic import write_text_atomic
from zkyield.ingest.pins import Pins

FORMAT = "zkyield-ingest-provenance/1"


def provenance_path(out: Path) -> Path:
    name = out.name[:-5] if out.name.endswith(".json") else out.name
    return out.with_name(f"{name}.provenance.json")


def _previous_hashes(path: Path) -> dict[int, str]:
    try:
        data = json.loads(path.read_text())
        return {int(b["number"]): b["hash"] for b in data["blocks"]} if data.get("format") == FORMAT else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_with_provenance(out: str | Path, kind: str, document: dict, pins: Pins, extras: dict | None = None) -> Path:
    """Re-check both block hashes (during the read and against the previous run), then write both files."""
    out = Path(out)
    prov_path = provenance_path(out)
    pins.recheck()
    for block in pins.blocks:
        before = _previous_hashes(prov_path).get(block.number)
        if before is not None and before != block.hash:
            raise InputError(f"block {block.number}: its hash is {block.hash} but {prov_path} recorded {before} (a "
                             "reorg since the last ingest); check the chain, then delete that file to ingest again")
    provenance = {
        "format": FORMAT,
        "file": kind,
        "output": out.name,
        "chain_id": pins.chain_id,
        "blocks": [{"number": b.number, "hash": b.hash, "timestamp": b.timestamp} for b in pins.blocks],
        **(extras or {}),
        "calls": pins.rpc.log,
    }
    if not out.parent.is_dir():
        raise InputError(f"--out: folder {out.parent} does not exist; create it first")
    write_text_atomic(prov_path, json.dumps(provenance, indent=1) + "\n")
    write_text_atomic(out, json.dumps(document, indent=2) + "\n")
    return prov_path
