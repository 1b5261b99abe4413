"""Build hook for the optional C backend; all project metadata lives in pyproject.toml.

``optional=True``: if the compiler or Python headers are missing the build warns and continues, and
zkyield runs on its pure-Python paths (zkyield._native.native() is None).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "zkyield._native._bn254",
            sources=["zkyield/_native/_bn254.c"],
            depends=[
                "zkyield/_native/field.h",
                "zkyield/_native/fp_impl.h",
                "zkyield/_native/curve_impl.h",
                "zkyield/_native/groups.h",
                "zkyield/_native/ntt.h",
                "zkyield/_native/pairing.h",
                "zkyield/_native/glv.h",
                "zkyield/_native/gls.h",
            ],
            extra_compile_args=["-O3", "-pthread"],
            extra_link_args=["-pthread"],
            optional=True,
        ),
        Extension(  # the witness program's product/copy loop (zkyield/dsl/runner.py)
            "zkyield._native._witness",
            sources=["zkyield/_native/_witness.c"],
            depends=["zkyield/_native/field.h", "zkyield/_native/fp_impl.h"],
            extra_compile_args=["-O3"],
            optional=True,
        ),
    ]
)
