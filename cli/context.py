"""Per-invocation settings shared by every command, and the stderr progress reporter."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import click


@dataclass
class Settings:
    debug: bool = False
    quiet: bool = False
    started: float = field(default_factory=time.monotonic)

    def progress(self, task: str) -> Callable[[str], None]:
        """A step reporter for long work: ``[task 1.2s] step`` lines on stderr.

        Hidden with --quiet or when stderr is not a terminal, so scripts and logs stay clean.
        """
        if self.quiet or not sys.stderr.isatty():
            return lambda _msg: None
        start = time.monotonic()

        def report(message: str) -> None:
            click.echo(f"[{task} {time.monotonic() - start:6.1f}s] {message}", err=True)

        return report


def settings(ctx: click.Context | None = None) -> Settings:
    ctx = ctx or click.get_current_context()
    found = ctx.find_object(Settings)
    return found if found is not None else Settings()
