"""What one worker does for one portfolio, whichever backend runs it.

The proving key is the heavy part (parsing it and rebuilding the circuit take seconds), so each worker
process loads it once and keeps it in ``_CACHE``; a task carries only the portfolio and the small public
context. A task never raises: every failure comes back as an ``Outcome`` whose message is one line
without private values (a false statement names its failed clauses, not the measured values).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from dataclasses import dataclass

from zkyield import api
from zkyield.circuits import attest_witness
from zkyield.circuits.attest_policy import AttestorSignature
from zkyield.circuits.models import Market, Policy, Portfolio
from zkyield.errors import InputError, StatementFalse
from zkyield.formats.attestation import Attestation

PROVEN, STATEMENT_FALSE, BAD_INPUT, ERROR = "proven", "statement_false", "bad_input", "error"
STATUSES = (PROVEN, STATEMENT_FALSE, BAD_INPUT, ERROR)


@dataclass(frozen=True)
class Context:
    """The public inputs every task of a batch shares; ``build_dir`` must be readable by every worker."""

    build_dir: str
    market: Market
    policy: Policy


@dataclass(frozen=True)
class Task:
    id: str
    portfolio: Portfolio
    previous: Attestation | None = None  # an earlier run's output, re-checked instead of re-proven
    attempt: int = 1
    signatures: tuple[AttestorSignature, ...] = ()  # private, like the portfolio (batch.signatures)


@dataclass(frozen=True)
class Outcome:
    id: str
    status: str
    seconds: float
    attestation: Attestation | None = None
    error: str | None = None
    resumed: bool = False
    worker: str = ""  # host:pid that ran the task (to find and test a worker; never in the summary)
    key_loads: int = 0  # how often that worker process has loaded the proving key (once, by design)
    attempt: int = 1
    fatal: bool = False  # the build folder itself is unusable: the runner stops the batch


_CACHE: dict[str, api.Keys] = {}
_LOADS = {"count": 0}
_LOCK = threading.Lock()  # a Dask worker may run several tasks at once in threads


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_keys(build_dir: str) -> api.Keys:
    """The build folder's keys, loaded on first use in this process and kept for every later task."""
    with _LOCK:
        keys = _CACHE.get(build_dir)
        if keys is None:
            keys = _CACHE[build_dir] = api.load_keys(build_dir)
            _LOADS["count"] += 1
        return keys


def preload(build_dir: str, threads: int | None = None) -> str:
    """Pool initializer: take this worker's share of the cores, then load the keys now (a failure is
    left for the first task to report)."""
    if threads:
        os.environ["ZKYIELD_THREADS"] = str(threads)
    with contextlib.suppress(Exception):  # reported per task by run_task, which retries the load
        worker_keys(build_dir)
    return worker_name()


def run_task(ctx: Context, task: Task) -> Outcome:
    """Prove one portfolio (or accept its earlier, still valid proof) and verify the result."""
    common = {"worker": worker_name(), "attempt": task.attempt}
    try:
        keys = worker_keys(ctx.build_dir)
    except Exception as exc:  # any failure here makes every task fail: stop the batch
        message = str(exc) if isinstance(exc, InputError) else f"cannot load keys ({type(exc).__name__})"
        return Outcome(task.id, ERROR, 0.0, error=message, fatal=True, key_loads=_LOADS["count"], **common)
    common["key_loads"] = _LOADS["count"]
    start = time.perf_counter()
    try:
        if task.previous is not None and still_valid(task.previous, task.portfolio, ctx, keys):
            return Outcome(task.id, PROVEN, time.perf_counter() - start, task.previous, resumed=True, **common)
        failed = _failed_clauses(task.portfolio, ctx, keys, task.signatures)
        if failed:
            return Outcome(task.id, STATEMENT_FALSE, time.perf_counter() - start,
                           error="statement is false: " + ", ".join(failed) + " not met", **common)
        options = {"signatures": task.signatures} if task.signatures else {}
        attestation = api.prove(task.portfolio, ctx.market, ctx.policy, keys, **options)
        if not api.verify(attestation, keys.verification_key, ctx.policy, ctx.market, statement=keys.statement):
            return Outcome(task.id, ERROR, time.perf_counter() - start,
                           error="the new proof does not verify; check this worker's zkyield build", **common)
        return Outcome(task.id, PROVEN, time.perf_counter() - start, attestation, **common)
    except StatementFalse:  # the evaluation above already catches these; kept as the prover's own gate
        return Outcome(task.id, STATEMENT_FALSE, time.perf_counter() - start, error="statement is false", **common)
    except InputError as exc:
        return Outcome(task.id, BAD_INPUT, time.perf_counter() - start, error=str(exc), **common)
    except Exception as exc:  # the type only: a message might quote private values
        return Outcome(task.id, ERROR, time.perf_counter() - start,
                       error=f"internal error ({type(exc).__name__}); prove this portfolio alone with --debug",
                       **common)


def still_valid(previous: Attestation, portfolio: Portfolio, ctx: Context, keys: api.Keys) -> bool:
    """An earlier proof stands iff it verifies for this key, policy and market and binds this portfolio."""
    expected = (api.commitment(portfolio, ctx.market, keys.statement.capacity), portfolio.owner,
                portfolio.period.start, portfolio.period.end)
    found = (previous.commitment, previous.public_signals[1], *previous.period)
    return found == expected and bool(api.verify(previous, keys.verification_key, ctx.policy, ctx.market,
                                                 statement=keys.statement))


def _failed_clauses(portfolio: Portfolio, ctx: Context, keys: api.Keys,
                    signatures: tuple[AttestorSignature, ...]) -> list[str]:
    """The policy keys a portfolio fails: names only, since the measured values (and the signature
    files) are private. The evaluator cannot decide an attestation clause; the signatures do."""
    result = keys.statement.family.evaluate(portfolio, ctx.market, ctx.policy, keys.statement)
    failed = [check.key for check in result.failures]
    if isinstance(ctx.policy, Policy):
        failed += attest_witness.unmet_attestations(portfolio, ctx.market, ctx.policy, signatures)
    return failed
