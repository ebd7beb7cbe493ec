"""Roles that rule a name out as the subject of a figure.

A sentence names many things besides the organisation whose figure it gives:
the city a wire story was filed from ("OSLO (AP) -"), the place in "the
Oslo-based insurer", the outlet or authority that published the number ("a
filing with the regulator", "according to the consultancy", "told the
newspaper"), the investors of a funding round ("a round led by X"). A
subject finder that takes the nearest name picks these up; these functions
say, from the parse alone, when a name plays one of those roles, so that the
subject finder can pass over it and fall back on the organisation the
article is about, or on nothing.

Each function is pure over spaCy tokens; the word lists live in
``pipeline/data/subject_roles.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol, TypeVar

import yaml
from spacy.tokens import Span

DATA = Path(__file__).parent / "data" / "subject_roles.yaml"


@dataclass(frozen=True)
class RoleWords:
    """The role vocabularies, loaded once from the data file."""

    dateline: re.Pattern[str]
    location_participles: frozenset[str]
    report_nouns: frozenset[str]
    report_preps: frozenset[str]
    tell_verbs: frozenset[str]
    governing_nouns: frozenset[str]
    backing_verbs: frozenset[str]
    investor_nouns: frozenset[str]
    adjective_labels: frozenset[str]


@lru_cache(maxsize=4)
def load_role_words(path: Path = DATA) -> RoleWords:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sets = {k: frozenset(str(w) if k == "adjective_labels" else str(w).lower() for w in v)
            for k, v in data.items() if isinstance(v, list)}
    pattern = "".join(line.strip() for line in data["dateline"].splitlines())
    return RoleWords(dateline=re.compile(pattern, re.MULTILINE), **sets)


def dateline_ranges(text: str, words: RoleWords | None = None, *, window: int = 600) -> list[tuple[int, int]]:
    """Character ranges of wire datelines at the start of a paragraph in the first ``window`` characters.

    A dateline's place is either in capitals ("NAIROBI, Kenya -") or followed by
    a wire credit ("Nairobi (Reuters) -"): a title-case phrase and a dash alone
    is an ordinary sentence ("Profit rose - again").
    """
    words = words or load_role_words()
    out = []
    for m in words.dateline.finditer(text[:window]):
        if m.start() > 0 and text[m.start() - 1] != "\n":
            continue
        place = m.group("place").strip()
        first = place.split()[0] if place else ""
        if (len(first) >= 3 and first.isupper()) or m.group("credit"):
            out.append((m.start(), m.end()))
    return out


def after_dateline(span: Span, ranges: Iterable[tuple[int, int]]) -> Span | None:
    """The part of an entity span after a dateline it runs into ("NAIROBI - Safaricom" -> "Safaricom").

    None when the whole span lies inside the dateline; the span itself when it does not touch one.
    """
    for a, b in ranges:
        if a <= span.start_char < b:
            rest = [t for t in span if t.idx >= b]
            if not rest:
                return None
            return span.doc[rest[0].i : span.end]
    return span


def in_ranges(offset: int, ranges: Iterable[tuple[int, int]]) -> bool:
    return any(a <= offset < b for a, b in ranges)


def is_location_modifier(span: Span, words: RoleWords | None = None,
                         org_nouns: frozenset[str] = frozenset()) -> bool:
    """"the Oslo-based insurer", "a Texas-headquartered chain", "the UK airport", "Japan's Nintendo":
    the place says where the organisation is, not whose figure it is."""
    words = words or load_role_words()
    doc = span.doc
    root = span.root
    if span.label_ == "GPE" and root.dep_ in ("compound", "amod", "nmod", "poss") and \
            root.head.lemma_.lower() not in words.governing_nouns and (
            root.head.lemma_.lower() in org_nouns or root.head.ent_type_ in ("ORG", "FAC")):
        return True
    # "the Leeds company", "the Ohio chain", whatever label the model gave the place: a name between
    # "the" and a noun for an organisation says which one by where it is (or what it makes)
    if root.dep_ == "compound" and span.label_ in ("GPE", "LOC", "PRODUCT") and \
            root.head.lemma_.lower() in org_nouns and root.head.pos_ == "NOUN" and \
            any(c.dep_ == "det" and c.lower_ == "the" and c.i < span.start for c in root.head.children):
        return True
    i = span.end
    if i < len(doc) and doc[i].text in ("-", "–") and i + 1 < len(doc):
        i += 1
    if i < len(doc) and doc[i].lower_ in words.location_participles and (
            not doc[i - 1].whitespace_ or doc[i - 1].text in ("-", "–")):
        return True
    # "based in Oslo", "headquartered in Texas": the place is the object of the participle's preposition
    head = span.root.head
    return span.root.dep_ == "pobj" and head.lower_ == "in" and head.head.lower_ in words.location_participles


def is_reporting_source(span: Span, words: RoleWords | None = None) -> bool:
    """The name is where the figure was published or who was told it, not whose figure it is.

    "according to X"; "told X"; "a filing with X", "a report by X", "data from X";
    "X's survey", "X data showed".
    """
    words = words or load_role_words()
    root = span.root
    head = root.head
    if root.dep_ == "pobj" and head.lower_ == "to" and head.head.lower_ == "according":
        return True
    if root.dep_ in ("dobj", "dative") and head.lemma_.lower() in words.tell_verbs:
        return True
    if root.dep_ == "pobj" and head.lower_ in words.report_preps and head.head.pos_ == "NOUN" and \
            head.head.lemma_.lower() in words.report_nouns:
        return True
    if root.dep_ in ("poss", "compound") and head.pos_ == "NOUN" and head.lemma_.lower() in words.report_nouns:
        return True
    # "filed with the regulator", "submitted to the exchange"
    return root.dep_ == "pobj" and head.lower_ in ("with", "to") and head.head.lemma_.lower() in (
        "file", "submit", "report", "disclose")


def is_investor(span: Span, words: RoleWords | None = None) -> bool:
    """"a round led by X", "backed by X", "investors including X", "X, an investor in ...": an investor."""
    words = words or load_role_words()
    root = span.root
    head = root.head
    if root.dep_ == "pobj" and head.lower_ == "by" and head.head.lemma_.lower() in words.backing_verbs:
        return True
    if root.dep_ == "pobj" and head.lower_ in ("including", "like", "such") and \
            head.head.lemma_.lower() in words.investor_nouns:
        return True
    if head.dep_ == "prep" and head.lower_ in ("including",) and head.head.lemma_.lower() in words.investor_nouns:
        return True
    return any(c.dep_ == "appos" and c.lemma_.lower() in words.investor_nouns for c in root.children)


def is_descriptive_adjective(span: Span, words: RoleWords | None = None) -> bool:
    """"the Japanese company", "Taiwanese chipmaker": a nationality describes, it owns no figure."""
    words = words or load_role_words()
    return span.label_ in words.adjective_labels


def excluded_role(span: Span, dateline: list[tuple[int, int]] | None = None,
                  words: RoleWords | None = None, org_nouns: frozenset[str] = frozenset()) -> str | None:
    """The role that rules ``span`` out as a figure's subject, or None when it may be one."""
    words = words or load_role_words()
    if dateline and in_ranges(span.start_char, dateline):
        return "dateline"
    if is_descriptive_adjective(span, words):
        return "adjective"
    if is_location_modifier(span, words, org_nouns):
        return "location"
    if is_reporting_source(span, words):
        return "source"
    if is_investor(span, words):
        return "investor"
    return None


class Named(Protocol):
    """What the focus finder needs of an entity mention."""

    text: str
    label: str
    start: int
    source_like: bool


N = TypeVar("N", bound=Named)


def focus_entity(mentions: Iterable[N], key: Callable[[str], str], *, lead_end: int, title: str | None = None,
                 labels: frozenset[str] = frozenset({"ORG", "PRODUCT"})) -> N | None:
    """The organisation a story is about: named in its title or lead, and named most often.

    A company story names its company in the headline or first paragraph and
    keeps coming back to it; outlets, research firms and places come and go.
    Score: one per mention, three more for the title, two more for the lead
    (text before ``lead_end``). A name seen once and outside the title and lead
    is no focus: None rather than a guess.
    """
    score: dict[str, int] = {}
    count: dict[str, int] = {}
    first: dict[str, N] = {}
    title_key = key(title) if title else ""
    for m in mentions:
        if m.label not in labels or m.source_like:
            continue
        k = key(m.text)
        if not k:
            continue
        first.setdefault(k, m)
        count[k] = count.get(k, 0) + 1
        score[k] = score.get(k, 0) + 1 + (2 if m.start < lead_end else 0)
    if title_key:
        for k in score:
            if k in title_key:
                score[k] += 3
    ranked = sorted(score, key=lambda k: (-score[k], first[k].start))
    if not ranked:
        return None
    best = ranked[0]
    if count[best] < 2 and score[best] < 4:
        return None
    return first[best]
