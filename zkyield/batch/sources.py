"""Where a batch's portfolios come from: a folder of JSON files, a JSONL file, or (id, source) pairs.

Portfolios are parsed here, in the submitting process, so a malformed one becomes a ``bad_input`` job
without occupying a worker, and workers on other machines never need the input files. Ids name output
folders, so they are checked against a safe pattern; a job with an unusable id keeps a positional id
(``line-7``) for the summary. Messages name the file or line and the field, never a value.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from zkyield.circuits.models import Portfolio, load_portfolio
from zkyield.errors import FormatError, InputError
from zkyield.formats.jsonfile import parse_json_bytes

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")  # a folder name on every OS; no leading dot
ID_HINT = "1..128 characters [A-Za-z0-9._-], not starting with '.'"
RESERVED_IDS = frozenset({"summary.jsonl"})  # the batch's own file in OUT/

PortfolioSource = Portfolio | dict | str | os.PathLike


@dataclass(frozen=True)
class Job:
    """One portfolio of a batch: parsed, or the reason it could not be (then ``portfolio`` is None)."""

    id: str
    portfolio: Portfolio | None
    error: str | None = None


def read_jobs(source: str | os.PathLike | Iterable[tuple[str, PortfolioSource]]) -> Iterator[Job]:
    """Jobs from a folder of ``*.json`` files (id = file stem), a ``.jsonl`` file, or (id, source) pairs."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.is_dir():
            return _with_unique_ids(_folder_jobs(path))
        if path.is_file():
            return _with_unique_ids(_jsonl_jobs(path))
        raise InputError(f"--portfolios: {path.name} is neither a folder of JSON files nor a JSONL file")
    return _with_unique_ids(_pair_jobs(source))


def count_jobs(source: str | os.PathLike) -> int:
    """How many jobs ``read_jobs`` will yield for a folder or JSONL file (for a progress bar)."""
    path = Path(source)
    if path.is_dir():
        return sum(1 for _ in _folder_files(path))
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


def _folder_files(folder: Path) -> Iterator[Path]:
    return (p for p in sorted(folder.iterdir()) if p.suffix == ".json" and not p.name.startswith(".")
            and p.is_file())


def _folder_jobs(folder: Path) -> Iterator[Job]:
    for path in _folder_files(folder):
        if not _valid_id(path.stem):
            yield Job(path.stem, None, f"{path.name}: the file name must be an id of {ID_HINT}")
            continue
        yield _parse(path.stem, path, "")


def _jsonl_jobs(path: Path) -> Iterator[Job]:
    try:
        f = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path.name}: cannot read the file ({exc.strerror or type(exc).__name__})") from None
    with f:
        for number, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            where = f"{path.name} line {number}"
            fallback = f"line-{number}"
            try:
                data = parse_json_bytes(raw, where)
            except FormatError as exc:
                yield Job(fallback, None, str(exc))
                continue
            if not isinstance(data, dict):
                yield Job(fallback, None, f"{where}: each line must be a JSON object with an id field")
                continue
            job_id = data.pop("id", None)
            if not isinstance(job_id, str) or not _valid_id(job_id):
                yield Job(fallback, None, f"{where}: id must be a string of {ID_HINT}")
                continue
            yield _parse(job_id, data, where)


def _pair_jobs(pairs: Iterable[tuple[str, PortfolioSource]]) -> Iterator[Job]:
    for number, (job_id, source) in enumerate(pairs, 1):
        if not isinstance(job_id, str) or not _valid_id(job_id):
            yield Job(f"item-{number}", None, f"portfolios[{number - 1}]: id must be a string of {ID_HINT}")
        elif isinstance(source, Portfolio):
            yield Job(job_id, source)
        else:
            yield _parse(job_id, source, "")


def _parse(job_id: str, source: Any, where: str) -> Job:
    """Parse one portfolio; a JSONL line's portfolio is named ``books.jsonl line 7`` in later messages."""
    try:
        portfolio = load_portfolio(source)
    except InputError as exc:
        return Job(job_id, None, f"{where}: {exc}" if where else str(exc))
    return Job(job_id, replace(portfolio, source=where) if where else portfolio)


def _with_unique_ids(jobs: Iterator[Job]) -> Iterator[Job]:
    """A repeated id would overwrite another portfolio's proof: the later one is refused."""
    seen: set[str] = set()
    for job in jobs:
        if job.id in seen:
            yield Job(job.id, None, f"id {job.id} appears twice; ids name output folders and must be unique")
            continue
        seen.add(job.id)
        yield job


def _valid_id(value: str) -> bool:
    return bool(ID_PATTERN.fullmatch(value)) and value not in RESERVED_IDS


