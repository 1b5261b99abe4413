"""Counts of fuzz inputs tried per loader, printed in pytest's terminal summary (tests/conftest.py)."""

from __future__ import annotations

from collections import Counter

TRIED: Counter[str] = Counter()


def count(loader: str) -> None:
    TRIED[loader] += 1
