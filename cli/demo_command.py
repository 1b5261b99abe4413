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
from zkyield.circuits.binding import range_slots
from zkyield.circuits.history_chain import SnapshotLog, links
from zkyield.circuits.history_models import History, load_history, load_history_market, load_history_policy
from zkyield.circuits.history_models import example_paths as history_example_paths
from zkyield.circuits.models import example, load_market, load_policy, load_portfolio
from zkyield.cli.context import ProgressBar, settings
from zkyield.errors import ZkyieldError
from zkyield.families import FAMILIES
from zkyield.formats.attestation import write_attestation

T = TypeVar("T")


class _Timer:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, str]] = []
        self.proven: dict[str, dict[str, object]] = {}
        self.evm: dict[str, object] = {}

    def step(self, name: str, fn: Callable[[], T], note: Callable[[T], str] = lambda _r: "") -> T:
        start = time.perf_counter()
        result = fn()
        self.rows.append((name, time.perf_counter() - start, note(result)))
        return result


EVM_GAS = 3_000_000  # explicit gas limit: eth-tester's estimation is slow, and estimate_gas of a view lies
GAS_INCLUDES = "receipt gasUsed of a verifyProof transaction: 21,000 base + calldata + execution incl. pairing"


def _evm_check(attestation: api.Attestation, keys: api.Keys) -> dict[str, object]:
    """Deploy the generated verifier on an in-process EVM (py-evm), call verifyProof and send it as a transaction.

    The gas figure is the transaction receipt's ``gasUsed``: ``estimate_gas`` of this view finds the gas at
    which the pairing precompile runs out and the verifier returns false, not what a valid proof costs.
    """
    try:
        from web3 import EthereumTesterProvider, Web3

        from zkyield.verifier.chain import Sender, compiled_verifier, deploy, transact, verify_on_chain
        from zkyield.verifier.solidity import proof_calldata
    except ImportError:
        return {"note": "skipped: EVM verification needs the chain extra: pip install 'zkyield[chain]'"}
    try:
        compiled = compiled_verifier(keys.verification_key)
    except ZkyieldError as exc:
        return {"note": f"skipped: {exc}"}
    w3 = Web3(EthereumTesterProvider())
    sender = Sender(w3.eth.accounts[0])
    address = deploy(w3, compiled, sender, gas=EVM_GAS)
    public = list(attestation.public_signals)
    ok = verify_on_chain(w3, address, compiled.abi, attestation.proof, public)
    contract = w3.eth.contract(address=address, abi=compiled.abi)
    receipt = transact(w3, contract.functions.verifyProof(*proof_calldata(attestation.proof, public)), sender,
                       EVM_GAS)
    gas = int(receipt["gasUsed"])
    return {"note": f"{'valid' if ok else 'INVALID'}, verifyProof transaction {gas:,} gas (receipt gasUsed)",
            "valid": ok, "verifier": address, "gas_used": gas, "gas_includes": GAS_INCLUDES}


# The attested example's attestors (administrator and auditor for the book, the price attestor): EXAMPLE keys
# whose private keys are public (circuits/examples/attested.policy.json says so), for the demo only.
_EXAMPLE_ATTESTORS = (("book", bytes([1]) * 32), ("book", bytes([3]) * 32), ("prices", bytes([4]) * 32))


def _example_signatures(name: str, portfolio, market) -> tuple:
    """What the attested example's attestors sign, as of an hour after the period end (none otherwise)."""
    if name != "attested":
        return ()
    from zkyield import eddsa
    from zkyield.circuits import attest_message as am
    from zkyield.circuits.attest_policy import AttestorSignature

    as_of = portfolio.period.end + 3600
    messages = {"book": am.book_message(portfolio, market, as_of).message,
                "prices": am.prices_message(market, as_of).message}
    return tuple(AttestorSignature(subject, as_of, eddsa.public_key(key), eddsa.sign(key, messages[subject]),
                                   f"example {subject} attestor") for subject, key in _EXAMPLE_ATTESTORS)


def _portfolio_part(name: str, out: Path, timer: _Timer, progress: Callable[[str], ProgressBar]) -> bool:
    paths = example(name)
    portfolio, market, policy = load_portfolio(paths[0]), load_market(paths[1]), load_policy(paths[2])
    positions, assets = {"fund": (32, 16), "attested": (3, 3)}.get(name, (8, 8))
    ranges = range_slots(portfolio)  # v3 range slots cost ~8,400 constraints each: only as many as the book has
    statement = timer.step("compile", lambda: api.compile_statement(policy, positions=positions, assets=assets,
                                                                    ranges=ranges),
                           lambda s: f"{s.circuit.n_constraints:,} constraints")
    api.save_statement(statement, out / "build")
    with progress("setup") as bar:
        keys = timer.step("setup", lambda: api.setup(statement, bar))
    api.save_keys(keys, out / "build")
    timer.step("commit", lambda: api.commitment(portfolio, market, statement.capacity), lambda c: f"{str(c)[:16]}...")
    with progress("prove") as bar:
        signatures = _example_signatures(name, portfolio, market)
        attestation = timer.step("prove", lambda: api.prove(portfolio, market, policy, keys, bar,
                                                            signatures=signatures))
    write_attestation(attestation, keys.verification_key, out / "proof")
    valid = timer.step("verify (Python)", lambda: bool(api.verify(attestation, keys.verification_key, policy, market,
                                                                  statement=statement)),
                       lambda ok: "valid" if ok else "INVALID")
    timer.evm = timer.step("verify (EVM)", lambda: _evm_check(attestation, keys), lambda r: str(r["note"]))
    timer.proven[f"portfolio '{name}'"] = api.policy_document(policy)
    return valid and timer.evm.get("valid", True) is True


def published_log(history: History) -> SnapshotLog:
    """The snapshot log the owner published as each snapshot happened (at the history's recorded commit times)."""
    log = SnapshotLog(history.owner, (), "demo snapshot log")
    for commitment, committed_at in links(history):
        log = log.append(commitment, committed_at)
    return log


def _history_part(out: Path, timer: _Timer, progress: Callable[[str], ProgressBar]) -> bool:
    h_path, m_path, p_path = history_example_paths()
    history, market, policy = load_history(h_path), load_history_market(m_path), load_history_policy(p_path)
    statement = timer.step("compile history", lambda: api.compile_statement(policy),
                           lambda s: f"{s.circuit.n_constraints:,} constraints, T = {policy.periods}")
    with progress("setup") as bar:
        keys = timer.step("setup history", lambda: api.setup(statement, bar))
    with progress("prove") as bar:
        attestation = timer.step("prove history", lambda: api.prove_history(history, market, policy, keys, bar))
    write_attestation(attestation, keys.verification_key, out / "history-proof")
    log = published_log(history)  # the demo plays the owner too: the log it would have published
    valid = timer.step("verify history", lambda: bool(api.verify(attestation, keys.verification_key, policy, market,
                                                                 statement=statement, heads=api.LogHeads(log))),
                       lambda ok: "valid" if ok else "INVALID")
    timer.proven["one-year weekly history"] = api.policy_document(policy)
    return valid


_POLICY_FIELDS = {"periods": "window of returns", "max_commit_delay_s": "longest wait to publish a snapshot",
                  "var_confidence_bps": "confidence of the value at risk"}


def _clause_text(key: str) -> str:
    """What a policy key states, from its family's clause table (or the window fields of a history policy)."""
    for family in FAMILIES.values():
        if key in family.clauses:
            clause = family.clauses[key]
            return f"{clause.sense} {clause.measures}"
    return _POLICY_FIELDS.get(key, key)


@click.command("demo")
@click.option("--example", "name", default="demo", show_default=True,
              type=click.Choice(["demo", "dao-treasury", "fund", "attested"]), help="Which shipped portfolio to prove.")
@click.option("--history/--no-history", default=True, show_default=True,
              help="Also prove risk-adjusted metrics over the shipped one-year weekly history.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the builds and proofs here (default: a temporary folder).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--devnet", is_flag=True, help="Ingest the book from a scripted anvil devnet and attest on it "
              "(needs the chain extra and `npm ci`).")
@click.pass_context
def demo_cmd(ctx: click.Context, name: str, history: bool, out_dir: Path | None, as_json: bool,
             devnet: bool) -> None:
    """Compile, set up, commit, prove and verify the shipped examples end to end.

    \b
    Verifies in Python and, with the chain extra and `npm ci` done, on an in-process EVM, where the
    gas figure is a verifyProof transaction's receipt gasUsed (21,000 base + calldata + execution).
    Examples:
      zkyield demo
      zkyield demo --example dao-treasury --no-history --out demo-out/
      zkyield demo --example attested --no-history     # book attested 2 of 3, prices 1 of 1
    """
    timer = _Timer()
    progress = settings().progress
    with tempfile.TemporaryDirectory() as tmp:
        out = out_dir or Path(tmp)
        if devnet:
            from zkyield.cli.devnet_demo import devnet_demo

            valid = devnet_demo(out / "devnet", timer.step, timer.proven)
        else:
            valid = _portfolio_part(name, out, timer, progress)
        if history and not devnet:
            valid = _history_part(out, timer, progress) and valid
    if as_json:
        click.echo(json.dumps({
            "valid": valid, "proven": timer.proven, "evm": timer.evm,
            "steps": [{"step": s, "seconds": round(t, 3), "note": n} for s, t, n in timer.rows],
        }, indent=2))
    else:
        click.echo("zkyield demo: proven without revealing the portfolio or its history:")
        for title, policy in timer.proven.items():
            click.echo(f"  {title}:")
            for key, value in policy.items():
                if isinstance(value, dict):  # an attestor key set: k of n, by its key root
                    value = f"{value['threshold']} of {len(value['keys'])} keys (root {str(value['root'])[:16]}...)"
                click.echo(f"    - {_clause_text(key)}: {key} = {value}")
        click.echo("")
        click.echo(f"  {'step':<16} {'seconds':>8}  note")
        for step, seconds, note in timer.rows:
            click.echo(f"  {step:<16} {seconds:8.2f}  {note}")
        if "gas_used" in timer.evm:
            click.echo(f"\n  EVM gas: {timer.evm['gas_includes']}")
        if out_dir:
            click.echo(f"\nfiles: {out_dir}")
    if not valid:
        ctx.exit(1)
