"""The ``zkyield`` command: a click group whose errors become one line and an exit code.

Exit codes: 0 ok, 1 a proof that does not verify or a statement that is false, 2 bad input.
"""

from __future__ import annotations

import sys

import click

from zkyield.cli.context import Settings
from zkyield.errors import ZkyieldError


class _Group(click.Group):
    """Turns ZkyieldError into ``error: <one line>`` on stderr (the traceback only with --debug)."""

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
@click.version_option(package_name="zkyield")
@click.pass_context
def cli(ctx: click.Context, debug: bool, quiet: bool) -> None:
    """zkyield: zero-knowledge proofs about DeFi portfolio yield and risk (Groth16, BN254).

    \b
    Files are snarkjs-compatible: .r1cs, .wtns, proof.json, public.json, verification_key.json.
    Run `zkyield COMMAND --help` for examples.
    """
    ctx.obj = Settings(debug=debug, quiet=quiet)


def _register() -> None:
    from zkyield.cli import workflow_commands as wf
    from zkyield.cli.batch_command import prove_batch_cmd
    from zkyield.cli.ceremony_commands import ceremony
    from zkyield.cli.demo_command import demo_cmd
    from zkyield.cli.groth16_commands import groth16
    from zkyield.cli.ingest_commands import ingest
    from zkyield.cli.inspect_command import inspect_cmd
    from zkyield.cli.snapshot_commands import snapshot

    for command in (wf.statements_cmd, wf.compile_cmd, wf.setup_cmd, wf.commit_cmd, wf.prove_cmd, wf.verify_cmd,
                    prove_batch_cmd):
        cli.add_command(command)
    cli.add_command(demo_cmd)
    cli.add_command(groth16)
    cli.add_command(ceremony)
    cli.add_command(inspect_cmd)
    cli.add_command(snapshot)
    cli.add_command(ingest)
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
