"""Qualifiers: what kind of figure a claim is, apart from what it measures.

Two outlets can give the same measure of the same company and still not say
the same thing: one gives the year's revenue and the other a quarter's, one
the actual and the other a forecast, one a year-on-year change and the other
a quarter-on-quarter one, one the new forecast and the other the forecast it
replaced. SPEC.md names these qualifiers (``period_type``, ``basis``,
``aspect``, ``stage``); reconciliation keys facts by them, so such claims
meet only their own kind. Each reader here is a small function over the
parse around the figure's number; the words are in ``qualifiers.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from spacy.tokens import Token

DATA = Path(__file__).parent / "data" / "qualifiers.yaml"


@dataclass(frozen=True)
class QualifierWords:
    forecast_nouns: frozenset[str]
    estimate_nouns: frozenset[str]
    target_nouns: frozenset[str]
    forecast_verbs: frozenset[str]
    target_verbs: frozenset[str]
    estimators: frozenset[str]
    revision_verbs: frozenset[str]
    basis: dict[str, tuple[str, ...]]
    period_of_granularity: dict[str, str]
    period_label_prefixes: dict[str, str]
    direction: dict[str, frozenset[str]]  # up / down: lemmas of a change's verb, noun or adverb


@lru_cache(maxsize=4)
def load_words(path: Path = DATA) -> QualifierWords:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    stage = {k: frozenset(str(w).lower() for w in v) for k, v in data["stage"].items()}
    basis = {k: tuple(sorted((str(w).lower() for w in v), key=len, reverse=True)) for k, v in data["basis"].items()}
    direction = {k: frozenset(str(w).lower() for w in v) for k, v in data["direction"].items()}
    return QualifierWords(**stage, basis=basis, period_of_granularity=dict(data["period_of_granularity"]),
                          period_label_prefixes=dict(data["period_label_prefixes"]), direction=direction)


@dataclass(frozen=True)
class Stage:
    stage: str  # actual | forecast | estimate | target
    previous: bool  # the figure a revision replaced ("raised its forecast to 19m from 15m": the 15m)


def _path_up(token: Token, limit: int = 8) -> list[Token]:
    out, t = [], token
    while t.head != t and len(out) < limit:
        t = t.head
        out.append(t)
    return out


def stage_of(token: Token, words: QualifierWords | None = None) -> Stage:
    """Whether the figure at ``token`` is an actual, a forecast, an estimate or a target.

    Read on the way from the number up to the root: a forecast noun or verb that governs it
    ("a forecast of 19 million", "expects 82 million passengers", "sees revenue rising 5%")
    makes a forecast, an estimate when analysts or a consensus make it ("analysts had
    expected", "the consensus estimate"); an aim makes a target. A finite past-tense verb on
    the way ("revenue reached $5bn") makes an actual: what frames it above is a report of it.
    A "from" figure of a forecast's revision is the previous forecast. The plural noun a number
    counts is its unit ("30 goals", "three targets"), never its stage.
    """
    words = words or load_words()
    stage = "actual"
    previous = False
    for t in _path_up(token):
        lemma = t.lemma_.lower()
        if t == token.head and token.dep_ == "nummod" and t.tag_ in ("NNS", "NNPS"):
            continue  # "scored 30 goals": the noun the number counts is its unit, not a frame
        if t.pos_ in ("NOUN", "PROPN"):
            if lemma in words.estimate_nouns:
                stage = "estimate"
                break
            if lemma in words.forecast_nouns:
                stage = "forecast"
                break
            if lemma in words.target_nouns:
                stage = "target"
                break
        elif t.pos_ in ("VERB", "AUX"):
            subj_noun = next((c.lemma_.lower() for c in t.children if c.dep_ in ("nsubj", "nsubjpass")), "")
            if lemma == "be" and subj_noun:  # "the consensus estimate was 2.4%": the subject says
                for nouns, kind in ((words.estimate_nouns, "estimate"), (words.forecast_nouns, "forecast"),
                                    (words.target_nouns, "target")):
                    if subj_noun in nouns:
                        stage = kind
                if stage != "actual":
                    break
            if t.tag_ == "VBD" and lemma not in words.forecast_verbs | words.target_verbs | words.revision_verbs:
                break  # "reached a record $5bn": a past event is an actual, whatever frames the sentence
            if lemma in words.forecast_verbs:
                subj = next((c for c in t.children if c.dep_ in ("nsubj", "nsubjpass", "agent")), None)
                agent = next((c for c in t.children if c.dep_ == "agent"), None)
                who = {x.lemma_.lower() for x in (subj.subtree if subj is not None else [])}
                who |= {x.lemma_.lower() for x in (agent.subtree if agent is not None else [])}
                stage = "estimate" if who & words.estimators else "forecast"
                break
            if lemma in words.target_verbs and t.i > token.i - 12:
                stage = "target"
                break
            if lemma in words.revision_verbs:
                # "raised its forecast to 19 million from 15 million": the verb's object says what is revised
                obj = next((c for c in t.children if c.dep_ in ("dobj", "nsubjpass")), None)
                if obj is not None and obj.lemma_.lower() in words.forecast_nouns | words.target_nouns:
                    stage = "forecast" if obj.lemma_.lower() in words.forecast_nouns else "target"
                    previous = any(x.dep_ == "pobj" and x.head.lower_ == "from" for x in [token, *_path_up(token, 2)])
                    break
    return Stage(stage, previous)


def basis_of(clause_text: str, words: QualifierWords | None = None) -> str | None:
    """What a change is measured against, from the words of its clause: yoy, qoq, mom or since."""
    words = words or load_words()
    low = f" {clause_text.lower()} "
    for basis in ("qoq", "mom", "yoy", "since"):
        if any(f" {p} " in low or f" {p}," in low or f" {p}." in low for p in words.basis[basis]):
            return basis
    return None


def period_type_of(as_of: dict[str, Any] | None, words: QualifierWords | None = None) -> str | None:
    """The period a flow covers, from its as-of date: a quarter, a year, a fiscal year, a half."""
    if not as_of:
        return None
    words = words or load_words()
    label = as_of.get("period_label")
    if label:
        for prefix, kind in sorted(words.period_label_prefixes.items(), key=lambda kv: -len(kv[0])):
            if str(label).startswith(prefix):
                return kind
    granularity = as_of.get("granularity")
    return words.period_of_granularity.get(granularity) if granularity else None


def direction_of(token: Token, start: int, words: QualifierWords | None = None, change: bool = True) -> str | None:
    """``up``, ``down`` or None: the direction of the change the figure at ``token`` (whose
    mention starts at token index ``start``) measures, from an adverb right before it ("down
    5pc", "up 12 per cent"), the noun it counts ("a 5% rise", "a rise of 5%") or the verb it is
    the amount of ("sales fell 5%", "fell by 5%"). A figure reached through another preposition
    is a level, not the change: "rose 5% to $4bn", "from 3%", "at 2.5%". Unless ``change``
    (the figure is known to measure a change), only the adverb counts: "market share rose to
    12%" is a level, "down 5pc" is a fall whatever is measured."""
    words = words or load_words()
    doc = token.doc
    if start > 0 and doc[start - 1].pos_ == "ADV":
        for way in ("up", "down"):
            if doc[start - 1].lower_ in words.direction[way]:
                return way
    if not change:
        # a measured amount of a change: "lengthened by 25 yards", "cut journey times by 40 minutes"
        amount = token.head if token.dep_ in ("nummod", "compound", "quantmod") else token  # "by 25 yards"
        verb = None
        if amount.dep_ == "pobj" and amount.head.lower_ == "by" and amount.head.head.pos_ == "VERB":
            verb = amount.head.head.lemma_.lower()
        elif start >= 2 and doc[start - 1].lower_ == "by" and doc[start - 2].pos_ == "VERB":
            verb = doc[start - 2].lemma_.lower()  # the same, where the parse took "by" for a passive's agent
        return next((way for way in ("up", "down") if verb in words.direction[way]), None) if verb else None
    candidates = []
    t = token
    for _ in range(6):
        if t.head == t:
            break
        if t.dep_ == "pobj" and t.head.lower_ == "of":  # "a rise of 5%": the noun says; "revenue of $2bn" no
            candidates.append(t.head.head.lemma_.lower())
            break
        if t.dep_ == "pobj" and t.head.lower_ != "by":
            break  # "to $4bn", "from 3%", "at 2.5%": a level
        t = t.head
        if t.pos_ in ("NOUN", "VERB") or t.head == t:
            candidates.append(t.lemma_.lower())
            if t.pos_ == "VERB":
                break
    for word in candidates:
        for way in ("up", "down"):
            if word in words.direction[way]:
                return way
    return None
