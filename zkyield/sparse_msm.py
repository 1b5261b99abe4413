"""Many small linear combinations of shared bases, and one scalar times many points: the ceremony's bulk work.

``lincomb_g1``/``lincomb_g2``: out[o] = Σ k·bases[b] over terms (o, b, k). ``ceremony new`` needs one per
wire (a wire's terms are the constraints it appears in), thousands of combinations of a few terms each,
where one Pippenger per wire would spend its time on set-up. ``scale_g1``: k·P_i for every point (a
contribution divides the C and H sections by its secret). Native: zkyield/_native (curve_impl.h
``lincomb``, gls.h ``g1_scale``), on all threads; the ``*_python`` functions are the references with the
same signatures, tested against them.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from typing import Any

from zkyield import curve
from zkyield._native import G1_WIDTH, G2_WIDTH, native, threads
from zkyield.curve import G1Affine
from zkyield.errors import FieldError
from zkyield.field import R, fr

Term = tuple[int, int, int]  # (output index, base index, scalar)


def _lincomb(fn: Any, width: int, bases: Sequence[Any], terms: Sequence[Term], n_out: int) -> list[Any]:
    lib = native()
    ordered = sorted(terms, key=lambda t: t[0])
    outs, idx = array("I", (t[0] for t in ordered)), array("I", (t[1] for t in ordered))
    if sys.byteorder != "little":  # the C side reads little-endian u32
        outs.byteswap()
        idx.byteswap()
    try:
        scalars = lib.pack([t[2] for t in ordered], 1)
        return lib.unpack(fn(lib.pack(bases, width), outs.tobytes(), idx.tobytes(), scalars, n_out, threads()), width)
    except (ValueError, OverflowError, TypeError) as e:
        raise FieldError(f"lincomb: {e}; pass canonical scalars (< r) and validated points") from None


def _check(bases: Sequence[Any], terms: Sequence[Term], n_out: int) -> None:
    """Indices in range and canonical scalars: one fast pass, and a naming pass only when it fails."""
    nb = len(bases)
    if all(type(o) is type(b) is type(k) is int and 0 <= o < n_out and 0 <= b < nb and 0 <= k < R for o, b, k in terms):
        return
    for i, (o, b, k) in enumerate(terms):
        if not (type(o) is type(b) is int and 0 <= o < n_out and 0 <= b < nb):
            raise IndexError(f"lincomb: term {i} names output {o} or base {b} out of range")
        fr(k, f"lincomb term {i} scalar")


def lincomb_g1(bases: Sequence[G1Affine], terms: Sequence[Term], n_out: int) -> list[G1Affine]:
    """[Σ k·bases[b] for the terms (o, b, k) of each output o < n_out]; scalars canonical Fr elements."""
    lib = native()
    _check(bases, terms, n_out)
    if lib is None:
        return lincomb_g1_python(bases, terms, n_out)
    return _lincomb(lib.g1_lincomb, G1_WIDTH, bases, terms, n_out)


def lincomb_g2(bases: Sequence[curve.G2Affine], terms: Sequence[Term], n_out: int) -> list[curve.G2Affine]:
    """lincomb_g1 in G2."""
    lib = native()
    _check(bases, terms, n_out)
    if lib is None:
        return lincomb_g2_python(bases, terms, n_out)
    return _lincomb(lib.g2_lincomb, G2_WIDTH, bases, terms, n_out)


def _python(add: Any, mul: Any, bases: Sequence[Any], terms: Sequence[Term], n_out: int) -> list[Any]:
    out: list[Any] = [None] * n_out
    for o, b, k in terms:
        out[o] = add(out[o], mul(bases[b], k))
    return out


def lincomb_g1_python(bases: Sequence[G1Affine], terms: Sequence[Term], n_out: int) -> list[G1Affine]:
    """Reference: one double-and-add per term, affine sums."""
    return _python(curve.g1_add, curve.g1_mul, bases, terms, n_out)


def lincomb_g2_python(bases: Sequence[curve.G2Affine], terms: Sequence[Term], n_out: int) -> list[curve.G2Affine]:
    """Reference: one double-and-add per term, affine sums."""
    return _python(curve.g2_add, curve.g2_mul, bases, terms, n_out)


def scale_g1(points: Sequence[G1Affine], k: int) -> list[G1Affine]:
    """[k·P for P in points] (k reduced mod r)."""
    lib = native()
    if lib is None:
        return scale_g1_python(points, k)
    return lib.unpack(lib.g1_scale(lib.pack(points, G1_WIDTH), lib.pack([k % R], 1), threads()), G1_WIDTH)


def scale_g1_python(points: Sequence[G1Affine], k: int) -> list[G1Affine]:
    """Reference: a double-and-add per point, one inversion for all (Montgomery's trick)."""
    return curve.g1_batch_to_affine([curve.g1_jac_mul(p, k) for p in points])
