"""The statement-side path a user runs: compile, prove on the witness program, and the Groth16 part alone.

    python3 benchmarks/bench_prove_path.py --sizes              # constraints and .r1cs bytes, before/after
    python3 benchmarks/bench_prove_path.py --prove 128          # compile, setup, prove vs groth16 prove
    python3 benchmarks/bench_prove_path.py --compile 128 --rounds 5 [--baseline CHECKOUT]

``--sizes`` compiles the demo statement (N = 8) and the fund policy at N = 8, 32, 128 (M = 16 assets,
S = 3 scenarios) with and without the linear simplification, plus Poseidon(2) with its output
(circomlib under circom 2 ``--O2``: 240). ``--prove N`` runs, each in a fresh subprocess (wall time and
peak RSS from wait4): ``zkyield compile``, ``zkyield setup``, ``zkyield prove --witness-out W.wtns`` and
``zkyield groth16 prove BUILD W.wtns`` on the witness it wrote, alternating the last two ``--rounds``
times. ``--compile N`` runs ``zkyield compile`` alone ``--rounds`` times, alternating with the same
command from ``--baseline`` (another checkout with its C extension built in place, put first on
PYTHONPATH) when given, checks every round that both wrote the same files (SHA-256), and times reading them back
once while hashing them: the first read of a ``circuit.r1cs`` that compile wrote around the page cache
(its next reader fills the cache).
Goals (issue 15): prove <= 1.5x groth16 prove, peak <= 1.5 GB, compile <= 5 s at N = 128.
The fund's positions are repeated to N under an all-clause policy with always-true thresholds (the
circuit depends on the clauses, not the thresholds). Prints one JSON object per measurement.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from zkyield import api
from zkyield.circuits.models import example, load_policy
from zkyield.dsl import Circuit
from zkyield.formats.r1cs_bin import r1cs_to_bytes
from zkyield.gadgets.poseidon import poseidon_gadget

ASSETS, SCENARIOS = 16, 3
ALWAYS_TRUE = {
    "min_return_bps": -9_999, "min_apr_bps": -999_999, "min_real_yield_bps": 0, "max_position_bps": 10_000,
    "max_leverage_bps": 1_000_000, "min_health_factor_bps": 0, "max_impermanent_loss_bps": 10_000,
    "max_stress_loss_bps": 10_000, "min_liquid_bps": 0,
}
CLI = "from zkyield.cli.main import main; main()"


def _fund(n: int) -> tuple[dict, dict, dict]:
    portfolio, market, policy = (json.loads(p.read_text()) for p in example("fund"))
    positions = portfolio["positions"]
    portfolio["positions"] = [copy.deepcopy(positions[i % len(positions)]) for i in range(n)]
    everything = {**ALWAYS_TRUE, "allowed_protocols": policy["allowed_protocols"],
                  "allowed_protocols_root": policy["allowed_protocols_root"]}
    return portfolio, market, everything


def _sizes(circuit_of) -> dict:
    out = {}
    for label, simplify in (("before", False), ("after", True)):
        cc = circuit_of(simplify)
        out[label] = {"constraints": cc.n_constraints, "wires": cc.n_wires, "r1cs_bytes": len(r1cs_to_bytes(cc.r1cs))}
    return out


def sizes() -> None:
    def statement(policy_doc: dict, n: int, assets: int, scenarios: int):
        compiled = api.compile_statement(load_policy(policy_doc), n, assets, scenarios).circuit
        return lambda simplify: compiled if simplify else compiled.builder.compile(simplify=False)

    def poseidon2(simplify: bool):
        c = Circuit()
        c.output("h", poseidon_gadget(c, c.private_input("a", length=2)))
        return c.compile(simplify)

    demo_policy = json.loads(example("demo")[2].read_text())
    print(json.dumps({"case": "poseidon2", **_sizes(poseidon2)}), flush=True)
    print(json.dumps({"case": "demo N=8 M=8 S=1", **_sizes(statement(demo_policy, 8, 8, 1))}), flush=True)
    for n in (8, 32, 128):
        policy = _fund(n)[2]
        print(json.dumps({"case": f"fund all clauses N={n} M={ASSETS} S={SCENARIOS}",
                          **_sizes(statement(policy, n, ASSETS, SCENARIOS))}), flush=True)


def _timed(*args: str | Path, env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system) of one CLI run in a fresh process (run
    in the temp folder: ``python -c`` puts its working directory, a checkout's root, before PYTHONPATH)."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CLI, *map(str, args)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env, cwd=tempfile.gettempdir())
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if status != 0:
        raise RuntimeError(f"zkyield {' '.join(map(str, args))} failed: {proc.stderr.read().decode()[-2000:]}")
    return round(wall, 2), round(usage.ru_maxrss / 1024, 1), round(usage.ru_utime + usage.ru_stime, 2)


def prove(n: int, rounds: int) -> None:
    d = Path(tempfile.mkdtemp(prefix=f"bench_prove_path_{n}_"))
    docs = dict(zip(("portfolio", "market", "policy"), _fund(n), strict=True))
    for name, doc in docs.items():
        (d / f"{name}.json").write_text(json.dumps(doc))
    build = d / "build"
    size = ("--positions", str(n), "--assets", str(ASSETS), "--scenarios", str(SCENARIOS))
    for step, args in (("compile", ("compile", d / "policy.json", *size, "--out", build)), ("setup", ("setup", build))):
        wall, peak, cpu = _timed(*args)
        print(json.dumps({"n": n, "step": step, "wall_s": wall, "cpu_s": cpu, "peak_mb": peak,
                          "load_avg_1m": round(os.getloadavg()[0], 1)}), flush=True)
    wtns = d / "w.wtns"
    inputs = ("--portfolio", d / "portfolio.json", "--market", d / "market.json", "--policy", d / "policy.json")
    for r in range(rounds):
        ours = _timed("prove", build, *inputs, "--out", d / f"proof{r}", "--witness-out", wtns)
        core = _timed("groth16", "prove", build, wtns, "--out", d / f"core{r}")
        print(json.dumps({"n": n, "round": r,
                          "zkyield_prove": {"wall_s": ours[0], "cpu_s": ours[2], "peak_mb": ours[1]},
                          "groth16_prove_build_wtns": {"wall_s": core[0], "cpu_s": core[2], "peak_mb": core[1]},
                          "ratio": round(ours[0] / core[0], 2), "load_avg_1m": round(os.getloadavg()[0], 1)}),
              flush=True)


def compile_rounds(n: int, rounds: int, baseline: Path | None) -> None:
    d = Path(tempfile.mkdtemp(prefix=f"bench_compile_{n}_"))
    (d / "policy.json").write_text(json.dumps(_fund(n)[2]))
    sides: dict[str, dict[str, str] | None] = {"current": None}
    if baseline is not None:
        sides = {"baseline": {**os.environ, "PYTHONPATH": str(baseline.resolve())}, **sides}
    files: dict[str, dict[str, str]] = {}
    differing = []  # rounds whose two sides wrote different files
    for r in range(rounds):
        for side, env in sides.items():
            out = d / side
            shutil.rmtree(out, ignore_errors=True)
            wall, peak, cpu = _timed("compile", d / "policy.json", "--positions", str(n), "--assets", str(ASSETS),
                                     "--scenarios", str(SCENARIOS), "--out", out, env=env)
            t = time.perf_counter()
            files[side] = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}
            read_back = time.perf_counter() - t  # every file read once (from disk when written uncached) and hashed
            print(json.dumps({"n": n, "round": r, "side": side, "wall_s": wall, "cpu_s": cpu, "peak_mb": peak,
                              "read_back_s": round(read_back, 2), "load_avg_1m": round(os.getloadavg()[0], 1)}),
                  flush=True)
        if baseline is not None and files["baseline"] != files["current"]:
            differing.append(r)
    if baseline is not None:
        print(json.dumps({"n": n, "same_files_every_round": not differing, "differing_rounds": differing,
                          "files": files["current"]}), flush=True)
    shutil.rmtree(d, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", action="store_true", help="constraint counts and .r1cs sizes before/after")
    parser.add_argument("--prove", type=int, nargs="*", default=[], help="capacities N to compile and prove")
    parser.add_argument("--compile", type=int, nargs="*", default=[], help="capacities N to compile only")
    parser.add_argument("--baseline", type=Path, help="a checkout to alternate --compile runs with")
    parser.add_argument("--rounds", type=int, default=2, help="alternating prove / groth16 prove pairs")
    args = parser.parse_args()
    if args.sizes:
        sizes()
    for n in args.prove:
        prove(n, args.rounds)
    for n in args.compile:
        compile_rounds(n, args.rounds, args.baseline)


if __name__ == "__main__":
    main()
