"""The constants of the attestation layouts, apart from the models so the clause table can read them.

``attest_message`` (what an attestor signs), ``attest_policy`` (the policy's key sets) and
``attest_circuit`` (the in-circuit k-of-n check) share these; docs/attestation.md explains each.
"""

from __future__ import annotations

from zkyield.circuits import encoding as enc

ATTEST_LAYOUT_VERSION = 3  # 3: whole layout-4 rows, each step a poseidon_many (attest_message)
BOOK_TAG = int.from_bytes(b"zkyield.attest.book.v3", "big")
PRICES_TAG = int.from_bytes(b"zkyield.attest.prices.v3", "big")
SHOCK_FACTOR_BITS = 20  # a factor 10000 + shock is at most BPS_MAX = 10^6 < 2^20
SUBJECTS = ("book", "prices")
# The policy field that names each subject's key set (in the portfolio clause table too).
POLICY_FIELDS = {"book": "attested_by", "prices": "prices_attested_by"}
KEY_TREE_DEPTH = 4  # at most 16 attestor keys per set; a leaf is Poseidon(x, y)
DEFAULT_MAX_DELAY_S = 7 * 24 * 3600  # as_of within a week after the period end, unless the policy says
MAX_DELAY_BITS = enc.DURATION_BITS  # max_delay_s < 2^32, so period_end + max_delay_s < 2^41
