"""``prove_batch``: prove many portfolios against one statement, resumably, writing each proof atomically.

Layout of OUT/: one attestation folder per proven portfolio (``OUT/<id>/``, as ``zkyield prove`` writes)
and ``OUT/summary.jsonl`` with one line per portfolio: id, status, commitment, seconds (plus ``error``
for the ones not proven and ``resumed`` for proofs kept from an earlier run). A folder appears by one
rename of a completed temp folder, and a summary line is appended as each result arrives, so a killed
run loses only the proofs in flight; when the run finishes, the summary is rewritten in input order.
A rerun re-checks each existing folder (it must verify and bind the same portfolio) instead of proving.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zkyield import api
from zkyield.batch.backends import Backend, make_backend
from zkyield.batch.signatures import SignatureFolder
from zkyield.batch.sources import Job, PortfolioSource, read_jobs
from zkyield.batch.worker import BAD_INPUT, PROVEN, Context, Outcome, Task
from zkyield.circuits.attest_layout import SUBJECTS
from zkyield.circuits.attest_witness import signature_counts
from zkyield.circuits.models import Market, Policy, load_market, load_policy
from zkyield.errors import InputError
from zkyield.families import family_of
from zkyield.formats.atomic import write_text_atomic
from zkyield.formats.attestation import ATTESTATION, Attestation, read_attestation, write_attestation
from zkyield.formats.jsonfile import read_json
from zkyield.formats.snarkjs_json import load_vk
from zkyield.groth16.keys import VerifyingKey

SUMMARY = "summary.jsonl"
_TEMP_MARK = ".partial-"  # temp folders: ".partial-<id>-<pid>", ".replaced-<id>-<pid>"
_OLD_MARK = ".replaced-"


@dataclass(frozen=True)
class BatchResult:
    """One portfolio's result; ``summary_row`` is the public part written to summary.jsonl."""

    id: str
    status: str  # proven | statement_false | bad_input | error
    commitment: int | None
    seconds: float
    error: str | None = None
    resumed: bool = False
    index: int = 0  # position in the input
    out_dir: Path | None = None
    attestation: Attestation | None = None
    worker: str = ""
    attempt: int = 1
    key_loads: int = 0

    def summary_row(self) -> dict[str, object]:
        row: dict[str, object] = {"id": self.id, "status": self.status,
                                  "commitment": None if self.commitment is None else str(self.commitment),
                                  "seconds": round(self.seconds, 3)}
        if self.error is not None:
            row["error"] = self.error
        if self.resumed:
            row["resumed"] = True
        return row


def prove_batch(build_dir: str | os.PathLike, portfolios: str | os.PathLike | Iterable[tuple[str, PortfolioSource]],
                market: Market | str | os.PathLike | dict, policy: Policy | str | os.PathLike | dict,
                out_dir: str | os.PathLike | None = None, *, backend: str | Backend = "process",
                workers: int | None = None, scheduler: str | None = None, client: Any = None,
                resume: bool = True, signatures: str | os.PathLike | None = None) -> Iterator[BatchResult]:
    """Prove every portfolio and yield results as they complete (a generator: nothing runs until iterated).

    ``portfolios``: a folder of ``<id>.json`` files, a JSONL file (an ``id`` field per line) or
    ``(id, Portfolio | dict | path)`` pairs. With ``out_dir`` each proof is written to ``out_dir/<id>/``
    and listed in ``out_dir/summary.jsonl``; without it results only carry their attestations.
    ``backend``: "process" (a local pool of ``workers``, default every core), "in-process", "dask"
    (``scheduler`` address or ``client``), or a ``Backend``. Raises InputError before any work if the
    build folder, market or policy is unusable. ``signatures``: a folder of attestor signature files for
    a policy with ``attested_by`` / ``prices_attested_by`` (``batch.signatures``: shared ones on top,
    ``<id>/`` for one portfolio's own).
    """
    build = Path(build_dir)
    market_obj = market if isinstance(market, Market) else load_market(market)
    policy_obj = policy if isinstance(policy, Policy) else load_policy(policy)
    vk = _check_build(build, policy_obj)
    folder = None if signatures is None else SignatureFolder(signatures)
    runner = backend if isinstance(backend, Backend) else make_backend(backend, workers, scheduler, client)
    ctx = Context(str(build.resolve()), market_obj, policy_obj)
    out = None if out_dir is None else Path(out_dir)
    return _run(runner, ctx, read_jobs(portfolios), vk, out, resume and out is not None, folder)


def _run(backend: Backend, ctx: Context, jobs: Iterator[Job], vk: VerifyingKey, out: Path | None,
         resume: bool, signatures: SignatureFolder | None = None) -> Iterator[BatchResult]:
    summary = _Summary(out) if out is not None else None
    rejected: deque[BatchResult] = deque()  # bad inputs found while feeding the backend
    index: dict[str, int] = {}

    def tasks() -> Iterator[Task]:
        for i, job in enumerate(jobs):
            if job.portfolio is None:
                rejected.append(BatchResult(job.id, BAD_INPUT, None, 0.0, job.error, index=i))
                continue
            try:
                sigs = () if signatures is None else signatures.for_job(job.id)
            except InputError as exc:
                rejected.append(BatchResult(job.id, BAD_INPUT, None, 0.0, str(exc), index=i))
                continue
            index[job.id] = i
            previous = _previous(out / job.id) if resume and out is not None else None
            yield Task(job.id, job.portfolio, previous, signatures=sigs)

    def finish(result: BatchResult) -> BatchResult:
        if summary is not None:
            summary.append(result)
        return result

    completed = False
    try:
        for outcome in backend.run(ctx, tasks()):
            while rejected:
                yield finish(rejected.popleft())
            if outcome.fatal:
                raise InputError(outcome.error or "the build folder cannot be loaded")
            yield finish(_result(outcome, index[outcome.id], vk, out))
        while rejected:
            yield finish(rejected.popleft())
        completed = True
    finally:
        if summary is not None:
            summary.close(rewrite=completed)


def _result(outcome: Outcome, index: int, vk: VerifyingKey, out: Path | None) -> BatchResult:
    folder = None
    att = outcome.attestation
    if att is not None and outcome.status == PROVEN and out is not None:
        folder = out / outcome.id
        if not outcome.resumed:
            _write_folder(att, vk, folder)
    return BatchResult(outcome.id, outcome.status, att.commitment if att is not None else None, outcome.seconds,
                       outcome.error, outcome.resumed, index, folder, att, outcome.worker, outcome.attempt,
                       outcome.key_loads)


def _check_build(build: Path, policy: Policy) -> VerifyingKey:
    """Fail before starting workers when the build folder is not set up for this policy's statement."""
    for name in (api.STATEMENT_FILE, api.PROVING_KEY_FILE, api.VERIFICATION_KEY_FILE):
        if not (build / name).is_file():
            raise InputError(f"{build}: no {name}; run `zkyield compile` and `zkyield setup` for this folder")
    doc, name = read_json(build / api.STATEMENT_FILE)  # strict: duplicate keys, depth, encoding
    family = family_of(policy)
    try:
        clauses, kind = doc["clauses"], doc.get("statement", family.name)
    except (KeyError, TypeError, AttributeError):
        raise InputError(f"{name}: malformed; compile the statement again") from None
    if kind != family.name:
        raise InputError(f"{name}: a {kind} statement, not a {family.name} one; compile one for this policy")
    if not isinstance(clauses, list) or sorted(map(str, clauses)) != sorted(family.stated_clauses(policy)):
        raise InputError("policy: its clauses differ from the compiled statement's; compile one for this policy")
    if isinstance(policy, Policy):
        counts = dict(zip(SUBJECTS, signature_counts(policy), strict=True))
        if doc.get("signatures", {}) != {s: k for s, k in counts.items() if k}:
            raise InputError("policy: its attestation thresholds differ from the compiled statement's; compile one "
                             "for this policy")
    return load_vk(build / api.VERIFICATION_KEY_FILE)


def _previous(folder: Path) -> Attestation | None:
    """An earlier run's complete folder (attestation.json is written last), or None to prove again."""
    if not (folder / ATTESTATION).is_file():
        return None
    try:
        return read_attestation(folder)
    except InputError:
        return None


def _write_folder(att: Attestation, vk: VerifyingKey, folder: Path) -> None:
    """Write into a temp folder, then rename it into place: readers never see a mix of two proofs."""
    tag = f"{folder.name}-{os.getpid()}"
    temp = folder.parent / f"{_TEMP_MARK}{tag}"
    shutil.rmtree(temp, ignore_errors=True)
    write_attestation(att, vk, temp)
    if folder.exists():  # an earlier proof that no longer holds: move it aside, then replace it
        old = folder.parent / f"{_OLD_MARK}{tag}"
        shutil.rmtree(old, ignore_errors=True)
        os.replace(folder, old)
        os.replace(temp, folder)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(temp, folder)


class _Summary:
    """summary.jsonl: appended line by line while running, rewritten in input order at the end."""

    def __init__(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        for stale in out.iterdir():  # temp folders of a run that was killed
            if stale.is_dir() and stale.name.startswith((_TEMP_MARK, _OLD_MARK)):
                shutil.rmtree(stale, ignore_errors=True)
        self.path = out / SUMMARY
        self.rows: list[tuple[int, dict[str, object]]] = []
        self._file = self.path.open("a", encoding="utf-8")

    def append(self, result: BatchResult) -> None:
        row = result.summary_row()
        self.rows.append((result.index, row))
        self._file.write(json.dumps(row) + "\n")
        self._file.flush()

    def close(self, rewrite: bool) -> None:
        """Stop appending; after a complete run keep only this run's lines, in input order."""
        with contextlib.suppress(OSError):
            self._file.close()
        if rewrite:
            lines = [json.dumps(row) + "\n" for _, row in sorted(self.rows, key=lambda item: item[0])]
            write_text_atomic(self.path, "".join(lines))
