"""The pinned npm reference tools (snarkjs, circom2, node scripts) as test helpers.

Importable as ``tests.support.tools`` (pytest advises against importing from conftest.py, which only
holds the fixtures and hooks).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_BIN = ROOT / "node_modules" / ".bin"


def node_tool(name: str) -> Path:
    """Path of a pinned npm tool; skips the test when node_modules was not installed."""
    path = NODE_BIN / name
    if not path.exists() or shutil.which("node") is None:
        pytest.skip(f"{name} not installed: run `npm ci` in the repo root")
    return path


def run_snarkjs(*args: str | os.PathLike, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run the pinned snarkjs CLI; snarkjs signals failure through its exit code and output."""
    cmd = [str(node_tool("snarkjs")), *map(str, args)]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        shown = " ".join(map(str, args))
        raise AssertionError(f"snarkjs {shown} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def snarkjs_setup(r1cs: str | os.PathLike, ptau: str | os.PathLike, zkey: str | os.PathLike) -> Path:
    """``snarkjs groth16 setup`` plus one ``zkey contribute``: a key zkyield accepts.

    The setup's own key has no contribution (delta = gamma = the generator), so anyone could forge
    proofs with it and zkyield refuses it (zkyield.groth16.keys.VerifyingKey.check_sound).
    """
    zkey = Path(zkey)
    initial = zkey.with_name(zkey.stem + "_0000.zkey")
    run_snarkjs("groth16", "setup", r1cs, ptau, initial)
    run_snarkjs("zkey", "contribute", initial, zkey, "--name=test", "-e=zkyield test entropy")
    return zkey


def run_node(script: str, *args: str, cwd: Path | None = None) -> str:
    """Run a node script with the repo's node_modules on the path; returns stdout."""
    node_tool("snarkjs")
    proc = subprocess.run(
        ["node", "-e", script, *args], cwd=cwd or ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "NODE_PATH": str(ROOT / "node_modules")},
    )
    if proc.returncode != 0:
        raise AssertionError(f"node script failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout


def compile_circom(source: str, workdir: Path, name: str = "circuit") -> Path:
    """Compile circom source with circom2 (wasm) to .r1cs, .sym and a wasm witness generator."""
    circom = node_tool("circom2")
    src = workdir / f"{name}.circom"
    src.write_text(source)
    # circom2 (wasm) resolves paths and `include "circomlib/..."` against its working directory.
    proc = subprocess.run(
        [str(circom), str(src.resolve()), "--r1cs", "--wasm", "--sym", "-o", str(workdir.resolve()),
         "-l", str(ROOT / "node_modules")],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    if proc.returncode != 0:
        raise AssertionError(f"circom2 failed:\n{proc.stdout}\n{proc.stderr}")
    return workdir / f"{name}.r1cs"


def circom_witness(workdir: Path, inputs: dict, name: str = "circuit") -> Path:
    """Compute a .wtns for a circom2-compiled circuit with snarkjs (its wasm witness calculator)."""
    input_path = workdir / f"{name}_input.json"
    input_path.write_text(json.dumps(inputs))
    wtns = workdir / f"{name}.wtns"
    run_snarkjs("wtns", "calculate", workdir / f"{name}_js" / f"{name}.wasm", input_path, wtns)
    return wtns
