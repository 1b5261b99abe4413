"""Gadget library on top of ``zkyield.dsl``: each function takes the ``Circuit`` first and documents
its exact semantics, bit-width preconditions and constraint cost.

- ``bits``: ``to_bits``, ``from_bits``, ``range_check``, ``require_bool``
- ``logic``: ``is_zero``, ``is_equal``, ``not_``, ``and_``, ``or_``, ``xor``, ``all_of``, ``any_of``,
  ``select``, ``mux``
- ``compare``: ``less_than``, ``less_eq``, ``greater_than``, ``greater_eq``, ``assert_less_than``,
  ``assert_less_eq``, ``assert_in_range`` (all range-check their inputs unless already proven)
- ``fixedpoint``: ``div_const``, ``div``, ``isqrt``, ``minimum``, ``maximum``, ``Rounding``, ``FixedPoint``
- ``poseidon``, ``merkle``, ``commit``: hashing and commitments (circomlib-compatible Poseidon)
- ``babyjub``, ``eddsa``: BabyJubJub points and circomlib-compatible EdDSA-Poseidon signature checks
"""
