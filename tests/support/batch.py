"""Generated batches for the batch-proving tests and benchmark: variants of the shipped demo portfolio.

Kinds: "true" (every amount scaled, fresh salt), "false" (the stETH position ends far below its start, so
min_return fails), and malformed ones: "unknown_asset", "negative", "bad_json". Expected statuses are
computed independently of zkyield.batch (models + evaluate), never taken from the code under test.
"""

from __future__ import annotations

import copy
import hashlib
import json
from decimal import Decimal
from pathlib import Path

from zkyield import api
from zkyield.circuits.evaluate import evaluate
from zkyield.circuits.models import EXAMPLES_DIR, load_market, load_policy, load_portfolio
from zkyield.errors import InputError
from zkyield.field import R

MARKET = EXAMPLES_DIR / "demo.market.json"
POLICY = EXAMPLES_DIR / "demo.policy.json"
PORTFOLIO = EXAMPLES_DIR / "demo.portfolio.json"
BASE = json.loads(PORTFOLIO.read_text())
MALFORMED = ("unknown_asset", "negative", "bad_json")


def make_build(folder: Path) -> Path:
    """Compile and set up the demo statement (8 positions, 8 assets) into ``folder``."""
    statement = api.compile_statement(load_policy(POLICY), 8, 8)
    api.save_statement(statement, folder)
    api.save_keys(api.setup(statement), folder)
    return folder


def salt(i: int) -> str:
    return str(int.from_bytes(hashlib.sha256(f"batch-test-{i}".encode()).digest(), "big") % (R - 1) + 1)


def variant(i: int, kind: str) -> dict | str:
    """The i-th generated portfolio of a kind: a dict, or raw text for "bad_json"."""
    if kind == "bad_json":
        return '{"owner": "0x879c3388dB202b84DEFf9e435D85F7FC21728292", "positions": [ ,'
    doc = copy.deepcopy(BASE)
    doc["salt"] = salt(i)
    scale = Decimal(100 + i) / 100
    for position in doc["positions"]:
        for field in ("start_amount", "end_amount", "fee_income"):
            if field in position:
                position[field] = str(Decimal(position[field]) * scale)
    for flow in doc["deposits"]:
        flow["amount"] = str(Decimal(flow["amount"]) * scale)
    if kind == "false":
        staking = doc["positions"][0]
        staking["end_amount"] = str(Decimal(staking["start_amount"]) / 2)
        staking["fee_income"] = "0"
    elif kind == "unknown_asset":
        doc["positions"][1]["asset"] = "DOGE"
    elif kind == "negative":
        doc["positions"][1]["start_amount"] = "-5"
    elif kind != "true":
        raise ValueError(kind)
    return doc


def plan(n: int) -> list[tuple[str, str]]:
    """``(id, kind)`` for n portfolios: mostly true, every 6th false, every 9th malformed (rotating)."""
    out = []
    for i in range(n):
        if i % 9 == 4:
            kind = MALFORMED[(i // 9) % len(MALFORMED)]
        elif i % 6 == 5:
            kind = "false"
        else:
            kind = "true"
        out.append((f"p{i:03d}", kind))
    return out


def write_folder(folder: Path, n: int) -> dict[str, str]:
    """Write n portfolios as ``folder/<id>.json``; returns id -> kind."""
    folder.mkdir(parents=True, exist_ok=True)
    kinds = {}
    for i, (job_id, kind) in enumerate(plan(n)):
        doc = variant(i, kind)
        (folder / f"{job_id}.json").write_text(doc if isinstance(doc, str) else json.dumps(doc, indent=1))
        kinds[job_id] = kind
    return kinds


def write_jsonl(path: Path, n: int) -> dict[str, str]:
    """The same portfolios as one JSONL file with an ``id`` field per line."""
    lines, kinds = [], {}
    for i, (job_id, kind) in enumerate(plan(n)):
        doc = variant(i, kind)
        lines.append(doc if isinstance(doc, str) else json.dumps({"id": job_id, **doc}))
        kinds[job_id if not isinstance(doc, str) else f"line-{i + 1}"] = kind
    path.write_text("\n".join(lines) + "\n")
    return kinds


def expected_status(doc: dict | str) -> str:
    """The status a batch must report, from the models and the plain-Python evaluation alone."""
    market, policy = load_market(MARKET), load_policy(POLICY)
    if isinstance(doc, str):
        return "bad_input"
    try:
        portfolio = load_portfolio(doc)
        holds = evaluate(portfolio, market, policy).holds
    except InputError:
        return "bad_input"
    return "proven" if holds else "statement_false"


def expected_statuses(n: int) -> dict[str, str]:
    return {job_id: expected_status(variant(i, kind)) for i, (job_id, kind) in enumerate(plan(n))}


def private_strings(n: int) -> list[str]:
    """Values that must never appear in a summary, log or error: salts and the generated amounts."""
    out = []
    for i, (_, kind) in enumerate(plan(n)):
        doc = variant(i, kind)
        if isinstance(doc, dict):
            out.append(doc["salt"])
            out += [p[f] for p in doc["positions"] for f in ("start_amount", "end_amount")
                    if len(p[f]) >= 5]
    return out


def shared_build(tmp_path_factory) -> Path:
    """One demo build folder per pytest session (both batch test modules use it)."""
    folder = tmp_path_factory.getbasetemp() / "batch-demo-build"
    if not (folder / api.VERIFICATION_KEY_FILE).is_file():
        make_build(folder)
    return folder


def check_outputs(out: Path, build: Path, expected: dict[str, str], sources: dict[str, dict | str]) -> None:
    """OUT/ against what must be there: one summary row per portfolio with the expected status, and a
    folder per proven one whose proof verifies under the build's key and commits to that portfolio."""
    from zkyield.formats.attestation import read_attestation
    from zkyield.formats.snarkjs_json import load_public, load_vk

    rows = [json.loads(line) for line in (out / "summary.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == list(expected), "one row per portfolio, in input order"
    assert {r["id"]: r["status"] for r in rows} == expected
    vk = load_vk(build / api.VERIFICATION_KEY_FILE)
    market, policy = load_market(MARKET), load_policy(POLICY)
    capacity = api.load_statement(build).capacity
    proven = [r for r in rows if r["status"] == "proven"]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted(r["id"] for r in proven)
    for row in proven:
        att = read_attestation(out / row["id"])
        assert api.verify(att, vk, policy, market), row["id"]
        public = load_public(out / row["id"] / "public.json")
        want = api.commitment(load_portfolio(sources[row["id"]]), market, capacity)
        assert int(row["commitment"]) == public[0] == want
    for row in rows:
        assert (row["status"] == "proven") == ("error" not in row)
        assert row["seconds"] >= 0


def sources_of(n: int) -> dict[str, dict | str]:
    return {job_id: variant(i, kind) for i, (job_id, kind) in enumerate(plan(n))}
