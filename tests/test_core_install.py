"""`pip install zkyield && zkyield demo`: the wheel without extras, in a fresh venv, runs the demo.

The fresh venv gets its dependencies from the package index pip is configured with (and its cache),
never from this checkout's environment, so a runtime import missing from `dependencies` fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = 1200) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{cmd}: {proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.mark.slow
def test_wheel_without_extras_runs_the_demo(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if ".venv" not in p)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(ROOT)],
         tmp_path, env)
    (wheel,) = (tmp_path / "dist").glob("zkyield-*.whl")
    _run([sys.executable, "-m", "venv", str(tmp_path / "venv")], tmp_path, env)
    bin_dir = tmp_path / "venv" / "bin"
    _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], tmp_path, env)
    installed = _run([str(bin_dir / "python"), "-m", "pip", "list", "--format=freeze"], tmp_path, env).stdout.lower()
    for extra_only in ("web3", "galois", "dask", "pytest"):
        assert f"\n{extra_only}==" not in f"\n{installed}", f"{extra_only} came with the core install"
    version = _run([str(bin_dir / "zkyield"), "--version"], tmp_path, env).stdout
    assert version.strip() == "zkyield, version 0.1.0"
    demo = _run([str(bin_dir / "zkyield"), "demo"], tmp_path, env)  # cwd outside the checkout
    assert "verify (Python)" in demo.stdout and "verify history" in demo.stdout
    assert "INVALID" not in demo.stdout
    evm = next(line for line in demo.stdout.splitlines() if "verify (EVM)" in line)
    assert evm.endswith("skipped: EVM verification needs the chain extra: pip install 'zkyield[chain]'"), evm
