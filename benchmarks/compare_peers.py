"""Peers side by side on the same files: snarkjs 0.7.6, arkworks (PyPI groth16py 0.2.0) and zkyield.

For each size 2^k (``--sizes 12,14``) it writes the chained-multiplication circuit whose QAP domain is exactly
2^k (as compare_snarkjs.py), takes a cached prepared ptau of power k (known τ, benchmark only:
``known_tau_ptau.py``), and then, in alternating order per round:

- ceremony: ``snarkjs groth16 setup`` / ``zkyield ceremony new``, ``snarkjs zkey contribute`` /
  ``zkyield ceremony contribute``, ``snarkjs zkey verify`` / ``zkyield ceremony verify`` (each on its own
  tool's files; skipped above ``--ceremony-max``);
- prove, all from the same snarkjs ``.zkey`` and ``.wtns``: ``snarkjs groth16 prove``, ``zkyield groth16 prove
  KEY.zkey``, groth16py (``import_zkey`` + ``prove_wtns`` in one Python process; the prove call alone is timed
  too), and ``zkyield groth16 prove`` with zkyield's own key format (``groth16 setup``) for the .zkey overhead.

Every command is one process: wall time, CPU time (user + system, children included) and peak RSS from wait4.
The table shows the median wall and CPU over the rounds and the largest peak. groth16py is GPL and a
benchmark-only dependency (``pip install -e .[bench]``); without it that column is left out.

    python3 benchmarks/compare_peers.py --sizes 12,14 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.compare_snarkjs import N_PUBLIC, SNARKJS, ZKYIELD, ptau, run  # noqa: E402
from tests.support.r1cs_samples import chained_multiplications  # noqa: E402
from zkyield.formats.r1cs_bin import write_r1cs  # noqa: E402
from zkyield.formats.wtns_bin import write_wtns  # noqa: E402

GROTH16PY = """
import sys, time, groth16py
pk = groth16py.import_zkey(sys.argv[1])
pk = pk[0] if isinstance(pk, tuple) else pk
t = time.perf_counter()
proof = groth16py.prove_wtns(pk, sys.argv[2])
print(f"PROVE_S {time.perf_counter() - t:.6f}", len(proof))
"""


def have_groth16py() -> bool:
    return subprocess.run([sys.executable, "-c", "import groth16py"], capture_output=True).returncode == 0


def measured(cmd: list[str], cwd: Path) -> dict[str, float]:
    """Run cmd to completion: wall s, CPU s (user + sys) and peak RSS MB from wait4; its stdout as 'out'."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read() if proc.stdout else b""
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed:\n{out.decode(errors='replace')}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "mb": usage.ru_maxrss / 1024, "out": out.decode()}


def alternate(jobs: dict[str, list[str]], cwd: Path, rounds: int, results: dict[str, list[dict]]) -> None:
    """Run every job once per round, reversing the order each round so neither side always goes first."""
    names = list(jobs)
    for i in range(rounds):
        for name in names if i % 2 == 0 else names[::-1]:
            m = measured(jobs[name], cwd)
            if "PROVE_S" in m["out"]:
                m["prove_only"] = float(m["out"].split("PROVE_S")[1].split()[0])
            results.setdefault(name, []).append(m)
            print(f"    {name}: {m['wall']:.2f} s wall, {m['cpu']:.2f} s CPU, {m['mb']:.0f} MB", flush=True)


def summary(ms: list[dict]) -> dict[str, float]:
    out = {k: statistics.median(m[k] for m in ms) for k in ("wall", "cpu")}
    out["mb"] = max(m["mb"] for m in ms)
    if "prove_only" in ms[0]:
        out["prove_only"] = statistics.median(m["prove_only"] for m in ms)
    return out


def compare(power: int, work: Path, rounds: int, ceremony: bool, peers: bool) -> dict[str, dict[str, float]]:
    r1cs, witness = chained_multiplications(N_PUBLIC, (1 << power) - N_PUBLIC - 2)
    write_r1cs(r1cs, work / "circuit.r1cs")
    write_wtns(witness, work / "witness.wtns")
    pot = str(ptau(power))
    sj, zy = str(SNARKJS), ZKYIELD
    results: dict[str, list[dict]] = {}
    if ceremony:
        print(f"  2^{power} ceremony", flush=True)
        steps = [
            ("setup", [sj, "groth16", "setup", "circuit.r1cs", pot, "sj_0.zkey"],
             [*zy, "ceremony", "new", "circuit.r1cs", pot, "-o", "zy_0.zkey"]),
            ("contribute", [sj, "zkey", "contribute", "sj_0.zkey", "sj_1.zkey", "--name=bench", "-e=bench entropy"],
             [*zy, "ceremony", "contribute", "zy_0.zkey", "-o", "zy_1.zkey", "--name", "bench"]),
            ("verify", [sj, "zkey", "verify", "circuit.r1cs", pot, "sj_1.zkey"],
             [*zy, "ceremony", "verify", "circuit.r1cs", pot, "zy_1.zkey"]),
        ]
        for step, sj_cmd, zy_cmd in steps:
            alternate({f"snarkjs {step}": sj_cmd, f"zkyield {step}": zy_cmd}, work, rounds, results)
    else:
        run([sj, "groth16", "setup", "circuit.r1cs", pot, "sj_0.zkey"], work)
        run([sj, "zkey", "contribute", "sj_0.zkey", "sj_1.zkey", "--name=bench", "-e=bench entropy"], work)
    run([*zy, "groth16", "setup", "circuit.r1cs", "--out", "keys"], work)
    print(f"  2^{power} prove", flush=True)
    provers = {
        "snarkjs prove": [sj, "groth16", "prove", "sj_1.zkey", "witness.wtns", "sj_proof.json", "sj_public.json"],
        "zkyield prove .zkey": [*zy, "groth16", "prove", "sj_1.zkey", "witness.wtns", "--out", "zy_zkey"],
        "zkyield prove own key": [*zy, "groth16", "prove", "keys", "witness.wtns", "--out", "zy_own"],
    }
    if peers:
        provers["groth16py prove"] = [sys.executable, "-c", GROTH16PY, "sj_1.zkey", "witness.wtns"]
    alternate(provers, work, rounds, results)
    run([sj, "zkey", "export", "verificationkey", "sj_1.zkey", "vk.json"], work)
    for public, proof in (("sj_public.json", "sj_proof.json"), ("zy_zkey/public.json", "zy_zkey/proof.json")):
        if "OK" not in run([sj, "groth16", "verify", "vk.json", public, proof], work):
            raise SystemExit(f"2^{power}: snarkjs rejected {proof}")
    return {name: summary(ms) for name, ms in results.items()}


def table(rows: list[tuple[int, dict[str, dict[str, float]]]]) -> str:
    lines = ["| domain | run | wall s | CPU s | peak MB | ratio to reference (wall) |", "|---|---|---|---|---|---|"]
    refs = {"zkyield prove .zkey": "snarkjs prove", "zkyield prove own key": "snarkjs prove",
            "groth16py prove": "snarkjs prove"}
    for step in ("setup", "contribute", "verify"):
        refs[f"zkyield {step}"] = f"snarkjs {step}"
    for power, res in rows:
        for name, m in res.items():
            ref = refs.get(name)
            ratio = f"{m['wall'] / res[ref]['wall']:.2f}× {ref}" if ref in res else ""
            if name == "zkyield prove .zkey" and "zkyield prove own key" in res:
                ratio += f"; {m['wall'] / res['zkyield prove own key']['wall']:.2f}× own key"
            extra = f" (prove call {m['prove_only']:.2f} s)" if "prove_only" in m else ""
            lines.append(f"| 2^{power} | {name}{extra} | {m['wall']:.2f} | {m['cpu']:.2f} | {m['mb']:.0f} | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="12,14", help="comma-separated log2 domain sizes (default 12,14)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per command (default 3)")
    parser.add_argument("--ceremony-max", type=int, default=14, help="largest power with ceremony timings")
    args = parser.parse_args()
    peers = have_groth16py()
    load = os.getloadavg()
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"{os.cpu_count()} cores, load average {load[0]:.1f} at start, {now}, groth16py {peers}", flush=True)
    rows = []
    for power in (int(x) for x in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix=f"zky_peers{power}_") as tmp:
            rows.append((power, compare(power, Path(tmp), args.rounds, power <= args.ceremony_max, peers)))
    load = os.getloadavg()
    print(f"\nload average {load[0]:.1f} at the end\n")
    print(table(rows))


if __name__ == "__main__":
    main()
