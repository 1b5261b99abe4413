"""The README's commands and code run as written (parsed from README.md, so the two never drift)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def setup_commands() -> list[str]:
    """The two set-up commands: the first bash block under 'Set-up'."""
    section = README.split("## Set-up", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, flags=re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_there_are_exactly_two_setup_commands_and_the_second_is_ci():
    commands = setup_commands()
    assert len(commands) == 2
    assert "zkyield demo" in commands[0]
    assert commands[1] == "bash .ci/run"
    assert "pytest" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("index", range(len(_blocks("python"))))
def test_python_examples_run(index):
    code = _blocks("python")[index]
    exec(compile(code, f"README.md python block {index}", "exec"), {})


@pytest.mark.slow
def test_first_setup_command_runs_in_a_fresh_venv(tmp_path):
    """Copy the tracked tree, run the README's first command verbatim in bash, expect the demo's table."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    repo = tmp_path / "repo"
    for name in files.splitlines():
        if not (ROOT / name).is_file():
            continue
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if ".venv" not in p)
    proc = subprocess.run(["bash", "-c", setup_commands()[0]], cwd=repo, capture_output=True, text=True,
                          timeout=1800, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "verify (Python)" in proc.stdout and "valid" in proc.stdout


def test_workflow_commands_run_as_written(tmp_path, monkeypatch):
    """The README's workflow block, line by line, on the shipped demo files under the names it uses."""
    import shlex

    from click.testing import CliRunner

    from zkyield.circuits.models import example
    from zkyield.cli.main import cli

    section = README.split("## The workflow", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, flags=re.S).group(1)
    portfolio, market, policy = example("demo")
    for src, name in ((portfolio, "portfolio.json"), (market, "market.json"), (policy, "policy.json")):
        shutil.copy(src, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    ran = []
    for line in block.splitlines():
        args = shlex.split(line.split("#")[0])
        assert args[0] == "zkyield", line
        res = CliRunner().invoke(cli, args[1:])
        assert res.exit_code == 0, f"{line}\n{res.output}"
        ran.append(args[1])
        if args[1] == "verify":
            assert "--key" in args and res.output.startswith("OK: every required check passed"), res.output
    assert ran == ["statements", "compile", "setup", "commit", "prove", "verify", "inspect"]
