"""Groth16 prove, ours against snarkjs 0.7.6, on the same .r1cs/.wtns files in the same run.

For every size 2^k (``--sizes 10,12``) it writes a chained-multiplication circuit whose QAP domain is
exactly 2^k, sets up both provers (a prepared ptau of power k from a known τ, benchmark only:
benchmarks/known_tau_ptau.py, ~5 s at 2^14 and ~90 s at 2^18 on two cores; cached under
benchmarks/.cache), then times one
``snarkjs groth16 prove`` and one ``zkyield groth16 prove`` process each (wall time and peak RSS from
wait4, so both include their runtime's start-up and key loading), checks that each proof verifies under
snarkjs, and prints a table with the ratio ours/snarkjs.

    python3 benchmarks/compare_snarkjs.py --sizes 10,12,14
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.known_tau_ptau import write_known_tau_ptau  # noqa: E402
from tests.support.r1cs_samples import chained_multiplications  # noqa: E402
from zkyield._native import native  # noqa: E402
from zkyield.formats.r1cs_bin import write_r1cs  # noqa: E402
from zkyield.formats.wtns_bin import write_wtns  # noqa: E402

lib = native()  # the extension module these tests drive directly, or None

SNARKJS = ROOT / "node_modules" / ".bin" / "snarkjs"
CACHE = ROOT / "benchmarks" / ".cache"
N_PUBLIC = 4
ZKYIELD = [sys.executable, "-c", "from zkyield.cli.main import main; main()"]


def measured(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Run cmd to completion; (wall seconds, peak RSS in MB) of that process and its waited-for children."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read() if proc.stdout else b""
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{out.decode(errors='replace')}")
    return wall, usage.ru_maxrss / 1024


def run(cmd: list[str], cwd: Path) -> str:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def ptau(power: int) -> Path:
    """A prepared phase-2 ptau of this power, made once and cached: known τ, benchmark only.

    benchmarks/known_tau_ptau.py writes it (snarkjs's own ``prepare phase2`` could not reach 2^18); its
    secrets are known to the writing process, so keys from it are for timing only. A file already cached
    under the same name (an older snarkjs-made one, say) is used as it is.
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    final = CACHE / f"pot{power}_final.ptau"
    if not final.exists():
        print(f"  writing known-τ ptau 2^{power} (cached in {CACHE}) ...", flush=True)
        write_known_tau_ptau(power, final)
    return final


def compare(power: int, work: Path) -> dict[str, float]:
    n_steps = (1 << power) - N_PUBLIC - 2  # constraints + public rows + 1 = 2^power exactly
    r1cs, witness = chained_multiplications(N_PUBLIC, n_steps)
    write_r1cs(r1cs, work / "circuit.r1cs")
    write_wtns(witness, work / "witness.wtns")
    pot = ptau(power)
    sj = str(SNARKJS)
    run([sj, "groth16", "setup", "circuit.r1cs", str(pot), "circuit.zkey"], work)
    run([sj, "zkey", "export", "verificationkey", "circuit.zkey", "vk_snarkjs.json"], work)
    run([*ZKYIELD, "groth16", "setup", "circuit.r1cs", "--out", "keys"], work)

    sj_prove = [sj, "groth16", "prove", "circuit.zkey", "witness.wtns", "sj_proof.json", "sj_public.json"]
    sj_wall, sj_mb = measured(sj_prove, work)
    ours_wall, ours_mb = measured([*ZKYIELD, "groth16", "prove", "keys", "witness.wtns", "--out", "ours"], work)
    for vk, public, proof in (
        ("vk_snarkjs.json", "sj_public.json", "sj_proof.json"),
        ("keys/verification_key.json", "ours/public.json", "ours/proof.json"),
    ):
        if "OK" not in run([sj, "groth16", "verify", vk, public, proof], work):
            raise SystemExit(f"2^{power}: snarkjs rejected {proof}")
    return {"constraints": r1cs.n_constraints, "sj_s": sj_wall, "sj_mb": sj_mb, "ours_s": ours_wall, "ours_mb": ours_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,12", help="comma-separated log2 domain sizes (default 10,12)")
    args = parser.parse_args()
    powers = [int(x) for x in args.sizes.split(",")]
    backend = "native C" if lib is not None else "pure Python"
    print(f"{platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{time.strftime('%Y-%m-%d')}, zkyield backend: {backend}")
    rows = []
    for power in powers:
        with tempfile.TemporaryDirectory(prefix=f"zky_cmp{power}_") as tmp:
            print(f"2^{power}: setting up ...", flush=True)
            rows.append((power, compare(power, Path(tmp))))
    print()
    print("| domain | constraints | snarkjs wall s | snarkjs peak MB | ours wall s | ours peak MB "
          "| ratio ours/snarkjs |")
    print("|---|---|---|---|---|---|---|")
    for power, m in rows:
        print(f"| 2^{power} | {m['constraints']} | {m['sj_s']:.2f} | {m['sj_mb']:.0f} | {m['ours_s']:.2f} "
              f"| {m['ours_mb']:.0f} | {m['ours_s'] / m['sj_s']:.2f} |")


if __name__ == "__main__":
    main()
