"""Batch-proving throughput: a bare ``api.prove`` loop next to each ``prove_batch`` backend, same portfolios.

For each backend: wall time for N demo proofs (backend start and key loading included), proofs per minute,
the wait for the first result, and the per-proof overhead relative to a bare prove: worker-seconds spent
per proof (wall x workers / N) minus the bare prove's seconds. That overhead holds start-up, key loading
(once per worker), the worker's verification of each new proof, moving results, and writing the folders.
Cores: the host's; on a machine shared with other jobs the numbers vary between runs.

    python3 benchmarks/bench_batch.py [--proofs 8] [--workers 1,2] [--dask-workers 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.batch import MARKET, POLICY, make_build, variant  # noqa: E402
from zkyield import api  # noqa: E402
from zkyield.batch import prove_batch  # noqa: E402
from zkyield.circuits.models import load_market, load_policy, load_portfolio  # noqa: E402


def bare(build: Path, portfolios: list[dict], repeats: int) -> float:
    """Mean seconds of ``api.prove`` alone, keys already loaded, in this process."""
    keys = api.load_keys(build)
    market, policy = load_market(MARKET), load_policy(POLICY)
    api.prove(load_portfolio(portfolios[0]), market, policy, keys)  # warm caches
    start = time.perf_counter()
    for doc in portfolios[:repeats]:
        api.prove(load_portfolio(doc), market, policy, keys)
    return (time.perf_counter() - start) / repeats


def run(build: Path, portfolios: list[dict], n_workers: int, bare_s: float, **backend) -> dict[str, object]:
    pairs = [(f"b{i:04d}", doc) for i, doc in enumerate(portfolios)]
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        first = None
        results = []
        for result in prove_batch(build, pairs, MARKET, POLICY, out, resume=False, **backend):
            first = first if first is not None else time.perf_counter() - start
            results.append(result)
        wall = time.perf_counter() - start
    assert all(r.status == "proven" for r in results), [(r.id, r.error) for r in results]
    n = len(results)
    return {"workers": n_workers, "proofs": n, "wall_s": round(wall, 2), "first_result_s": round(first or 0, 2),
            "proofs_per_min": round(60 * n / wall, 1), "worker_s_per_proof": round(wall * n_workers / n, 2),
            "overhead_s_per_proof": round(wall * n_workers / n - bare_s, 2),
            "in_worker_s_per_proof": round(sum(r.seconds for r in results) / n, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proofs", type=int, default=8, help="proofs per backend run")
    parser.add_argument("--workers", default="1,2", help="process-pool sizes, comma separated")
    parser.add_argument("--dask-workers", type=int, default=2, help="LocalCluster workers (0: skip Dask)")
    parser.add_argument("--build", type=Path, help="a set-up demo build folder (default: make one)")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()

    portfolios = [variant(i, "true") for i in range(args.proofs)]
    with tempfile.TemporaryDirectory() as tmp:
        build = args.build or make_build(Path(tmp) / "build")
        bare_s = bare(build, portfolios, min(4, args.proofs))
        rows = {"bare prove": {"workers": 1, "s_per_proof": round(bare_s, 2),
                               "proofs_per_min": round(60 / bare_s, 1)}}
        rows["in-process"] = run(build, portfolios, 1, bare_s, backend="in-process")
        for w in (int(x) for x in args.workers.split(",")):
            rows[f"process pool x{w}"] = run(build, portfolios, w, bare_s, workers=w)
        if args.dask_workers:
            from distributed import Client, LocalCluster

            with LocalCluster(n_workers=args.dask_workers, threads_per_worker=1, processes=True,
                              host="127.0.0.1", dashboard_address=None, silence_logs=40) as cluster, \
                    Client(cluster) as client:
                client.wait_for_workers(args.dask_workers)
                rows[f"dask LocalCluster x{args.dask_workers}"] = run(build, portfolios, args.dask_workers, bare_s,
                                                                      client=client)
    print(f"demo statement (8 positions, 8 assets), {args.proofs} proofs per run, {os.cpu_count()} cores")
    print(f"{'backend':<24}{'workers':>8}{'wall s':>8}{'1st s':>7}{'proofs/min':>12}{'overhead s/proof':>18}")
    for name, row in rows.items():
        if name == "bare prove":
            print(f"{name:<24}{1:>8}{'':>8}{'':>7}{row['proofs_per_min']:>12}{'0 (' + str(row['s_per_proof']):>14} s)")
            continue
        print(f"{name:<24}{row['workers']:>8}{row['wall_s']:>8}{row['first_result_s']:>7}{row['proofs_per_min']:>12}"
              f"{row['overhead_s_per_proof']:>18}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
