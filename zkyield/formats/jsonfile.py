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

from zkyield.errors import FormatError

MAX_JSON_DEPTH = 32
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


def read_json(path: str | os.PathLike) -> tuple[object, str]:
    """``(parsed, file name)`` of a JSON file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise FormatError(f"{p.name}: cannot read file ({e.strerror or e})") from None
    return parse_json_bytes(data, p.name), p.name
