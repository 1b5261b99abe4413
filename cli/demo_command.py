"""``zkyield demo``: the whole flow on the shipped example, with the time of each step."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from zkyield import api
from zkyield.circuits.evaluate import CHECKS
from zkyield.circuits.models import example, load_market, load_policy, load_portfolio
from zkyield.cli.context import settings
from zkyield.errors import ZkyieldError
from zkyield.formats.attestation import write_attestation

T = TypeVar("T")


class _Timer:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, str]] = []

    def step(self, name: str, fn: Callable[[], T], note: Callable[[T], str] = lambda _r: "") -> T:
        start = time.perf_counter()
        result = fn()
        self.rows.append((name, time.perf_counter() - start, note(result)))
        return result


def _evm_check(attestation: api.Attestation, keys: api.Keys) -> str:
    """Deploy the generated verifier on an in-process EVM (py-evm) and call verifyProof."""
    try:
        from web3 import EthereumTesterProvider, Web3

        from zkyield.verifier.chain import Sender, compiled_verifier, deploy, verify_on_chain
        from zkyield.verifier.solidity import proof_calldata
    except ImportError:
        return "skipped: install the chain extra (pip install '.[chain]')"
    try:
        compiled = compiled_verifier(keys.verification_key)
    except ZkyieldError as exc:
        return f"skipped: {exc}"
    w3 = Web3(EthereumTesterProvider())
    sender = Sender(w3.eth.accounts[0])
    address = deploy(w3, compiled, sender, gas=3_000_000)
    public = list(attestation.public_signals)
    ok = verify_on_chain(w3, address, compiled.abi, attestation.proof, public)
    contract = w3.eth.contract(address=address, abi=compiled.abi)
    gas = contract.functions.verifyProof(*proof_calldata(attestation.proof, public)).estimate_gas()
    return f"{'valid' if ok else 'INVALID'}, verifyProof {gas:,} gas"


@click.command("demo")
@click.option("--example", "name", default="demo", show_default=True,
              type=click.Choice(["demo", "dao-treasury", "fund"]), help="Which shipped example to prove.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the build and proof here (default: a temporary folder).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.pass_context
def demo_cmd(ctx: click.Context, name: str, out_dir: Path | None, as_json: bool) -> None:
    """Compile, set up, commit, prove and verify the shipped example end to end.

    \b
    Verifies in Python and, with the chain extra and `npm ci` done, on an in-process EVM.
    Example:
      zkyield demo
      zkyield demo --example dao-treasury --out demo-out/
    """
    paths = example(name)
    portfolio, market, policy = load_portfolio(paths[0]), load_market(paths[1]), load_policy(paths[2])
    n_positions = 8 if name != "fund" else 32
    timer = _Timer()
    progress = settings().progress
    with tempfile.TemporaryDirectory() as tmp:
        out = out_dir or Path(tmp)
        statement = timer.step("compile", lambda: api.compile_statement(policy, positions=n_positions, assets=8),
                               lambda s: f"{s.circuit.n_constraints:,} constraints")
        api.save_statement(statement, out / "build")
        keys = timer.step("setup", lambda: api.setup(statement, progress("setup")))
        api.save_keys(keys, out / "build")
        commitment = timer.step("commit", lambda: api.commitment(portfolio, market, statement.capacity),
                                lambda c: f"{str(c)[:16]}...")
        attestation = timer.step("prove", lambda: api.prove(portfolio, market, policy, keys, progress("prove")))
        write_attestation(attestation, keys.verification_key, out / "proof")
        valid = timer.step("verify (Python)", lambda: api.verify(attestation, keys.verification_key, policy, market),
                           lambda ok: "valid" if ok else "INVALID")
        evm = timer.step("verify (EVM)", lambda: _evm_check(attestation, keys), lambda note: note)
    proven = [f"{key} = {value}" for key, value in attestation.policy.items()]
    if as_json:
        click.echo(json.dumps({
            "example": name, "valid": valid, "commitment": str(commitment), "proven": attestation.policy,
            "constraints": statement.circuit.n_constraints, "evm": evm,
            "steps": [{"step": s, "seconds": round(t, 3), "note": n} for s, t, n in timer.rows],
        }, indent=2))
    else:
        click.echo(f"zkyield demo: example '{name}' (owner {attestation.owner}, positions hidden)")
        click.echo("proven without revealing the portfolio:")
        for line in proven:
            key = line.split(" = ")[0]
            measured = CHECKS.get(key, (key, "", ""))
            click.echo(f"  - {measured[1]} {measured[0]}: {line}")
        click.echo("")
        click.echo(f"  {'step':<16} {'seconds':>8}  note")
        for step, seconds, note in timer.rows:
            click.echo(f"  {step:<16} {seconds:8.2f}  {note}")
        if out_dir:
            click.echo(f"\nfiles: {out_dir / 'build'} and {out_dir / 'proof'}")
    if not valid:
        ctx.exit(1)
