"""What a run changed: the facts before and after, compared, and the run's record for runs.jsonl.

The first question an analyst asks of a new drop is what it changed: which
facts are new, which running figures got a new point, which agreed facts now
conflict, which values moved, which were confirmed by another source. The
comparison is a pure function of the two fact lists (``fact_changes``), so
what it reports can be checked without running the pipeline; the run appends
its result to ``runs.jsonl`` (SPEC.md), a log no run ever rewrites.

Each change: ``{fact_id, change, from, to, subject, predicate, status,
claims_added}``; ``change`` is one of SPEC.md's ``created``,
``observation_added``, ``status_changed``, ``value_changed``, ``removed``, or
``confirmed`` (added here: new claims joined an existing observation, so the
same value has more sources). ``from``/``to`` hold the status or value before
and after (null where none); for ``observation_added`` ``to`` is the new
observation's value, with its ``as_of``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

CHANGES = ("created", "observation_added", "status_changed", "value_changed", "confirmed", "removed")
# the fields of a fact a change log keeps (the facts file is rewritten by every run, the log is not)
_KEPT = ("fact_id", "subject", "predicate", "status", "value", "observations", "claim_ids")


def fact_digest(fact: Mapping[str, Any]) -> dict[str, Any]:
    """What a later comparison needs of a fact, and nothing else."""
    return {k: fact.get(k) for k in _KEPT}


def _same_value(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> bool:
    """Values equal in what they say (amount, unit, interval, date), whatever else they carry."""
    if a is None or b is None:
        return a is b
    keys = ("amount", "unit", "approx", "min", "max", "iso", "start", "end")
    return all(a.get(k) == b.get(k) for k in keys)


def _observation_key(o: Mapping[str, Any]) -> tuple[Any, ...]:
    v, when = o.get("value") or {}, o.get("as_of") or {}
    return (v.get("amount"), v.get("unit"), v.get("iso"), v.get("start"), when.get("iso"), when.get("start"))


def _entry(fact: Mapping[str, Any], change: str, before: Any, after: Any, added: list[str]) -> dict[str, Any]:
    subject = fact.get("subject") or {}
    return {"fact_id": fact["fact_id"], "change": change, "from": before, "to": after,
            "subject": subject.get("name"), "predicate": fact.get("predicate"), "status": fact.get("status"),
            "claims_added": added}


def fact_changes(before: Iterable[Mapping[str, Any]], after: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every change from one set of facts to the next, in the order of ``after`` (removals last).

    A fact that is new is ``created`` (and nothing else); for one that was there, each new
    observation is ``observation_added``, a new status ``status_changed``, a new value the store
    stands behind ``value_changed``; new claims that changed none of these ``confirmed`` it."""
    old = {f["fact_id"]: f for f in before}
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for fact in after:
        fid = fact["fact_id"]
        seen.add(fid)
        prev = old.get(fid)
        added = sorted(set(fact.get("claim_ids") or []) - set((prev or {}).get("claim_ids") or []))
        if prev is None:
            out.append(_entry(fact, "created", None, fact.get("value"), added))
            continue
        n = len(out)
        known = {_observation_key(o) for o in prev.get("observations") or []}
        for o in fact.get("observations") or []:
            if _observation_key(o) not in known:
                point = dict(o.get("value") or {}, as_of=o.get("as_of"))
                out.append(_entry(fact, "observation_added", None, point,
                                  sorted(set(o.get("claim_ids") or []) & set(added))))
        if prev.get("status") != fact.get("status"):
            out.append(_entry(fact, "status_changed", prev.get("status"), fact.get("status"), added))
        if not _same_value(prev.get("value"), fact.get("value")):
            out.append(_entry(fact, "value_changed", prev.get("value"), fact.get("value"), added))
        if len(out) == n and added:
            out.append(_entry(fact, "confirmed", fact.get("value"), fact.get("value"), added))
    for fid, prev in old.items():
        if fid not in seen:
            out.append(_entry(prev, "removed", prev.get("value"), None, []))
    return out


def document_changes(before: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]]
                     ) -> dict[str, int]:
    """Counts of documents added, changed (same path, new text), removed, unchanged, and errors,
    from the documents rows (by doc_id) before and after a run."""
    old_ok = {k: r for k, r in before.items() if r.get("status") == "ok"}
    old_paths = {(r.get("drop"), r.get("path")) for r in old_ok.values()}
    new_ok = {k: r for k, r in after.items() if r.get("status") == "ok"}
    new_paths = {(r.get("drop"), r.get("path")) for r in new_ok.values()}
    counts = {"added": 0, "changed": 0, "removed": 0, "unchanged": 0,
              "errors": sum(r.get("status") == "error" for r in after.values())}
    for k, r in new_ok.items():
        if k in old_ok:
            counts["unchanged"] += 1
        elif (r.get("drop"), r.get("path")) in old_paths:
            counts["changed"] += 1
        else:
            counts["added"] += 1
    counts["removed"] = sum(k not in new_ok and (r.get("drop"), r.get("path")) not in new_paths
                            for k, r in old_ok.items())
    return counts
