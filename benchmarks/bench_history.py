"""History proofs: constraint counts per clause and build / witness / setup / prove / verify times.

    python3 benchmarks/bench_history.py                    # T = 52 and T = 365, all six clauses, counts only
    python3 benchmarks/bench_history.py --prove 52         # also set up, prove and verify T = 52
    python3 benchmarks/bench_history.py --prove 52 365     # ... and T = 365 (large: minutes, GBs)

Histories are synthetic (seeded daily returns, one snapshot per period); the policy enables every
clause at its always-true threshold, so the circuit is the largest for its T. Prints one JSON object
per T (the numbers docs/history.md quotes).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.history import make_history, market_for, policy  # noqa: E402
from zkyield.circuits.history_circuit import history_statement  # noqa: E402
from zkyield.circuits.history_clauses import CLAUSES  # noqa: E402
from zkyield.circuits.history_metrics import evaluate_history  # noqa: E402
from zkyield.circuits.history_models import HISTORY_THRESHOLDS  # noqa: E402

DAY = 86_400


def _synthetic(periods: int, seed: int = 7):
    rng = random.Random(seed)
    navs = [10**12]
    for _ in range(periods):
        navs.append(max(1, int(navs[-1] * (1 + rng.gauss(0.0004, 0.01)))))
    start = 1_704_067_200
    h = make_history(navs, [start + i * DAY for i in range(periods + 1)], seed=seed)
    easy = {k: (lo if CLAUSES[k].is_min else hi) for k, (lo, hi) in HISTORY_THRESHOLDS.items()}
    return h, market_for(h, 450), policy(periods, **easy)


def _passing(periods: int):
    """The first synthetic window (seeds 7, 8, ...) whose always-true policy holds: min_calmar_bps = 0
    needs a window that gained over its period."""
    seed = 7
    while not evaluate_history((w := _synthetic(periods, seed))[0].snapshots, w[1], w[2]).holds:
        seed += 1
    return w


def bench(periods: int, prove: bool) -> dict:
    h, m, p = _passing(periods)
    out: dict = {"periods": periods, "snapshots": periods + 1}
    t = time.perf_counter()
    st = history_statement(h, m, p)
    out["build_s"] = round(time.perf_counter() - t, 2)
    cc = st.circuit
    out["constraints"] = cc.n_constraints
    out["wires"] = cc.n_wires
    out["by_scope"] = dict(Counter(label.split("/")[0] for label in cc.r1cs.labels).most_common())
    t = time.perf_counter()
    witness = cc.witness(st.inputs)
    out["witness_s"] = round(time.perf_counter() - t, 2)
    if prove:
        from zkyield.groth16 import prove as g16_prove
        from zkyield.groth16 import setup, verify

        t = time.perf_counter()
        pk, vk = setup(cc.r1cs)
        out["setup_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        proof = g16_prove(pk, cc.r1cs, witness)
        out["prove_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        ok = verify(vk, list(st.public), proof)
        out["verify_s"] = round(time.perf_counter() - t, 3)
        if not ok:
            raise SystemExit(f"T={periods}: the proof did not verify")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("periods", nargs="*", type=int, default=[52, 365], help="window lengths T to build")
    parser.add_argument("--prove", nargs="*", type=int, default=[], metavar="T",
                        help="window lengths to set up, prove and verify as well")
    args = parser.parse_args()
    for periods in sorted(set(args.periods) | set(args.prove)):
        print(json.dumps(bench(periods, periods in args.prove)), flush=True)


if __name__ == "__main__":
    main()
