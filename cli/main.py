"""The ``zkyield`` command: a click group whose errors become one line and an exit code.

Exit codes: 0 ok, 1 a proof that does not verify or a statement that is false, 2 bad input.
Subcommands are imported only when one runs (or its own --help is asked for): ``zkyield --help`` lists
them from ``COMMANDS`` without importing the prover, numpy or web3 (tests/test_cli_lazy.py holds the
listed help equal to each command's own).
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from zkyield import __version__
from zkyield.cli.context import PROCESS, Settings
from zkyield.errors import ZkyieldError

# name -> (module of zkyield.cli, attribute, the command's short help), in the workflow's order.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "statements": ("workflow_commands", "statements_cmd",
                   "List the statements a policy can combine, and the public inputs every proof exposes."),
    "compile": ("workflow_commands", "compile_cmd",
                "Build the circuit for POLICY.json's clauses at a capacity (any thresholds, any market)."),
    "setup": ("workflow_commands", "setup_cmd",
              "Make the proving and verification keys for a compiled statement (single-party setup)."),
    "commit": ("workflow_commands", "commit_cmd", "Print the portfolio commitment to publish before proving."),
    "prove": ("workflow_commands", "prove_cmd",
              "Prove that a private portfolio (or snapshot history) meets a public policy."),
    "verify": ("verify_command", "verify_cmd", "Verify an attestation folder against YOUR key, policy and market "
               "(exit 0 valid, 1 invalid, 2 bad input)."),
    "inspect": ("inspect_command", "inspect_cmd",
                "Summarise an r1cs, wtns, proving key, verification key, proof, public or attestation file."),
    "report": ("report_command", "report_cmd", "Verify like `zkyield verify` and write a self-contained HTML "
               "report (exit 0 valid, 1 invalid, 2 bad input)."),
    "demo": ("demo_command", "demo_cmd",
             "Compile, set up, commit, prove and verify the shipped examples end to end."),
    "prove-batch": ("batch_command", "prove_batch_cmd",
                    "Prove every portfolio of a folder or JSONL file against one statement."),
    "snapshot": ("snapshot_commands", "snapshot",
                 "Commit periodic portfolio snapshots to a hash chain (for history proofs)."),
    "ceremony": ("ceremony_commands", "ceremony",
                 "Multi-party trusted setup (phase 2) on snarkjs .zkey files, from public powers of tau."),
    "groth16": ("groth16_commands", "groth16", "Groth16 setup, prove and verify on snarkjs-compatible files."),
    "attestor": ("attestor_commands", "attestor",
                 "Attestor keys and EdDSA-Poseidon signatures (circomlib/circomlibjs compatible)."),
    "ingest": ("ingest_commands", "ingest", "Read portfolio and market files from an Ethereum node at two blocks."),
    "export-verifier": ("chain_commands", "export_verifier_cmd",
                        "Write a Solidity verifier for verification_key VK (snarkjs's verifyProof ABI, lower gas)."),
    "deploy": ("chain_commands", "deploy_cmd",
               "Deploy YieldAttestationRegistry (the deployer becomes admin) and, with --vk, a verifier."),
    "register-policy": ("chain_commands", "register_policy_cmd",
                        "Admin: bind POLICY_HASH to its verifier and statement family (immutable once registered)."),
    "register-market": ("chain_commands", "register_market_cmd",
                        "Oracle: register a market snapshot hash with the period proofs against it must state."),
    "submit": ("chain_commands", "submit_cmd",
               "Submit PROOF_DIR/proof.json with PROOF_DIR/public.json; the key must be the statement's owner."),
    "attestation": ("chain_commands", "attestation_cmd",
                    "Print the latest attestation (newest period) for COMMITMENT as JSON."),
}


class _Group(click.Group):
    """Turns ZkyieldError into ``error: <one line>`` on stderr (the traceback only with --debug).

    Lists commands in the workflow's order (``COMMANDS``), not alphabetically, and imports one only
    when click asks for it by name.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _help = COMMANDS[cmd_name]
        return getattr(importlib.import_module(f"zkyield.cli.{module}"), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's listing, from the table's help lines instead of the imported commands."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        with formatter.section("Commands"):
            formatter.write_dl([(name, click.Command(name, help=h).get_short_help_str(limit))
                                for name, (_m, _a, h) in COMMANDS.items()])

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ZkyieldError as exc:
            settings = ctx.find_object(Settings)
            if settings is not None and settings.debug:
                raise
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # stdout closed early (`zkyield ... | head`): nothing left to say
            sys.stderr.close()
            ctx.exit(0)
        except OSError as exc:
            settings = ctx.find_object(Settings)
            if settings is not None and settings.debug:
                raise
            where = f": {exc.filename}" if exc.filename else ""
            click.echo(f"error: {exc.strerror or exc}{where}", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--debug", is_flag=True, help="Show full tracebacks for errors.")
@click.option("--quiet", "-q", is_flag=True, help="Hide progress output.")
@click.version_option(version=__version__, prog_name="zkyield")
@click.pass_context
def cli(ctx: click.Context, debug: bool, quiet: bool) -> None:
    """zkyield: zero-knowledge proofs about DeFi portfolio yield and risk (Groth16, BN254).

    \b
    The workflow, in order (one example each; `zkyield COMMAND --help` for more):
      1. zkyield statements                      # clauses a policy can combine
      2. zkyield compile policy.json --positions 8 --assets 8 --out build/
      3. zkyield setup build/                    # or a multi-party `zkyield ceremony`
      4. zkyield commit portfolio.json --market market.json      # publish before proving
      5. zkyield prove build/ --portfolio portfolio.json --market market.json --policy policy.json --out proof/
      6. zkyield verify proof/ --key build/verification_key.json --policy policy.json --market market.json
      7. zkyield inspect proof/attestation.json
    Try it all on the shipped example: zkyield demo
    Files are snarkjs-compatible: .r1cs, .wtns, proof.json, public.json, verification_key.json.
    """
    ctx.obj = Settings(debug=debug, quiet=quiet)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point; a command that called ``context.skip_teardown`` and succeeded ends
    the process here with ``os._exit(0)`` once stdout and stderr are flushed."""
    PROCESS.console = True
    try:
        cli.main(args=argv, prog_name="zkyield", standalone_mode=True)
    except SystemExit as done:
        if done.code in (None, 0) and PROCESS.skip_teardown:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except (BrokenPipeError, ValueError):  # a closed pipe or stream: nothing more to say
                pass
            os._exit(0)
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
