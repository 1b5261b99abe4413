"""Execution backends: one interface, three ways to run ``worker.run_task`` over a stream of tasks.

- ``InProcessBackend``: in this process, one task after another (debugging, tiny batches).
- ``ProcessPoolBackend`` (default): ``concurrent.futures.ProcessPoolExecutor``, one process per core,
  the proving key loaded by each worker's initializer. A worker that dies breaks the executor, so the
  pool is rebuilt and the tasks that were in flight are resubmitted (up to ``max_attempts`` each).
- ``DaskBackend``: a ``dask.distributed`` cluster (``tcp://HOST:PORT`` or a ``Client``); the scheduler
  reruns tasks of a dead worker elsewhere and gives up after its ``allowed_failures`` (``KilledWorker``).

Each backend keeps at most a few tasks per worker in flight, so a million-line JSONL streams through.
"""

from __future__ import annotations

import multiprocessing
import os
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import Any

from zkyield.batch.worker import ERROR, Context, Outcome, Task, preload, run_task
from zkyield.errors import InputError

IN_FLIGHT_PER_WORKER = 2  # one running, one queued: workers never wait for the submitting process


class Backend(ABC):
    """Runs tasks and yields their outcomes in completion order; closing the iterator stops the work."""

    name: str

    @abstractmethod
    def run(self, ctx: Context, tasks: Iterable[Task]) -> Iterator[Outcome]: ...


class InProcessBackend(Backend):
    name = "in-process"

    def run(self, ctx: Context, tasks: Iterable[Task]) -> Iterator[Outcome]:
        for task in tasks:
            yield run_task(ctx, task)


def _lost(task: Task, why: str) -> Outcome:
    return Outcome(task.id, ERROR, 0.0, error=why, attempt=task.attempt)


class ProcessPoolBackend(Backend):
    """A local process pool; ``workers`` defaults to every core this process may use."""

    name = "process"

    def __init__(self, workers: int | None = None, max_attempts: int = 3, start_method: str = "spawn") -> None:
        if workers is not None and workers < 1:
            raise InputError("--workers must be at least 1")
        self.workers = workers or _cores()
        self.max_attempts = max_attempts
        # spawn, not fork: the submitting process may hold threads (a Dask client, a progress UI) and
        # forking those is unsafe; the cost is one interpreter start per worker, once per batch.
        self._mp = multiprocessing.get_context(start_method)

    def _pool(self, ctx: Context) -> ProcessPoolExecutor:
        share = max(1, _cores() // self.workers)
        return ProcessPoolExecutor(self.workers, mp_context=self._mp, initializer=preload,
                                   initargs=(ctx.build_dir, share))

    def run(self, ctx: Context, tasks: Iterable[Task]) -> Iterator[Outcome]:
        source = iter(tasks)
        retry: deque[Task] = deque()
        pending: dict[Future, Task] = {}
        pool = self._pool(ctx)
        try:
            while True:
                broken = False
                while len(pending) < self.workers * IN_FLIGHT_PER_WORKER and not broken:
                    task = retry.popleft() if retry else next(source, None)
                    if task is None:
                        break
                    try:
                        pending[pool.submit(run_task, ctx, task)] = task
                    except BrokenProcessPool:
                        retry.appendleft(task)
                        broken = True
                if not pending and not broken:
                    return
                if not broken:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        if isinstance(future.exception(), BrokenProcessPool):
                            broken = True
                            continue
                        yield from self._settle(pending.pop(future), future, retry)
                if broken:
                    # Every future of a broken executor fails; we cannot tell which task killed the
                    # worker, so each one in flight is charged an attempt and resubmitted to a new pool.
                    wait(pending)
                    for future, task in list(pending.items()):
                        yield from self._settle(task, future, retry)
                    pending.clear()
                    pool.shutdown(wait=True, cancel_futures=True)
                    pool = self._pool(ctx)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _settle(self, task: Task, future: Future, retry: deque[Task]) -> Iterator[Outcome]:
        exc = future.exception()
        if exc is None:
            yield future.result()
        elif not isinstance(exc, BrokenProcessPool):
            yield _lost(task, f"worker failed ({type(exc).__name__})")
        elif task.attempt >= self.max_attempts:
            yield _lost(task, f"a worker died during each of {task.attempt} attempts; not retried")
        else:
            retry.append(replace(task, attempt=task.attempt + 1))


class DaskBackend(Backend):
    """A Dask distributed cluster: ``scheduler`` is its address, or pass a connected ``client``.

    Workers need zkyield installed and the build folder at the same path (a shared filesystem or a
    copy); portfolios, market and policy travel with the tasks, results come back here to be written.
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, client: Any = None) -> None:
        if (scheduler is None) == (client is None):
            raise InputError("dask backend: pass a scheduler address (tcp://HOST:PORT) or a client")
        self.scheduler = scheduler
        self.client = client

    def run(self, ctx: Context, tasks: Iterable[Task]) -> Iterator[Outcome]:
        distributed = _import_distributed()
        client = self.client or distributed.Client(self.scheduler, timeout="30s")
        try:
            yield from self._run(distributed, client, ctx, tasks)
        finally:
            if self.client is None:
                client.close()

    def _run(self, distributed: Any, client: Any, ctx: Context, tasks: Iterable[Task]) -> Iterator[Outcome]:
        threads = sum(client.nthreads().values()) or 1
        shared = client.scatter(ctx, broadcast=True)
        source = iter(tasks)
        running = distributed.as_completed(loop=client.loop)
        by_key: dict[str, Task] = {}

        def submit() -> bool:
            task = next(source, None)
            if task is None:
                return False
            future = client.submit(run_task, shared, task, pure=False)
            by_key[future.key] = task
            running.add(future)
            return True

        for _ in range(threads * IN_FLIGHT_PER_WORKER):
            if not submit():
                break
        try:
            for future in running:
                task = by_key.pop(future.key)
                exc = future.exception() if future.status == "error" else None
                if future.status == "finished":
                    outcome = future.result()
                elif isinstance(exc, distributed.KilledWorker):
                    outcome = _lost(task, "the task's worker died on every try (dask KilledWorker); not retried")
                else:
                    outcome = _lost(task, f"worker failed ({type(exc).__name__ if exc else future.status})")
                future.release()
                yield outcome
                submit()
        finally:
            for future in list(running.futures):
                future.cancel()


def make_backend(kind: str = "process", workers: int | None = None, scheduler: str | None = None,
                 client: Any = None) -> Backend:
    """The backend a name selects ("process", "in-process", "dask"); a scheduler or client implies dask."""
    if scheduler is not None or client is not None:
        kind = "dask"
    if kind == "process":
        return ProcessPoolBackend(workers)
    if kind == "in-process":
        return InProcessBackend()
    if kind == "dask":
        return DaskBackend(scheduler, client)
    raise InputError(f"backend must be process, in-process or dask, not {kind!r}")


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise InputError("the dask backend needs the dask extra: pip install 'zkyield[dask]'") from None
    return distributed


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
