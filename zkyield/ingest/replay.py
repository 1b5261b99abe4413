"""Replay a provenance file against a node: every recorded read must give the recorded answer again.

This is what an attestor runs before signing: the same blocks (by hash), the same code at every address, the
same result for every ``eth_call`` and the same number of logs for every filter. A difference is a
``VerificationError`` (exit 1) naming the first read that differs; a different chain or block hash is refused.
"""

from __future__ import annotations

from pathlib import Path

from eth_utils import keccak

from zkyield.errors import InputError, VerificationError
from zkyield.formats.jsonfile import read_json
from zkyield.ingest.output import FORMAT
from zkyield.ingest.rpc import Rpc


def replay(rpc: Rpc, path: str | Path) -> dict[str, int]:
    data, name = read_json(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"{name}: not an ingest provenance file (format {FORMAT})")
    if rpc.chain_id() != data["chain_id"]:
        raise InputError(f"{name}: recorded on chain {data['chain_id']}, the node serves chain {rpc.chain_id()}")
    for recorded, now in zip(data["blocks"], rpc.blocks([b["number"] for b in data["blocks"]]), strict=True):
        if recorded["hash"] != now.hash:
            raise InputError(f"{name}: block {now.number} now has hash {now.hash}, not the recorded {recorded['hash']}"
                             " (a reorg); ingest again")
    entries = data["calls"]
    items = []
    for e in entries:
        if e["method"] == "eth_call":
            items.append(("eth_call", [{"to": e["to"], "data": e["data"]}, hex(e["block"])]))
        elif e["method"] == "eth_getCode":
            items.append(("eth_getCode", [e["to"], hex(e["block"])]))
        else:
            items.append(("eth_getLogs", [e["filter"]]))
    results = rpc.request(items)
    for i, (e, result) in enumerate(zip(entries, results, strict=True)):
        if e["method"] == "eth_call":
            same = result == e["result"]
        elif e["method"] == "eth_getCode":
            same = "0x" + keccak(hexstr=result).hex() == e["code_keccak"]
        else:
            same = len(result) == e["logs"]
        if not same:
            what = e.get("function", e["method"])
            raise VerificationError(f"{name}: read {i} ({what} at {e.get('to', 'logs')}, block "
                                    f"{e.get('block', e.get('filter', {}).get('toBlock'))}) answers differently now")
    counts: dict[str, int] = {}
    for e in entries:
        counts[e["method"]] = counts.get(e["method"], 0) + 1
    return counts

