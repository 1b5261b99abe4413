"""Snapshot histories (private), history markets and policies (public): dataclasses, strict loaders, hashes.

A history is the owner's chain of periodic snapshots (NAV, positions commitment, time, salt); a proof
covers a *window* of ``periods + 1`` consecutive snapshots, i.e. ``periods`` periodic returns.
Every bound below is the contract between the loaders, the exact evaluator (``history_metrics``) and
the circuit (``history_circuit``): inputs beyond them are refused here, before anything is evaluated.
Formulas and width derivations: docs/history.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zkyield.circuits import encoding as enc
from zkyield.circuits.history_clauses import CLAUSES
from zkyield.circuits.history_series import (  # noqa: F401  (the widths a history is read with, re-exported)
    BPS,
    BPS_MAX,
    DURATION_BITS,
    GROSS_BITS,
    NAV_BITS,
    RETURN_SCALE,
    SIGNED_BITS,
    VAR_CONFIDENCE_BPS,
    YEAR_SECONDS,
)
from zkyield.circuits.jsonread import Obj, array, field_element, integer, load_json, root, text, timestamp
from zkyield.circuits.models import Period
from zkyield.errors import InputError
from zkyield.field import R
from zkyield.poseidon import poseidon, poseidon_many

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"

MAX_NAV_DECIMALS = 18
MIN_PERIODS = 2  # the sample standard deviation needs two returns
MAX_PERIODS = 365  # the bound (daily for a year); every width below is derived for it
MAX_SNAPSHOTS = 100_000  # a history file (the whole chain) longer than this is refused
TIME_BITS = enc.TIME_BITS  # Unix seconds below 2^40

# The history layout version: bump it whenever a hash, commitment or circuit input changes meaning, so a
# value (and a build folder) of one layout is never read as another. Layout 2 binds the owner into each
# snapshot commitment and each snapshot's commit time into the chain (docs/history.md).
HISTORY_LAYOUT = 2
# The policy vector's own layout: 3 adds max_var_bps, min_calmar_bps and var_confidence_bps and hashes the
# (now 20-value) vector with poseidon_many. Only the policy tag moves, so snapshot chains, logs and the
# registry's LINK_TAG (layout 2) stay valid; every history policy hash and circuit id changes.
POLICY_LAYOUT = 3


def domain_tag(name: str, version: int = HISTORY_LAYOUT) -> int:
    """ASCII ``zkyield.history.<name>.v<version>`` read big-endian (< 2^248 < r): the first input of
    every history hash, so no two layouts, kinds or families of hash can share a value."""
    return int.from_bytes(f"zkyield.history.{name}.v{version}".encode(), "big")


POLICY_TAG = domain_tag("policy", POLICY_LAYOUT)
MARKET_TAG = domain_tag("market")
SNAPSHOT_TAG = domain_tag("snapshot")
LINK_TAG = domain_tag("link")
MAX_COMMIT_DELAY_S = (1 << DURATION_BITS) - 1  # the policy's max_commit_delay_s is below 2^32 s

# Policy key -> allowed threshold range, in hash and circuit order (the clause table's)
HISTORY_THRESHOLDS: dict[str, tuple[int, int]] = {c.key: (c.low, c.high) for c in CLAUSES}
RISK_FREE_MAX_BPS = BPS_MAX


@dataclass(frozen=True)
class Snapshot:
    """One committed observation: NAV in base units, the positions commitment, Unix time, a secret salt,
    and when its commitment was published (block time on chain, the log's time off chain; None until then)."""

    nav: int
    positions_commitment: int
    timestamp: int
    salt: int
    committed_at: int | None = None


@dataclass(frozen=True)
class History:
    """The owner's whole snapshot chain in commit order (the chain starts at the owner address)."""

    owner: int
    nav_decimals: int
    snapshots: tuple[Snapshot, ...]
    description: str = ""
    source: str = "history.json"


@dataclass(frozen=True)
class HistoryMarket:
    """Public data the metrics use: the annual risk-free rate (bps) valid over ``period``."""

    period: Period
    risk_free_bps: int
    description: str = ""
    source: str = "history.market.json"


@dataclass(frozen=True)
class HistoryPolicy:
    """A window length, the longest a snapshot may wait before its commitment is published, any subset
    of the history thresholds (``None``: not part of the statement) and the confidence of ``max_var_bps``
    (hashed only when that clause is stated)."""

    periods: int
    thresholds: dict[str, int]
    max_commit_delay_s: int
    description: str = ""
    source: str = "history.policy.json"
    var_confidence_bps: int = VAR_CONFIDENCE_BPS

    @property
    def hashed_confidence(self) -> int:
        """The policy vector's confidence slot: var_confidence_bps when max_var_bps is stated, else 0."""
        return self.var_confidence_bps if "max_var_bps" in self.thresholds else 0

    def get(self, key: str) -> int | None:
        return self.thresholds.get(key)

    @property
    def checks(self) -> tuple[str, ...]:
        """The enabled keys in circuit order: the circuit's shape."""
        return tuple(k for k in HISTORY_THRESHOLDS if k in self.thresholds)


def salt_value(value: object, where: str) -> int:
    number = field_element(value, where)
    if number == 0:
        raise InputError(f"{where} must be a random nonzero field element (it hides the NAV)")
    return number


def nav_units(value: object, decimals: int, where: str) -> int:
    """A NAV decimal string as exact base units in [1, 2^64)."""
    units = enc.to_base_units(value, decimals, where, "the history's nav_decimals")
    if not 1 <= units < 1 << NAV_BITS:
        raise InputError(f"{where} must be positive and below 2^{NAV_BITS} base units at nav_decimals")
    return units


def _snapshot(data: object, where: str, decimals: int) -> Snapshot:
    obj = Obj(data, where)
    committed = obj.get("committed_at")
    snap = Snapshot(
        nav=nav_units(obj.need("nav"), decimals, obj.path("nav")),
        positions_commitment=field_element(obj.need("positions_commitment"), obj.path("positions_commitment")),
        timestamp=timestamp(obj.need("time"), obj.path("time")),
        salt=salt_value(obj.need("salt"), obj.path("salt")),
        committed_at=None if committed is None else timestamp(committed, obj.path("committed_at")),
    )
    obj.done()
    for value, key in ((snap.timestamp, "time"), (snap.committed_at or 0, "committed_at")):
        if value >> TIME_BITS:
            raise InputError(f"{obj.path(key)} must be before 2^{TIME_BITS} Unix seconds")
    return snap


def load_history(source: str | Path | dict) -> History:
    """Read and validate a history file: snapshots in commit order, times strictly increasing."""
    data, name = load_json(source, "history.json")
    obj = root(data, name)
    decimals = integer(obj.need("nav_decimals"), obj.path("nav_decimals"), 0, MAX_NAV_DECIMALS)
    items = array(obj.need("snapshots"), obj.path("snapshots"), MAX_SNAPSHOTS)
    history = History(
        owner=enc.address_int(obj.need("owner"), obj.path("owner")),
        nav_decimals=decimals,
        snapshots=tuple(_snapshot(s, f"{obj.path('snapshots')}[{i}]", decimals) for i, s in enumerate(items)),
        description=text(obj.get("description", ""), obj.path("description"), r"[^\x00-\x1f]{0,500}", "a short text"),
        source=name,
    )
    obj.done()
    for i in range(1, len(history.snapshots)):
        step = history.snapshots[i].timestamp - history.snapshots[i - 1].timestamp
        if not 1 <= step < 1 << DURATION_BITS:
            raise InputError(f"{obj.path('snapshots')}[{i}].time must be after the previous snapshot's time "
                             f"(by less than 2^{DURATION_BITS} s)")
    return history


def load_history_market(source: str | Path | dict) -> HistoryMarket:
    data, name = load_json(source, "history.market.json")
    obj = root(data, name)
    per = Obj(obj.need("period"), obj.path("period"))
    start, end = timestamp(per.need("start"), per.path("start")), timestamp(per.need("end"), per.path("end"))
    per.done()
    if not start < end < 1 << TIME_BITS:
        raise InputError(f"{per.where}.end must be after period.start (and before 2^{TIME_BITS} s)")
    market = HistoryMarket(
        period=Period(start, end),
        risk_free_bps=integer(obj.need("risk_free_bps"), obj.path("risk_free_bps"), 0, RISK_FREE_MAX_BPS),
        description=text(obj.get("description", ""), obj.path("description"), r"[^\x00-\x1f]{0,500}", "a short text"),
        source=name,
    )
    obj.done()
    return market


def load_history_policy(source: str | Path | dict) -> HistoryPolicy:
    """Read a history policy: ``periods`` (the window's number of returns) and at least one threshold."""
    data, name = load_json(source, "history.policy.json")
    obj = root(data, name)
    periods = integer(obj.need("periods"), obj.path("periods"), MIN_PERIODS, MAX_PERIODS)
    delay = integer(obj.need("max_commit_delay_s"), obj.path("max_commit_delay_s"), 0, MAX_COMMIT_DELAY_S)
    thresholds = {key: integer(obj.get(key), obj.path(key), low, high)
                  for key, (low, high) in HISTORY_THRESHOLDS.items() if obj.data.get(key) is not None}
    confidence = obj.get("var_confidence_bps")
    if confidence is not None and "max_var_bps" not in thresholds:
        raise InputError(f"{obj.path('var_confidence_bps')}: only max_var_bps reads it; state max_var_bps or remove it")
    confidence = VAR_CONFIDENCE_BPS if confidence is None else \
        integer(confidence, obj.path("var_confidence_bps"), 0, BPS)
    description = text(obj.get("description", ""), obj.path("description"), r"[^\x00-\x1f]{0,500}", "a short text")
    obj.done()
    if not thresholds:
        raise InputError(f"{name}: the policy states nothing; set at least one of {', '.join(HISTORY_THRESHOLDS)}")
    return HistoryPolicy(periods, thresholds, delay, description, name, confidence)


def policy_values(policy: HistoryPolicy) -> list[int]:
    """[POLICY_TAG, periods, max_commit_delay_s, var confidence (0 unless max_var_bps is stated),
    (enabled_k, threshold_k mod r) per clause in table order]: 4 + 2 x 8 = 20 values."""
    values = [POLICY_TAG, policy.periods, policy.max_commit_delay_s, policy.hashed_confidence]
    for key in HISTORY_THRESHOLDS:
        t = policy.get(key)
        values += [0, 0] if t is None else [1, t % R]
    return values


def policy_hash(policy: HistoryPolicy) -> int:
    """poseidon_many(policy_values(policy)): the chained hash, as the vector outgrew Poseidon(16)."""
    return poseidon_many(policy_values(policy))


def market_hash(market: HistoryMarket) -> int:
    """Poseidon(MARKET_TAG, risk_free_bps, period.start, period.end): what the oracle registers."""
    return poseidon([MARKET_TAG, market.risk_free_bps, market.period.start, market.period.end])


def example_paths(name: str = "history_weekly") -> tuple[Path, Path, Path]:
    """Paths of a shipped history example: ``(history, market, policy)`` = name.json, name.market.json, ..."""
    return EXAMPLES_DIR / f"{name}.json", EXAMPLES_DIR / f"{name}.market.json", EXAMPLES_DIR / f"{name}.policy.json"
