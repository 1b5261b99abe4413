"""Read and write snarkjs's Groth16 ``.zkey`` (snarkjs src/zkey_utils.js, zkey_new.js; version 1).

Sections: 1 protocol (u32, 1 = Groth16); 2 header (n8q, q, n8r, r, nVars, nPublic, domainSize, then
α1, β1, β2, γ2, δ1, δ2); 3 IC (nPublic + 1 G1); 4 the A and B coefficients (u32 count, then per entry
u32 matrix (0 = A, 1 = B), u32 row, u32 wire and the value as c·R^2 mod r with R = 2^256, 32 bytes
little-endian); 5 A, 6 B1 (nVars G1); 7 B2 (nVars G2); 8 C (the private wires' L points, G1);
9 H (domainSize G1: L^(2n)_(2i+1)(τ)/δ, zkyield's ``ProvingKey.h_query``); 10 the MPC record (64-byte
circuit hash, u32 count, contributions). Points use ``zkyield.formats.ptau``'s Montgomery encoding.

Every count is compared with its section's size before anything is decoded, every point is checked
on its curve and every scalar canonical. G2 points are tested for the subgroup where a verifier or a
ceremony check relies on it (β2, γ2, δ2, the contributions' proofs of knowledge), not in the prover-only
B2 section: ``prove_zkey`` refuses to output a π_B outside G2 instead (docs/ceremony.md, "What each loader
checks").

With the C backend the prover's sections stay binary after those checks: A, B1, B2, C and H become
``PackedPoints`` (C and H the two halves of one buffer, as the prover's last MSM reads them) straight from
the file's Montgomery form (``_native.repack_mont_points``), and the coefficients a ``Coefficients`` over
the section's own bytes (checked by ``_native.zkey_coefs_check``), decoded only where Python asks for them.
Both compare equal to, and behave like, the tuples the pure-Python reference (``_read_coefs_python``,
``decode_points``) builds.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from zkyield._native import native, threads
from zkyield.curve import G1Affine, G2Affine
from zkyield.errors import FormatError, InputError
from zkyield.field import FR_TWO_ADICITY, Q, R
from zkyield.formats.atomic import write_bytes_atomic
from zkyield.formats.binio import Container, Reader, Source, load_source, read_container, u32, write_container
from zkyield.formats.ptau import (
    G1_BYTES,
    G2_BYTES,
    N8,
    decode_g1,
    decode_g2,
    decode_points,
    encode_g1,
    encode_g2,
    encode_points,
)
from zkyield.groth16.keys import ProvingKey, VerifyingKey
from zkyield.groth16.packed_points import PackedPoints, PackedRecords

MAGIC = b"zkey"
VERSION = 1
GROTH16 = 1  # snarkjs zkey_constants.js: 1 Groth16, 2 PLONK, 10 FFLONK
_PROTOCOLS = {2: "PLONK", 10: "FFLONK"}
MATRIX_A, MATRIX_B = 0, 1
HASH_BYTES = 64  # blake2b-512 circuit and transcript hashes
CONTRIBUTION = 0
BEACON = 1
MAX_NAME_UTF16 = 64  # snarkjs keeps name.substring(0, 64)
# snarkjs zkey new writes sections 1,2,4,3,9,8,5,6,7,10; contribute and beacon rewrite them in order.
NEW_ORDER = (1, 2, 4, 3, 9, 8, 5, 6, 7, 10)
CONTRIBUTED_ORDER = tuple(range(1, 11))

_COEF = struct.Struct("<III")
_COEF_BYTES = _COEF.size + N8
_COEF_ENTRY = struct.Struct(f"<III{N8}s")
_R2 = pow(2, 512, R)
_R2_INV = pow(_R2, -1, R)
_HEADER_BYTES = 4 + N8 + 4 + N8 + 12 + 3 * G1_BYTES + 3 * G2_BYTES


@dataclass(frozen=True)
class Contribution:
    """One phase-2 contribution: δ after it and the proof of knowledge of its factor (keypair.js)."""

    delta_after: G1Affine
    g1_s: G1Affine
    g1_sx: G1Affine
    g2_spx: G2Affine
    transcript: bytes
    type: int = CONTRIBUTION
    name: str | None = None
    iterations_exp: int | None = None
    beacon_hash: bytes | None = None


class Coefficients(PackedRecords):
    """Section 4's entries as the file stores them (after its u32 count), already checked by the reader;
    read as (matrix, row, wire, value) tuples on demand, value canonical Fr (stored c·2^512 mod r).

    ``zkey_rows`` hands ``raw`` to C as is; indexing, iterating and comparing behave like the tuple of
    tuples it replaces (``_read_coefs_python``'s result).
    """

    __slots__ = ("raw",)
    record_size = _COEF_BYTES

    def __init__(self, raw: bytes | memoryview) -> None:
        if len(raw) % _COEF_BYTES:
            raise ValueError(f"Coefficients: not a whole number of {_COEF_BYTES}-byte entries")
        self.raw = raw

    @property
    def data(self) -> bytes | memoryview:
        return self.raw

    def decode(self, record: bytes | memoryview) -> tuple[int, int, int, int]:
        return _coef(_COEF_ENTRY.unpack(record))

    def identity(self) -> object:
        return bytes(self.raw)

    def __iter__(self) -> Iterator[tuple[int, int, int, int]]:
        return map(_coef, _COEF_ENTRY.iter_unpack(self.raw))

    def __reduce__(self) -> tuple[type, tuple[bytes]]:
        return Coefficients, (bytes(self.raw),)

    def __repr__(self) -> str:
        return f"Coefficients({len(self)} entries)"


def _coef(entry: tuple[int, int, int, bytes]) -> tuple[int, int, int, int]:
    matrix, row, wire, stored = entry
    return matrix, row, wire, int.from_bytes(stored, "little") * _R2_INV % R


@dataclass(frozen=True)
class Zkey:
    """A Groth16 .zkey; ``coefs`` are (matrix, row, wire, value) in file order, values canonical Fr.

    The point lists are tuples, or ``PackedPoints`` when read with the C backend (the same behaviour);
    ``coefs`` likewise a tuple or ``Coefficients``.
    """

    n_vars: int
    n_public: int
    domain_size: int
    alpha_g1: G1Affine
    beta_g1: G1Affine
    beta_g2: G2Affine
    gamma_g2: G2Affine
    delta_g1: G1Affine
    delta_g2: G2Affine
    ic: tuple[G1Affine, ...]
    coefs: Sequence[tuple[int, int, int, int]]
    a: Sequence[G1Affine]
    b1: Sequence[G1Affine]
    b2: Sequence[G2Affine]
    c: Sequence[G1Affine]
    h: Sequence[G1Affine]
    cs_hash: bytes
    contributions: tuple[Contribution, ...] = ()

    @property
    def verifying_key(self) -> VerifyingKey:
        return VerifyingKey(
            alpha_g1=self.alpha_g1,
            beta_g2=self.beta_g2,
            gamma_g2=self.gamma_g2,
            delta_g2=self.delta_g2,
            ic=self.ic,
        )

    def check_usable(self, name: str = "zkey") -> None:
        """Refuse a key not fit to prove, verify or export with (read and contribute need no such check).

        Without a contribution δ is still the generator; with only beacons its factor is public. Either way
        anyone can forge proofs. The records are the file's own, so ``VerifyingKey.check_sound`` runs too.
        """
        if all(c.type == BEACON for c in self.contributions):
            what = "no phase-2 contribution" if not self.contributions else "only beacon contributions (public)"
            raise InputError(f"{name}: {what}, so anyone can forge proofs with it: the key is not safe to use "
                             "until someone contributes (`zkyield ceremony contribute`)")
        self.verifying_key.check_sound(name)

    def proving_key(self, circuit_digest: bytes | None = None) -> ProvingKey:
        """The zkyield ProvingKey (after ``check_usable``); the digest defaults to the circuit hash's first 32 bytes."""
        self.check_usable()
        return ProvingKey(
            vk=self.verifying_key,
            domain_size=self.domain_size,
            n_wires=self.n_vars,
            circuit_digest=self.cs_hash[:32] if circuit_digest is None else circuit_digest,
            alpha_g1=self.alpha_g1,
            beta_g1=self.beta_g1,
            delta_g1=self.delta_g1,
            a_query=self.a,
            b_g1_query=self.b1,
            b_g2_query=self.b2,
            c_query=self.c,
            h_query=self.h,
        )


# --- reading --------------------------------------------------------------------------------------


def _points(r: Reader, count: int, what: str, g2: bool, subgroup: bool) -> tuple:
    size = G2_BYTES if g2 else G1_BYTES
    r.need(count, size, what)
    out = tuple(decode_points(r.data, r.pos, count, g2, f"{r.name}: {what}", subgroup))
    r.pos += count * size
    return out


def _g1s(r: Reader, count: int, what: str) -> tuple[G1Affine, ...]:
    """G1 has cofactor 1: a point on the curve is in the group, so every G1 point gets the full check."""
    return _points(r, count, what, g2=False, subgroup=False)


def _g2s(r: Reader, count: int, what: str, subgroup: bool = True) -> tuple[G2Affine, ...]:
    """G2 points on the twist, and in the subgroup unless ``subgroup`` is False (prover-only points)."""
    return _points(r, count, what, g2=True, subgroup=subgroup)


def _prover_points(parts: Sequence[tuple[Reader, int, str]], g2: bool) -> list[Sequence[Any]]:
    """Prover-only sections (reader, count, label), checked as ``decode_points`` checks them (canonical, on
    the curve; G2 not subgroup-tested, see the module docstring). Native: one ``PackedPoints`` buffer for
    all parts (split in two for C and H), the curve checks on all threads. Without the C backend: the
    reference, ``decode_points``'s tuples. A bad point raises the reference's FormatError."""
    lib = native()
    if lib is None:
        return [_points(r, count, what, g2, subgroup=False) for r, count, what in parts]
    size = G2_BYTES if g2 else G1_BYTES
    views = []
    for r, count, what in parts:
        r.need(count, size, what)
        views.append(memoryview(r.data)[r.pos : r.pos + count * size])
        r.pos += count * size
    width = 4 if g2 else 2
    try:
        buf = lib.repack_mont_points(views[0] if len(views) == 1 else b"".join(views), width, False, threads())
    except ValueError as e:
        part, index = 0, e.args[1]
        while part + 1 < len(parts) and index >= parts[part][1]:  # the part holding the bad point
            index -= parts[part][1]
            part += 1
        r, _count, what = parts[part]
        label = f"{r.name}: {what}[{index}]"
        if g2:  # either raises the reference's message for this point
            decode_g2(views[part], index * size, label, subgroup=False)
        else:
            decode_g1(views[part], index * size, label)
        raise FormatError(f"{label}: {e.args[0]}") from None
    if len(parts) == 1:
        return [PackedPoints(buf, width)]
    if len(parts) != 2:
        raise ValueError("_prover_points: one or two sections")
    return list(PackedPoints.split(buf, width, parts[0][1]))


def _exact(box: Container, section: int, what: str, size: int) -> Reader:
    r = box.section(section, what)
    if r.remaining != size:
        raise FormatError(f"{box.name}: {what} section has {r.remaining} bytes, the header implies {size}")
    return r


def _nonzero(name: str, **points: object) -> None:
    for key, p in points.items():
        if p is None:
            raise FormatError(f"{name}: {key} is the point at infinity; the key is degenerate")


def zkey_from_bytes(data: bytes, name: str = "zkey") -> Zkey:
    """Parse and validate a Groth16 .zkey."""
    box = read_container(data, MAGIC, VERSION, name)
    p = box.section(1, "protocol")
    protocol = p.u32("protocol id")
    p.expect_end("protocol section")
    if protocol != GROTH16:
        kind = _PROTOCOLS.get(protocol, f"protocol {protocol}")
        raise FormatError(f"{name}: key is for {kind}; zkyield supports Groth16 zkeys only")
    h = _exact(box, 2, "header", _HEADER_BYTES)
    n8q = h.u32("n8q")
    q = int.from_bytes(h.take(N8, "q"), "little")
    n8r = h.u32("n8r")
    r = int.from_bytes(h.take(N8, "r"), "little")
    if (n8q, q, n8r, r) != (N8, Q, N8, R):
        raise FormatError(f"{name}: key is for another curve; zkyield supports BN254 (bn128)")
    n_vars, n_public, domain = h.u32("nVars"), h.u32("nPublic"), h.u32("domainSize")
    if not (n_public + 1 <= n_vars and 1 <= domain <= 1 << FR_TWO_ADICITY and domain & (domain - 1) == 0):
        raise FormatError(f"{name}: inconsistent header: nVars {n_vars}, nPublic {n_public}, domain {domain}")
    alpha_g1, beta_g1 = _g1s(h, 1, "alpha1")[0], _g1s(h, 1, "beta1")[0]
    beta_g2, gamma_g2 = _g2s(h, 1, "beta2")[0], _g2s(h, 1, "gamma2")[0]
    delta_g1, delta_g2 = _g1s(h, 1, "delta1")[0], _g2s(h, 1, "delta2")[0]
    _nonzero(
        name, alpha1=alpha_g1, beta1=beta_g1, beta2=beta_g2, gamma2=gamma_g2, delta1=delta_g1, delta2=delta_g2
    )
    n_private = n_vars - n_public - 1
    sections = {
        3: (n_public + 1) * G1_BYTES,
        5: n_vars * G1_BYTES,
        6: n_vars * G1_BYTES,
        7: n_vars * G2_BYTES,
        8: n_private * G1_BYTES,
        9: domain * G1_BYTES,
    }
    names = {3: "IC", 5: "A", 6: "B1", 7: "B2", 8: "C", 9: "H"}
    readers = {s: _exact(box, s, names[s], size) for s, size in sections.items()}
    coefs = _read_coefs(box.section(4, "coefficients"), n_vars, domain)
    mpc = box.section(10, "contributions")
    cs_hash = mpc.take(HASH_BYTES, "circuit hash")
    contributions = _read_contributions(mpc)
    ic = _g1s(readers[3], n_public + 1, "IC")  # the verification key's: tuples, as every verifier reads them
    (a,) = _prover_points([(readers[5], n_vars, "A")], g2=False)
    (b1,) = _prover_points([(readers[6], n_vars, "B1")], g2=False)
    (b2,) = _prover_points([(readers[7], n_vars, "B2")], g2=True)
    c, h = _prover_points([(readers[8], n_private, "C"), (readers[9], domain, "H")], g2=False)
    return Zkey(
        n_vars=n_vars,
        n_public=n_public,
        domain_size=domain,
        alpha_g1=alpha_g1,
        beta_g1=beta_g1,
        beta_g2=beta_g2,
        gamma_g2=gamma_g2,
        delta_g1=delta_g1,
        delta_g2=delta_g2,
        ic=ic,
        coefs=coefs,
        a=a,
        b1=b1,
        b2=b2,
        c=c,
        h=h,
        cs_hash=cs_hash,
        contributions=contributions,
    )


def _read_coefs(r: Reader, n_vars: int, domain: int) -> Sequence[tuple[int, int, int, int]]:
    """Section 4, every entry checked (matrix A or B, row < domain, wire < nVars, value < r): natively a
    ``Coefficients`` over the section's bytes (``_native.zkey_coefs_check``), else the reference's tuple.
    An invalid entry raises the reference's FormatError."""
    lib = native()
    if lib is None:
        return _read_coefs_python(r, n_vars, domain)
    start = r.pos
    count = r.u32("coefficient count")
    _check_coef_count(r, count)
    raw = memoryview(r.data)[r.pos : r.end]
    if lib.zkey_coefs_check(raw, n_vars, domain) >= 0:
        r.pos = start
        return _read_coefs_python(r, n_vars, domain)  # names the entry
    r.pos = r.end
    return Coefficients(bytes(raw))  # a copy: a view would keep the whole file's bytes alive with the key


def _check_coef_count(r: Reader, count: int) -> None:
    if r.remaining != count * _COEF_BYTES:
        raise FormatError(
            f"{r.name}: coefficients section claims {count} entries but holds {r.remaining} bytes"
        )


def _read_coefs_python(r: Reader, n_vars: int, domain: int) -> tuple[tuple[int, int, int, int], ...]:
    """The reference reader of section 4 (``_read_coefs``'s signature)."""
    count = r.u32("coefficient count")
    _check_coef_count(r, count)
    out = []
    for i in range(count):
        matrix, row, wire = _COEF.unpack_from(r.data, r.pos)
        stored = int.from_bytes(r.data[r.pos + _COEF.size : r.pos + _COEF_BYTES], "little")
        r.pos += _COEF_BYTES
        if matrix not in (MATRIX_A, MATRIX_B) or row >= domain or wire >= n_vars or stored >= R:
            raise FormatError(
                f"{r.name}: coefficient {i} is invalid (matrix {matrix}, row {row}, wire {wire}, value >= r?)"
            )
        out.append((matrix, row, wire, stored * _R2_INV % R))
    return tuple(out)


def _read_contributions(r: Reader) -> tuple[Contribution, ...]:
    count = r.u32("contribution count")
    fixed = 3 * G1_BYTES + G2_BYTES + HASH_BYTES + 8
    r.need(count, fixed, "contribution count")
    out = []
    for i in range(count):
        what = f"contribution {i + 1}"
        g1 = _g1s(r, 3, what)
        g2_spx = _g2s(r, 1, f"{what} g2_spx")[0]
        transcript = r.take(HASH_BYTES, f"{what} transcript")
        kind = r.u32(f"{what} type")
        length = r.u32(f"{what} parameter length")
        params = Reader(r.data, r.pos, r.pos + length, r.name)
        if params.end > r.end:
            raise FormatError(f"{r.name}: {what} parameters run past the section end")
        fields = _read_params(params, what)
        r.pos = params.end
        if kind not in (CONTRIBUTION, BEACON) or (kind == BEACON) != ("beacon_hash" in fields):
            raise FormatError(f"{r.name}: {what} has type {kind} with inconsistent beacon parameters")
        out.append(Contribution(g1[0], g1[1], g1[2], g2_spx, transcript, kind, **fields))
    r.expect_end("contributions section")
    return tuple(out)


def _read_params(p: Reader, what: str) -> dict:
    """Typed parameters in increasing type order: 1 name, 2 beacon iterations exponent, 3 beacon hash."""
    fields: dict = {}
    last = 0
    while p.remaining:
        kind = p.take(1, f"{what} parameter type")[0]
        if kind <= last or kind > 3:
            raise FormatError(f"{p.name}: {what} parameters are unknown or out of order (type {kind})")
        last = kind
        if kind == 1:
            fields["name"] = p.take(p.take(1, f"{what} name length")[0], f"{what} name").decode(
                "utf-8", "replace"
            )
        elif kind == 2:
            fields["iterations_exp"] = p.take(1, f"{what} iterations")[0]
        else:
            fields["beacon_hash"] = p.take(p.take(1, f"{what} beacon length")[0], f"{what} beacon hash")
    if ("iterations_exp" in fields) != ("beacon_hash" in fields):
        raise FormatError(f"{p.name}: {what} has only one of the two beacon parameters")
    return fields


def read_zkey(src: Source) -> Zkey:
    """Load a Groth16 .zkey (path or bytes); raises FormatError naming the file and the field."""
    data, name = load_source(src, "zkey")
    return zkey_from_bytes(data, name)


# --- writing --------------------------------------------------------------------------------------


def _encode_params(c: Contribution) -> bytes:
    out = bytearray()
    if c.name:
        if len(c.name.encode("utf-16-le")) > 2 * MAX_NAME_UTF16:
            raise FormatError(f"contribution name: at most {MAX_NAME_UTF16} characters, got {len(c.name)}")
        raw = c.name.encode("utf-8")
        out += bytes([1, len(raw)]) + raw
    if c.type == BEACON:
        if c.beacon_hash is None or c.iterations_exp is None or not 0 < len(c.beacon_hash) < 256:
            raise FormatError(
                "beacon contribution: needs a 1..255-byte beacon hash and an iterations exponent"
            )
        out += bytes([2, c.iterations_exp, 3, len(c.beacon_hash)]) + c.beacon_hash
    return bytes(out)


def encode_contribution(c: Contribution) -> bytes:
    params = _encode_params(c)
    head = encode_g1(c.delta_after) + encode_g1(c.g1_s) + encode_g1(c.g1_sx) + encode_g2(c.g2_spx)
    return (
        head + c.transcript + u32(c.type, "contribution type") + u32(len(params), "parameter length") + params
    )


def zkey_to_bytes(z: Zkey) -> bytes:
    """Serialise in snarkjs's section order: ``zkey new``'s for a fresh key, ``contribute``'s after that."""
    header = b"".join(
        [
            u32(N8, "n8q"),
            Q.to_bytes(N8, "little"),
            u32(N8, "n8r"),
            R.to_bytes(N8, "little"),
            u32(z.n_vars, "nVars"),
            u32(z.n_public, "nPublic"),
            u32(z.domain_size, "domainSize"),
            encode_g1(z.alpha_g1),
            encode_g1(z.beta_g1),
            encode_g2(z.beta_g2),
            encode_g2(z.gamma_g2),
            encode_g1(z.delta_g1),
            encode_g2(z.delta_g2),
        ]
    )
    coefs = bytearray(u32(len(z.coefs), "coefficient count"))
    if isinstance(z.coefs, Coefficients):
        coefs += z.coefs.raw  # the file's own entries, checked when read
    else:
        for matrix, row, wire, value in z.coefs:
            coefs += _COEF.pack(matrix, row, wire) + (value * _R2 % R).to_bytes(N8, "little")
    if len(z.cs_hash) != HASH_BYTES:
        raise FormatError(f"zkey: circuit hash must be {HASH_BYTES} bytes")
    mpc = z.cs_hash + u32(len(z.contributions), "contribution count")
    mpc += b"".join(encode_contribution(c) for c in z.contributions)
    content = {
        1: u32(GROTH16, "protocol"),
        2: header,
        3: encode_points(z.ic, g2=False),
        4: bytes(coefs),
        5: encode_points(z.a, g2=False),
        6: encode_points(z.b1, g2=False),
        7: encode_points(z.b2, g2=True),
        8: encode_points(z.c, g2=False),
        9: encode_points(z.h, g2=False),
        10: mpc,
    }
    order = CONTRIBUTED_ORDER if z.contributions else NEW_ORDER
    return write_container(MAGIC, VERSION, [(s, content[s]) for s in order])




def write_zkey(z: Zkey, path: str | os.PathLike) -> None:
    write_bytes_atomic(path, zkey_to_bytes(z))
