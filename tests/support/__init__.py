"""Helpers shared by the test modules, imported one way only: ``from tests.support.<module> import ...``.

``tools`` (the pinned npm reference tools), ``math_refs`` (py_ecc conversions, random points), ``r1cs_samples``,
``dsl``, ``formats``, ``poseidon``, ``statements``, ``history``, ``batch``, ``verify``, ``ceremony``, ``chain``
(in-process EVM and ganache), ``devnet`` (anvil fixtures), ``fuzz_stats``.
"""
