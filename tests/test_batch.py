"""Batch proving on the in-process and process-pool backends: statuses, outputs, resume, a killed worker.

Expected statuses come from the models and the plain-Python evaluation (tests/support/batch.py); every
proof is checked with zkyield's verifier under the build folder's key, one with snarkjs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.batch import (
    MARKET,
    POLICY,
    check_outputs,
    expected_statuses,
    private_strings,
    shared_build,
    sources_of,
    variant,
    write_folder,
    write_jsonl,
)
from tests.support.tools import run_snarkjs
from zkyield import api
from zkyield.batch import BatchResult, prove_batch, read_jobs
from zkyield.circuits.models import load_market, load_policy, load_portfolio
from zkyield.cli.batch_command import prove_batch_cmd
from zkyield.errors import InputError
from zkyield.formats.snarkjs_json import load_vk

SMALL = 8  # p000..p007: six true, one unknown asset, one false


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_build(tmp_path_factory)


@pytest.fixture(scope="module")
def pool_run(build: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[BatchResult]]:
    """The small batch on a 2-worker process pool, run once for the tests that inspect it."""
    root = tmp_path_factory.mktemp("pool")
    write_folder(root / "in", SMALL)
    results = list(prove_batch(build, root / "in", MARKET, POLICY, root / "out", workers=2))
    return root / "in", root / "out", results


def test_folder_source_reads_ids_from_file_names_and_rejects_bad_ones(tmp_path: Path) -> None:
    write_folder(tmp_path, 9)
    (tmp_path / "bad name.json").write_text(json.dumps(variant(0, "true")))
    (tmp_path / ".hidden.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("not a portfolio")
    (tmp_path / "summary.jsonl.json").write_text(json.dumps(variant(1, "true")))
    jobs = {j.id: j for j in read_jobs(tmp_path)}
    assert sorted(jobs) == sorted([f"p{i:03d}" for i in range(9)] + ["bad name", "summary.jsonl"])
    assert jobs["bad name"].portfolio is None and "file name must be an id" in jobs["bad name"].error
    assert jobs["summary.jsonl"].portfolio is None
    assert jobs["p000"].portfolio is not None and jobs["p000"].error is None
    assert jobs["p004"].portfolio is not None  # an unknown asset is found when bound to the market
    for job in jobs.values():
        assert (job.portfolio is None) == (job.error is not None)


def test_jsonl_source_takes_the_id_field_and_keeps_bad_lines_as_bad_input(tmp_path: Path) -> None:
    good = variant(0, "true")
    lines = [json.dumps({"id": "a", **good}), "", "{oops", json.dumps({**good}), json.dumps({"id": "../x", **good}),
             json.dumps({"id": "a", **good}), "[1, 2]", json.dumps({"id": "b", **good, "extra": 1}),
             '{"id": "c", "id": "d"}']
    path = tmp_path / "books.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"id": "\xff"}\n')
    jobs = list(read_jobs(path))
    assert [j.id for j in jobs] == ["a", "line-3", "line-4", "line-5", "a", "line-7", "b", "line-9", "line-10"]
    assert jobs[0].portfolio is not None
    assert all(j.portfolio is None for j in jobs[1:])
    assert "not valid JSON" in jobs[1].error and "line 3" in jobs[1].error
    assert "id must be" in jobs[2].error and "id must be" in jobs[3].error
    assert "appears twice" in jobs[4].error
    assert "JSON object" in jobs[5].error
    assert "extra" in jobs[6].error
    assert "duplicate key" in jobs[7].error
    assert "not UTF-8" in jobs[8].error


def test_pool_batch_statuses_match_the_independent_evaluation(pool_run, build: Path) -> None:
    _, out, results = pool_run
    expected = expected_statuses(SMALL)
    assert Counter(expected.values()) == Counter(r.status for r in results)
    assert {r.id: r.status for r in results} == expected
    assert set(Counter(expected.values())) == {"proven", "statement_false", "bad_input"}
    check_outputs(out, build, expected, sources_of(SMALL))


def test_pool_workers_load_the_proving_key_once_each(pool_run) -> None:
    _, _, results = pool_run
    ran = [r for r in results if r.worker]
    assert 1 <= len({r.worker for r in ran}) <= 2
    assert all(r.key_loads == 1 for r in ran), "a worker loaded the key again for a later task"
    assert all(r.attempt == 1 for r in ran)


def test_a_batch_proof_verifies_with_snarkjs(pool_run) -> None:
    _, out, _ = pool_run
    folder = out / "p000"
    proc = run_snarkjs("groth16", "verify", folder / "verification_key.json", folder / "public.json",
                       folder / "proof.json")
    assert "OK" in proc.stdout


def test_summary_and_errors_hold_no_private_values(pool_run) -> None:
    _, out, results = pool_run
    text = (out / "summary.jsonl").read_text() + "".join(r.error or "" for r in results)
    secrets = private_strings(SMALL)
    assert secrets
    for secret in secrets:
        assert secret not in text


def test_rerun_keeps_valid_proofs_and_reproves_changed_missing_or_tampered_ones(pool_run, build: Path,
                                                                                  tmp_path: Path) -> None:
    source, first_out, _ = pool_run
    out = tmp_path / "out"
    shutil.copytree(first_out, out)
    shutil.copy(out / "p003" / "proof.json", out / "p000" / "proof.json")  # a proof of another portfolio
    shutil.rmtree(out / "p001")
    (out / ".partial-p009-1").mkdir()  # left by a killed run
    inputs = tmp_path / "in"
    shutil.copytree(source, inputs)
    changed = json.loads((inputs / "p002.json").read_text())
    changed["salt"] = "12345678901234567890"
    (inputs / "p002.json").write_text(json.dumps(changed))
    kept_mtime = (out / "p003" / "proof.json").stat().st_mtime_ns

    results = {r.id: r for r in prove_batch(build, inputs, MARKET, POLICY, out, backend="in-process")}
    assert {i for i, r in results.items() if r.resumed} == {"p003", "p006", "p007"}
    assert {i for i, r in results.items() if r.status == "proven" and not r.resumed} == {"p000", "p001", "p002"}
    assert (out / "p003" / "proof.json").stat().st_mtime_ns == kept_mtime
    assert not (out / ".partial-p009-1").exists()
    sources = sources_of(SMALL)
    sources["p002"] = changed
    check_outputs(out, build, expected_statuses(SMALL), sources)
    rows = [json.loads(line) for line in (out / "summary.jsonl").read_text().splitlines()]
    assert [r.get("resumed", False) for r in rows if r["status"] == "proven"] == [False, False, False, True,
                                                                                   True, True]


def test_killed_pool_worker_is_replaced_and_nothing_is_lost(build: Path, tmp_path: Path) -> None:
    ids = [f"k{i}" for i in range(3)]
    pairs = [(job_id, variant(i, "true")) for i, job_id in enumerate(ids)]
    results: list[BatchResult] = []
    killed = None
    for result in prove_batch(build, pairs, MARKET, POLICY, tmp_path / "out", workers=2):
        results.append(result)
        if killed is None:  # its worker has already taken the next task: kill it mid-proof
            killed = int(result.worker.rsplit(":", 1)[1])
            os.kill(killed, signal.SIGKILL)
    assert sorted(r.id for r in results) == ids
    assert all(r.status == "proven" for r in results), [(r.id, r.error) for r in results]
    assert max(r.attempt for r in results) == 2, "no task was resubmitted after the worker died"
    vk = load_vk(build / api.VERIFICATION_KEY_FILE)
    market, policy = load_market(MARKET), load_policy(POLICY)
    for r in results:
        assert r.attestation is not None and api.verify(r.attestation, vk, policy, market)
    assert not any(p.name.startswith(".") for p in (tmp_path / "out").iterdir())


def test_library_call_without_out_yields_attestations(build: Path) -> None:
    pairs = [("obj", load_portfolio(variant(0, "true"))), ("doc", variant(1, "false")),
             ("neg", variant(2, "negative"))]
    results = {r.id: r for r in prove_batch(build, pairs, MARKET, POLICY, backend="in-process")}
    assert {i: r.status for i, r in results.items()} == {"obj": "proven", "doc": "statement_false",
                                                        "neg": "bad_input"}
    vk = load_vk(build / api.VERIFICATION_KEY_FILE)
    assert api.verify(results["obj"].attestation, vk, load_policy(POLICY), load_market(MARKET))
    assert results["obj"].out_dir is None
    assert "min_return_bps" in results["doc"].error


def test_unusable_build_folder_stops_the_batch(build: Path, tmp_path: Path) -> None:
    broken = tmp_path / "build"
    shutil.copytree(build, broken)
    data = (broken / api.PROVING_KEY_FILE).read_bytes()
    (broken / api.PROVING_KEY_FILE).write_bytes(data[: len(data) // 2])
    pairs = [("a", variant(0, "true"))]
    with pytest.raises(InputError):
        list(prove_batch(broken, pairs, MARKET, POLICY, backend="in-process"))
    with pytest.raises(InputError, match="no statement.json"):
        prove_batch(tmp_path, pairs, MARKET, POLICY)
    other = json.loads(POLICY.read_text())
    other["max_position_bps"] = 5000
    with pytest.raises(InputError, match="clauses differ"):
        prove_batch(build, pairs, MARKET, other)


def test_cli_prove_batch_json_table_and_exit_codes(build: Path, tmp_path: Path) -> None:
    kinds = write_jsonl(tmp_path / "books.jsonl", 6)  # p000..p003 true, p004 unknown asset, p005 false
    args = [str(build), "--portfolios", str(tmp_path / "books.jsonl"), "--market", str(MARKET), "--policy",
            str(POLICY), "--out", str(tmp_path / "out"), "--backend", "in-process"]
    done = CliRunner().invoke(prove_batch_cmd, [*args, "--json"])
    assert done.exit_code == 2, done.output  # the worst status wins: bad input
    doc = json.loads(done.stdout)
    assert doc["counts"] == {"proven": 4, "statement_false": 1, "bad_input": 1, "error": 0}
    assert [r["id"] for r in doc["results"]] == list(kinds)
    again = CliRunner().invoke(prove_batch_cmd, args)
    assert again.exit_code == 2
    assert "4 proven in an earlier run" in again.stdout and "p005  statement_false" in again.stdout
    only_true = tmp_path / "true.jsonl"
    only_true.write_text((tmp_path / "books.jsonl").read_text().splitlines()[0] + "\n")
    ok = CliRunner().invoke(prove_batch_cmd, [*args[:2], str(only_true), *args[3:]])
    assert ok.exit_code == 0, ok.output


@pytest.mark.slow
def test_pool_batch_of_54_generated_portfolios(build: Path, tmp_path: Path) -> None:
    n = 54
    write_folder(tmp_path / "in", n)
    start = time.perf_counter()
    results = list(prove_batch(build, tmp_path / "in", MARKET, POLICY, tmp_path / "out", workers=2))
    elapsed = time.perf_counter() - start
    expected = expected_statuses(n)
    assert Counter(r.status for r in results) == Counter(expected.values())
    assert Counter(expected.values())["statement_false"] >= 5 and Counter(expected.values())["bad_input"] >= 5
    check_outputs(tmp_path / "out", build, expected, sources_of(n))
    assert all(r.key_loads == 1 for r in results if r.worker)
    print(f"54 portfolios on 2 pool workers: {elapsed:.1f} s")
