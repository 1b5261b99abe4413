"""Hint functions by name: a witness program names its hints, it never carries code.

``Circuit.hint`` accepts a registered function or its name; the compiled program stores the name, and
running a program looks the name up here. The standard hints the gadgets use live in this module so a
program runs without importing the gadgets; code with its own hints registers them once at import::

    @register("mylib.halve")
    def halve(x: int) -> int: ...

A program naming a hint that is not registered is refused when it is loaded (FormatError).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from zkyield.field import R

HintFn = Callable[..., object]
_BY_NAME: dict[str, HintFn] = {}
_NAME_OF: dict[int, str] = {}  # id(fn) -> name


def register(name: str) -> Callable[[HintFn], HintFn]:
    """Decorator: record ``fn`` under ``name`` (a name may be taken by one function only)."""

    def add(fn: HintFn) -> HintFn:
        if not isinstance(name, str) or not name or not name.isascii() or "," in name or len(name) > 200:
            raise ValueError(f"hint name {name!r}: use up to 200 ASCII characters, no commas")
        old = _BY_NAME.get(name)
        if old is not None and old is not fn:
            raise ValueError(f"hint name {name!r} is already registered to another function")
        _BY_NAME[name] = fn
        _NAME_OF[id(fn)] = name
        return fn

    return add


def name_of(fn: HintFn | str) -> str:
    """The registry name of ``fn`` (or ``fn`` itself when it is a registered name)."""
    name = fn if isinstance(fn, str) else _NAME_OF.get(id(fn))
    if name is None or name not in _BY_NAME or (not isinstance(fn, str) and _BY_NAME[name] is not fn):
        what = fn if isinstance(fn, str) else getattr(fn, "__qualname__", type(fn).__name__)
        raise ValueError(f"hint {what!r} is not registered: decorate it with @zkyield.dsl.hints.register(NAME)")
    return name


def lookup(name: str) -> HintFn | None:
    return _BY_NAME.get(name)


# -- the standard hints (used by zkyield.gadgets) ------------------------------------------------------


MAX_HINT_OUTPUTS = 1 << 20  # far above any circuit's selector or bit count; bounds what a file can ask for


@register("inverse_or_zero")
def inverse_or_zero(v: int) -> int:
    """1/v in Fr, or 0 for v = 0 (is_zero's witness)."""
    return pow(v, -1, R) if v else 0


@register("one_hot")
def one_hot(index: int, k: int) -> list[int]:
    """k selector bits with a 1 at ``index`` (all zero when index >= k: the sum constraint then fails)."""
    if k > MAX_HINT_OUTPUTS:  # a corrupted program's constant, not a circuit: refuse before allocating
        raise ValueError(f"one_hot: {k} outputs exceeds {MAX_HINT_OUTPUTS}")
    return [int(i == index) for i in range(k)]


@register("divide")
def divide(x: int, d: int, ceil: int) -> int:
    """x // d, or the ceiling when ``ceil``; 0 when d = 0 (no valid quotient: the remainder checks fail)."""
    if d == 0:
        return 0
    return -(-x // d) if ceil else x // d


@register("field_divide")
def field_divide(num: int, den: int) -> int:
    """num / den in Fr, or 0 for den = 0 (no valid quotient: the product constraint then fails unless num = 0)."""
    return num * pow(den, -1, R) % R if den else 0


@register("isqrt")
def isqrt(x: int) -> int:
    return math.isqrt(x)


@register("low_bits")
def low_bits(x: int, m: int) -> list[int]:
    """The m least significant bits of x, least first."""
    if m > MAX_HINT_OUTPUTS:
        raise ValueError(f"low_bits: {m} outputs exceeds {MAX_HINT_OUTPUTS}")
    return [(x >> i) & 1 for i in range(m)]


# -- wide integer identities (zkyield.gadgets.wide: 120-bit limbs) ------------------------------------------

_LIMB = 120


@register("wide.split")
def wide_split(x: int) -> list[int]:
    """The low 120 bits of x and the rest."""
    return [x & ((1 << _LIMB) - 1), x >> _LIMB]


@register("wide.carry")
def wide_carry(k: int) -> int:
    """k / 2^120 for k read as a signed field element (exact when the identity holds; else its check fails)."""
    signed = k - R if k > R // 2 else k
    return (signed >> _LIMB) % R


@register("wide.muldiv")
def wide_muldiv(a: int, b: int, d: int) -> list[int]:
    """``[floor(a * b / d), a * b mod d]`` on the integers (0, 0 for d = 0: the checks then fail)."""
    return list(divmod(a * b, d)) if d else [0, 0]
