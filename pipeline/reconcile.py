"""Reconciliation: gather claims about one subject and predicate into facts.

Figures are compared as intervals: the interval the wording allows ("more
than 200 million" is [200M, open)) widened by the precision the number was
written at ("1.1 billion" covers 1.05-1.15 billion). Two observations agree
when their intervals meet. Observations are placed in time by their as-of
date (else their article's publication date); values that differ only across
times make a timeline, values that differ for the same time a conflict.
Amounts in different currencies are never compared: the currency is part of
the fact's key.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .config import ReconcileConfig

CURRENCY_LIKE = 3  # ISO 4217 codes are three upper-case letters


@dataclass
class Observation:
    value: dict[str, Any]
    as_of: dict[str, Any] | None
    claim_ids: list[str] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    publishers: list[str] = field(default_factory=list)
    modalities: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "as_of": self.as_of, "claim_ids": self.claim_ids, "doc_ids": self.doc_ids}


FactKey = tuple[str, ...]  # subject id, predicate, kind, currency[, period type of a flow]


def flow_period(claim: dict[str, Any]) -> str | None:
    """The period type a flow figure covers ("quarter", "fiscal_year"), from its qualifiers.

    A flow over a period is identified by its period: a quarter's revenue and a
    year's revenue are different facts, however alike their wording. Levels (a
    rate, a price, a head count) and claims without qualifiers have none.
    """
    q = claim.get("qualifiers") or {}
    if q.get("aspect") in ("flow", "change") and q.get("period_type"):
        return str(q["period_type"])
    return None


def fact_key(claim: dict[str, Any]) -> FactKey | None:
    subject, predicate = claim.get("subject"), claim.get("predicate")
    if not subject or not subject.get("id") or not predicate:
        return None
    unit = (claim.get("value") or {}).get("unit") if claim["kind"] == "figure" else None
    currency = unit if isinstance(unit, str) and len(unit) == CURRENCY_LIKE and unit.isupper() else ""
    if claim["kind"] == "figure" and unit == "percent":
        currency = "percent"
    key: FactKey = (subject["id"], predicate, claim["kind"], currency)
    period = flow_period(claim) if claim["kind"] == "figure" else None
    return (*key, period) if period else key


def _place_unqualified(groups: dict[FactKey, list[dict[str, Any]]], tolerance: float) -> None:
    """A flow whose period type the text does not give joins the fact of its measure that it fits.

    "Revenue rose to $9bn" in an undated article is some period's revenue; when the store
    has that measure for one period type only, that is the fact it belongs to; when it has
    several, it joins the one whose values it agrees with, if exactly one does. Otherwise it
    stays a fact of its own, as before: nothing is guessed.
    """
    qualified: dict[FactKey, list[FactKey]] = defaultdict(list)
    for key in groups:
        if len(key) > 4:
            qualified[key[:4]].append(key)
    for base, keys in qualified.items():
        loose = groups.get(base)
        if not loose:
            continue
        stay = []
        for claim in loose:
            fits = keys if len(keys) == 1 else [
                k for k in keys if any(_agree(claim["kind"], claim["value"], c["value"], tolerance) for c in groups[k])]
            if len(fits) == 1:
                groups[fits[0]].append(claim)
            else:
                stay.append(claim)
        if stay:
            groups[base] = stay
        else:
            del groups[base]


def fact_id(key: FactKey) -> str:
    return "f_" + hashlib.sha256("|".join(key).encode()).hexdigest()[:16]


def interval(value: dict[str, Any], tolerance: float) -> tuple[float, float] | None:
    amount = value.get("amount")
    if not isinstance(amount, (int, float)):
        return None
    step = float(value.get("precision") or 0.0)
    # rounding covers half a step each way, open at the ends: "8%" and "9%" do not meet at 8.5
    half = max(step / 2 * 0.999, abs(amount) * tolerance)
    lo = value.get("min")
    hi = value.get("max")
    low = (lo if isinstance(lo, (int, float)) else -math.inf) - half
    high = (hi if isinstance(hi, (int, float)) else math.inf) + half
    if value.get("approx") is None:
        low, high = amount - half, amount + half
    return low, high


def figures_agree(a: dict[str, Any], b: dict[str, Any], tolerance: float) -> bool:
    ia, ib = interval(a, tolerance), interval(b, tolerance)
    if ia is None or ib is None:
        return False
    return ia[0] <= ib[1] and ib[0] <= ia[1]


def dates_agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if not a.get("start") or not b.get("start"):
        return a.get("iso") == b.get("iso")
    return a["start"] <= b["end"] and b["start"] <= a["end"]


def period_of(claim: dict[str, Any]) -> str | None:
    """When a claim's value held, if the text says: its as-of date (a fiscal period by
    its label, else by its first and last day). Only claims placed in the same period
    can conflict; an undated claim never does."""
    as_of = claim.get("as_of") or {}
    if as_of.get("iso"):
        return str(as_of["iso"])
    if as_of.get("end"):
        return f"{as_of.get('start')}..{as_of['end']}"
    if as_of.get("period_label"):
        return str(as_of["period_label"])
    return None


def _sort_key(claim: dict[str, Any]) -> str:
    """Order for a timeline: as-of date, else publication date, else last."""
    period = period_of(claim)
    if period is not None:
        return period
    published = (claim.get("source") or {}).get("published")
    return str(published) if published else "9999"


def _agree(kind: str, a: dict[str, Any], b: dict[str, Any], tolerance: float) -> bool:
    return figures_agree(a, b, tolerance) if kind == "figure" else dates_agree(a, b)


def _describe(value: dict[str, Any] | None, kind: str) -> str:
    if value is None:
        return "no value"
    if kind == "date":
        return str(value.get("iso"))
    approx = {"more_than": "more than ", "over": "over ", "at_least": "at least ", "less_than": "less than ",
              "up_to": "up to ", "about": "about ", "nearly": "nearly "}.get(value.get("approx") or "", "")
    unit = value.get("unit") or ""
    return f"{approx}{value.get('amount'):,} {unit}".strip()


def reconcile(claims: Iterable[dict[str, Any]], config: ReconcileConfig,
              reviews: dict[str, dict[str, Any]] | None = None,
              same_story: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Facts (SPEC.md facts.jsonl records) from all claims of the store."""
    reviews = reviews or {}
    groups: dict[FactKey, list[dict[str, Any]]] = defaultdict(list)
    for claim in claims:
        if "rejected" in (claim.get("flags") or []):
            continue
        key = fact_key(claim)
        if key is not None:
            groups[key].append(claim)
    _place_unqualified(groups, config.tolerance)
    facts = []
    for key in sorted(groups):
        facts.append(_fact(key, groups[key], config, reviews.get(fact_id(key)), same_story or {}))
    return facts


def _fact(key: FactKey, claims: list[dict[str, Any]], config: ReconcileConfig,
          review: dict[str, Any] | None, same_story: dict[str, str]) -> dict[str, Any]:
    predicate, kind = key[1], key[2]
    claims = sorted(claims, key=lambda c: (_sort_key(c), c["doc_id"], c["span"][0]))
    tol = config.tolerance
    try:
        observations, differ, conflict = _compare(kind, claims, tol)
    except _Unusual:
        observations, differ, conflict = _compare_pairwise(kind, claims, tol)
    # a syndicated copy of a story is the same source as the story
    doc_ids = {same_story.get(c["doc_id"], c["doc_id"]) for c in claims}
    if len(doc_ids) == 1 and not conflict:
        status = "single_source"
    elif conflict:
        status = "conflict"
    elif differ:
        status = "timeline"
    else:
        status = "agreed"
    value: dict[str, Any] | None
    subject = dict(claims[0]["subject"])
    subject.pop("text", None)
    if status == "conflict":
        value = None
        ranked = sorted(observations, key=lambda o: -_weight(o, config))
        explanation = (f"{len(observations)} values for the same time disagree: "
                       + "; ".join(f"{_describe(o.value, kind)} ({_sources(o)})" for o in ranked)
                       + "; a reviewer must decide.")
    elif status == "timeline":
        latest = observations[-1]
        value = latest.value
        explanation = ("Values differ but held at different times ("
                       + ", ".join(f"{_describe(o.value, kind)} as of {_when(o)}" for o in observations)
                       + f"); the latest, {_describe(value, kind)}, stands.")
    else:
        # every claim agrees: stand behind the most trusted, then the most precise, wording
        best_claim = min(claims, key=lambda c: (-_claim_weight(c, config), _width(c["value"], kind, tol)))
        value = best_claim["value"]
        n_docs = len(doc_ids)
        explanation = (f"{len(claims)} claim(s) from {n_docs} source(s) agree on {_describe(value, kind)}."
                       if status == "agreed" else f"One source states {_describe(value, kind)}.")
    policy = "interval_overlap_by_period"
    if review is not None and review.get("decision") in ("accept", "correct") and review.get("value"):
        value = review["value"]
        policy = "reviewer"
        explanation = f"A reviewer ({review.get('reviewer')}) set the value to {_describe(value, kind)}."
    shared = shared_qualifiers(claims)
    if shared:
        explanation = f"Compared as {_qualifier_text(shared)}. {explanation}"
    fact = {
        "schema_version": "1",
        "fact_id": fact_id(key),
        "subject": subject,
        "predicate": predicate,
        "kind": kind,
        "status": status,
        "value": value,
        "observations": [o.to_dict() for o in observations],
        "claim_ids": [c["claim_id"] for c in claims],
        "resolution": {"policy": policy, "explanation": explanation},
        "review": review,
    }
    measures = {c.get("measure") for c in claims}
    if len(measures) == 1 and None not in measures:
        fact["measure"] = measures.pop()
    if shared:
        fact["qualifiers"] = shared
    return fact


QUALIFIER_FIELDS = ("stage", "aspect", "period_type", "basis")


def shared_qualifiers(claims: list[dict[str, Any]]) -> dict[str, str]:
    """The qualifiers every claim of a fact has in common (what made them comparable)."""
    out: dict[str, str] = {}
    for name in QUALIFIER_FIELDS:
        values = {(c.get("qualifiers") or {}).get(name) for c in claims}
        if len(values) == 1 and None not in values:
            out[name] = str(values.pop())
    return out


def _qualifier_text(q: dict[str, str]) -> str:
    """"stage forecast, aspect flow, period_type quarter": the qualifiers a reviewer needs to see."""
    return ", ".join(f"{name} {q[name]}" for name in QUALIFIER_FIELDS if name in q)


def _claim_weight(claim: dict[str, Any], config: ReconcileConfig) -> float:
    publisher = (claim.get("source") or {}).get("publisher") or ""
    bonus = 0.01 if config.prefer_asserted and claim.get("modality", "asserted") == "asserted" else 0.0
    return config.publisher_weights.get(publisher, 1.0) + bonus


def _weight(obs: Observation, config: ReconcileConfig) -> float:
    """How much the fact store trusts an observation: its best publisher's weight (config
    ``publisher_weights``, default 1), a little more when a source asserts it outright."""
    weights = [config.publisher_weights.get(p, 1.0) for p in obs.publishers] or [1.0]
    bonus = 0.01 if config.prefer_asserted and "asserted" in obs.modalities else 0.0
    return max(weights) + bonus


def _sources(obs: Observation) -> str:
    names = sorted({p for p in obs.publishers if p})
    return ", ".join(names) if names else f"{len(obs.doc_ids)} source(s)"


def _when(obs: Observation) -> str:
    as_of = obs.as_of or {}
    return str(as_of.get("iso") or as_of.get("period_label") or "its publication")


def _width(value: dict[str, Any], kind: str, tol: float) -> float:
    if kind == "date":
        return {"day": 0, "month": 1, "quarter": 2, "year": 3}.get(value.get("granularity") or "", 4)
    iv = interval(value, tol)
    return (iv[1] - iv[0]) if iv else math.inf


class _Unusual(Exception):
    """A value the linear-time comparison does not handle (NaN, a date without bounds, an odd as-of):
    the group is compared pair by pair instead."""


def _as_of_iso(claim: dict[str, Any]) -> str | None:
    iso = (claim.get("as_of") or {}).get("iso")
    if iso is not None and not isinstance(iso, str):
        raise _Unusual  # compared with == by the pairwise loop; keep that meaning
    return period_of(claim)


def _all_agree(kind: str, claims: list[dict[str, Any]], intervals: list[tuple[float, float] | None],
               indexes: list[int]) -> bool:
    """Whether every pair of the claims at ``indexes`` agrees, in O(n) instead of O(n^2).

    Intervals on a line agree pairwise exactly when every one starts no later than every *other*
    one ends (for each i: low_i <= min over j != i of high_j), so the smallest and second smallest
    end are all that is needed. Dates compare the same way on their ISO day bounds; a date without
    bounds agrees only with an equal ``iso``.
    """
    if len(indexes) < 2:
        return True
    if kind == "figure":
        pairs = []
        for i in indexes:
            iv = intervals[i]
            if iv is None:
                return False  # an amount that is no number agrees with nothing
            pairs.append(iv)
        return _pairwise_overlap(pairs)
    bounded: list[tuple[str, str]] = []
    isos: set[str | None] = set()
    for i in indexes:
        value = claims[i]["value"]
        start, iso = value.get("start"), value.get("iso")
        if iso is not None and not isinstance(iso, str):
            raise _Unusual
        isos.add(iso)
        if not start:
            continue
        end = value.get("end")
        if not isinstance(start, str) or not isinstance(end, str):
            raise _Unusual
        bounded.append((start, end))
    unbounded = len(indexes) - len(bounded)
    if unbounded and len(isos) > 1:
        return False  # an unbounded date agrees only with dates of the same iso, bounded or not
    return _pairwise_overlap(bounded)


def _pairwise_overlap(pairs: list[tuple[Any, Any]]) -> bool:
    if len(pairs) < 2:
        return True
    first = second = None  # indexes of the smallest and second smallest high end
    for n, (_, high) in enumerate(pairs):
        if first is None or high < pairs[first][1]:
            first, second = n, first
        elif second is None or high < pairs[second][1]:
            second = n
    assert first is not None and second is not None
    return all(low <= pairs[second if n == first else first][1] for n, (low, _) in enumerate(pairs))


def _compare(kind: str, claims: list[dict[str, Any]], tol: float) -> tuple[list[Observation], bool, bool]:
    """Observations (distinct values per as-of time), whether any two claims differ, and whether two
    differ in one period (a conflict): the result of ``_compare_pairwise`` in linear time for the
    pairwise checks. Raises ``_Unusual`` for values it does not handle."""
    intervals: list[tuple[float, float] | None] = []
    if kind == "figure":
        try:
            intervals = [interval(c["value"], tol) for c in claims]
        except (TypeError, ValueError, AttributeError) as err:
            raise _Unusual from err
        for iv in intervals:
            if iv is not None and (iv[0] != iv[0] or iv[1] != iv[1]):
                raise _Unusual  # NaN compares false with everything: leave it to the pairwise loop

    def agree(i: int, j: int) -> bool:
        if kind == "figure":
            a, b = intervals[i], intervals[j]
            return a is not None and b is not None and a[0] <= b[1] and b[0] <= a[1]
        return dates_agree(claims[i]["value"], claims[j]["value"])

    # distinct values: a claim joins the first observation of its as-of time whose value agrees
    observations: list[Observation] = []
    by_time: dict[str | None, list[tuple[int, Observation, set[str]]]] = {}
    for n, c in enumerate(claims):
        bucket = by_time.setdefault(_as_of_iso(c), [])
        found = next((entry for entry in bucket if agree(entry[0], n)), None)
        if found is None:
            found = (n, Observation(value=c["value"], as_of=c.get("as_of")), set())
            observations.append(found[1])
            bucket.append(found)
        _, obs, docs = found
        obs.claim_ids.append(c["claim_id"])
        if c["doc_id"] not in docs:
            docs.add(c["doc_id"])
            obs.doc_ids.append(c["doc_id"])
        obs.publishers.append((c.get("source") or {}).get("publisher") or "")
        obs.modalities.append(c.get("modality") or "asserted")
    everyone = list(range(len(claims)))
    differ = not _all_agree(kind, claims, intervals, everyone)
    conflict = False
    if differ:
        periods: dict[str, list[int]] = {}
        for n, c in enumerate(claims):
            p = period_of(c)
            if p is not None:
                periods.setdefault(p, []).append(n)
        conflict = any(not _all_agree(kind, claims, intervals, idx) for idx in periods.values())
    return observations, differ, conflict


def _compare_pairwise(kind: str, claims: list[dict[str, Any]], tol: float
                      ) -> tuple[list[Observation], bool, bool]:
    """The reference comparison, pair by pair (O(n^2)); ``_compare`` gives the same result."""
    observations: list[Observation] = []
    for c in claims:
        for obs in observations:
            same_time = period_of({"as_of": obs.as_of}) == period_of(c)
            if same_time and _agree(kind, obs.value, c["value"], tol):
                break
        else:
            obs = Observation(value=c["value"], as_of=c.get("as_of"))
            observations.append(obs)
        obs.claim_ids.append(c["claim_id"])
        if c["doc_id"] not in obs.doc_ids:
            obs.doc_ids.append(c["doc_id"])
        obs.publishers.append((c.get("source") or {}).get("publisher") or "")
        obs.modalities.append(c.get("modality") or "asserted")
    # compare every pair of claims: disagreement in one period is a conflict
    conflict = False
    differ = False
    for i, a in enumerate(claims):
        for b in claims[i + 1 :]:
            if _agree(kind, a["value"], b["value"], tol):
                continue
            differ = True
            pa, pb = period_of(a), period_of(b)
            if pa is not None and pa == pb:
                conflict = True
    return observations, differ, conflict
