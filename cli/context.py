"""Per-invocation settings shared by every command, and the stderr progress bar."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from types import TracebackType

import click

_BAR_WIDTH = 24


class ProgressBar:
    """A one-line bar for a long task's steps, redrawn in place on stderr.

    The core reports steps as messages (``progress("MSM for B")``); the bar counts them against the
    expected number of steps and shows the elapsed time. Silent when disabled (--quiet, or stderr is
    not a terminal), so scripts and logs stay clean. Use it as a context manager so the line is closed.
    """

    def __init__(self, task: str, steps: int, enabled: bool) -> None:
        self.task = task
        self.steps = max(1, steps)
        self.enabled = enabled
        self.done = 0
        self.start = time.monotonic()
        self.drawn = False

    def __call__(self, message: str) -> None:
        self.done += 1
        self.steps = max(self.steps, self.done)
        if not self.enabled:
            return
        filled = _BAR_WIDTH * (self.done - 1) // self.steps
        bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
        line = f"\r[{self.task}] [{bar}] {self.done}/{self.steps} {message[:50]:<50} {self._elapsed()}"
        click.echo(line, err=True, nl=False)
        self.drawn = True

    def _elapsed(self) -> str:
        return f"{time.monotonic() - self.start:6.1f}s"

    def close(self) -> None:
        if self.enabled and self.drawn:
            bar = "#" * _BAR_WIDTH
            click.echo(f"\r[{self.task}] [{bar}] done {'':<50} {self._elapsed()}", err=True)
            self.drawn = False

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
        elif self.enabled and self.drawn:
            click.echo("", err=True)  # end the bar's line so the error starts on its own


# Steps each core task reports (zkyield.groth16.setup / prove); a bar grows if a task reports more.
EXPECTED_STEPS = {"setup": 4, "prove": 4}


@dataclass
class Settings:
    debug: bool = False
    quiet: bool = False
    started: float = field(default_factory=time.monotonic)

    def progress(self, task: str, steps: int | None = None) -> ProgressBar:
        """A progress bar for ``task``, shown only on a terminal and without --quiet."""
        enabled = not self.quiet and sys.stderr.isatty()
        return ProgressBar(task, steps or EXPECTED_STEPS.get(task, 4), enabled)


@dataclass
class Process:
    """What this process is: ``console`` when the console-script entry point (``main``) runs it, so it ends
    when the command does; ``skip_teardown`` once a command asked to end it without freeing its objects."""

    console: bool = False
    skip_teardown: bool = False


PROCESS = Process()


def skip_teardown() -> bool:
    """Let this process end without freeing what the command builds, once the command has succeeded;
    True when that will happen (a console process), so the command may also leave the cyclic collector off.

    Why: a circuit at N = 128 is ~10^7 Python objects; freeing them one by one at exit took 1.5 s of
    `zkyield compile`, and a collection after the build walks them all once more. Only ``main`` acts on
    it, after the command returned with status 0 (its files written and fsynced, its output flushed);
    in-process callers (tests, ``CliRunner``) are never ended early.
    """
    PROCESS.skip_teardown = True
    return PROCESS.console


def settings(ctx: click.Context | None = None) -> Settings:
    ctx = ctx or click.get_current_context()
    found = ctx.find_object(Settings)
    return found if found is not None else Settings()
