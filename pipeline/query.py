"""Reading a store: its records, filtered, and pandas frames with the nesting flattened.

Downstream code should not have to know that a figure's amount sits at
``value.amount`` or a source's date at ``source.published``: ``StoreReader``
returns the SPEC.md records as they are (``facts()``, ``claims()``, ...), and
the same records as DataFrames whose columns are named once here
(``FACT_COLUMNS``, ``CLAIM_COLUMNS``, ...), the columns the CSV exports carry
and the README lists. Filters are the questions analysts ask first: a subject
(its id, or part of its name), a predicate, a status, and a range of dates the
figures held at.

    reader = StoreReader("outputs")
    conflicts = reader.frame("facts", status="conflict")
    evidence = reader.fact_claims(subject="netflix")   # one row per claim, with its fact and document
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .store import Store

if TYPE_CHECKING:
    import pandas as pd

Record = dict[str, Any]
Getter = Callable[[Mapping[str, Any]], Any]
NAMES = ("facts", "claims", "entities", "documents", "reviews", "runs")


def _at(*path: str) -> Getter:
    """A getter for a nested field: ``_at("value", "amount")`` reads ``record["value"]["amount"]``."""
    def get(record: Mapping[str, Any]) -> Any:
        cur: Any = record
        for key in path:
            if not isinstance(cur, Mapping):
                return None
            cur = cur.get(key)
        return cur
    return get


def _joined(*path: str, sep: str = "|") -> Getter:
    """A list field as one text (None when empty, which a CSV file reads back the same)."""
    get = _at(*path)
    return lambda r: sep.join(str(x) for x in get(r)) if get(r) else None


def _count(*path: str) -> Getter:
    get = _at(*path)
    return lambda r: len(get(r) or [])


def _latest_as_of(field: str) -> Getter:
    """The as-of of the fact's latest observation (the one its value is, for a timeline)."""
    def get(fact: Mapping[str, Any]) -> Any:
        dated = [o["as_of"] for o in fact.get("observations") or [] if o.get("as_of")]
        return max(dated, key=lambda a: str(a.get("start") or a.get("iso") or ""))[field] if dated else None
    return get


def _sources(fact: Mapping[str, Any]) -> int:
    return len({d for o in fact.get("observations") or [] for d in o.get("doc_ids") or []})


# column -> how it is read from a record; the order is the order of the frames and the CSV files
FACT_COLUMNS: dict[str, Getter] = {
    "fact_id": _at("fact_id"), "subject_id": _at("subject", "id"), "subject_name": _at("subject", "name"),
    "subject_type": _at("subject", "type"), "predicate": _at("predicate"), "measure": _at("measure"),
    "kind": _at("kind"), "status": _at("status"),
    "value_amount": _at("value", "amount"), "value_unit": _at("value", "unit"),
    "value_approx": _at("value", "approx"), "value_min": _at("value", "min"), "value_max": _at("value", "max"),
    "value_iso": _at("value", "iso"),
    "as_of_iso": _latest_as_of("iso"), "as_of_granularity": _latest_as_of("granularity"),
    "period_type": _at("qualifiers", "period_type"), "basis": _at("qualifiers", "basis"),
    "aspect": _at("qualifiers", "aspect"), "stage": _at("qualifiers", "stage"),
    "n_observations": _count("observations"), "n_claims": _count("claim_ids"), "n_sources": _sources,
    "review_decision": _at("review", "decision"), "explanation": _at("resolution", "explanation"),
}
CLAIM_COLUMNS: dict[str, Getter] = {
    "claim_id": _at("claim_id"), "doc_id": _at("doc_id"), "kind": _at("kind"), "text": _at("text"),
    "subject_id": _at("subject", "id"), "subject_name": _at("subject", "name"),
    "subject_type": _at("subject", "type"), "predicate": _at("predicate"), "measure": _at("measure"),
    "value_amount": _at("value", "amount"), "value_unit": _at("value", "unit"),
    "value_approx": _at("value", "approx"), "value_min": _at("value", "min"), "value_max": _at("value", "max"),
    "value_iso": _at("value", "iso"), "value_start": _at("value", "start"), "value_end": _at("value", "end"),
    "as_of_iso": _at("as_of", "iso"), "as_of_granularity": _at("as_of", "granularity"),
    "as_of_start": _at("as_of", "start"), "as_of_end": _at("as_of", "end"),
    "period_type": _at("qualifiers", "period_type"), "basis": _at("qualifiers", "basis"),
    "aspect": _at("qualifiers", "aspect"), "stage": _at("qualifiers", "stage"),
    "modality": _at("modality"), "speaker": _at("attribution", "speaker"), "confidence": _at("confidence"),
    "source_path": _at("source", "path"), "source_title": _at("source", "title"),
    "source_publisher": _at("source", "publisher"), "source_published": _at("source", "published"),
    "source_url": _at("source", "url"), "sentence": _at("sentence"), "flags": _joined("flags", sep=";"),
}
ENTITY_COLUMNS: dict[str, Getter] = {
    "entity_id": _at("entity_id"), "name": _at("name"), "type": _at("type"), "aliases": _joined("aliases"),
    "n_documents": _count("doc_ids"), "mention_count": _at("mention_count"),
}
DOCUMENT_COLUMNS: dict[str, Getter] = {
    name: _at(name) for name in ("doc_id", "path", "sha256", "title", "publisher", "published", "url", "n_chars",
                                 "status", "error", "ingested_at", "near_duplicate_of")
}
REVIEW_COLUMNS: dict[str, Getter] = {
    "review_id": _at("review_id"), "target_type": _at("target_type"), "target_id": _at("target_id"),
    "decision": _at("decision"), "value_amount": _at("value", "amount"), "value_unit": _at("value", "unit"),
    "reviewer": _at("reviewer"), "at": _at("at"), "note": _at("note"),
}
RUN_COLUMNS: dict[str, Getter] = {
    "run_id": _at("run_id"), "started_at": _at("started_at"), "finished_at": _at("finished_at"),
    "config_fingerprint": _at("config_fingerprint"), "drops": _joined("drops"),
    **{f"documents_{k}": _at("documents", k) for k in ("added", "changed", "removed", "unchanged", "errors")},
    "fact_changes": _count("facts"),
}
COLUMNS: dict[str, dict[str, Getter]] = {
    "facts": FACT_COLUMNS, "claims": CLAIM_COLUMNS, "entities": ENTITY_COLUMNS, "documents": DOCUMENT_COLUMNS,
    "reviews": REVIEW_COLUMNS, "runs": RUN_COLUMNS,
}


def flatten(name: str, record: Mapping[str, Any]) -> Record:
    """One record of ``name`` as a flat row of that file's columns."""
    return {col: get(record) for col, get in COLUMNS[name].items()}


def _day(value: str | date | None) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else date.fromisoformat(str(value)[:10]).isoformat()


def _held_in(period: Mapping[str, Any] | None, since: str | None, until: str | None) -> bool:
    """Whether a date value (its first to last day) overlaps [since, until]; open ends are open."""
    if not period:
        return False
    start, end = period.get("start") or period.get("iso"), period.get("end") or period.get("start")
    if start is None:
        return False
    return (until is None or str(start)[:10] <= until) and (since is None or str(end or start)[:10] >= since)


def _subject_matches(subject: Mapping[str, Any] | None, wanted: str) -> bool:
    if not subject:
        return False
    w = wanted.casefold()
    return subject.get("id") == wanted or w in str(subject.get("name") or "").casefold()


class StoreReader:
    """Read one store folder (``claims run --out``); each file is read once and kept."""

    def __init__(self, out: str | Path) -> None:
        self.store = Store(out)
        self._cache: dict[str, list[Record]] = {}

    @property
    def review_problems(self) -> list[str]:
        """Why each reviews.jsonl line that cannot be applied was left out (reviews are read first)."""
        self.records("reviews")
        return self.store.review_problems

    def records(self, name: str) -> list[Record]:
        """Every record of one file (``facts``, ``claims``, ``entities``, ``documents``, ``reviews``, ``runs``)."""
        if name not in NAMES:
            raise ValueError(f"no such store file: {name!r} (one of {', '.join(NAMES)})")
        if name not in self._cache:  # a reviews line that cannot be applied is left out (``review_problems``)
            self._cache[name] = self.store.reviews() if name == "reviews" else self.store.read(name)
        return self._cache[name]

    def facts(self, *, subject: str | None = None, predicate: str | None = None, status: str | None = None,
              since: str | date | None = None, until: str | date | None = None) -> list[Record]:
        """Facts, filtered: ``subject`` is an entity id or part of a name; ``since``/``until`` keep the
        facts with an observation that held in the range."""
        lo, hi = _day(since), _day(until)
        out = []
        for f in self.records("facts"):
            if subject and not _subject_matches(f.get("subject"), subject):
                continue
            if predicate and f.get("predicate") != predicate or status and f.get("status") != status:
                continue
            if (lo or hi) and not any(_held_in(o.get("as_of") or (o.get("value") if f.get("kind") == "date"
                                                                   else None), lo, hi)
                                      for o in f.get("observations") or []):
                continue
            out.append(f)
        return out

    def claims(self, *, subject: str | None = None, predicate: str | None = None, kind: str | None = None,
               since: str | date | None = None, until: str | date | None = None,
               fact_id: str | None = None, doc_id: str | None = None) -> list[Record]:
        """Claims, filtered like ``facts``; a figure is dated by its as-of, a date claim by its value."""
        lo, hi = _day(since), _day(until)
        wanted = set(self.fact(fact_id)["claim_ids"]) if fact_id and self.fact(fact_id) else None
        if fact_id and wanted is None:
            return []
        out = []
        for c in self.records("claims"):
            if wanted is not None and c["claim_id"] not in wanted or doc_id and c.get("doc_id") != doc_id:
                continue
            if subject and not _subject_matches(c.get("subject"), subject):
                continue
            if predicate and c.get("predicate") != predicate or kind and c.get("kind") != kind:
                continue
            if (lo or hi) and not _held_in(c.get("value") if c.get("kind") == "date" else c.get("as_of"), lo, hi):
                continue
            out.append(c)
        return out

    def entities(self) -> list[Record]:
        return self.records("entities")

    def documents(self) -> list[Record]:
        return self.records("documents")

    def reviews(self) -> list[Record]:
        return self.records("reviews")

    def runs(self, *, run_id: str | None = None, since: str | date | None = None) -> list[Record]:
        """The change log, oldest first: one run, or the runs that started on or after ``since``."""
        lo = _day(since)
        return [r for r in self.records("runs")
                if (run_id is None or r.get("run_id") == run_id)
                and (lo is None or str(r.get("started_at") or "")[:10] >= lo)]

    def fact(self, fact_id: str) -> Record | None:
        return next((f for f in self.records("facts") if f["fact_id"] == fact_id), None)

    def claim(self, claim_id: str) -> Record | None:
        return next((c for c in self.records("claims") if c["claim_id"] == claim_id), None)

    def frame(self, name: str, records: Iterable[Mapping[str, Any]] | None = None, **filters: Any) -> pd.DataFrame:
        """A file's records (or ``records`` of it) as a DataFrame of its flat columns.

        ``filters`` are those of ``facts``, ``claims`` or ``runs``; the other files take none."""
        import pandas as pd

        if records is None:
            if filters:
                pick = {"facts": self.facts, "claims": self.claims, "runs": self.runs}.get(name)
                if pick is None:
                    raise ValueError(f"{name} takes no filters")
                records = pick(**filters)
            else:
                records = self.records(name)
        rows = [flatten(name, r) for r in records]
        return pd.DataFrame(rows, columns=list(COLUMNS[name]))

    def fact_claims(self, **filters: Any) -> pd.DataFrame:
        """Facts (filtered like ``facts``) joined to their claims and the claims' documents: one row
        per claim: the fact's columns (those a claim has too end in ``_fact``), the claim's, then the
        document's (prefixed ``doc_``)."""
        import pandas as pd

        facts = self.facts(**filters)
        pairs = [{"fact_id": f["fact_id"], "claim_id": cid} for f in facts for cid in f["claim_ids"]]
        link = pd.DataFrame(pairs, columns=["fact_id", "claim_id"])
        fact_frame = self.frame("facts", facts)
        claim_frame = self.frame("claims", [c for c in self.records("claims")
                                            if c["claim_id"] in set(link["claim_id"])])
        docs = self.frame("documents").add_prefix("doc_").rename(columns={"doc_doc_id": "doc_id"})
        joined = link.merge(fact_frame, on="fact_id", how="left")
        joined = joined.merge(claim_frame, on="claim_id", how="left", suffixes=("_fact", ""))
        return joined.merge(docs, on="doc_id", how="left")
