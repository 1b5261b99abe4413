"""Read snarkjs/iden3 ``.ptau`` powers-of-tau files (snarkjs src/powersoftau_utils.js, version 1).

Sections: 1 header (u32 n8, q, u32 power, u32 ceremonyPower); 2 τ^i·G1 for i < 2^(power+1) - 1;
3 τ^i·G2, 4 ατ^i·G1, 5 βτ^i·G1 for i < 2^power; 6 β·G2; 7 the contribution list; and in files
"prepared for phase 2" 12-15: the Lagrange bases L_i(τ) of 2, 3, 4, 5 for every size 2^p
(p = 0..power, and power + 1 for section 12), concatenated, so the size-n basis starts at point n - 1.

Points are affine in Montgomery form (each coordinate x·2^256 mod q, 32 bytes little-endian; Fq2 as
c0 then c1); infinity is all zero bytes. Hashes use the "uncompressed" form instead: big-endian
coordinates, Fq2 as c1 then c0. Public ceremony files are gigabytes, so paths are memory-mapped and
only the points a circuit needs are decoded, each checked canonical, on its curve and (G2, unless the
caller passes ``subgroup=False`` for prover-only points) in the subgroup, natively in one batch per
request. Every section size is compared with the header before anything is read.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zkyield._native import native, threads
from zkyield.curve import G1Affine, G2Affine, g1_is_on_curve, g2_in_subgroup, g2_is_on_curve
from zkyield.errors import FormatError
from zkyield.field import FR_TWO_ADICITY, Q
from zkyield.formats.binio import Container, Source, read_container
from zkyield.groth16.packed_points import PackedPoints

MAGIC = b"ptau"
VERSION = 1
N8 = 32  # bytes per BN254 Fq element
G1_BYTES = 2 * N8
G2_BYTES = 4 * N8
MAX_POWER = FR_TWO_ADICITY  # snarkjs refuses larger ceremonies: Fr has 2^28-th roots of unity only

SECTION_HEADER = 1
SECTION_TAU_G1 = 2
SECTION_TAU_G2 = 3
SECTION_ALPHA_TAU_G1 = 4
SECTION_BETA_TAU_G1 = 5
SECTION_BETA_G2 = 6
SECTION_CONTRIBUTIONS = 7
SECTION_LAGRANGE_TAU_G1 = 12
SECTION_LAGRANGE_TAU_G2 = 13
SECTION_LAGRANGE_ALPHA_TAU_G1 = 14
SECTION_LAGRANGE_BETA_TAU_G1 = 15

# Montgomery radix of ffjavascript's 4 x 64-bit limbs.
_MONT_INV_Q = pow(1 << 256, -1, Q)
_MONT_Q = (1 << 256) % Q


# --- point encodings shared with .zkey ------------------------------------------------------------


def _mont(data: Any, offset: int) -> int:
    """Standard value of one Montgomery-form Fq element; raises ValueError if non-canonical."""
    m = int.from_bytes(data[offset : offset + N8], "little")
    if m >= Q:
        raise ValueError
    return m * _MONT_INV_Q % Q


def decode_g1(data: Any, offset: int, what: str) -> G1Affine:
    """A G1 point in Montgomery form at ``offset``; FormatError names ``what`` if it is invalid."""
    if not any(data[offset : offset + G1_BYTES]):
        return None
    try:
        p = (_mont(data, offset), _mont(data, offset + N8))
    except ValueError:
        raise FormatError(f"{what}: coordinate is not a canonical Fq element (>= q)") from None
    if not g1_is_on_curve(p):
        raise FormatError(f"{what}: point is not on the BN254 G1 curve")
    return p


def decode_g2(data: Any, offset: int, what: str, subgroup: bool = True) -> G2Affine:
    """A G2 point in Montgomery form; checked on the twist and (unless ``subgroup`` is False) in G2."""
    if not any(data[offset : offset + G2_BYTES]):
        return None
    try:
        x0, x1, y0, y1 = (_mont(data, offset + i * N8) for i in range(4))
    except ValueError:
        raise FormatError(f"{what}: coordinate is not a canonical Fq element (>= q)") from None
    p = ((x0, x1), (y0, y1))
    if not g2_is_on_curve(p):
        raise FormatError(f"{what}: point is not on the BN254 G2 twist curve")
    if subgroup and not g2_in_subgroup(p):
        raise FormatError(f"{what}: point is on the twist but outside the order-r subgroup G2")
    return p


def decode_points(
    data: Any, offset: int, count: int, g2: bool, what: str, subgroup: bool = True, first: int = 0
) -> list[Any]:
    """``count`` points at ``offset``, checked as decode_g1/decode_g2 do; errors name ``what[first + i]``.

    Native: one call decodes and curve-checks the whole run and tests G2 points for the subgroup on all
    threads; the first bad point is decoded again in Python, so both paths raise the same message.
    """
    lib = native()
    size = G2_BYTES if g2 else G1_BYTES
    decode: Callable[..., Any] = decode_g2 if g2 else decode_g1
    extra = {"subgroup": subgroup} if g2 else {}
    if lib is None:
        return [decode(data, offset + i * size, f"{what}[{first + i}]", **extra) for i in range(count)]
    try:
        return lib.decode_mont_points(data[offset : offset + count * size], 4 if g2 else 2, subgroup, threads())
    except ValueError as e:
        index = e.args[1] if len(e.args) == 2 else 0
        decode(data, offset + index * size, f"{what}[{first + index}]", **extra)
        raise FormatError(f"{what}[{first + index}]: {e.args[0]}") from None


def encode_g1(p: G1Affine) -> bytes:
    """Montgomery little-endian form (ffjavascript ``toRprLEM``)."""
    if p is None:
        return bytes(G1_BYTES)
    return b"".join((c * _MONT_Q % Q).to_bytes(N8, "little") for c in p)


def encode_g2(p: G2Affine) -> bytes:
    if p is None:
        return bytes(G2_BYTES)
    (x0, x1), (y0, y1) = p
    return b"".join((c * _MONT_Q % Q).to_bytes(N8, "little") for c in (x0, x1, y0, y1))


def encode_points(points: Sequence[Any], g2: bool) -> bytes:
    """encode_g1/encode_g2 of every point, concatenated (native: one call for a whole section, straight
    from the buffer of a ``PackedPoints``, with no tuples in between)."""
    lib = native()
    if lib is None:
        return b"".join(map(encode_g2 if g2 else encode_g1, points))
    width = 4 if g2 else 2
    packed = points.buf if isinstance(points, PackedPoints) and points.width == width else lib.pack(points, width)
    return lib.encode_mont(packed, width)


def g1_uncompressed(p: G1Affine) -> bytes:
    """Big-endian x || y (ffjavascript ``toRprUncompressed``), the form snarkjs hashes."""
    if p is None:
        return bytes(G1_BYTES)
    return p[0].to_bytes(N8, "big") + p[1].to_bytes(N8, "big")


def g2_uncompressed(p: G2Affine) -> bytes:
    """Big-endian x.c1 || x.c0 || y.c1 || y.c0: each Fq2 reversed as one 64-byte integer."""
    if p is None:
        return bytes(G2_BYTES)
    (x0, x1), (y0, y1) = p
    return b"".join(c.to_bytes(N8, "big") for c in (x1, x0, y1, y0))


# --- the file -------------------------------------------------------------------------------------


def _lagrange_points(power: int, extra: bool) -> int:
    """Points in a Lagrange section: sizes 2^0..2^power (and 2^(power+1) for τ·G1)."""
    top = power + 1 if extra else power
    return (1 << (top + 1)) - 1


@dataclass(frozen=True)
class Ptau:
    """An opened .ptau: the checked header and section table; points are decoded on request."""

    name: str
    power: int
    ceremony_power: int
    box: Container

    @property
    def prepared(self) -> bool:
        """Whether the Lagrange sections 12-15 (``snarkjs powersoftau prepare phase2``) are present."""
        return all(self.box.has(s) for s in range(SECTION_LAGRANGE_TAU_G1, SECTION_LAGRANGE_BETA_TAU_G1 + 1))

    def _points(
        self, section: int, start: int, count: int, g2: bool, label: str, subgroup: bool = True
    ) -> list[Any]:
        size = G2_BYTES if g2 else G1_BYTES
        offset, length = self.box.sections[section][0]
        if start < 0 or count < 0 or (start + count) * size > length:
            raise FormatError(
                f"{self.name}: {label} has no points {start}..{start + count - 1}; use a larger ptau"
            )
        what = f"{self.name}: {label}"
        return decode_points(self.box.data, offset + start * size, count, g2, what, subgroup, first=start)

    def tau_g1(self, start: int, count: int) -> list[G1Affine]:
        return self._points(SECTION_TAU_G1, start, count, False, "tauG1")

    def tau_g2(self, start: int, count: int, subgroup: bool = True) -> list[G2Affine]:
        """τ^i·G2, in G2 unless ``subgroup`` is False (then only on the twist: see docs/ceremony.md)."""
        return self._points(SECTION_TAU_G2, start, count, True, "tauG2", subgroup)

    def alpha_tau_g1(self, start: int, count: int) -> list[G1Affine]:
        return self._points(SECTION_ALPHA_TAU_G1, start, count, False, "alphaTauG1")

    def beta_tau_g1(self, start: int, count: int) -> list[G1Affine]:
        return self._points(SECTION_BETA_TAU_G1, start, count, False, "betaTauG1")

    def beta_g2(self) -> G2Affine:
        return self._points(SECTION_BETA_G2, 0, 1, True, "betaG2")[0]

    def lagrange(self, section: int, size: int, subgroup: bool = True) -> list[Any]:
        """The size-``size`` Lagrange basis of section 12-15 (a power of two within the file).

        ``subgroup`` False reads the G2 basis (section 13) on the twist only.
        """
        if not self.prepared:
            raise FormatError(f"{self.name}: not prepared for phase 2 (no Lagrange sections 12-15)")
        label = {12: "tauG1", 13: "tauG2", 14: "alphaTauG1", 15: "betaTauG1"}[section] + f" Lagrange({size})"
        return self._points(section, size - 1, size, section == SECTION_LAGRANGE_TAU_G2, label, subgroup)

    def contribution_count(self) -> int:
        r = self.box.section(SECTION_CONTRIBUTIONS, "contributions")
        return r.u32("contribution count")


def _open(src: Source) -> tuple[Any, str]:
    """Bytes of a buffer, or a read-only memory map of a path (public ptau files are gigabytes)."""
    if isinstance(src, (bytes, bytearray, memoryview)):
        return bytes(src), "ptau"
    path = Path(src)
    try:
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_size == 0:
                return b"", path.name
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ), path.name
    except OSError as e:
        raise FormatError(f"{path.name}: cannot read file ({e.strerror or e})") from None


def read_ptau(src: Source) -> Ptau:
    """Open a .ptau (path or bytes): check header, curve and every section's size; decode no points yet."""
    data, name = _open(src)
    box = read_container(data, MAGIC, VERSION, name)
    h = box.section(SECTION_HEADER, "header")
    n8 = h.u32("header field size")
    q = int.from_bytes(h.take(n8, "header prime"), "little") if n8 <= 64 else None
    if n8 != N8 or q != Q:
        raise FormatError(
            f"{name}: powers of tau for another curve (field of {n8} bytes); zkyield supports BN254"
        )
    power = h.u32("header power")
    ceremony_power = h.u32("header ceremonyPower")
    h.expect_end("header section")
    if not 1 <= power <= MAX_POWER or ceremony_power < power:
        raise FormatError(
            f"{name}: header power {power} (ceremony {ceremony_power}) is out of range 1..{MAX_POWER}"
        )
    n = 1 << power
    expected = {
        SECTION_TAU_G1: (2 * n - 1) * G1_BYTES,
        SECTION_TAU_G2: n * G2_BYTES,
        SECTION_ALPHA_TAU_G1: n * G1_BYTES,
        SECTION_BETA_TAU_G1: n * G1_BYTES,
        SECTION_BETA_G2: G2_BYTES,
    }
    lagrange = {
        SECTION_LAGRANGE_TAU_G1: _lagrange_points(power, True) * G1_BYTES,
        SECTION_LAGRANGE_TAU_G2: _lagrange_points(power, False) * G2_BYTES,
        SECTION_LAGRANGE_ALPHA_TAU_G1: _lagrange_points(power, False) * G1_BYTES,
        SECTION_LAGRANGE_BETA_TAU_G1: _lagrange_points(power, False) * G1_BYTES,
    }
    expected.update({s: size for s, size in lagrange.items() if box.has(s)})
    for section, size in expected.items():
        r = box.section(section, f"section {section}")
        if r.remaining != size:
            raise FormatError(
                f"{name}: section {section} has {r.remaining} bytes, power {power} needs {size}; corrupt file"
            )
    box.section(SECTION_CONTRIBUTIONS, "contributions")
    if 0 < sum(box.has(s) for s in lagrange) < len(lagrange):
        raise FormatError(f"{name}: only some Lagrange sections (12-15) are present; re-run prepare phase2")
    return Ptau(name=name, power=power, ceremony_power=ceremony_power, box=box)
