"""Reading JSON from outside: one strict parser for every JSON file zkyield loads.

Refuses, with a one-line FormatError naming the file: unreadable or non-UTF-8 bytes, malformed JSON,
nesting deeper than ``MAX_JSON_DEPTH`` (CPython's parser can exhaust the C stack on deep input before
raising), duplicate keys (two values for one field is ambiguous), NaN/Infinity, and integers too long
for Python's int parser.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from zkyield.errors import FieldError, FormatError
from zkyield.field import parse_decimal

MAX_JSON_DEPTH = 32
_CANONICAL_DECIMAL = re.compile(r"0|[1-9][0-9]{0,79}")  # [0-9], not \d: ASCII digits only
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def _check_depth(text: str, name: str) -> None:
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_JSON_DEPTH:
            raise FormatError(f"{name}: JSON nested deeper than {MAX_JSON_DEPTH} levels")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constant(token: str) -> None:
    raise ValueError(f"{token} is not a number JSON allows")


def parse_json_bytes(data: bytes, name: str) -> object:
    """Parse ``data`` strictly; ``name`` (a file name) prefixes every error."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError(f"{name}: not UTF-8 text") from None
    _check_depth(text, name)
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise FormatError(f"{name}: not valid JSON ({e.msg} at line {e.lineno} column {e.colno})") from None
    except ValueError as e:  # duplicate key, NaN, or an integer beyond Python's digit limit
        if "digits" in str(e):
            raise FormatError(f"{name}: not valid JSON (number too large)") from None
        raise FormatError(f"{name}: {str(e).splitlines()[0]}") from None


def canonical_decimal(value: object, modulus: int, name: str) -> int:
    """A field element from the one decimal string snarkjs writes for it: digits, no sign, no leading zero.

    JSON numbers, ``"0005"`` or ``"01"`` are refused: a file has one spelling per value, so two files
    that differ are two different files, and a value cannot pass a comparison on its text by a respelling.
    """
    if not isinstance(value, str) or not _CANONICAL_DECIMAL.fullmatch(value):
        got = f"a string of length {len(value)}" if isinstance(value, str) and len(value) > 24 else (
            repr(value) if isinstance(value, str) else f"a JSON {_json_kind(value)}")
        raise FieldError(f"{name}: expected a decimal string (digits, no leading zeros, as snarkjs writes), got {got}")
    return parse_decimal(value, modulus, name)


def _json_kind(value: object) -> str:
    return {dict: "object", list: "array", bool: "boolean", type(None): "null"}.get(type(value), "number")


def read_json(path: str | os.PathLike) -> tuple[object, str]:
    """``(parsed, file name)`` of a JSON file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise FormatError(f"{p.name}: cannot read file ({e.strerror or e})") from None
    return parse_json_bytes(data, p.name), p.name
