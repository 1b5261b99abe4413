"""One exception hierarchy for the whole toolkit.

Every user-facing failure is a ``ZkyieldError`` whose message is one line naming the
offending field and the fix; the CLI maps ``exit_code`` to the process exit status
(2: bad input, 1: a proof or statement that does not hold).
"""

from __future__ import annotations


class ZkyieldError(Exception):
    """Base of every error zkyield raises on purpose."""

    exit_code = 2


class InputError(ZkyieldError):
    """Input from outside (a file, an argument, a value) is malformed or inconsistent."""


class FieldError(InputError):
    """A field element is not canonical (negative, >= modulus, or not an integer)."""


class PointError(InputError):
    """A curve point is malformed, off the curve or outside the prime-order subgroup."""


class FormatError(InputError):
    """A file does not follow its declared format (bad magic, truncated, oversized, wrong lengths)."""


class ConstraintError(ZkyieldError):
    """A witness does not satisfy a constraint system."""

    exit_code = 1

    def __init__(self, index: int, label: str, message: str | None = None) -> None:
        self.index = index
        self.label = label
        super().__init__(message or f"constraint {index} ({label}) not satisfied")


class VerificationError(ZkyieldError):
    """A proof does not verify against its key and public inputs."""

    exit_code = 1


class StatementFalse(ZkyieldError):
    """The statement is false for the given private inputs, so no proof is made."""

    exit_code = 1
