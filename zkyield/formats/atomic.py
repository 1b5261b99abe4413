"""Atomic file writes: a reader sees the old file or the complete new one, never a half-written one.

Every writer in zkyield goes through here, so a crash or a full disk while saving a key or a proof
cannot leave a truncated file that a later run would load (the temp file lives in the target's
directory so ``os.replace`` stays a same-filesystem rename).
"""

from __future__ import annotations

import contextlib
import errno
import json
import mmap
import os
import queue
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` via a fsynced temp file and ``os.replace``."""
    write_pieces_atomic(path, [data])


def write_pieces_atomic(path: str | os.PathLike, pieces: Iterable[bytes | memoryview], behind: bool = False,
                        observe: Callable[[bytes], object] | None = None, uncached: bool = False) -> None:
    """Write the concatenation of ``pieces`` atomically, without joining them in memory first (a generator
    streams: a piece is written as it is made); ``observe`` sees each piece before it is written (a hash).

    ``behind``: write, and observe, on a second thread while this one makes the next pieces (at most
    ``BEHIND_DEPTH`` waiting), for generators whose work holds the GIL: the kernel's copy into the page
    cache and hashlib's hashing do not.

    ``uncached``: write around the page cache where the filesystem allows it (``UncachedFile``), for
    files of hundreds of MB that no one reads back at once.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as opened, contextlib.ExitStack() as stack:
            f = stack.enter_context(UncachedFile(fd)) if uncached else opened
            if behind:
                _write_behind(f, pieces, observe)
            elif observe is None:
                f.writelines(pieces)
            else:
                for piece in pieces:
                    observe(piece)
                    f.write(piece)
            f.flush()
            os.fsync(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


BEHIND_DEPTH = 4


class UncachedFile:
    """Writes to ``fd`` with ``O_DIRECT`` through a page-aligned buffer, a whole ``BLOCK`` at a time; the
    tail (less than a block) at ``flush``, with ``O_DIRECT`` cleared.

    Why: on a VM, each page the kernel takes for its cache is fresh guest memory the host must back
    (~5 us a page here: 1-2 s for a 500 MB ``.r1cs``, more than the disk takes). Where the filesystem
    or the platform refuses ``O_DIRECT`` (tmpfs, macOS) the same bytes are written through the cache.
    """

    BLOCK = 8 << 20

    def __init__(self, fd: int) -> None:
        self._fd, self._fill = fd, 0
        self._buffer = mmap.mmap(-1, self.BLOCK)
        self._view = memoryview(self._buffer)
        self._direct = _set_direct(fd, True)

    def __enter__(self) -> UncachedFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._view.release()
        self._buffer.close()

    def write(self, data: bytes) -> None:
        view, at = memoryview(data).cast("B"), 0
        while at < len(view):
            take = min(len(view) - at, self.BLOCK - self._fill)
            self._view[self._fill : self._fill + take] = view[at : at + take]
            self._fill += take
            at += take
            if self._fill == self.BLOCK:
                self._write_out()

    def writelines(self, pieces: Iterable[bytes]) -> None:
        for piece in pieces:
            self.write(piece)

    def flush(self) -> None:
        if self._direct:
            self._direct = _set_direct(self._fd, False)
        self._write_out()

    def _write_out(self) -> None:
        done, n = 0, self._fill
        while done < n:
            try:
                done += os.write(self._fd, self._view[done:n])
            except OSError as e:  # a filesystem that takes the flag but not the write
                if e.errno != errno.EINVAL or not self._direct:
                    raise
                self._direct = _set_direct(self._fd, False)
                if self._direct:
                    raise
        self._fill = 0


def _set_direct(fd: int, on: bool) -> bool:
    """Set or clear ``O_DIRECT`` on ``fd``; whether it is now set."""
    flag = getattr(os, "O_DIRECT", 0)
    if not flag:
        return False
    import fcntl

    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    try:
        fcntl.fcntl(fd, fcntl.F_SETFL, flags | flag if on else flags & ~flag)
    except OSError:
        return bool(flags & flag)
    return on


def _write_behind(f: IO[bytes], pieces: Iterable[bytes], observe: Callable[[bytes], object] | None) -> None:
    waiting: queue.Queue[bytes | None] = queue.Queue(maxsize=BEHIND_DEPTH)
    failed: list[BaseException] = []

    def drain() -> None:
        while (piece := waiting.get()) is not None:
            if not failed:
                try:
                    if observe is not None:
                        observe(piece)
                    f.write(piece)
                except BaseException as e:  # noqa: BLE001 - re-raised on the caller's thread
                    failed.append(e)

    writer = threading.Thread(target=drain, name="zkyield-write-behind", daemon=True)
    writer.start()
    try:
        for piece in pieces:
            if failed:
                break
            waiting.put(piece)
    finally:
        waiting.put(None)
        writer.join()
    if failed:
        raise failed[0]


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """UTF-8 text, written atomically (no newline translation: the bytes are exactly ``text``)."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: str | os.PathLike, obj: object) -> None:
    """Plain JSON (indent 1, no trailing newline); snarkjs-shaped files use ``snarkjs_json`` instead."""
    write_text_atomic(path, json.dumps(obj, indent=1))


def _fsync_dir(directory: Path) -> None:
    """Persist the rename itself; not every platform lets a directory be opened, so failures are ignored."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
