"""Batch proving on a Dask ``LocalCluster`` (loopback, 2 worker processes with 1 thread each).

The same checks as on the process pool (statuses against the independent evaluation, every proof
verified under the build's key), plus a worker process killed mid-batch: the scheduler reruns its task
on the other worker (or the nanny's replacement) and no portfolio is lost.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.support.batch import (
    MARKET,
    POLICY,
    check_outputs,
    expected_statuses,
    shared_build,
    sources_of,
    variant,
    write_folder,
)
from zkyield import api
from zkyield.batch import BatchResult, prove_batch
from zkyield.circuits.models import load_market, load_policy
from zkyield.formats.snarkjs_json import load_vk

distributed = pytest.importorskip("distributed")

SMALL = 8


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_build(tmp_path_factory)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=40) as local:
        yield local


def test_dask_batch_statuses_and_proofs(cluster, build: Path, tmp_path: Path) -> None:
    write_folder(tmp_path / "in", SMALL)
    results = list(prove_batch(build, tmp_path / "in", MARKET, POLICY, tmp_path / "out",
                               scheduler=cluster.scheduler_address))
    expected = expected_statuses(SMALL)
    assert {r.id: r.status for r in results} == expected
    check_outputs(tmp_path / "out", build, expected, sources_of(SMALL))
    ran = [r for r in results if r.worker]
    assert all(r.key_loads == 1 for r in ran), "a Dask worker loaded the key again for a later task"
    assert len({r.worker for r in ran}) == 2, "both workers should have taken tasks"


def test_killed_dask_worker_loses_nothing(cluster, build: Path, tmp_path: Path) -> None:
    ids = [f"k{i}" for i in range(4)]
    pairs = [(job_id, variant(10 + i, "true")) for i, job_id in enumerate(ids)]
    with distributed.Client(cluster) as client:
        pids = client.run(os.getpid)  # worker address -> pid
        results: list[BatchResult] = []
        killed = None
        for result in prove_batch(build, pairs, MARKET, POLICY, tmp_path / "out", client=client):
            results.append(result)
            if killed is None:  # kill a worker that is proving a task right now
                busy = [addr for addr, keys in client.processing().items() if keys]
                assert busy, "no task in flight to lose"
                killed = pids[busy[0]]
                os.kill(killed, signal.SIGKILL)
        client.wait_for_workers(2, timeout=60)  # the nanny restarts the killed worker
        assert killed not in set(client.run(os.getpid).values())
    assert sorted(r.id for r in results) == ids
    assert all(not r.worker.endswith(f":{killed}") for r in results[1:])
    assert all(r.status == "proven" for r in results), [(r.id, r.error) for r in results]
    vk = load_vk(build / api.VERIFICATION_KEY_FILE)
    market, policy = load_market(MARKET), load_policy(POLICY)
    for r in results:
        assert api.verify(r.attestation, vk, policy, market)
        assert (tmp_path / "out" / r.id / "attestation.json").is_file()


@pytest.mark.slow
def test_dask_batch_of_54_generated_portfolios(cluster, build: Path, tmp_path: Path) -> None:
    n = 54
    write_folder(tmp_path / "in", n)
    start = time.perf_counter()
    results = list(prove_batch(build, tmp_path / "in", MARKET, POLICY, tmp_path / "out",
                               scheduler=cluster.scheduler_address))
    elapsed = time.perf_counter() - start
    expected = expected_statuses(n)
    assert Counter(r.status for r in results) == Counter(expected.values())
    check_outputs(tmp_path / "out", build, expected, sources_of(n))
    print(f"54 portfolios on a 2-worker Dask LocalCluster: {elapsed:.1f} s")
