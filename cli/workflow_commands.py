"""The statement workflow: statements, compile, setup, commit, prove (verify: verify_command.py).

Each command is a thin shell over ``zkyield.api``; results go to files or stdout (``--json``),
progress and errors to stderr.
"""

from __future__ import annotations

import gc
import json
from pathlib import Path

import click

from zkyield import api
from zkyield.circuits import encoding as enc
from zkyield.circuits.models import load_market, load_portfolio
from zkyield.cli.context import settings, skip_teardown
from zkyield.errors import InputError
from zkyield.families import FAMILIES
from zkyield.formats.attestation import write_attestation

_file = click.Path(exists=True, dir_okay=False, path_type=Path)
_dir = click.Path(exists=True, file_okay=False, path_type=Path)
_out = click.Path(file_okay=False, path_type=Path)
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON on stdout.")


def _emit(as_json: bool, data: dict[str, object], text: str) -> None:
    click.echo(json.dumps(data, indent=2) if as_json else text)


@click.command("statements")
@json_option
def statements_cmd(as_json: bool) -> None:
    """List the statements a policy can combine, and the public inputs every proof exposes.

    \b
    Example:
      zkyield statements
    """
    families = {name: family.describe() for name, family in FAMILIES.items()}
    if as_json:
        click.echo(json.dumps({"families": families}, indent=2))
        return
    for name, family in FAMILIES.items():
        click.echo(f"{name} statements (private file: {family.private_option}; public inputs: "
                   f"{', '.join(family.public_signals)}):")
        width = max(len(c.key) for c in family.clauses)
        for clause in family.clauses:
            click.echo(f"  {clause.key:<{width}}  {clause.sense} {clause.measures}")
        click.echo("")


def capacity_options(help_positions: str):
    """``--positions/--assets/--scenarios/--range-slots``, defaults from ``encoding.DEFAULT_CAPACITY``."""
    cap = enc.DEFAULT_CAPACITY

    def wrap(fn):
        for option in reversed((
            click.option("--positions", "-n", default=cap.positions, show_default=True, help=help_positions),
            click.option("--assets", "-m", default=cap.assets, show_default=True, help="Capacity: most market assets."),
            click.option("--scenarios", "-s", default=cap.scenarios, show_default=True,
                         help="Capacity: most stress scenarios."),
            click.option("--range-slots", "ranges", default=cap.ranges, show_default=True,
                         help="Capacity: how many leading positions may be Uniswap v3 range positions "
                              "(each costs ~8,400 constraints when the policy reads ranges)."),
        )):
            fn = option(fn)
        return fn
    return wrap


@click.command("compile")
@click.argument("policy_path", metavar="POLICY.json", type=_file)
@capacity_options("Capacity: most positions a portfolio may hold.")
@click.option("--out", "out_dir", type=_out, required=True, help="Build folder.")
@json_option
def compile_cmd(policy_path: Path, positions: int, assets: int, scenarios: int, ranges: int, out_dir: Path,
                as_json: bool) -> None:
    """Build the circuit for POLICY.json's clauses at a capacity (any thresholds, any market).

    \b
    A history policy (one stating `periods`) compiles the risk-adjusted history statement instead;
    the capacity options do not apply to it.
    Writes OUT/circuit.r1cs (snarkjs-compatible), OUT/circuit.wprog (the witness program that
    `zkyield prove` runs), OUT/circuit.sym and, last, OUT/statement.json.
    Examples:
      zkyield compile policy.json --positions 8 --assets 8 --out build/
      zkyield compile range.policy.json --positions 3 --assets 3 --range-slots 2 --out build-range/
      zkyield compile history.policy.json --out build-history/
    """
    if skip_teardown():  # the process ends with this command: leave the circuit's objects to the OS
        gc.disable()  # and never walk them for cycles (compile and save each pause it otherwise: zkyield.gc_pause)
    statement = api.compile_statement(api.load_any_policy(policy_path), positions, assets, scenarios, ranges)
    api.save_statement(statement, out_dir)
    info = statement.describe()
    _emit(as_json, info, f"compiled {len(info['clauses'])} clauses: {info['constraints']} constraints, "
                         f"{info['wires']} wires -> {out_dir}")


@click.command("setup")
@click.argument("build_dir", metavar="BUILD", type=_dir)
@json_option
def setup_cmd(build_dir: Path, as_json: bool) -> None:
    """Make the proving and verification keys for a compiled statement (single-party setup).

    \b
    Whoever runs this could forge proofs; for keys others must trust, use `zkyield ceremony`.
    Example:
      zkyield setup build/
    """
    statement = api.load_statement(build_dir)
    with settings().progress("setup") as progress:
        keys = api.setup(statement, progress)
    api.save_keys(keys, build_dir)
    _emit(as_json, {"build": str(build_dir), "verification_key_sha256": keys.verification_key.digest()},
          f"wrote {build_dir / api.PROVING_KEY_FILE} and {build_dir / api.VERIFICATION_KEY_FILE}")


@click.command("commit")
@click.argument("portfolio_path", metavar="PORTFOLIO.json", type=_file)
@click.option("--market", "market_path", type=_file, required=True, help="Market snapshot (asset list).")
@capacity_options("Capacity the proof will use: most positions.")
@json_option
def commit_cmd(portfolio_path: Path, market_path: Path, positions: int, assets: int, scenarios: int,
               ranges: int, as_json: bool) -> None:
    """Print the portfolio commitment to publish before proving.

    \b
    Proofs at the same capacity against the same market's asset list carry this value,
    so several policies can be proven against one committed book.
    Example:
      zkyield commit portfolio.json --market market.json --positions 8
    """
    value = api.commitment(load_portfolio(portfolio_path), load_market(market_path),
                           enc.Capacity(positions, assets, scenarios, ranges))
    _emit(as_json, {"commitment": str(value)}, str(value))


@click.command("prove")
@click.argument("build_dir", metavar="BUILD", type=_dir)
@click.option("--portfolio", "portfolio_path", type=_file, help="Private portfolio JSON (portfolio statements).")
@click.option("--history", "history_path", type=_file, help="Private snapshot history JSON (history statements).")
@click.option("--market", "market_path", type=_file, required=True, help="Public market snapshot JSON.")
@click.option("--policy", "policy_path", type=_file, required=True, help="Public policy JSON.")
@click.option("--out", "out_dir", type=_out, required=True, help="Folder for proof, public and attestation.")
@click.option("--witness-out", "witness_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the witness as a snarkjs .wtns (PRIVATE: it holds the whole book).")
@click.option("--signatures", "signature_paths", type=_file, multiple=True,
              help="An attestor signature file (`zkyield attestor sign` / `sign-prices`); repeat for each, "
                   "as the policy's attested_by / prices_attested_by require. PRIVATE: never published.")
@json_option
def prove_cmd(build_dir: Path, portfolio_path: Path | None, history_path: Path | None, market_path: Path,
              policy_path: Path, out_dir: Path, witness_out: Path | None, signature_paths: tuple[Path, ...],
              as_json: bool) -> None:
    """Prove that a private portfolio (or snapshot history) meets a public policy.

    \b
    The statement is checked in plain Python first: if it is false, nothing is written (exit 1).
    The witness comes from BUILD/circuit.wprog; with --witness-out any prover that reads
    .r1cs + .zkey + .wtns (snarkjs, arkworks) can prove the same statement.
    Examples:
      zkyield prove build/ --portfolio portfolio.json --market market.json --policy policy.json --out proof/
      zkyield prove build-history/ --history history.json --market rates.json --policy history.policy.json --out p/
      zkyield prove build/ --portfolio p.json --market m.json --policy q.json --out proof/ --witness-out w.wtns
      zkyield prove build/ --portfolio p.json --market m.json --policy q.json --out proof/ \\
        --signatures admin.sig.json --signatures custodian.sig.json --signatures prices.sig.json
    """
    keys = api.load_keys(build_dir)
    family = keys.statement.family
    given = {"--portfolio": portfolio_path, "--history": history_path}
    private_path = given.pop(family.private_option)
    if private_path is None or any(p is not None for p in given.values()):
        noun = family.private_option.removeprefix("--").upper()
        raise InputError(f"{build_dir}: a {family.name} statement; pass {family.private_option} {noun}.json"
                         f" (not {' or '.join(given)})")
    inputs = family.load_private(private_path), family.load_market(market_path), family.load_policy(policy_path)
    options: dict[str, object] = {}
    if signature_paths:
        if family.name != "portfolio":
            raise InputError(f"--signatures: a {family.name} statement takes no attestor signatures")
        from zkyield.circuits.attest_policy import load_signature

        options["signatures"] = tuple(load_signature(p) for p in signature_paths)
    with settings().progress("prove") as progress:
        attestation = api.prove(*inputs, keys, progress, witness_out=witness_out, **options)
    write_attestation(attestation, keys.verification_key, out_dir)
    summary = attestation.summary()
    first = keys.statement.public_signal_names[0]
    _emit(as_json, summary, f"proven: {first} {summary['commitment']} -> {out_dir}")
