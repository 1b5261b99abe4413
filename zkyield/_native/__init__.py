"""Loader for the optional C backend ``_bn254`` (built by setup.py; see benchmarks/RESULTS.md for what it buys).

``native()`` is the one backend switch, read at every call: the extension module, or None when it was not
built, ``ZKYIELD_PURE_PYTHON=1`` is set, or the caller is inside ``with pure_python():``; every caller keeps a
pure-Python path for that case (py_ecc's reference-beside-the-fast-module split), so tests compare the two
paths by forcing one, not by patching module globals. Values cross into C as 32-byte little-endian integers
(``pack``/``unpack`` with 1 int per item for field elements, 2 for G1 points, 4 for G2 points; None is
all zero bytes), so a caller can keep packed buffers and pass them straight from one native call to the next.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import ModuleType

FR_WIDTH = 1
FQ_WIDTH = 1
G1_WIDTH = 2
G2_WIDTH = 4


def _load() -> ModuleType | None:
    try:
        from zkyield._native import _bn254
    except ImportError:
        return None
    return _bn254


_BN254 = _load()
# A context variable, so `with pure_python():` in one thread (or asyncio task) leaves the others native.
_FORCED_PYTHON: ContextVar[bool] = ContextVar("zkyield_forced_python", default=False)


def disabled() -> bool:
    """True when callers must take their pure-Python path: $ZKYIELD_PURE_PYTHON set, or inside ``pure_python()``."""
    return _FORCED_PYTHON.get() or os.environ.get("ZKYIELD_PURE_PYTHON", "") not in ("", "0")


def native() -> ModuleType | None:
    """The ``_bn254`` extension for this call, or None (not built, or ``disabled()``)."""
    return None if disabled() else _BN254


def witness_lib() -> ModuleType | None:
    """The ``_witness`` extension (witness runner, constraint codecs) for this call, or None as ``native()``."""
    if disabled():
        return None
    try:
        from zkyield._native import _witness
    except ImportError:
        return None
    return _witness


@contextmanager
def pure_python() -> Iterator[None]:
    """Run the block on the pure-Python paths (both extensions off), whatever was built."""
    token = _FORCED_PYTHON.set(True)
    try:
        yield
    finally:
        _FORCED_PYTHON.reset(token)


def threads() -> int:
    """Worker threads for one native call: $ZKYIELD_THREADS, else the cores this process may use.

    Batch workers set ZKYIELD_THREADS to their share of the cores so that several provers on one
    machine do not each start a thread per core (the C side caps the count at 16).
    """
    wanted = os.environ.get("ZKYIELD_THREADS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
