"""BN254 field moduli and the canonical-range checks applied to every value from outside.

Field elements are plain Python ints in ``[0, modulus)``; hot loops elsewhere may switch
representation (gmpy2, numpy limbs) but convert back at their boundary.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkyield.errors import FieldError

# Scalar field of BN254 (py_ecc: curve_order); r - 1 = 2^28 * odd.
R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
# Base field of BN254 (py_ecc: field_modulus).
Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583

FR_TWO_ADICITY = 28
# 5 generates Fr*, so 5^((r-1)/2^28) is a primitive 2^28-th root of unity.
FR_GENERATOR = 5
FR_ROOT_OF_UNITY_2_28 = pow(FR_GENERATOR, (R - 1) >> FR_TWO_ADICITY, R)


def _canonical(value: object, modulus: int, name: str, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(f"{name}: expected an integer in {field_name}, got {type(value).__name__}")
    if value < 0 or value >= modulus:
        raise FieldError(f"{name}: value is not a canonical {field_name} element (must be 0 <= x < modulus)")
    return value


def fr(value: object, name: str = "value") -> int:
    """Return ``value`` if it is a canonical scalar-field element, else raise FieldError."""
    return _canonical(value, R, name, "Fr")


def fq(value: object, name: str = "value") -> int:
    """Return ``value`` if it is a canonical base-field element, else raise FieldError."""
    return _canonical(value, Q, name, "Fq")


def parse_decimal(text: object, modulus: int, name: str) -> int:
    """Parse a decimal string as snarkjs writes them (digits only) into a canonical element."""
    if isinstance(text, int) and not isinstance(text, bool):
        return _canonical(text, modulus, name, "Fr" if modulus == R else "Fq")
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() or len(text) > 80:
        raise FieldError(f"{name}: expected a decimal string of digits, got {_describe(text)}")
    return _canonical(int(text), modulus, name, "Fr" if modulus == R else "Fq")


def _describe(value: object) -> str:
    if isinstance(value, str):
        return f"a string of length {len(value)}" if len(value) > 24 else repr(value)
    return type(value).__name__


def inverse(a: int, modulus: int = R) -> int:
    """Multiplicative inverse; raises ZeroDivisionError for 0."""
    if a % modulus == 0:
        raise ZeroDivisionError("inverse of zero")
    return pow(a, -1, modulus)


def batch_inverse(values: Sequence[int], modulus: int = R) -> list[int]:
    """Montgomery's trick: n inverses for one exponentiation and 3(n-1) multiplications."""
    n = len(values)
    if n == 0:
        return []
    prefix = [0] * n
    acc = 1
    for i, v in enumerate(values):
        if v % modulus == 0:
            raise ZeroDivisionError("batch_inverse of zero")
        prefix[i] = acc
        acc = acc * v % modulus
    inv_acc = pow(acc, -1, modulus)
    out = [0] * n
    for i in range(n - 1, -1, -1):
        out[i] = inv_acc * prefix[i] % modulus
        inv_acc = inv_acc * values[i] % modulus
    return out


def root_of_unity(order: int) -> int:
    """A primitive ``order``-th root of unity in Fr (order a power of two <= 2^28)."""
    if order <= 0 or order & (order - 1) or order > 1 << FR_TWO_ADICITY:
        raise ValueError(f"root of unity order must be a power of two <= 2^28, got {order}")
    return pow(FR_ROOT_OF_UNITY_2_28, (1 << FR_TWO_ADICITY) // order, R)
