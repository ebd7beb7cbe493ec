"""The measure catalogue: what a figure can measure, and the words that name each measure.

The catalogue (``pipeline/data/measures.yaml``) is written top-down from what
news reports, domain by domain. A measure has an id, an aspect (a ``flow``
over a period or a ``level`` at an instant), the kinds of value it takes, the
nouns and verbs that name it, and the kinds of subject that can have it.
Extraction asks two questions of it: which measure does this noun phrase name
for this kind of value ("sales" in money is revenue, in a count unit sales),
and which measure does this verb make of what it counts ("delivered 735
aircraft" is deliveries). Anything the catalogue does not name is no measure,
so a stray word ("record", "chipmaker") never becomes a predicate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data" / "measures.yaml"
VALUE_TYPES = frozenset({"currency", "percent", "count", "ratio", "index", "quantity"})
ASPECTS = frozenset({"flow", "level"})
SUBJECT_KINDS = frozenset({"ORG", "GPE", "PRODUCT", "PERSON", "MARKET"})


@dataclass(frozen=True)
class Measure:
    id: str
    aspect: str
    values: frozenset[str]
    nouns: tuple[str, ...]
    verbs: tuple[str, ...]
    counted: frozenset[str]
    subjects: frozenset[str]
    change_of: frozenset[str] = frozenset()


class CatalogueError(ValueError):
    """The catalogue file breaks its own rules (an unknown value type, a duplicate id)."""


@dataclass(frozen=True)
class Catalogue:
    measures: tuple[Measure, ...]
    by_id: dict[str, Measure]
    by_noun: dict[str, tuple[Measure, ...]]
    by_verb: dict[str, tuple[Measure, ...]]
    by_change_of: dict[str, Measure]
    kind_of_label: dict[str, str]

    def can_have(self, measure_id: str | None, label: str) -> bool:
        """Whether an entity of ``label`` can have the measure at all (unknown measures: yes)."""
        known = self.by_id.get(measure_id or "")
        if known is None or not known.subjects:
            return True
        return self.kind_of_label.get(label, label) in known.subjects

    def changed_by(self, phrases: Iterable[str]) -> Measure | None:
        """The measure that is the percentage change of what a phrase names ("consumer prices" -> inflation)."""
        return next((self.by_change_of[p] for p in phrases if p in self.by_change_of), None)

    def for_noun(self, phrases: Iterable[str], value_type: str | None) -> tuple[Measure | None, bool]:
        """The measure the first of ``phrases`` (longest first) names, and whether it takes
        ``value_type``. A measure of the right value type wins over an earlier one of another."""
        fallback: Measure | None = None
        for phrase in phrases:
            found = self.by_noun.get(phrase)
            if not found:
                continue
            typed = next((m for m in found if value_type is None or value_type in m.values), None)
            if typed is not None:
                return typed, True
            fallback = fallback or found[0]
        return fallback, False

    def for_verb(self, verbs: Iterable[str], value_type: str, counted: str | None) -> Measure | None:
        """The measure a verb makes of what it counts or is worth ("hand over 20 jets", "raise $5m")."""
        for verb in verbs:
            for m in self.by_verb.get(verb, ()):
                if value_type not in m.values:
                    continue
                if m.counted and (counted is None or counted not in m.counted):
                    continue
                return m
        return None


def _words(values: Iterable[object]) -> tuple[str, ...]:
    return tuple(str(v).lower() for v in values)


@lru_cache(maxsize=4)
def load_catalogue(path: Path = DATA) -> Catalogue:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    measures = []
    seen: set[str] = set()
    for n, row in enumerate(data["measures"], 1):
        mid = row.get("id")
        if not mid or mid in seen:
            raise CatalogueError(f"{path.name}: measure {n} has no id or a duplicate id {mid!r}")
        seen.add(mid)
        values = frozenset(row.get("values", []))
        if not values or values - VALUE_TYPES:
            raise CatalogueError(f"{path.name}: {mid}: unknown value types {sorted(values - VALUE_TYPES)}")
        if row.get("aspect") not in ASPECTS:
            raise CatalogueError(f"{path.name}: {mid}: aspect must be one of {sorted(ASPECTS)}")
        subjects = frozenset(row.get("subjects", []))
        if subjects - SUBJECT_KINDS:
            raise CatalogueError(f"{path.name}: {mid}: unknown subject kinds {sorted(subjects - SUBJECT_KINDS)}")
        measures.append(Measure(mid, row["aspect"], values, _words(row.get("nouns", [])),
                                _words(row.get("verbs", [])), frozenset(_words(row.get("counted", []))), subjects,
                                frozenset(_words(row.get("change_of", [])))))
    by_noun: dict[str, list[Measure]] = {}
    by_verb: dict[str, list[Measure]] = {}
    for m in measures:
        for noun in (m.id.replace("_", " "), *m.nouns):
            by_noun.setdefault(noun, []).append(m)
        for verb in m.verbs:
            by_verb.setdefault(verb, []).append(m)
    by_change_of = {noun: m for m in reversed(measures) for noun in m.change_of}
    kinds = {str(k): str(v) for k, v in (data.get("subject_kind_of_label") or {}).items()}
    if unknown := set(kinds.values()) - SUBJECT_KINDS:
        raise CatalogueError(f"{path.name}: subject_kind_of_label: unknown kinds {sorted(unknown)}")
    return Catalogue(tuple(measures), {m.id: m for m in measures},
                     {k: tuple(v) for k, v in by_noun.items()}, {k: tuple(v) for k, v in by_verb.items()}, by_change_of,
                     kinds)
