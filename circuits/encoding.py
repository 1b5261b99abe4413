"""Integer encodings shared by the plain-Python evaluator and the statement circuits.

Every number a statement touches is a non-negative integer with a declared bit width, so a product or
sum computed in the circuit can never wrap modulo r. The bounds below are the contract: inputs beyond
them are rejected with an ``InputError`` before anything is evaluated or proved (docs/statements.md
derives every width from these constants).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eth_hash.auto import keccak  # eth-utils' own hasher (a declared dependency), without eth-utils' 0.2 s import

from zkyield.errors import InputError

# Token amounts: integers in the token's base units; values are normalised to 18 decimals (ERC-20's
# common maximum) so all assets share one value scale without division.
AMOUNT_DECIMALS = 18
# A normalised amount (base units x 10^(18 - decimals)) stays below 2^112: 5.2e15 whole tokens.
NORM_AMOUNT_BITS = 112
# Prices and pool price ratios: integers at the market's price_decimals scale (oracles publish 8).
PRICE_BITS = 64
MAX_PRICE_DECIMALS = 18
# value = normalised amount x price < 2^176, in units of 10^-(18 + price_decimals) quote currency.
VALUE_BITS = NORM_AMOUNT_BITS + PRICE_BITS
# Any sum of values (positions, flows, incomes) has fewer than 512 terms (at most 2N + 2M with N, M <= 128),
# so stays below 2^185.
SUM_BITS = VALUE_BITS + 9

BPS = 10_000  # basis points in one
BPS_MAX = 1_000_000  # largest threshold magnitude (10,000%); < 2^20
BPS_BITS = 20
SHOCK_MIN_BPS = -BPS  # a price cannot fall below zero
SHOCK_MAX_BPS = BPS_MAX - BPS  # shock factor 10000 + shock stays <= BPS_MAX

TIME_BITS = 40  # Unix seconds below 2^40 (year 36812)
ADDRESS_BITS = 160  # an owner is an Ethereum address
DURATION_BITS = 32  # a period is shorter than 2^32 s (136 years)
YEAR_SECONDS = 365 * 24 * 3600  # APR annualises linearly over a 365-day year

MAX_POSITIONS = 128
MAX_ASSETS = 64
MAX_SCENARIOS = 8
PROTOCOL_TREE_DEPTH = 8  # allowed-protocol Merkle tree: up to 256 protocols
BRIDGE_TREE_DEPTH = 8  # allowed-bridge Merkle tree: up to 256 bridges (leaves = protocol_id of the name)
# A signed normalised amount (a perp's size, its funding) is committed as ``active x 2^112 + value``
# with |value| < 2^112, so the field is in [0, 2^113) and unused slots stay all zero.
SIGNED_OFFSET = 1 << NORM_AMOUNT_BITS
SIGNED_BITS = NORM_AMOUNT_BITS + 1
# principal x seconds of a lending or borrow slot (its time-weighted principal before dividing by T)
PRINCIPAL_SECONDS_BITS = NORM_AMOUNT_BITS + DURATION_BITS
CHAIN_BITS = 64  # EIP-155 chain ids below 2^64 (every registered id is far below)
# circomlib's LessThan(n) (and our comparison gadget) needs n <= 252 so 2^n stays below r.
COMPARE_MAX_BITS = 252

KINDS = ("spot", "lp", "staking", "lending", "borrow", "perp", "future")  # a kind's code is its index here
DERIVATIVES = ("perp", "future")  # margin accounts with a signed size in a base asset (docs/statements.md)
RATED = ("lending", "borrow")  # positions whose interest a rate model implies (principal changes allowed)
KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}

_DECIMAL = re.compile(r"(0|[1-9][0-9]*)(?:\.([0-9]+))?")
_PROTOCOL = re.compile(r"[a-z0-9][a-z0-9._-]{0,30}")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
MAX_DECIMAL_CHARS = 80


@dataclass(frozen=True)
class Capacity:
    """The shape a circuit is built for: at most ``positions`` positions over ``assets`` market assets,
    of which the first ``ranges`` slots may hold a Uniswap v3 range position (each costs the range
    checks, ~8,400 constraints, when a clause reads ranges; the circuit forbids a v3 pool elsewhere).

    A field left out is the largest allowed (``MAX_CAPACITY``; ``ranges`` then every slot, which accepts
    any book); the commands compile and commit at ``DEFAULT_CAPACITY`` unless told. ``ranges`` changes
    the circuit only, never a commitment or market hash (the rows are the same)."""

    positions: int = MAX_POSITIONS
    assets: int = MAX_ASSETS
    scenarios: int = MAX_SCENARIOS
    ranges: int = None  # type: ignore[assignment]  # None: every slot (set in __post_init__)

    def __post_init__(self) -> None:
        for name, value, top in (("positions", self.positions, MAX_POSITIONS),
                                 ("assets", self.assets, MAX_ASSETS),
                                 ("scenarios", self.scenarios, MAX_SCENARIOS)):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
                raise InputError(f"capacity.{name}: expected an integer in 1..{top}")
        if self.ranges is None:
            object.__setattr__(self, "ranges", self.positions)
        if isinstance(self.ranges, bool) or not isinstance(self.ranges, int) or not 0 <= self.ranges <= self.positions:
            raise InputError(f"capacity.ranges (range slots): expected an integer in 0..{self.positions} (positions)")


# what `zkyield compile`/`commit` and compile_statement use unless told (no range slots: --range-slots K adds them)
DEFAULT_CAPACITY = Capacity(8, 8, 1, 0)
MAX_CAPACITY = Capacity(MAX_POSITIONS, MAX_ASSETS, MAX_SCENARIOS)  # the largest circuit any capacity allows


def decimal_parts(text: object, name: str) -> tuple[str, str]:
    """``(whole, fraction)`` digits of a non-negative decimal string, trailing fraction zeros dropped.

    ``name`` locates the field (``portfolio.json: positions[3].end_amount``); the amount itself never
    appears in a message because it is private.
    """
    if not isinstance(text, str):
        raise InputError(f"{name} must be a decimal string such as \"1.5\" (JSON numbers lose precision), "
                         f"got {type(text).__name__}")
    if len(text) > MAX_DECIMAL_CHARS:
        raise InputError(f"{name} is longer than {MAX_DECIMAL_CHARS} characters")
    match = _DECIMAL.fullmatch(text)
    if match is None:
        raise InputError(f"{name} must be a non-negative decimal string such as \"1250.5\" "
                         "(digits, at most one point, no sign or exponent)")
    return match.group(1), (match.group(2) or "").rstrip("0")


def to_base_units(text: object, decimals: int, name: str, asset: str) -> int:
    """Exact integer of a decimal token amount; excess precision is an error, never rounded away."""
    whole, frac = decimal_parts(text, name)
    if len(frac) > decimals:
        raise InputError(f"{name} has {len(frac)} decimals but {asset} allows {decimals}")
    return int(whole) * 10**decimals + int(frac.ljust(decimals, "0") or "0")


def format_base_units(units: int, decimals: int) -> str:
    """The canonical decimal string of an amount in base units (inverse of ``to_base_units``)."""
    whole, frac = divmod(units, 10**decimals)
    digits = str(frac).rjust(decimals, "0").rstrip("0") if decimals else ""
    return f"{whole}.{digits}" if digits else str(whole)


def unit_scale(decimals: int) -> int:
    """Factor lifting base units of a token with ``decimals`` to the common 18-decimal amount scale."""
    return 10 ** (AMOUNT_DECIMALS - decimals)


def check_norm_amount(units: int, decimals: int, name: str) -> int:
    """``units`` normalised to 18 decimals, rejected when beyond the circuit's 112-bit amount width."""
    norm = units * unit_scale(decimals)
    if norm >> NORM_AMOUNT_BITS:
        raise InputError(f"{name} is too large: the circuit holds amounts below 2^{NORM_AMOUNT_BITS} "
                         f"units at {AMOUNT_DECIMALS} decimals (5.2e15 tokens)")
    return norm


def protocol_id(name: str) -> int:
    """The field element of a protocol name: its ASCII bytes read big-endian (injective, < 2^248 < r).

    Names are 1..31 characters of ``[a-z0-9._-]`` starting with a letter or digit, e.g. ``aave-v3``;
    the id is the Merkle leaf of the allowed-protocol tree.
    """
    if not isinstance(name, str) or _PROTOCOL.fullmatch(name) is None:
        raise InputError("protocol names are 1..31 characters of [a-z0-9._-] starting with a letter or digit")
    return int.from_bytes(name.encode("ascii"), "big")


def symbol_id(symbol: str) -> int:
    """An asset symbol (1..31 ASCII characters, checked on load) packed like a protocol name."""
    return int.from_bytes(symbol.encode("ascii"), "big")


DECIMALS_BITS = 5  # decimals 0..18 < 2^5


def asset_id(symbol: str, decimals: int) -> int:
    """What a position or flow *is*: ``symbol_id * 2^5 + decimals`` (injective, < 2^253 < r).

    The commitment holds this, never an index into a market, so a commitment opens against one asset
    whatever order a market lists its assets in (docs/statements.md, "Public inputs").
    """
    if not 0 <= decimals <= AMOUNT_DECIMALS:
        raise ValueError(f"decimals {decimals} outside 0..{AMOUNT_DECIMALS}")
    return symbol_id(symbol) << DECIMALS_BITS | decimals


def address_int(text: object, name: str) -> int:
    """A 20-byte Ethereum address as a 160-bit integer; a mixed-case address must carry a valid EIP-55
    checksum (all-lower or all-upper hex carries none)."""
    if not isinstance(text, str) or _ADDRESS.fullmatch(text) is None:
        raise InputError(f"{name} must be an Ethereum address: 0x followed by 40 hex digits")
    body = text[2:]
    if body != body.lower() and body != body.upper() and body != eip55(body):
        raise InputError(f"{name} has a wrong EIP-55 checksum (check the address or write it in lower case)")
    return int(body, 16)


def eip55(hex40: str) -> str:
    """EIP-55 mixed-case form of 40 hex digits (no 0x): upper-case where the keccak nibble is >= 8."""
    lower = hex40.lower()
    digest = keccak(lower.encode()).hex()
    return "".join(c.upper() if int(digest[i], 16) >= 8 else c for i, c in enumerate(lower))


@dataclass(frozen=True)
class Inequality:
    """``lhs >= rhs`` over non-negative integers that both fit ``bits`` bits: one circuit comparison.

    Every check is written this way (terms with a negative coefficient move to the other side) so the
    circuit compares two sums of products without subtraction or division.
    """

    label: str
    lhs: int
    rhs: int
    bits: int

    def __post_init__(self) -> None:
        if self.bits > COMPARE_MAX_BITS:
            raise ValueError(f"{self.label}: comparison width {self.bits} exceeds {COMPARE_MAX_BITS}")
        if not (0 <= self.lhs < 1 << self.bits and 0 <= self.rhs < 1 << self.bits):
            # unreachable for inputs within the declared bounds; a bug if it ever fires
            raise InputError(f"{self.label}: operands exceed the declared {self.bits}-bit width")

    @property
    def holds(self) -> bool:
        return self.lhs >= self.rhs


def linear(label: str, terms: list[tuple[int, int]], bits: int) -> Inequality:
    """``sum(coef * value) >= 0`` as an ``Inequality``: positive-coefficient terms on the left, the rest
    (negated) on the right; values are non-negative, so both sides are too."""
    lhs = sum(c * v for c, v in terms if c > 0)
    rhs = sum(-c * v for c, v in terms if c < 0)
    return Inequality(label, lhs, rhs, bits)


# Comparison widths (derivations in docs/statements.md); each is a strict upper bound on both sides.
RETURN_BITS = SUM_BITS + BPS_BITS + 3  # (10000 + t) x sums, 2 terms a side
APR_BITS = SUM_BITS + BPS_BITS + 1 + DURATION_BITS + 2  # (t + BPS_MAX) x duration x sums, 4 terms a side
RATIO_BITS = SUM_BITS + BPS_BITS + 1  # threshold (or 10000) x one sum
STRESS_BITS = SUM_BITS + BPS_BITS + 1  # shocked sums (factor <= BPS_MAX) plus (10000 - t) x sums
POSITIVE_BITS = SUM_BITS + 1  # "sum of assets > sum of debts" preconditions
# per-asset net delta, doubled so half an LP token's value is an integer: 10000 x 2L + t x 2B1 < 2^207
DELTA_BITS = RATIO_BITS + 1
IL_BITS = 2 * PRICE_BITS + 2 + 27 + 1  # 4 x 10^8 x n x d and (10000 - m)^2 x (n + d)^2; 10^8 < 2^27
