"""Loader for the optional C backend ``_bn254`` (built by setup.py; see benchmarks/RESULTS.md for what it buys).

``lib`` is the extension module, or None when it was not built or ``ZKYIELD_PURE_PYTHON=1`` is set; every
caller keeps a pure-Python path for that case. Values cross into C as 32-byte little-endian integers
(``pack``/``unpack`` with 1 int per item for field elements, 2 for G1 points, 4 for G2 points; None is
all zero bytes), so a caller can keep packed buffers and pass them straight from one native call to the next.
"""

from __future__ import annotations

import os
from types import ModuleType

FR_WIDTH = 1
FQ_WIDTH = 1
G1_WIDTH = 2
G2_WIDTH = 4


def _load() -> ModuleType | None:
    if os.environ.get("ZKYIELD_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from zkyield._native import _bn254
    except ImportError:
        return None
    return _bn254


lib = _load()


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
