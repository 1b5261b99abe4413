"""The auditor's page for one verification: a self-contained HTML file (inline CSS and SVG, nothing fetched).

Everything shown comes from the ``VerificationResult`` (the verifier's own key, policy and market, and the
proof's public signals) and from the record the verifier named (the owner's snapshot log or the
registry), never from the prover's attestation.json text, so no private value of the portfolio or the
history (amounts, NAVs, salts, positions commitments, private heads) can reach the page. Rendering is pure;
``write_report`` is the only I/O.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from zkyield.families import family_named
from zkyield.formats.atomic import write_text_atomic
from zkyield.verification import ATTESTORS, ONCHAIN, Outcome, VerificationResult

_CHECK_TITLES = {"key": "Verification key", "pairing": "Groth16 pairing", "policy_hash": "Policy hash",
                 "market_hash": "Market hash", "chain_head": "Chain head (owner's record)",
                 "attestors": "Attestor signatures", "onchain_record": "On-chain record"}
_STATUS = {Outcome.PASS: "pass", Outcome.FAIL: "fail", Outcome.NOT_CHECKED: "not checked"}


@dataclass(frozen=True)
class WindowLink:
    """One snapshot of the proven window: when it was committed, and the bounds the proof puts on its own time.

    Only the window's first and last snapshot times are public (the period); for the others the proof
    establishes ``committed_at - max_commit_delay_s <= time <= committed_at`` inside the period.
    """

    committed_at: int
    earliest: int
    latest: int


def window_links(commit_times: Sequence[tuple[int, int]], result: VerificationResult) -> tuple[WindowLink, ...] | None:
    """The window of a valid history proof in ``(head, committed_at)`` records of the owner's chain, oldest first.

    None when there is nothing established to draw: the proof did not verify, or the record does not hold
    the proof's head with the policy's ``periods`` snapshots before it.
    """
    if not result or result.statement != "history" or result.policy is None:
        return None
    periods, delay = int(result.policy["periods"]), int(result.policy["max_commit_delay_s"])
    start, end = result.public_signals[4], result.public_signals[5]
    last = next((i for i, (head, _) in enumerate(commit_times) if head == result.public_signals[0]), None)
    if last is None or last < periods:
        return None
    out = []
    for i, (_, t) in enumerate(commit_times[last - periods : last + 1]):
        lo, hi = (start, start) if i == 0 else (end, end) if i == periods else (max(start, t - delay), min(end, t))
        out.append(WindowLink(t, lo, hi))
    return tuple(out)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _iso(t: int) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _duration(seconds: int) -> str:
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"{n:,} {unit}{'s' if n != 1 else ''}"
    return f"{seconds:,} s"


def _threshold(value: int, unit: str) -> str:
    if unit == "%":
        return f"{Decimal(value) / 100:f}%"
    if unit == "x":
        return f"{Decimal(value) / 10_000:f}"
    return str(value)


def clause_texts(policy: Mapping[str, object], statement: str) -> list[str]:
    """Each clause of the verifier's policy in words, with its threshold and its policy key."""
    out = []
    for clause in family_named(statement).clauses:
        key, measured, bound, unit = clause.key, clause.measures, clause.sense, clause.unit
        if key not in policy:
            continue
        if key == "allowed_protocols_root":
            out.append(f"every position is in a protocol of the allowed set (Merkle root {policy[key]})")
            continue
        if key in ("attested_by", "prices_attested_by"):  # an attestor key set (docs/attestation.md)
            s = policy[key]
            what = "book" if key == "attested_by" else "market snapshot"
            out.append(f"the {what} signed by {s['threshold']} distinct of {len(s['keys'])} attestor keys "  # type: ignore[index]
                       f"(key root {s['root']}), as of the period end or at most "  # type: ignore[index]
                       f"{_duration(int(s['max_delay_s']))} after it ({key})")  # type: ignore[index]
        if key == "allowed_bridges_root":
            out.append(f"every bridged asset held came through a bridge of the allowed set (Merkle root {policy[key]})")
            continue
        value = int(policy[key])  # type: ignore[call-overload]
        word = "at least" if bound == "min" else "at most"
        out.append(f"{measured} {word} {_threshold(value, unit)} ({key} = {value:,})")
    if statement == "history":
        periods, delay = int(policy["periods"]), int(policy["max_commit_delay_s"])  # type: ignore[call-overload]
        out.append(f"over a window of {periods:,} periods ({periods + 1:,} consecutive snapshots of the owner's chain)")
        out.append(f"each snapshot published no earlier than its own time and at most {_duration(delay)} after it "
                   f"(max_commit_delay_s = {delay:,})")
    return out


def _proven_section(result: VerificationResult) -> str:
    if result.policy is None:
        body = ("<p class='muted'>No clause is shown: the policy was not supplied or did not hash to the proof's "
                "policy_hash. The prover's attestation.json text is never shown as proven.</p>")
        return f"<section><h2>What was proven</h2>{body}</section>"
    heading = "What was proven" if result else "What the proof would show (NOT established: verification failed)"
    items = "".join(f"<li class='clause'>{_e(t)}</li>" for t in clause_texts(result.policy, result.statement))
    subject = ("the owner's portfolio, as committed," if result.statement == "portfolio" else
               "the owner's published track record over the window")
    lead = (f"{subject.capitalize()} satisfies every clause of the policy you supplied:" if result else
            f"The proof claims that {subject} satisfies these clauses of your policy; the checks below show "
            "that this is not established:")
    cls = "clauses" if result else "clauses unproven"
    return f"<section><h2>{_e(heading)}</h2><p>{_e(lead)}</p><ul class='{cls}'>{items}</ul></section>"


def _facts(result: VerificationResult, key_file: str, proof_dir: str) -> str:
    p = result.public_signals
    head = "Chain head" if result.statement == "history" else "Commitment"
    market = result.market
    if market is None:
        market_text = "not checked"
    elif "risk_free_bps" in market:
        market_text = f"risk-free rate {_threshold(int(market['risk_free_bps']), '%')} a year"  # type: ignore[call-overload]
    else:
        assets = ", ".join(str(a) for a in market["assets"])  # type: ignore[union-attr]
        market_text = f"assets {assets}; {market['stress_scenarios']} stress scenario(s)"
    attestors = result.check(ATTESTORS)
    rows = [
        ("Statement", f"{result.statement} (family from {result.statement_source})"),
        ("Period", f"{_iso(p[4])} to {_iso(p[5])}"),
        ("Owner", f"0x{p[1]:040x}"),
        (head, str(p[0])),
        ("Policy hash", str(p[2])),
        ("Market hash", str(p[3])),
        ("Market", market_text),
        ("Verification key sha256", result.key_sha256),
        ("Key file (yours)", key_file),
        ("Proof folder (the prover's)", proof_dir),
        ("Attestors", f"{_STATUS[attestors.outcome]}: {attestors.reason}"),
    ]
    body = "".join(f"<tr><th>{_e(k)}</th><td class='mono'>{_e(v)}</td></tr>" for k, v in rows)
    return f"<section><h2>Statement</h2><table class='facts'>{body}</table></section>"


def _onchain(result: VerificationResult) -> str:
    check = result.check(ONCHAIN)
    if check.outcome is Outcome.NOT_CHECKED:
        return ""
    return (f"<section><h2>On-chain record</h2><p class='{_e(check.outcome.value)}'>"
            f"<b>{_e(_STATUS[check.outcome])}</b>: {_e(check.reason)}</p></section>")


def _checks(result: VerificationResult) -> str:
    rows = "".join(
        f"<tr><td>{_e(_CHECK_TITLES.get(c.name, c.name))}</td>"
        f"<td><span class='badge {_e(c.outcome.value)}'>{_e(_STATUS[c.outcome])}</span></td>"
        f"<td>{'the verdict' if c.required else 'information'}</td><td>{_e(c.reason)}</td></tr>"
        for c in result.checks)
    return ("<section><h2>Checks</h2><table class='checks'><tr><th>Check</th><th>Outcome</th><th>Counts for</th>"
            f"<th>Reason</th></tr>{rows}</table></section>")


def window_chart(links: Sequence[WindowLink], record: str) -> str:
    """An inline SVG: each snapshot's commit time (x) against its own time (y), on one scale.

    Kept as it happened, the points follow the diagonal; written afterwards, they stand in a vertical wall
    at the commit time. Bars show the range the proof allows for a snapshot's own time.
    """
    w, h, left, top, bottom = 720, 460, 110, 20, 64
    lo = min(min(k.earliest for k in links), min(k.committed_at for k in links))
    hi = max(max(k.latest for k in links), max(k.committed_at for k in links))
    span = max(hi - lo, 1)
    lo, hi = lo - span // 40, hi + span // 40
    span = hi - lo
    right, base = w - 44, h - bottom

    def x(t: int) -> float:
        return round(left + (t - lo) * (right - left) / span, 2)

    def y(t: int) -> float:
        return round(base - (t - lo) * (base - top) / span, 2)

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {w} {h}' width='{w}' height='{h}' role='img' "
             "aria-label='snapshot time against commit time'>",
             f"<rect x='{left}' y='{top}' width='{right - left}' height='{base - top}' fill='#fafbfc' "
             "stroke='#d0d7de'/>"]
    for i in range(5):
        t = lo + span * i // 4
        label = _e(datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d"))
        parts.append(f"<line x1='{x(t)}' y1='{top}' x2='{x(t)}' y2='{base}' stroke='#eaeef2'/>"
                     f"<line x1='{left}' y1='{y(t)}' x2='{right}' y2='{y(t)}' stroke='#eaeef2'/>"
                     f"<text x='{x(t)}' y='{base + 18}' text-anchor='middle' class='tick'>{label}</text>"
                     f"<text x='{left - 8}' y='{y(t) + 4}' text-anchor='end' class='tick'>{label}</text>")
    parts.append(f"<line x1='{x(lo)}' y1='{y(lo)}' x2='{x(hi)}' y2='{y(hi)}' stroke='#8c959f' "
                 "stroke-dasharray='6 4'/>"
                 f"<text x='{x(hi) - 12}' y='{y(hi) + 22}' text-anchor='end' class='tick'>"
                 "committed at its own time</text>")
    for k in links:
        cx = x(k.committed_at)
        tip = _e(f"committed {_iso(k.committed_at)}; own time "
                 + (_iso(k.earliest) if k.earliest == k.latest else f"between {_iso(k.earliest)} and {_iso(k.latest)}"))
        if k.earliest == k.latest:
            parts.append(f"<circle cx='{cx}' cy='{y(k.earliest)}' r='5' fill='#0969da'><title>{tip}</title></circle>")
        else:
            y0, y1 = y(k.earliest), y(k.latest)
            parts.append(f"<line x1='{cx}' y1='{y0 + 2}' x2='{cx}' y2='{y1 - 2}' stroke='#0969da' "
                         f"stroke-width='4' stroke-linecap='round' stroke-opacity='0.7'><title>{tip}</title></line>")
    parts.append(f"<text x='{(left + right) / 2}' y='{h - 16}' text-anchor='middle' class='axis'>"
                 f"committed at ({_e(record)})</text>"
                 f"<text x='18' y='{(top + base) / 2}' text-anchor='middle' class='axis' "
                 f"transform='rotate(-90 18 {(top + base) / 2})'>snapshot's own time (proven)</text></svg>")
    return "".join(parts)


def _window_section(result: VerificationResult, links: Sequence[WindowLink] | None, record: str | None) -> str:
    if result.statement != "history":
        return ""
    if not links or record is None:
        why = ("the verification failed, so nothing about the window is established" if not result else
               "the record named (log or registry) does not list the window's snapshots")
        return f"<section><h2>Track record window</h2><p class='muted'>No chart: {_e(why)}.</p></section>"
    first, last = links[0].committed_at, links[-1].committed_at
    text = (f"{len(links):,} snapshots, committed from {_iso(first)} to {_iso(last)}. Dots: the window's first and "
            "last snapshot (their times are the public period). Bars: the range the proof allows for each other "
            "snapshot's own time. A record kept as it happened lies along the diagonal; one written afterwards "
            "stands as a vertical wall at the time it was committed.")
    return (f"<section><h2>Track record window</h2><figure>{window_chart(links, record)}"
            f"<figcaption>{_e(text)}</figcaption></figure></section>")


_CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;margin:0;background:#f6f8fa}
main{max-width:960px;margin:0 auto;padding:24px 32px 48px;background:#fff;min-height:100vh}
h1{font-size:20px;font-weight:600;margin:0 0 16px;color:#57606a}
h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid #d0d7de;padding-bottom:6px}
.verdict{border-radius:8px;padding:22px 28px;color:#fff}
.verdict.pass{background:#1a7f37}.verdict.fail{background:#cf222e}
.verdict .word{font-size:56px;font-weight:800;letter-spacing:2px;line-height:1}
.verdict .why{font-size:16px;margin-top:8px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #eaeef2}
table.facts th{width:230px;color:#57606a;font-weight:600}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all;font-size:13px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}
.badge.pass{background:#dafbe1;color:#116329}.badge.fail{background:#ffebe9;color:#a40e26}
.badge.not-checked{background:#eaeef2;color:#57606a}
p.pass b{color:#116329}p.fail b{color:#a40e26}
ul.clauses li{margin:4px 0}ul.unproven{color:#57606a}.muted{color:#57606a}
svg .tick{font-size:11px;fill:#57606a}svg .axis{font-size:13px;fill:#1f2328}
figure{margin:0}figcaption{font-size:13px;color:#57606a;margin-top:6px}
footer{margin-top:32px;font-size:12px;color:#57606a}
"""


def render(result: VerificationResult, *, key_file: str, proof_dir: str, generated_at: str,
           links: Sequence[WindowLink] | None = None, record: str | None = None, version: str = "") -> str:
    """The whole page as a string (no I/O): verdict first, then the proven clauses, facts, checks, window."""
    word = "PASS" if result else "FAIL"
    why = (f"Every required check passed (verification key sha256 {result.key_sha256})." if result
           else f"Verification failed: {result.failures[0].reason.rstrip('.')}.")
    return "".join([
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>zkyield verification report: {word}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>zkyield verification report</h1><div id='verdict' class='verdict {word.lower()}'>",
        f"<div class='word'>{word}</div><div class='why'>{_e(why)}</div></div>",
        _proven_section(result), _facts(result, key_file, proof_dir), _onchain(result), _checks(result),
        _window_section(result, links, record),
        f"<footer>Generated {_e(generated_at)} by zkyield {_e(version)}. Only what the verifier supplied was "
        "checked; this page is self-contained (no network, no external assets).</footer></main></body></html>\n",
    ])


def write_report(path: str | Path, page: str) -> None:
    """Write the page atomically (a reader never sees half a report)."""
    write_text_atomic(path, page)
