"""zkyield's own proving-key file: fixed-size binary records, read without pickle.

Layout (all integers little-endian; documented in docs/proving_key_format.md):

    magic  b"zkypk\\0" + u16 version (1)
    header u32 n_wires, u32 n_public, u32 domain_size, 32-byte circuit digest
    G1     alpha, beta, delta, IC[n_public + 1], A[n_wires], B1[n_wires], C[n_wires - n_public - 1],
           H[domain_size]
    G2     beta, gamma, delta, B2[n_wires]
    trailer 32-byte SHA-256 of everything before it

G1 points are 64 bytes (x, y as 32-byte big-endian), G2 points 128 bytes (x.c0, x.c1, y.c0, y.c1);
the point at infinity is all zero bytes ((0, 0) is on neither curve, so this is unambiguous).
The file size is fully determined by the header and checked before anything is allocated.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Callable, Sequence
from typing import Any

from zkyield._native import native
from zkyield.curve import G1Affine, G2Affine, g1_validate, g2_is_on_curve, g2_validate
from zkyield.errors import FormatError, PointError
from zkyield.formats.atomic import write_bytes_atomic
from zkyield.groth16.keys import ProvingKey, VerifyingKey
from zkyield.groth16.packed_points import PackedPoints

MAGIC = b"zkypk\0"
VERSION = 1
_HEADER = struct.Struct("<6sHIII32s")
_G1_BYTES = 64
_G2_BYTES = 128
_DIGEST_BYTES = 32
MAX_DOMAIN = 1 << 28


def _expected_size(n_wires: int, n_public: int, domain: int) -> int:
    n_g1 = 3 + (n_public + 1) + 2 * n_wires + (n_wires - n_public - 1) + domain
    n_g2 = 3 + n_wires
    return _HEADER.size + n_g1 * _G1_BYTES + n_g2 * _G2_BYTES + _DIGEST_BYTES


def _g1_bytes(p: G1Affine) -> bytes:
    return bytes(_G1_BYTES) if p is None else p[0].to_bytes(32, "big") + p[1].to_bytes(32, "big")


def _g2_bytes(p: G2Affine) -> bytes:
    if p is None:
        return bytes(_G2_BYTES)
    (x0, x1), (y0, y1) = p
    return b"".join(v.to_bytes(32, "big") for v in (x0, x1, y0, y1))


def proving_key_to_bytes(pk: ProvingKey) -> bytes:
    parts = [_HEADER.pack(MAGIC, VERSION, pk.n_wires, pk.n_public, pk.domain_size, pk.circuit_digest)]
    g1s = [pk.alpha_g1, pk.beta_g1, pk.delta_g1, *pk.vk.ic, *pk.a_query, *pk.b_g1_query]
    g1s += [*pk.c_query, *pk.h_query]
    parts.extend(_g1_bytes(p) for p in g1s)
    g2s = [pk.vk.beta_g2, pk.vk.gamma_g2, pk.vk.delta_g2, *pk.b_g2_query]
    parts.extend(_g2_bytes(p) for p in g2s)
    body = b"".join(parts)
    return body + hashlib.sha256(body).digest()


def write_proving_key(pk: ProvingKey, path: str | os.PathLike) -> None:
    pk.check_sound(os.path.basename(os.fspath(path)))
    write_bytes_atomic(path, proving_key_to_bytes(pk))


class _Reader:
    def __init__(self, data: bytes | memoryview, offset: int, name: str) -> None:
        self.data = data
        self.offset = offset
        self.name = name

    def _ints(self, count: int) -> list[int]:
        start = self.offset
        self.offset += 32 * count
        return [int.from_bytes(self.data[start + 32 * i : start + 32 * i + 32], "big") for i in range(count)]

    def g1(self, what: str) -> G1Affine:
        x, y = self._ints(2)
        if x == 0 and y == 0:
            return None
        return g1_validate((x, y), f"{self.name}: {what}")

    def g2(self, what: str, subgroup: bool) -> G2Affine:
        x0, x1, y0, y1 = self._ints(4)
        if x0 == x1 == y0 == y1 == 0:
            return None
        point = ((x0, x1), (y0, y1))
        if subgroup:
            return g2_validate(point, f"{self.name}: {what}")
        if not g2_is_on_curve(point):
            raise FormatError(f"{self.name}: {what} is not on the G2 curve")
        return point

    def g1_list(self, count: int, what: str) -> tuple[G1Affine, ...]:
        lib = native()
        if lib is None:
            return tuple(self.g1(f"{what}[{i}]") for i in range(count))
        return tuple(self._decoded(count, 2, what, "G1"))

    def g2_list(self, count: int, what: str) -> tuple[G2Affine, ...]:
        """G2 query points: on the curve (the subgroup check is too slow per point and not needed to prove)."""
        lib = native()
        if lib is None:
            return tuple(self.g2(f"{what}[{i}]", subgroup=False) for i in range(count))
        return tuple(self._decoded(count, 4, what, "G2"))

    def packed_list(self, count: int, ints_per_point: int, what: str,
                    label: Callable[[int], str] | None = None) -> Sequence[Any]:
        """A query list as the native prover's packed buffer (points on the curve, G2 not subgroup-tested:
        the prover's own points, see docs/proving_key_format.md); tuples without the C backend. ``label``
        names point i in an error (default ``what[i]``)."""
        lib = native()
        if lib is None:
            return self.g1_list(count, what) if ints_per_point == 2 else self.g2_list(count, what)
        start = self.offset
        self.offset += 32 * ints_per_point * count
        try:
            return PackedPoints(lib.repack_points(self.data[start : self.offset], ints_per_point), ints_per_point)
        except ValueError as e:
            group = "G1" if ints_per_point == 2 else "G2"
            where = label(e.args[1]) if label else f"{what}[{e.args[1]}]"
            raise PointError(f"{self.name}: {where} is not a canonical point on the {group} curve") from None

    def packed_pair(self, first: int, second: int, what: str, then: str) -> tuple[Sequence[Any], Sequence[Any]]:
        """Two consecutive G1 lists in one packed buffer (``PackedPoints.split``), as the prover's C and H
        MSM reads them together; tuples without the C backend."""
        if native() is None:
            return self.g1_list(first, what), self.g1_list(second, then)
        both = self.packed_list(first + second, 2, what,
                                lambda i: f"{what}[{i}]" if i < first else f"{then}[{i - first}]")
        return PackedPoints.split(both.buf, 2, first)  # type: ignore[attr-defined]

    def _decoded(self, count: int, ints_per_point: int, what: str, group: str) -> list:
        """Native bulk decode + curve check (tens of times faster than per-point Python for large keys)."""
        lib = native()
        start = self.offset
        self.offset += 32 * ints_per_point * count
        try:
            return lib.decode_points(self.data[start : self.offset], ints_per_point)
        except ValueError as e:
            index = e.args[1]
            raise PointError(f"{self.name}: {what}[{index}] is not a canonical point on the {group} curve") from None


def proving_key_from_bytes(data: bytes, name: str = "proving_key") -> ProvingKey:
    """Parse and validate a proving key: every point on its curve, G2 vk points in the subgroup, and
    ``ProvingKey.check_sound`` (a key whose proofs could be forged is refused before anyone proves with it)."""
    if len(data) < _HEADER.size + _DIGEST_BYTES:
        raise FormatError(f"{name}: file is too short to be a zkyield proving key")
    magic, version, n_wires, n_public, domain, digest = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise FormatError(f"{name}: not a zkyield proving key (bad magic); pass the file written by setup")
    if version != VERSION:
        raise FormatError(f"{name}: unsupported proving-key version {version} (this zkyield reads {VERSION})")
    if not (n_public + 1 <= n_wires and 2 <= domain <= MAX_DOMAIN and domain & (domain - 1) == 0):
        raise FormatError(f"{name}: inconsistent header (wires, public inputs or domain size)")
    if len(data) != _expected_size(n_wires, n_public, domain):
        raise FormatError(f"{name}: size does not match its header (truncated or corrupted file)")
    view = memoryview(data)  # slices of a view share the file's buffer: no copy of a large key's sections
    if hashlib.sha256(view[:-_DIGEST_BYTES]).digest() != data[-_DIGEST_BYTES:]:
        raise FormatError(f"{name}: checksum mismatch (corrupted file)")
    rd = _Reader(view, _HEADER.size, name)
    alpha_g1, beta_g1, delta_g1 = rd.g1("alpha_1"), rd.g1("beta_1"), rd.g1("delta_1")
    ic = rd.g1_list(n_public + 1, "IC")
    a_query = rd.packed_list(n_wires, 2, "A")
    b_g1_query = rd.packed_list(n_wires, 2, "B1")
    c_query, h_query = rd.packed_pair(n_wires - n_public - 1, domain, "C", "H")
    beta_g2 = rd.g2("beta_2", subgroup=True)
    gamma_g2 = rd.g2("gamma_2", subgroup=True)
    delta_g2 = rd.g2("delta_2", subgroup=True)
    b_g2_query = rd.packed_list(n_wires, 4, "B2")
    vk = VerifyingKey(alpha_g1=alpha_g1, beta_g2=beta_g2, gamma_g2=gamma_g2, delta_g2=delta_g2, ic=ic)
    pk = ProvingKey(
        vk=vk, domain_size=domain, n_wires=n_wires, circuit_digest=digest,
        alpha_g1=alpha_g1, beta_g1=beta_g1, delta_g1=delta_g1,
        a_query=a_query, b_g1_query=b_g1_query, b_g2_query=b_g2_query, c_query=c_query, h_query=h_query,
    )
    pk.check_sound(name)
    return pk


def read_proving_key(path: str | os.PathLike) -> ProvingKey:
    with open(path, "rb") as f:
        data = f.read()
    return proving_key_from_bytes(data, os.path.basename(os.fspath(path)))
