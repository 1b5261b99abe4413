"""A batch's attestor signature files: ``DIR/*.json`` are shared by every job (a price signature),
``DIR/<id>/*.json`` belong to job ``<id>`` (its book signatures, which depend on that portfolio).

Read in the submitting process, like the portfolios, so workers elsewhere never need the files. The
files are private (docs/attestation.md): messages name a file, never a signature value.
"""

from __future__ import annotations

import os
from pathlib import Path

from zkyield.circuits.attest_policy import AttestorSignature, load_signature
from zkyield.errors import InputError


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix == ".json" and not p.name.startswith(".") and p.is_file())


class SignatureFolder:
    """The signature files of a batch, loaded once per folder."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise InputError(f"--signatures: {self.folder.name} is not a folder; pass a folder of signature files "
                             "(shared ones on top, each portfolio's in a sub-folder named by its id)")
        self.shared = tuple(load_signature(p) for p in _files(self.folder))

    def for_job(self, job_id: str) -> tuple[AttestorSignature, ...]:
        """The shared signatures and the job's own (InputError naming the bad file)."""
        own = self.folder / job_id
        return self.shared + (tuple(load_signature(p) for p in _files(own)) if own.is_dir() else ())
