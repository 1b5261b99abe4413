"""Strict reading of the statement JSON files: unknown fields, duplicate keys and wrong types are errors.

Every message names the file and the field path (``portfolio.json: positions[3].kind``) and never the
value, because portfolio values are private.
"""

from __future__ import annotations

import re
from calendar import timegm
from pathlib import Path
from typing import Any

from zkyield.errors import InputError
from zkyield.field import R
from zkyield.formats.jsonfile import read_json

_FIELD_HEX = re.compile(r"0x[0-9a-fA-F]{1,64}")
_ISO_UTC = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|\+00:00)")


def load_json(source: str | Path | dict, default_name: str) -> tuple[dict, str]:
    """``(object, name)`` from a path or an already parsed dict (strict parse: zkyield.formats.jsonfile)."""
    if isinstance(source, dict):
        return source, default_name
    if not isinstance(source, (str, Path)):
        raise InputError(f"{default_name}: the top level must be a JSON object")
    data, name = read_json(source)
    if not isinstance(data, dict):
        raise InputError(f"{name}: the top level must be a JSON object")
    return data, name


class Obj:
    """One JSON object being read: ``get``/``need`` take fields, ``done`` rejects any left over."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise InputError(f"{where} must be a JSON object")
        self.data = data
        self.where = where
        self.seen: set[str] = set()

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if not self.where.endswith(": ") else f"{self.where}{key}"

    def need(self, key: str) -> Any:
        if key not in self.data:
            raise InputError(f"{self.path(key)} is missing")
        self.seen.add(key)
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        self.seen.add(key)
        return self.data.get(key, default)

    def done(self) -> None:
        extra = sorted(set(self.data) - self.seen)
        if extra:
            raise InputError(f"{self.path(extra[0])} is not a known field (check its spelling)")


def root(data: dict, name: str) -> Obj:
    """The top-level object of file ``name``; its field paths read ``name: field``."""
    return Obj(data, f"{name}: ")


def integer(value: object, where: str, low: int, high: int) -> int:
    """A JSON integer (or a string of digits, for values beyond 2^53) in ``[low, high]``."""
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,80}", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{where} must be an integer")
    if not low <= value <= high:
        raise InputError(f"{where} must be between {low} and {high}")
    return value


def text(value: object, where: str, pattern: str, hint: str) -> str:
    """A string matching ``pattern`` (``hint`` says what is expected)."""
    if not isinstance(value, str) or re.fullmatch(pattern, value) is None:
        raise InputError(f"{where} must be {hint}")
    return value


def array(value: object, where: str, max_len: int) -> list:
    if not isinstance(value, list):
        raise InputError(f"{where} must be a JSON array")
    if len(value) > max_len:
        raise InputError(f"{where} has {len(value)} entries; at most {max_len} are supported")
    return value


def timestamp(value: object, where: str) -> int:
    """Unix seconds of an ISO-8601 UTC time written ``YYYY-MM-DDTHH:MM:SSZ`` (or ``+00:00``)."""
    match = _ISO_UTC.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise InputError(f"{where} must be an ISO-8601 UTC time such as \"2024-01-01T00:00:00Z\"")
    y, mo, d, h, mi, s = (int(g) for g in match.groups()[:6])
    days_in_month = [31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31, 30, 31, 30,
                     31, 31, 30, 31, 30, 31]
    if not (y >= 1970 and 1 <= mo <= 12 and 1 <= d <= days_in_month[mo - 1] and h < 24 and mi < 60 and s < 60):
        raise InputError(f"{where} is not a valid date and time at or after 1970-01-01")
    return timegm((y, mo, d, h, mi, s, 0, 0, 0))


def field_element(value: object, where: str) -> int:
    """A field element written as a decimal or 0x-hex string below r (roots, commitments, salts)."""
    if isinstance(value, str) and (_FIELD_HEX.fullmatch(value) or re.fullmatch(r"[0-9]{1,80}", value)):
        number = int(value, 0) if value.startswith("0x") else int(value)
        if number < R:
            return number
    raise InputError(f"{where} must be a field element: a decimal or 0x-hex string below r")
