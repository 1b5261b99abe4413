"""The ``zkyield`` command: a click group whose errors become one line and an exit code.

Exit codes: 0 ok, 1 a proof that does not verify or a statement that is false, 2 bad input.
"""

from __future__ import annotations

import sys

import click

from zkyield import __version__
from zkyield.cli.context import Settings
from zkyield.errors import ZkyieldError


class _Group(click.Group):
    """Turns ZkyieldError into ``error: <one line>`` on stderr (the traceback only with --debug).

    Lists commands in the order they are registered (the workflow's), not alphabetically.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

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


def _register() -> None:
    from zkyield.cli import workflow_commands as wf
    from zkyield.cli.attestor_commands import attestor
    from zkyield.cli.batch_command import prove_batch_cmd
    from zkyield.cli.ceremony_commands import ceremony
    from zkyield.cli.demo_command import demo_cmd
    from zkyield.cli.groth16_commands import groth16
    from zkyield.cli.ingest_commands import ingest
    from zkyield.cli.inspect_command import inspect_cmd
    from zkyield.cli.report_command import report_cmd
    from zkyield.cli.snapshot_commands import snapshot
    from zkyield.cli.verify_command import verify_cmd

    for command in (wf.statements_cmd, wf.compile_cmd, wf.setup_cmd, wf.commit_cmd, wf.prove_cmd, verify_cmd,
                    inspect_cmd, report_cmd, demo_cmd, prove_batch_cmd, snapshot, ceremony, groth16, attestor, ingest):
        cli.add_command(command)
    try:  # on-chain commands need the `chain` extra (web3)
        from zkyield.cli.chain_commands import COMMANDS
    except ImportError:
        return
    for command in COMMANDS:
        cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="zkyield", standalone_mode=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
