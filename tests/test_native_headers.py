"""Every C header of zkyield/_native compiles on its own (it includes what it uses).

The two templates (``fp_impl.h``, ``curve_impl.h``) are the exception by design: their includer
defines the field or group they are instantiated for, as their first comment says.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

NATIVE = Path(__file__).resolve().parent.parent / "zkyield" / "_native"
HEADERS = sorted(p.name for p in NATIVE.glob("*.h") if "A template:" not in p.read_text()[:600])
CC = shutil.which("cc") or shutil.which("gcc")


def test_only_the_documented_templates_are_left_out() -> None:
    assert set(p.name for p in NATIVE.glob("*.h")) - set(HEADERS) == {"fp_impl.h", "curve_impl.h"}


@pytest.mark.skipif(CC is None, reason="no C compiler")
@pytest.mark.parametrize("header", HEADERS)
def test_header_compiles_alone(header: str, tmp_path: Path) -> None:
    source = tmp_path / "alone.c"
    source.write_text(f'#include "{header}"\n')
    flags = ["-fsyntax-only", "-std=c11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-function"]
    out = subprocess.run([CC, *flags, f"-I{NATIVE}", str(source)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
