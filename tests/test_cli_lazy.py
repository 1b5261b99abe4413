"""`zkyield --help` lists every command without importing it; the listed help is each command's own."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import click
from click.testing import CliRunner

from zkyield.cli.main import COMMANDS, cli

HEAVY = ("numpy", "web3", "eth", "zkyield.api", "zkyield.groth16", "zkyield.circuits", "py_ecc", "gmpy2")


def test_help_imports_no_command_module_nor_the_prover() -> None:
    script = (
        "import json, sys\n"
        "from zkyield.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('zkyield.cli.'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "COLUMNS": "100"})
    assert out.returncode == 0, out.stderr
    *_help, heavy, cli_modules = out.stdout.strip().splitlines()
    assert json.loads(heavy) == []
    assert json.loads(cli_modules) == ["zkyield.cli.context", "zkyield.cli.main"]
    for name in COMMANDS:
        assert f"  {name} " in out.stdout


def test_the_table_matches_the_commands_it_imports() -> None:
    ctx = click.Context(cli)
    for name, (module, attribute, short_help) in COMMANDS.items():
        command = getattr(importlib.import_module(f"zkyield.cli.{module}"), attribute)
        assert command.name == name
        assert cli.get_command(ctx, name) is command
        assert command.get_short_help_str(limit=1000) == short_help, f"{name}: update main.COMMANDS"
    assert cli.get_command(ctx, "no-such-command") is None


def test_a_lazy_command_runs_and_an_unknown_one_is_refused() -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["statements"]).exit_code == 0
    result = runner.invoke(cli, ["no-such-command"])
    assert result.exit_code == 2 and "No such command 'no-such-command'" in result.output
