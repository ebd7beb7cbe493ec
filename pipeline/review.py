"""Reviewer decisions: record them in reviews.jsonl, list what needs review, apply them to facts.

reviews.jsonl (SPEC.md) is the reviewers' log. It is only ever appended to
(``Store.append_review``); runs read it and apply the latest decision on each
target:

* ``reject`` a claim: the claim stays in claims.jsonl (flagged ``rejected``)
  but leaves its fact;
* ``correct`` a claim: the corrected value replaces the extracted one (kept
  as ``extracted_value``);
* ``accept`` a claim that sits in a conflict: the conflict is resolved, the
  fact's ``value`` becomes that claim's value and ``resolution.policy`` is
  ``reviewer``;
* ``correct`` a fact sets its value; ``reject`` a fact withdraws its value;
  ``accept`` a fact confirms the value it has.

Every fact shows the decisions that touch it (on itself and on its claims,
rejected ones included) in its ``review`` field. A decision whose target is no
longer in the store is reported by the run (``RunSummary.orphan_reviews``)
and stays in the log.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import math
import os
import re
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from .normalise import figure_value, make_date
from .query import StoreReader
from .reconcile import fact_id, fact_key
from .store import SCHEMA_VERSION, Store, load_schemas

Decision = Literal["accept", "reject", "correct"]
DECISIONS: tuple[str, ...] = ("accept", "reject", "correct")
LOW_CONFIDENCE = 0.75
REVIEW_FIELDS = ("review_id", "target_type", "target_id", "decision", "value", "reviewer", "at", "note")

_append_lock = threading.Lock()


class ReviewError(ValueError):
    """A decision that cannot be recorded (unknown target, bad value, ...); the message says why."""


# --------------------------------------------------------------------------- who and when


def reviewer_name(explicit: str | None = None) -> str:
    """``--reviewer``, else $CLAIMS_REVIEWER, else $USER, else the login name."""
    for name in (explicit, os.environ.get("CLAIMS_REVIEWER"), os.environ.get("USER")):
        if name and name.strip():
            return name.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def review_id(target_type: str, target_id: str, decision: str, at: str, reviewer: str,
              value: Any = None, note: str | None = None) -> str:
    """Stable id of one decision: a hash of what was decided, on what, by whom and when."""
    key = json.dumps([target_type, target_id, decision, at, reviewer, value, note], sort_keys=True, default=str)
    return "r_" + hashlib.sha256(key.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- values

_SCALES = {
    "thousand": 1_000, "k": 1_000, "million": 1_000_000, "mn": 1_000_000, "m": 1_000_000, "mln": 1_000_000,
    "billion": 1_000_000_000, "bn": 1_000_000_000, "b": 1_000_000_000, "trillion": 1_000_000_000_000,
    "tn": 1_000_000_000_000, "t": 1_000_000_000_000,
}
_APPROX = [
    ("more than", "more_than"), ("at least", "at_least"), ("less than", "less_than"), ("fewer than", "less_than"),
    ("up to", "up_to"), ("over", "over"), ("above", "over"), ("about", "about"), ("around", "about"),
    ("approximately", "about"), ("roughly", "about"), ("some", "about"), ("nearly", "nearly"),
    ("almost", "nearly"), (">=", "at_least"), (">", "more_than"), ("<", "less_than"), ("~", "about"),
]
APPROX_WORDS = {"more_than": "more than", "over": "over", "at_least": "at least", "less_than": "less than",
                "up_to": "up to", "about": "about", "nearly": "nearly"}
_CURRENCY = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY"}
_FIGURE_RE = re.compile(
    r"^(?P<cur>[$€£¥])?\s*(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)\s*"
    r"(?P<scale>thousand|million|billion|trillion|mln|mn|bn|tn|[kmbt])?\b\s*(?P<pct>%|percent\b|per cent\b)?"
    r"\s*(?P<unit>.*)$",
    re.IGNORECASE,
)
_ISO_RE = re.compile(r"^(?P<y>\d{4})(?:-(?:(?P<q>Q[1-4])|(?P<m>\d{2})(?:-(?P<d>\d{2}))?))?$", re.IGNORECASE)


def parse_value(kind: str, text: str, like: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The value a reviewer typed, as a SPEC.md value of ``kind``.

    Figures: "200000000", "200,000,000", "200 million", "$1.2bn", "more than 200 million users",
    "10%"; the unit is the one written, else ``like``'s (the claim's). Dates: ISO "2023",
    "2023-Q3", "2023-08", "2023-08-09". A JSON object is taken as the value itself.
    """
    text = (text or "").strip()
    if not text:
        raise ReviewError("a correction needs a value (--value)")
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            raise ReviewError(f"--value is not valid JSON: {err}") from err
        if not isinstance(value, dict):
            raise ReviewError(f"--value is JSON but not an object: {text[:40]!r}")
        check_value(kind, value)
        return value
    if kind == "date":
        return parse_date_value(text)
    if kind == "figure":
        return parse_figure_value(text, like)
    raise ReviewError(f"cannot correct a value of kind {kind!r}")


def check_value(kind: str, value: Mapping[str, Any]) -> None:
    """Raise ``ReviewError`` unless ``value`` is a SPEC.md value of ``kind`` that every later run
    can use: the shipped schema's ``figure_value`` or ``date_value``, with finite numbers. A
    correction is checked before it is recorded, since a run applies every decision in the log."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    if kind not in ("figure", "date"):
        raise ReviewError(f"cannot correct a value of kind {kind!r}")
    schema = load_schemas()["reviews"]
    sub = {"$defs": schema["$defs"], "$ref": f"#/$defs/{kind}_value"}
    error = best_match(Draft202012Validator(sub).iter_errors(dict(value)))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        raise ReviewError(f"not a {kind} value: {where + ': ' if where else ''}{error.message}")
    for key in ("amount", "min", "max"):
        x = value.get(key)
        if isinstance(x, float) and not math.isfinite(x):
            raise ReviewError(f"not a {kind} value: {key} is {x}")


def parse_date_value(text: str) -> dict[str, Any]:
    m = _ISO_RE.match(text.strip())
    if not m:
        raise ReviewError(f"not an ISO date: {text!r} (use YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD)")
    year = int(m["y"])
    try:
        if m["q"]:
            value = make_date("quarter", year, int(m["q"][1]))
        elif m["d"]:
            value = make_date("day", year, int(m["m"]), int(m["d"]))
        elif m["m"]:
            value = make_date("month", year, int(m["m"]))
        else:
            value = make_date("year", year)
        datetime.fromisoformat(value.start or "")  # rejects 2023-02-30, 2023-13
    except ValueError as err:
        raise ReviewError(f"not a real date: {text!r}") from err
    return value.to_dict()


def parse_figure_value(text: str, like: Mapping[str, Any] | None = None) -> dict[str, Any]:
    rest = " ".join(text.strip().split())
    approx = None
    for words, code in _APPROX:
        if rest.lower().startswith(words) and (not words[0].isalpha() or rest[len(words):len(words) + 1] in ("", " ")):
            approx, rest = code, rest[len(words):].strip()
            break
    m = _FIGURE_RE.match(rest)
    if not m:
        amount = _number_words(rest)
        if amount is None:
            raise ReviewError(f"not a figure: {text!r} (try 200000000, '200 million' or '$1.5bn')")
        unit_text = ""
        scale = 1
        pct = None
        cur = None
    else:
        amount = float(m["num"].replace(",", ""))
        scale = _SCALES[m["scale"].lower()] if m["scale"] else 1
        pct, cur, unit_text = m["pct"], m["cur"], m["unit"].strip()
    amount = amount * scale
    amount_out: int | float = int(amount) if float(amount).is_integer() else round(amount, 6)
    unit: str | None
    if pct:
        unit = "percent"
    elif cur:
        unit = _CURRENCY[cur]
    elif unit_text:
        is_code = re.fullmatch(r"[A-Z]{3}", unit_text) is not None  # a currency code such as EUR
        unit = unit_text if is_code else unit_text.lower()
    else:
        unit = (like or {}).get("unit")
    value = figure_value(amount_out, unit, approx).to_dict()
    return value


def _number_words(text: str) -> float | None:
    try:
        from text_to_num import text2num

        return float(text2num(text.lower(), "en"))
    except (ImportError, ValueError):
        return None


def short_value(value: Mapping[str, Any] | None) -> str:
    """A value as a person reads it: "more than 1,200 customers", "10%", "2023-08"."""
    if not value:
        return "no value"
    if "iso" in value:
        return str(value.get("iso") or "unresolved date")
    amount = value.get("amount")
    number = f"{amount:,}" if isinstance(amount, (int, float)) else "?"
    approx = APPROX_WORDS.get(value.get("approx") or "", "")
    unit = value.get("unit") or ""
    if unit == "percent":
        return f"{approx} {number}%".strip()
    return f"{approx} {number} {unit}".strip()



# --------------------------------------------------------------------------- recording


def find_target(store: Store, target_id: str) -> tuple[str, dict[str, Any]]:
    """("claim" | "fact", record) for an id in claims.jsonl or facts.jsonl."""
    target_id = target_id.strip()
    for name, key, kind in (("claims", "claim_id", "claim"), ("facts", "fact_id", "fact")):
        for row in store.read(name):
            if row.get(key) == target_id:
                return kind, row
    if not store.path("claims").exists():
        raise ReviewError(f"no store at {store.out} (run `claims run` first)")
    raise ReviewError(f"no claim or fact with id {target_id!r} in {store.out}")


def record_decision(out: str | Path, target_id: str, decision: str, value: str | Mapping[str, Any] | None = None,
                    note: str | None = None, reviewer: str | None = None) -> dict[str, Any]:
    """Append one decision to ``out``/reviews.jsonl and return the record written.

    ``value`` (for ``correct``) is what the reviewer typed, parsed against the target's kind, or a
    value dict. Raises ``ReviewError`` with a readable reason when the decision cannot stand.
    """
    if decision not in DECISIONS:
        raise ReviewError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    store = Store(out)
    target_type, target = find_target(store, target_id)
    parsed: dict[str, Any] | None = None
    kind = target.get("kind", "")
    if decision == "correct":
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ReviewError("`correct` needs the right value (--value)")
        like = target.get("value") or _first_value(target)
        parsed = dict(value) if isinstance(value, Mapping) else parse_value(kind, value, like)
        check_value(kind, parsed)
    elif value not in (None, ""):
        raise ReviewError(f"`{decision}` takes no value; use `correct` to change one")
    if target_type == "fact" and decision == "accept" and target.get("value") is None:
        raise ReviewError(f"fact {target['fact_id']} has no value to accept ({target.get('status')}); accept one of "
                          "its claims or correct it with a value")
    note = note.strip() if note and note.strip() else None
    who = reviewer_name(reviewer)
    at = _now()
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "review_id": review_id(target_type, target["claim_id" if target_type == "claim" else "fact_id"], decision, at,
                               who, parsed, note),
        "target_type": target_type,
        "target_id": target_id.strip(),
        "decision": decision,
        "value": parsed,
        "reviewer": who,
        "at": at,
        "note": note,
        "context": _context(target_type, target),
    }
    with _append_lock:
        store.append_review(record)
    return record


def _first_value(fact: Mapping[str, Any]) -> dict[str, Any] | None:
    obs = fact.get("observations") or []
    return obs[0]["value"] if obs else None


def _context(target_type: str, target: Mapping[str, Any]) -> dict[str, Any]:
    """What the target looked like when it was decided: enough to report it if it disappears."""
    subject = target.get("subject") or {}
    ctx: dict[str, Any] = {"subject": subject.get("name"), "predicate": target.get("predicate"),
                           "kind": target.get("kind")}
    if target_type == "claim":
        ctx |= {"doc_id": target.get("doc_id"), "path": (target.get("source") or {}).get("path"),
                "text": target.get("text"), "value": target.get("value")}
    else:
        ctx |= {"status": target.get("status"), "value": target.get("value")}
    return ctx


# --------------------------------------------------------------------------- reading the log


def latest_decisions(reviews: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The decision in force on each (target_type, target_id): the last one in the log."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for n, r in enumerate(reviews):
        latest[(r.get("target_type", ""), r.get("target_id", ""))] = r | {"_seq": n}
    return latest


def summary_of(r: Mapping[str, Any]) -> dict[str, Any]:
    return {k: r.get(k) for k in REVIEW_FIELDS}


def describe(r: Mapping[str, Any]) -> str:
    ctx = r.get("context") or {}
    what = f" ({ctx.get('text')!r} in {ctx.get('path')})" if ctx.get("text") else ""
    return (f"review {r.get('review_id')} ({r.get('decision')} by {r.get('reviewer')}, {r.get('at')}): "
            f"{r.get('target_type')} {r.get('target_id')}{what} no longer exists")


# --------------------------------------------------------------------------- applying to facts


def settle_facts(facts: list[dict[str, Any]], claims: list[dict[str, Any]],
                 reviews: list[dict[str, Any]]) -> list[str]:
    """Apply the decisions in force to reconciled facts, in place; return the orphaned fact decisions.

    Called after ``reconcile`` (which already applies a fact-level ``accept``/``correct`` value):
    an accepted claim in a conflict settles it, a rejected fact loses its value, the latest
    value decision wins, and ``review`` lists every decision touching the fact.
    """
    latest = latest_decisions(reviews)
    by_fact = {f["fact_id"]: f for f in facts}
    claim_fact: dict[str, str] = {}
    claims_by_id = {c["claim_id"]: c for c in claims}
    for c in claims:
        key = fact_key(c)
        if key is not None:
            claim_fact[c["claim_id"]] = fact_id(key)
    touching: dict[str, list[dict[str, Any]]] = {}
    orphans: list[str] = []
    for (target_type, target_id), r in latest.items():
        fid = target_id if target_type == "fact" else claim_fact.get(target_id)
        if fid is None or fid not in by_fact:
            if target_type == "fact":
                orphans.append(describe(r))
            continue
        touching.setdefault(fid, []).append(r)
    for fid, decisions in touching.items():
        fact = by_fact[fid]
        decisions.sort(key=lambda r: r["_seq"])
        in_force = None  # the latest decision that sets (or withdraws) the value
        for r in decisions:
            if _sets_value(r, fact):
                in_force = r
        if in_force is not None:
            _set_value(fact, in_force, claims_by_id)
        shown = in_force or decisions[-1]
        fact["review"] = summary_of(shown) | {"decisions": [summary_of(r) for r in decisions]}
    return orphans


def _sets_value(r: Mapping[str, Any], fact: Mapping[str, Any]) -> bool:
    """Whether a decision decides the fact's value (the latest such decision is the one in force)."""
    if r["target_type"] == "fact":
        return r["decision"] in ("reject", "correct") or (r["decision"] == "accept" and bool(r.get("value")))
    return r["decision"] == "accept" and fact["status"] == "conflict" and r["target_id"] in fact["claim_ids"]


def _set_value(fact: dict[str, Any], r: Mapping[str, Any], claims_by_id: Mapping[str, dict[str, Any]]) -> None:
    from .reconcile import _describe

    kind = fact["kind"]
    who = r.get("reviewer") or "unknown"
    note = f" Note: {r['note']}" if r.get("note") else ""
    if r["target_type"] == "claim":
        claim = claims_by_id[r["target_id"]]
        fact["value"] = claim["value"]
        src = claim.get("source") or {}
        origin = src.get("publisher") or src.get("title") or src.get("path")
        explanation = (f"A reviewer ({who}, {r.get('at')}) resolved the conflict by accepting "
                       f"{_describe(claim['value'], kind)} from {origin} (claim {claim['claim_id']}).{note}")
    elif r["decision"] == "reject":
        fact["value"] = None
        explanation = f"A reviewer ({who}, {r.get('at')}) rejected this fact: no value stands.{note}"
    else:
        fact["value"] = r.get("value")
        explanation = f"A reviewer ({who}, {r.get('at')}) set the value to {_describe(r.get('value'), kind)}.{note}"
    fact["resolution"] = {"policy": "reviewer", "explanation": explanation}


# --------------------------------------------------------------------------- the queue


def reviewed_targets(reviews: list[dict[str, Any]]) -> set[str]:
    return {r.get("target_id", "") for r in reviews}


def review_items(out: str | Path | StoreReader, include_reviewed: bool = False) -> list[dict[str, Any]]:
    """What needs a reviewer: conflict facts first, then claims with confidence below 0.75 (lowest first).

    Each item: ``{"kind": "conflict" | "low_confidence", "target_type", "target_id", "pending", "fact",
    "claims", "decision"}``. Items already decided are left out unless ``include_reviewed``; then they
    follow the pending ones.
    """
    reader = out if isinstance(out, StoreReader) else StoreReader(out)
    return build_items(reader.claims(), reader.facts(), reader.reviews(), include_reviewed)


def build_items(claim_rows: list[dict[str, Any]], facts: list[dict[str, Any]], reviews: list[dict[str, Any]],
                include_reviewed: bool = False) -> list[dict[str, Any]]:
    """``review_items`` over records already read."""
    claims = {c["claim_id"]: c for c in claim_rows}
    latest = latest_decisions(reviews)
    decided = reviewed_targets(reviews)
    fact_of = {cid: f for f in facts for cid in f["claim_ids"]}
    items: list[dict[str, Any]] = []
    in_conflict: set[str] = set()
    for f in facts:
        if f["status"] != "conflict":
            continue
        in_conflict.update(f["claim_ids"])
        touched = [t for t in (f["fact_id"], *f["claim_ids"]) if t in decided]
        pending = (f.get("resolution") or {}).get("policy") != "reviewer" and not touched
        decision = latest.get(("fact", f["fact_id"])) or next(
            (latest[("claim", t)] for t in reversed(f["claim_ids"]) if ("claim", t) in latest), None)
        items.append({"kind": "conflict", "target_type": "fact", "target_id": f["fact_id"], "pending": pending,
                      "fact": f, "claims": [claims[c] for c in f["claim_ids"] if c in claims],
                      "decision": _plain(decision)})
    low = sorted((c for c in claims.values() if float(c.get("confidence", 1.0)) < LOW_CONFIDENCE
                  and c["claim_id"] not in in_conflict and "rejected" not in (c.get("flags") or [])),
                 key=lambda c: (float(c.get("confidence", 1.0)), c["source"]["path"], c["span"][0]))
    for c in low:
        decision = latest.get(("claim", c["claim_id"]))
        items.append({"kind": "low_confidence", "target_type": "claim", "target_id": c["claim_id"],
                      "pending": decision is None, "fact": fact_of.get(c["claim_id"]), "claims": [c],
                      "decision": _plain(decision)})
    items.sort(key=lambda i: (not i["pending"], i["kind"] != "conflict"))  # stable: keeps the order above
    return items if include_reviewed else [i for i in items if i["pending"]]


def review_queue(out: str | Path) -> list[dict[str, Any]]:
    """The pending items of ``review_items``: conflict facts, then low-confidence claims, none yet decided."""
    return review_items(out, include_reviewed=False)


def _plain(r: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if r is None else {k: v for k, v in r.items() if k != "_seq"}


def decision_status(record: Mapping[str, Any], reviews: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest logged decision on a claim or fact, with ``applied`` False while no run has applied it yet."""
    target = ("claim", record["claim_id"]) if "claim_id" in record else ("fact", record["fact_id"])
    r = latest_decisions(reviews).get(target)
    if r is None:
        return None
    shown = record.get("review") or {}
    applied = shown.get("review_id") == r.get("review_id") or any(
        d.get("review_id") == r.get("review_id") for d in shown.get("decisions") or [])
    return _plain(r) | {"applied": applied}
