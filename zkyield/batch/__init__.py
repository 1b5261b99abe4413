"""Batch proving: many portfolios, one statement, on a local process pool or a Dask cluster.

``prove_batch`` (re-exported as ``zkyield.prove_batch``) yields a ``BatchResult`` per portfolio as each
completes; ``zkyield prove-batch`` is the same from the command line. See docs/batch.md.
"""

from __future__ import annotations

from zkyield.batch.backends import Backend, DaskBackend, InProcessBackend, ProcessPoolBackend, make_backend
from zkyield.batch.runner import SUMMARY, BatchResult, prove_batch
from zkyield.batch.sources import Job, count_jobs, read_jobs
from zkyield.batch.worker import BAD_INPUT, ERROR, PROVEN, STATEMENT_FALSE, STATUSES

__all__ = [
    "BAD_INPUT", "ERROR", "PROVEN", "STATEMENT_FALSE", "STATUSES", "SUMMARY", "Backend", "BatchResult",
    "DaskBackend", "InProcessBackend", "Job", "ProcessPoolBackend", "count_jobs", "make_backend",
    "prove_batch", "read_jobs",
]
