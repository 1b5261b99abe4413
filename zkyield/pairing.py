"""The BN254 optimal-ate pairing: a multi-pairing check for verification and snarkjs's Gt layout.

With the C backend built (``zkyield._native``) the Miller loops of all pairs share one accumulator and
one final exponentiation there, computed in ffjavascript's Fq12 tower so values come out in snarkjs's
layout directly. Without it, py_ecc's ``optimized_bn128`` is the engine (``pairing_check_python`` /
``pairing_python``, also the independent reference the native path is tested against): this module
converts our affine tuples to its types, multiplies the Miller-loop outputs of all pairs and pays the
final exponentiation once, which is where most of a pairing's time goes.
"""

from __future__ import annotations

from collections.abc import Sequence

from py_ecc.fields import optimized_bn128_FQ as _FQ
from py_ecc.fields import optimized_bn128_FQ2 as _FQ2
from py_ecc.fields import optimized_bn128_FQ12 as _FQ12
from py_ecc.optimized_bn128 import optimized_pairing as _opt
from py_ecc.optimized_bn128.optimized_curve import twist as _twist

from zkyield._native import FQ_WIDTH, G1_WIDTH, G2_WIDTH, native
from zkyield.curve import G1Affine, G2Affine, g1_is_on_curve, g2_is_on_curve
from zkyield.errors import PointError
from zkyield.field import Q, R

# The BN parameter z (x) of BN254: q = 36z^4 + 36z^3 + 24z^2 + 6z + 1 (EIP-197, ffjavascript finalExpZ).
BN_Z = 4965661367192848881
# ffjavascript (wasmcurves build_bn128.js, finalExponentiationLastChunk) uses the Fuentes-Castañeda
# et al. hard part, which raises to 2z(6z^2 + 3z + 1) times the textbook exponent (q^4 - q^2 + 1)/r;
# snarkjs writes vk_alphabeta_12 from that value, so `pairing` applies the same extra power.
FFJS_EXTRA_EXPONENT = 2 * BN_Z * (6 * BN_Z * BN_Z + 3 * BN_Z + 1) % R
# Tower constant: F12 = F6[w]/(w^2 - v), F6 = F2[v]/(v^3 - xi), xi = 9 + u (ffjavascript, EIP-197).
XI_C0 = 9

Fq12Tower = list[list[list[int]]]

_ONE_FQ12 = (1).to_bytes(32, "little") + bytes(32 * 11)


def _check_on_curves(pairs: Sequence[tuple[G1Affine, G2Affine]]) -> None:
    for p, q in pairs:
        if not g1_is_on_curve(p) or not g2_is_on_curve(q):
            raise PointError("pairing input: point is not on its curve (validate points when they are loaded)")


def _native_gt(pairs: Sequence[tuple[G1Affine, G2Affine]]) -> bytes:
    """prod e(P_i, Q_i)^FFJS_EXTRA_EXPONENT as 12 packed Fq coefficients in tower order.

    The C final exponentiation uses Frobenius maps and three powers by z (ffjavascript's and gnark's
    hard part), which yields exactly snarkjs's Gt value. FFJS_EXTRA_EXPONENT is a unit mod r, so the
    product is one iff the textbook pairing product is.
    """
    lib = native()
    _check_on_curves(pairs)
    records = b"".join(lib.pack([p], G1_WIDTH) + lib.pack([q], G2_WIDTH) for p, q in pairs)
    return lib.final_exp_frobenius(lib.miller_loop(records))


def _miller(p: G1Affine, q: G2Affine) -> _FQ12:
    """Unreduced Miller-loop value f_{6z+2,Q}(P) with py_ecc's Frobenius corrections."""
    if p is None or q is None:
        return _FQ12.one()
    _check_on_curves([(p, q)])
    q_jac = (_FQ2(list(q[0])), _FQ2(list(q[1])), _FQ2.one())
    p_jac = (_FQ(p[0]), _FQ(p[1]), _FQ.one())
    return _opt.miller_loop(_twist(q_jac), _opt.cast_point_to_fq12(p_jac), final_exponentiate=False)


def _reduced_product(pairs: Sequence[tuple[G1Affine, G2Affine]]) -> _FQ12:
    f = _FQ12.one()
    for p, q in pairs:
        f = f * _miller(p, q)
    return _opt.final_exponentiate(f)


def pairing_check(pairs: Sequence[tuple[G1Affine, G2Affine]]) -> bool:
    """True iff prod e(P_i, Q_i) == 1; the caller has validated the points (G2 subgroup included)."""
    lib = native()
    if lib is None:
        return pairing_check_python(pairs)
    return _native_gt(pairs) == _ONE_FQ12


def pairing(p: G1Affine, q: G2Affine) -> Fq12Tower:
    """e(p, q) exactly as ffjavascript's ``bn128.pairing`` + ``Gt.toObject`` gives it (snarkjs's layout)."""
    lib = native()
    if lib is None:
        return pairing_python(p, q)
    coeffs = lib.unpack(_native_gt([(p, q)]), FQ_WIDTH)
    return [[coeffs[6 * j + 2 * k : 6 * j + 2 * k + 2] for k in range(3)] for j in range(2)]


def pairing_check_python(pairs: Sequence[tuple[G1Affine, G2Affine]]) -> bool:
    """``pairing_check`` through py_ecc: the fallback, and the reference for the native path."""
    return _reduced_product(pairs) == _FQ12.one()


def pairing_python(p: G1Affine, q: G2Affine) -> Fq12Tower:
    """``pairing`` through py_ecc: the fallback, and the reference for the native path."""
    e = _reduced_product([(p, q)]) ** FFJS_EXTRA_EXPONENT
    return fq12_to_tower([int(c) for c in e.coeffs])


def fq12_to_tower(flat: Sequence[int]) -> Fq12Tower:
    """py_ecc's flat basis 1, w, ..., w^11 (w^12 = 18 w^6 - 82) to ffjavascript's tower.

    In the tower v = w^2 and u = w^6 - 9, so the tower coefficient c_jk = x + y·u of w^j·v^k
    (flat index i = 2k + j) contributes x - 9y to w^i and y to w^(i+6).
    """
    out = [[[0, 0] for _ in range(3)] for _ in range(2)]
    for i in range(6):
        k, j = divmod(i, 2)
        y = flat[i + 6] % Q
        out[j][k] = [(flat[i] + XI_C0 * y) % Q, y]
    return out
