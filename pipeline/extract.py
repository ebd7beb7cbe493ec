"""Claim extraction: turn marked date and figure spans into claim candidates.

For every mention this stage reads the parse around it: the words that make a
figure approximate ("more than"), its currency or counted noun, the
organisation it is about, what is measured (the predicate), the date in its
sentence that says when it held, who said it and how (attribution, modality).
Values are not computed here; that is the normaliser's job.
"""

from __future__ import annotations

import bisect
import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from spacy.tokens import Doc, Span, Token

from .currency_context import document_currencies
from .entities import EntityRules, defined_acronyms
from .measures import load_catalogue
from .nlp import DATES_KEY, FIGURES_KEY, REMOVED_AT, original_text, to_original
from .qualifiers import Stage, basis_of, direction_of, load_words, stage_of
from .subject_roles import after_dateline, dateline_ranges, excluded_role, focus_entity, load_role_words
from .units import MAX_WORDS, Unit, describe, load_lexicon, read_age, read_duration, read_unit

SPEECH_VERBS = {"say", "claim", "tell", "report", "announce", "state", "estimate", "note", "add", "write",
                "argue", "allege", "insist", "reveal", "confirm", "disclose", "boast", "predict", "forecast",
                "show", "indicate", "suggest", "quote", "cite", "tout", "assert", "declare", "explain"}
CLAIM_VERBS = {"claim", "boast", "insist", "tout", "assert"}
REPORT_VERBS = {"report", "quote", "cite"}
PLAN_WORDS = {"plan", "aim", "intend", "target", "seek", "hope", "propose", "schedule", "prepare", "pledge",
              "promise", "vow", "set"}
HEDGE_AUX = {"may", "might", "could", "would", "should"}
HEDGE_WORDS = {"possibly", "perhaps", "likely", "probably", "estimated", "expected", "potentially", "reportedly"}
FUTURE_AUX = {"will", "'ll", "shall"}
ELLIPTIC_MODIFIERS = {"net", "gross", "total"}
MARKET_WORDS = {"global", "worldwide", "world", "industry", "industry-wide", "market-wide", "world's"}
COMPARISON_WORDS = {"from", "than", "over", "versus", "vs", "vs.", "against", "since"}
PARTICLE_VERBS = {"hand", "turn", "take", "give", "pass", "sign", "pick", "go", "move", "roll", "win", "bring"}
DESIGNATION_LABELS = {"PRODUCT", "ORG", "FAC", "WORK_OF_ART", "LAW", "EVENT"}


@dataclass
class SubjectMention:
    text: str
    label: str
    start: int
    source_like: bool = False  # a publisher or research firm: a speaker, rarely the subject
    alias_of: str | None = None  # a ticker symbol: the name it was written after
    role: str | None = None  # why it cannot be a figure's subject here (subject_roles.excluded_role)


@dataclass
class Mention:
    """A date or figure mention with what the parse says around it."""

    kind: str  # figure | date
    start: int
    end: int
    text: str
    sentence_start: int
    sentence_end: int
    label: str  # date resolver label, or "figure"
    number_tokens: list[str] = field(default_factory=list)
    currency: str | None = None
    unit: str | None = None
    approx: str | None = None
    subject: SubjectMention | None = None
    predicate: str | None = None
    as_of_index: int | None = None  # index of the date mention that dates this figure
    attribution: dict[str, str] | None = None
    modality: str = "asserted"
    future: bool = False
    extractor: str = ""
    sentence_index: int = 0
    measure: str | None = None  # the catalogue measure the predicate was built from
    stage: str = "actual"  # actual | forecast | estimate | target (qualifiers.stage_of)
    basis: str | None = None  # what a change is measured against (qualifiers.basis_of)
    aspect: str | None = None  # flow | level | change
    previous: bool = False  # the value a revision replaced ("raised to 19m from 15m": the 15m)
    dimension: str | None = None  # currency | percent | count | a physical dimension (units.Unit)
    unit_text: str | None = None  # a measurement unit as written ("km/h"); ``unit`` is its canonical name
    per: str | None = None  # the denominator of a price or rate ("$78 a barrel": barrel)
    direction: str | None = None  # up | down, for a change
    negative: bool = False  # a value below zero ("-5C"): the amount is negated


@dataclass
class Extraction:
    """What one document yields: mentions plus its entity mentions and acronyms."""

    mentions: list[Mention]
    entities: list[SubjectMention]
    acronyms: dict[str, str]


class FigureRules:
    def __init__(self, patterns_path: Path, predicates_path: Path, catalogue_path: Path | None = None) -> None:
        data = json.loads(patterns_path.read_text(encoding="utf-8"))
        self.approx = sorted(
            ((tuple(words), key) for key, phrases in data["approx"].items() for words in phrases),
            key=lambda x: len(x[0]), reverse=True,
        )
        self.currencies: dict[str, str] = data["currencies"]
        self.currency_words = sorted(
            ((tuple(k.split()), v) for k, v in data["currency_words"].items()), key=lambda x: len(x[0]), reverse=True
        )
        self.scales: dict[str, int] = data["scales"]
        self.not_before = set(data["not_before"])
        self.not_after = set(data["not_after_units"])
        self.small_words = set(data["small_words"])
        self.ordinals = set(data["ordinals"])
        self.duration_units = set(data["duration_units"])
        preds = yaml.safe_load(predicates_path.read_text(encoding="utf-8"))
        self.synonyms: dict[str, str] = {}
        for canon, words in preds["synonyms"].items():
            self.synonyms[canon.replace("_", " ")] = canon
            for w in words:
                self.synonyms[str(w)] = canon
        self.change_verbs = set(preds["change_verbs"])
        self.change_nouns = set(preds["change_nouns"])
        self.share_nouns = set(preds["share_nouns"])
        self.money_verbs: dict[str, str] = preds["money_verbs"]
        self.transitive_change = set(preds["transitive_change_verbs"])
        self.date_events = {str(w): canon for canon, words in preds["date_events"].items() for w in words}
        self.containers = set(preds["containers"])
        self.unit_words = set(preds["unit_words"])
        self.catalogue = load_catalogue(catalogue_path) if catalogue_path else load_catalogue()
        self.measures: list[dict[str, Any]] = [
            {k: set(v) if isinstance(v, list) else v for k, v in rule.items()} for rule in preds["measures"]
        ]

    def measure(self, verb: Token, noun: str, modifiers: set[str], context: set[str] | None = None) -> str | None:
        """The first ``measures`` rule that the verb, noun, modifiers and clause words satisfy."""
        verb_forms = {verb.lemma_.lower()}
        for c in verb.children:
            if c.dep_ == "prt":
                verb_forms.add(f"{verb.lemma_.lower()} {c.lower_}")
        for rule in self.measures:
            if "nouns" in rule and noun not in rule["nouns"]:
                continue
            if "verbs" in rule and not (verb_forms & rule["verbs"]):
                continue
            if "modifiers" in rule and not (modifiers & rule["modifiers"]):
                continue
            if "context" in rule and not ((context or set()) & rule["context"]):
                continue
            return str(rule["predicate"])
        return None

    def measure_of(self, noun: Token, value_type: str | None = None) -> str | None:
        """The measure a noun names, if it names one ("net income" -> net_profit); None for
        words that name no measure ("record", "chipmaker", "analyst")."""
        return self.measure_typed(noun, value_type)[0]

    @staticmethod
    def noun_phrases(noun: Token) -> list[str]:
        """The phrases a measure noun may be listed under, longest first: "core consumer prices",
        "consumer prices", "prices" (lemma and surface forms)."""
        mods = [c.lower_ for c in noun.lefts if c.dep_ in ("compound", "amod") and c.pos_ in ("NOUN", "ADJ", "VERB")
                and not any(ch.isdigit() for ch in c.text)]
        phrases: list[str] = []
        for head in dict.fromkeys((noun.lemma_.lower(), noun.lower_, noun.lower_.rstrip("s"))):
            phrases += [" ".join([*mods, head]), " ".join([*mods[-1:], head]), head]
        return list(dict.fromkeys(phrases))

    def measure_typed(self, noun: Token, value_type: str | None = None) -> tuple[str | None, bool]:
        """The measure a noun names (catalogue first, then the synonyms), and whether that measure
        takes ``value_type`` ("revenue" takes money; a percentage of it is a change or a share)."""
        phrases = self.noun_phrases(noun)
        lemma = noun.lemma_.lower()
        measure, typed = self.catalogue.for_noun(phrases, value_type)
        if measure is not None:
            return measure.id, typed
        for phrase in phrases:
            if phrase in self.synonyms:
                return self.synonyms[phrase], value_type != "percent"
        if lemma in self.share_nouns:
            return "share_price", True
        return None, False

    def fold(self, phrase: str) -> str:
        phrase = phrase.lower().strip()
        if phrase in self.synonyms:
            return self.synonyms[phrase]
        return re.sub(r"[^a-z0-9]+", "_", phrase).strip("_")


def _lemma_phrase(tokens: list[Token]) -> str:
    return " ".join(t.lemma_.lower() if t.i == tokens[-1].i else t.lower_ for t in tokens)


def clause_verb(token: Token) -> Token:
    """The verb (or sentence root) whose clause holds the token."""
    t = token
    for _ in range(12):
        if t.pos_ in ("VERB", "AUX") or t.dep_ == "ROOT" or t.head == t:
            return t
        t = t.head
    return t


def _has_aux(verb: Token, words: set[str]) -> bool:
    return any(c.dep_ in ("aux", "auxpass") and c.lower_ in words for c in verb.children)


def looks_ahead(token: Token) -> bool:
    """Does the clause around ``token`` speak of the future ("will", "plans to")?"""
    verb = clause_verb(token)
    if _has_aux(verb, FUTURE_AUX):
        return True
    if verb.dep_ == "xcomp" and verb.head.lemma_ in PLAN_WORDS | {"expect", "go"}:
        return True
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children) and verb.head.lemma_ in PLAN_WORDS


class Extractor:
    """Reads mentions off a parsed ``Doc``."""

    def __init__(self, figure_rules: FigureRules, entity_rules: EntityRules,
                 source_names: set[str] | None = None, known_names: list[str] | None = None) -> None:
        self.fig = figure_rules
        self.ents = entity_rules
        self.roles = load_role_words()
        self.qualifier_words = load_words()
        w = self.qualifier_words
        self.stage_nouns = w.forecast_nouns | w.estimate_nouns | w.target_nouns
        self.org_nouns = frozenset(entity_rules.org_nouns)
        self.source_names = source_names or set()
        # multi-word gazetteer names, for spotting misspellings of them
        self.known_names = [n for n in known_names or [] if " " in n]

    # ------------------------------------------------------------------ entities
    def entity_mentions(self, doc: Doc) -> list[tuple[Span, SubjectMention]]:
        """Cleaned ORG/PRODUCT/GPE/PERSON mentions, outside URLs and photo credits."""
        chrome = doc.spans.get("claims_chrome", [])
        skip = [(s.start_char, s.end_char) for s in chrome if s.label_ in ("url", "doi", "wire_credit")]
        refs = min((s.start_char for s in chrome if s.label_ == "references"), default=len(doc.text))
        body_names = {e.text for e in doc.ents if e.end_char <= refs}
        generic = generic_acronyms(doc)
        headlines = headline_ranges(original_text(doc))
        outside_headlines = {e.text for e in doc.ents if not any(a <= e.start_char < b for a, b in headlines)}
        credits = [(s.start_char, s.end_char) for s in chrome if s.label_ == "photo_credit"]
        dateline = dateline_ranges(original_text(doc), self.roles)
        org_names = [e.text.lower().split() for e in doc.ents
                     if e.label_ == "ORG" or e.label_ in self.ents.operator_labels]
        out = []
        for ent in doc.ents:
            if ent.start_char >= refs and not ent.ent_id_ and ent.text not in body_names and \
                    not (ent.label_ == "ORG" and set(ent.text.lower().split()) & self.ents.org_words):
                continue  # a reference list names works and authors; keep organisations only
            ent = self._organisation_label(ent, org_names)
            if ent.label_ not in ("ORG", "PRODUCT", "GPE", "PERSON"):
                continue
            ent = self._extend(doc, ent)
            trimmed = after_dateline(ent, dateline)
            if trimmed is not None and trimmed is not ent:
                ent = Span(doc, trimmed.start, trimmed.end, label=ent.label_, span_id=ent.ent_id_)
            if any(a <= ent.start_char < b for a, b in skip):
                continue
            known = bool(ent.ent_id_)  # matched by the gazetteer's EntityRuler
            if not known and any(a <= ent.start_char < b for a, b in credits):
                continue  # "REUTERS/Dado Ruvic/File Photo": only known agencies count in a credit
            if not known and ent.label_ in ("ORG", "PRODUCT") and ent.text not in outside_headlines and \
                    any(a <= ent.start_char < b for a, b in headlines):
                continue  # title-case headline words ("Password-Sharing Rules") that the body never names
            if ent.label_ == "ORG" and not known and _titled_person(doc, ent):
                continue  # "chief executive Guillaume Faury": a person the model took for an organisation
            if ent.text in generic:
                continue  # "average revenue per membership (ARM)": an acronym, not an organisation
            if not known and ent.label_ in ("ORG", "PRODUCT") and not any(t.pos_ == "PROPN" for t in ent):
                continue  # "Remarkably", "Password": the model's guesses on common words
            text = self.ents.clean(ent.text, ent.label_, known)
            if text is None:
                continue
            start = ent.start_char + max(ent.text.find(text), 0)
            source_like = ent.ent_id_ in self.source_names
            role = excluded_role(ent, dateline, self.roles, self.org_nouns)
            out.append((ent, SubjectMention(text, ent.label_, start, source_like, role=role)))
            if ent.label_ == "ORG":
                out.extend(self._tickers(doc, ent, text))
        return out

    def _organisation_label(self, ent: Span, org_names: list[list[str]]) -> Span:
        """An airport or port the model calls a facility is an operator (ORG); a name the model
        calls a person or place whose words open an organisation's name in the same document
        ("Heathrow" beside "Heathrow Airport") is that organisation."""
        label = ent.label_
        if label in self.ents.operator_labels:
            label = "ORG"
        elif label in self.ents.mislabelled_as and not ent.ent_id_ and all(t.pos_ == "PROPN" for t in ent):
            words = ent.text.lower().split()
            if any(len(name) > len(words) and name[: len(words)] == words for name in org_names):
                label = "ORG"
        if label == ent.label_:
            return ent
        return Span(ent.doc, ent.start, ent.end, label=label, span_id=ent.ent_id_)

    def _extend(self, doc: Doc, ent: Span) -> Span:
        """"Tencent Holding" where the gazetteer knows "Tencent"; "Biden administration";
        "Thompson Reuters" (a misspelt known name the ruler matched only in part)."""
        prev = doc[ent.start - 1] if ent.start > 0 else None
        if ent.ent_id_ and prev is not None and prev.is_title and prev.pos_ == "PROPN" and not prev.ent_type_:
            close = difflib.get_close_matches(f"{prev.text} {ent.text}", self.known_names, n=1, cutoff=0.9)
            if close:
                return Span(doc, ent.start - 1, ent.end, label=ent.label_, span_id=close[0])
        nxt = doc[ent.end] if ent.end < len(doc) else None
        if nxt is None:
            return ent
        if ent.label_ == "ORG" and nxt.text.istitle() and nxt.lower_ in self.ents.legal:
            return Span(doc, ent.start, ent.end + 1, label="ORG", span_id=ent.ent_id_)
        if ent.label_ == "PERSON" and nxt.lower_ in ("administration", "government", "cabinet"):
            return Span(doc, ent.start, ent.end + 1, label="ORG")
        return ent

    @staticmethod
    def _tickers(doc: Doc, ent: Span, name: str) -> list[tuple[Span, SubjectMention]]:
        """Ticker symbols written right after a company name: "Airbus SE EADSY EADSF", "(NYSE: BA)"."""
        out = []
        i = ent.end
        while i < len(doc) and (doc[i].text in ("(", "NYSE", "Nasdaq", "NASDAQ", ":", "Inc.", "Inc", "SE") or
                                doc[i].text == "," and i + 1 < len(doc) and doc[i + 1].text in ("Inc.", "Inc")):
            i += 1  # a comma only before "Inc.": "Xiaomi, OPPO and ..." is a list, not a ticker
        while i < len(doc) and re.match(r"^[A-Z]{1,5}$", doc[i].text) and doc[i].ent_type_ not in ("GPE",) \
                and not doc[i].ent_id_ \
                and (doc[i].ent_type_ == "" or doc[i].ent_iob_ == "B" and len(doc[i].text) > 2):
            tok = doc[i]
            if tok.i > 0 and not doc[tok.i - 1].whitespace_ and doc[tok.i - 1].text not in ("(", ":"):
                break
            if tok.is_sent_start or (len(tok.text) < 3 and doc[tok.i - 1].text not in (":", "(")):
                break
            out.append((doc[i : i + 1], SubjectMention(tok.text, "ORG", tok.idx, alias_of=name)))
            i += 1
        return out

    # ------------------------------------------------------------------ main
    def extract(self, doc: Doc) -> Extraction:
        ents = self.entity_mentions(doc)
        ent_at: dict[int, SubjectMention] = {}
        for span, mention in ents:
            for i in range(span.start, span.end):
                ent_at[i] = mention
        sents = list(doc.sents)
        sent_index = {s.start: n for n, s in enumerate(sents)}
        mentions: list[Mention] = []
        for span in doc.spans.get(DATES_KEY, []):
            m = self._date(span)
            m.sentence_index = sent_index.get(span.sent.start, 0)
            mentions.append(m)
        for span in doc.spans.get(FIGURES_KEY, []):
            m = self._figure(doc, span)
            if m is not None:
                m.sentence_index = sent_index.get(span.sent.start, 0)
                mentions.append(m)
        mentions.sort(key=lambda m: (m.start, m.kind))
        self._attach_context(doc, mentions, ent_at, sents)
        removed_at = doc.user_data.get(REMOVED_AT)
        if removed_at:  # the parse saw the text without invisible characters: offsets go back to the text
            for m in mentions:
                m.start, m.end = to_original(removed_at, m.start, m.end)
                m.sentence_start, m.sentence_end = to_original(removed_at, m.sentence_start, m.sentence_end)
            for _, e in ents:
                e.start = to_original(removed_at, e.start, e.start + 1)[0]
        return Extraction(mentions, [m for _, m in ents], defined_acronyms(doc.text))

    def _date(self, span: Span) -> Mention:
        sent = span.sent
        return Mention(
            kind="date", start=span.start_char, end=span.end_char, text=span.text,
            sentence_start=sent.start_char, sentence_end=sent.end_char, label=span.label_,
            future=looks_ahead(span.root), extractor=f"date_matcher:{span.label_}",
        )

    # ------------------------------------------------------------------ figures
    def _figure(self, doc: Doc, span: Span) -> Mention | None:
        fig = self.fig
        tokens = list(span)
        first, last = tokens[0], tokens[-1]
        currency = None
        prefix_start = span.start
        if first.text in fig.currencies:
            currency = self._sign_currency(doc, first.text) or fig.currencies[first.text]
            tokens = tokens[1:]
            marked = _currency_prefix(doc, span.start, fig.currencies)
            if marked is not None:  # "c $ 16.4 million", "hk $ 10 billion": the country's letters apart
                currency, prefix_start = marked, span.start - 1
        if not tokens:
            return None
        percent = False
        if tokens[-1].lower_ in ("percent", "%", "pct", "pc") or (
            len(tokens) > 1 and tokens[-2].lower_ == "per" and tokens[-1].lower_ == "cent"
        ):
            percent = True
            tokens = tokens[:-2] if tokens[-1].lower_ == "cent" else tokens[:-1]
        elif tokens[-1].lower_ == "points" and len(tokens) > 1 and tokens[-2].lower_ == "percentage":
            percent = True
            tokens = tokens[:-2]
        if not tokens:
            return None
        words = [t.text for t in tokens]
        lows = [w.lower() for w in words]
        # ordinals and glued names are not figures
        if len(tokens) == 1 and (lows[0] in fig.ordinals or re.match(r"^\d+(st|nd|rd|th)$", lows[0])):
            return None
        if all(w in fig.scales for w in lows):
            return None
        before = doc[span.start - 1] if span.start > 0 else None
        after = doc[span.end] if span.end < len(doc) else None
        if before is not None and before.lower_.rstrip(".") in {w.rstrip(".") for w in fig.not_before}:
            return None
        sign = _sign_before(doc, span.start) if currency is None else None
        signs = load_lexicon().signs
        if words[0][:1] in signs and len(words[0]) > 1 and words[0][1].isdigit():  # "-5", "+0.4" as one token
            sign = sign or signs[words[0][0]]
            words[0] = words[0][1:]
        measured = None if currency is not None or percent else self._measured_unit(doc, span)
        if measured is None and currency is None and not percent and len(tokens) > 1 and tokens[-1].text == "m" \
                and (after is None or after.pos_ not in ("NOUN", "PROPN", "NUM")) \
                and not (after is not None and after.pos_ == "ADJ" and after.i + 1 < len(doc)
                         and doc[after.i + 1].pos_ in ("NOUN", "PROPN")) \
                and not self._money_sentence(span, outside=True, scales=self.fig.scales):
            metre = describe("meter")  # "1.8m tall", "1 m x 1 m": metres where nothing speaks of money or counts
            if metre is not None:
                measured = (metre._replace(words=1), tokens[-1].i)
                tokens, words = tokens[:-1], words[:-1]
        age = None
        if measured is None and currency is None and not percent:
            age = read_age([t.text for t in doc[span.end : span.end + 5]], before.text if before is not None else None)
        if measured is None and age is None and currency is None and not percent:
            measured = self._duration(doc, span, before)
        if sign is None and measured is not None and measured[0].dimension == "temperature" and before is not None \
                and before.text in ("-", "−") and (before.i == 0 or not doc[before.i - 1].like_num):
            sign = "down"  # "- 20 degrees" written apart: a range would have a number before the dash
        if before is not None and not before.whitespace_ and (before.is_alpha or before.text in ("-", ".", "/")) \
                and sign is None:
            return None
        if measured is None and age is None:
            if after is not None and not last.whitespace_ and after.text in ("-", "/", ".") and \
                    not after.whitespace_ and span.end + 1 < len(doc) and \
                    (doc[span.end + 1].is_alpha or doc[span.end + 1].like_num) and \
                    doc[span.end + 1].lower_ not in fig.scales:
                return None  # "200-million-user", "10.5.2"; "3-inch" is a unit (``_measured_unit``)
            if after is not None and not last.whitespace_ and (after.is_alpha and after.lower_ not in fig.scales):
                return None
            if after is not None and after.lower_ in fig.not_after:
                return None
        if any(re.match(r"^\d+(st|nd|rd|th)$", w) for w in lows):
            return None
        # the counted noun, currency word or percent after the number
        end_tok = span.end  # exclusive token index of the mention
        unit_tokens: list[Token] = []
        nxt = span.end
        if currency is None and not percent and measured is None and age is None:
            for words_, code in fig.currency_words:
                n = len(words_)
                if tuple(t.lower_ for t in doc[nxt : nxt + n]) == words_:
                    currency = code
                    end_tok = nxt + n
                    break
        num_head = tokens[-1]
        noun = None
        if measured is not None:
            end_tok = measured[1] + measured[0].words
        elif age is not None:
            end_tok = span.end + age[1]
        if currency is None and not percent and measured is None and age is None:
            head = num_head.head
            if num_head.dep_ in ("nummod", "quantmod", "compound", "amod", "npadvmod", "appos") and \
                    head.pos_ in ("NOUN", "PROPN") and head.i >= span.end and head.i - span.end <= 3:
                between = doc[span.end : head.i + 1]
                wordlike = all(t.pos_ in ("NOUN", "PROPN", "ADJ", "VERB") and not t.is_punct and
                               not any(ch.isdigit() for ch in t.text) for t in between)
                if wordlike and not any(t.is_sent_start for t in between) and not last.text.endswith("."):
                    noun = head
                    unit_tokens = list(between)
                    end_tok = head.i + 1
            if noun is None and num_head.dep_ == "conj" and num_head.head.like_num and \
                    num_head.head.head.pos_ == "NOUN" and num_head.head.dep_ == "nummod":
                noun = num_head.head.head  # "1,835 and 300 orders": both count orders
                unit_tokens = [noun]
            if noun is None and after is not None and after.lower_ == "of" and span.end + 1 < len(doc):
                pobj = next((c for c in after.children if c.dep_ == "pobj"), None)
                if pobj is not None and pobj.pos_ in ("NOUN", "PROPN"):
                    noun = pobj
                    unit_tokens = [pobj]
            if noun is None and after is not None and after.pos_ == "NOUN" and after.tag_ in ("NNS",) and \
                    last.whitespace_ and not after.is_sent_start and not last.text.endswith("."):
                noun = after
                unit_tokens = [after]
                end_tok = after.i + 1
        # small number words need a counted noun or a marker to be a figure
        approx, approx_start = self._approx(doc, span.start)
        if len(tokens) == 1 and lows[0] in fig.small_words and currency is None and not percent and \
                measured is None and age is None:
            if noun is None and approx is None:
                return None
            if noun is not None and noun.pos_ == "PROPN" and noun.text.istitle():
                return None  # "Two Sessions": a name
            if lows[0] == "one" and approx is None and (after is None or after.lower_ in ("of", "day")):
                return None
            if approx is None and before is not None and before.lower_ in ("the", "these", "those", "both"):
                return None  # "the two companies", "on the one hand": reference, not a count
        if noun is not None and noun.text[:1].isupper() and noun.pos_ == "PROPN" and \
                all(t.is_digit for t in tokens) and len(tokens) == 1:
            return None  # "Article 4"-style names and "Galaxy 24 Ultra"
        if noun is not None and noun.lemma_.lower() in fig.duration_units:
            return None  # "three months", "one day": durations, not measured quantities
        if any(t.ent_type_ in DESIGNATION_LABELS for t in tokens):
            return None  # part of a name: "Boeing 737 MAX", "Article 4", "Windows 11"
        if after is not None and after.text == ":" and (span.start == 0 or "\n" in doc[span.start - 1].text_with_ws):
            return None  # "737: 396 deliveries" - a row label
        # a bare integer right after a capitalised name is a model number ("iPhone 15")
        if before is not None and currency is None and not percent and noun is None and len(tokens) == 1 and \
                tokens[0].is_digit and before.pos_ == "PROPN" and before.ent_type_ in ("PRODUCT", "ORG") and \
                before.text[:1].isalpha():
            return None
        start_tok = approx_start if approx is not None else prefix_start
        unit = "percent" if percent else currency
        dimension = "percent" if percent else "currency" if currency else None
        unit_text = None
        if measured is not None:
            unit, dimension = measured[0].name, measured[0].dimension
            unit_text = doc[measured[1] : end_tok].text
        elif age is not None:
            unit, dimension = age[0], "time"
            unit_text = doc[span.end : end_tok].text or None
        if unit is None and unit_tokens:
            unit = " ".join(t.lower_ for t in unit_tokens)
            dimension = "count"
        negative = sign == "down" and dimension == "temperature"
        if negative and before is not None and before.text in signs and not words[0].startswith(tuple(signs)) \
                and tokens[0].text == words[0]:
            start_tok = min(start_tok, before.i)  # "- 5C" or "minus 5C": the sign is part of the value
        mspan = doc[start_tok:end_tok]
        sent = span.sent
        pred = self._predicate(doc, span, num_head, noun, unit_tokens, percent, currency)
        measure, aspect, stage, basis = self._qualify(pred, num_head, percent)
        if pred and stage.stage != "actual" and not pred.endswith(stage.stage):
            pred = f"{pred}_{stage.stage}" + ("_previous" if stage.previous else "")
        direction = sign if sign is not None and not negative else None
        if direction is None and dimension != "temperature":
            direction = direction_of(num_head, start_tok, self.qualifier_words,
                                     change=aspect == "change" or percent)
        return Mention(
            kind="figure", start=mspan.start_char, end=mspan.end_char, text=mspan.text,
            sentence_start=sent.start_char, sentence_end=sent.end_char, label="figure",
            number_tokens=words, currency=currency, unit=unit, approx=approx, predicate=pred,
            future=looks_ahead(num_head), extractor="figure_matcher", measure=measure, stage=stage.stage,
            basis=basis, aspect=aspect, previous=stage.previous, dimension=dimension, unit_text=unit_text,
            per=_per(doc, end_tok) if currency is not None or measured is not None else None,
            direction=direction, negative=negative,
        )

    def _measured_unit(self, doc: Doc, span: Span) -> tuple[Unit, int] | None:
        """The measurement unit after a figure's number ("12 km", "75ml", "a 3-inch screen",
        "30 degrees Celsius"), with the token it starts at; None for a currency word, except
        "pounds" in a sentence that says nothing of money (a weight)."""
        k = span.end
        if k >= len(doc):
            return None
        last = doc[span.end - 1]
        glued = not last.whitespace_
        if doc[k].text in ("-", "–") and glued and not doc[k].whitespace_:
            k += 1  # "3-inch": the unit word is an adjective's second half
        lows = tuple(t.lower_ for t in doc[k : k + 3])
        units = load_lexicon()
        for words_, _code in self.fig.currency_words:
            if lows[: len(words_)] == words_:
                if lows[0] not in units.pound_words or self._money_sentence(span):
                    return None
                break
        following = doc[k : k + MAX_WORDS]
        unit = read_unit([t.text for t in following], glued or k > span.end,
                         context={t.lower_ for t in span.sent}, pos=[t.pos_ for t in following])
        if unit is None:
            return None
        if unit.name in units.designation_units and (glued or k > span.end):
            return None  # "3nm technology", "7-nanometer and below": a process node's name
        return unit, k

    @staticmethod
    def _duration(doc: Doc, span: Span, before: Token | None) -> tuple[Unit, int] | None:
        """A span of time after the number ("five years in prison", "for 48 hours", "a two-year
        deal") as a unit of dimension time; not a date or a period ("three years ago", "the past
        three months", "a 52-week high": ``units.read_duration``)."""
        k = span.end
        if k < len(doc) and doc[k].text in ("-", "–") and not doc[span.end - 1].whitespace_ and not doc[k].whitespace_:
            k += 1
        found = read_duration([t.text for t in doc[k : k + 4]], before.text if before is not None else None,
                              hyphen=k > span.end)
        return (Unit(found[0], "time", found[1]), k) if found is not None else None

    @staticmethod
    def _money_sentence(span: Span, outside: bool = False, scales: dict[str, int] | None = None) -> bool:
        """Whether the sentence speaks of money (``units.yaml`` ``money_cues``); with ``outside``,
        leaving the figure's own words out."""
        cues = load_lexicon().money_cues
        if outside:  # and the scale words, which other figures of the sentence carry ("1 m x 1 m")
            cues = cues - set(scales or ())
        return any((t.lower_ in cues or t.lemma_.lower() in cues) and not (outside and span.start <= t.i < span.end)
                   for t in span.sent)

    def _qualify(self, predicate: str | None, num: Token,
                 percent: bool) -> tuple[str | None, str | None, Stage, str | None]:
        """The catalogue measure behind a predicate, its aspect (flow, level or change), its stage
        and, for a change, its basis (``pipeline.qualifiers``)."""
        stage = stage_of(num, self.qualifier_words)
        if not predicate:
            return None, None, stage, None
        change = predicate.endswith("_change")
        base = predicate.removesuffix("_change").removesuffix("_share")
        known = self.fig.catalogue.by_id.get(base)
        aspect = "change" if change else (known.aspect if known else None)
        if predicate.endswith("_share"):
            aspect = "level"
        verb = clause_verb(num)
        basis = basis_of(" ".join(t.text for t in verb.subtree), self.qualifier_words) if change else None
        return (base if known else None), aspect, stage, basis

    @staticmethod
    def _sign_currency(doc: Doc, sign: str) -> str | None:
        """What an ambiguous sign ("¥", "$", "kr") means in this document (``currency_context``)."""
        found = doc.user_data.get("claims_currencies")
        if found is None:
            found = doc.user_data["claims_currencies"] = document_currencies(original_text(doc))
        return found.get(sign)

    def _approx(self, doc: Doc, start: int) -> tuple[str | None, int]:
        for words, key in self.fig.approx:
            n = len(words)
            if start - n >= 0 and tuple(t.lower_ for t in doc[start - n : start]) == words:
                first = doc[start - n]
                if first.dep_ == "prt" or (first.i > 0 and doc[first.i - 1].lemma_.lower() in PARTICLE_VERBS
                                           and first.lower_ in ("over", "up")):
                    return None, start  # "handed over 735 aircraft": a particle, not "more than"
                return key, start - n
        return None, start

    def _predicate(self, doc: Doc, span: Span, num: Token, noun: Token | None, unit_tokens: list[Token],
                   percent: bool, currency: str | None) -> str | None:
        """What the figure measures, as a canonical snake_case label.

        Counted figures take their noun and governing verb through the
        ``measures`` rules ("delivered 735 aircraft" is deliveries, "2,319 gross
        orders" gross_orders), then the noun synonyms. Percentages and money
        take the noun they measure ("revenue of $8.8bn", "a 39% rise in net
        profit", "shares fell 10%"), marked ``_change`` when a change word
        governs them.
        """
        fig = self.fig
        inside = set(range(span.start, span.end))
        verb = clause_verb(num)
        if noun is None and not percent and currency is None:
            noun, _ = self._measured(num, inside)  # a bare count: "the list ... has grown to 117"
            unit_tokens = [] if noun is None else [
                *(c for c in noun.lefts if c.dep_ in ("compound", "amod") and c.pos_ in ("NOUN", "ADJ")), noun]
        if noun is not None and not percent and currency is None:
            if noun.lemma_.lower() in fig.containers:
                pobj = _pobj_of(noun)
                if pobj is not None:
                    noun, unit_tokens = pobj, [t for t in pobj.lefts if t.dep_ in ("amod", "compound")] + [pobj]
            mods = {t.lower_ for t in unit_tokens[:-1]} | {c.lower_ for c in noun.lefts if c.dep_ in ("amod",
                                                                                                    "compound")}
            rule = fig.measure(verb, noun.lemma_.lower(), mods, _clause_words(verb, num))
            if rule:
                return rule
            counted = self._counted_measure(noun)
            if counted is not None:
                return counted
            phrase = _lemma_phrase(unit_tokens) if unit_tokens else noun.lemma_.lower()
            for cand in (phrase, noun.lemma_.lower()):
                if cand in fig.synonyms:
                    return fig.synonyms[cand]
            return fig.fold(noun.lemma_.lower())
        part_of = self._part_of(doc, span) if percent else None
        if part_of is not None:
            return f"{part_of}_share"  # "74% of total revenue": a share of a measure, not the measure
        measured, change = self._measured(num, inside)
        if measured is None and not percent:
            measured = self._part_of_token(doc, span)  # "NT$452.3 billion of net earnings", "$5bn in sales"
        if measured is not None:
            lemma = measured.lemma_.lower()
            if lemma == "share" and percent and not change:
                return "market_share"  # "a 24% share", "shares of 13%, 9% and 8%"
            value_type = "percent" if percent else "currency" if currency else "count"
            target = self._unbox(measured)
            changed = fig.catalogue.changed_by(fig.noun_phrases(target)) if percent and change else None
            if changed is not None:
                return changed.id  # "consumer prices rose 3.3%": inflation of 3.3%
            base, typed = fig.measure_typed(target, value_type)
            if not base:
                return "change" if change and percent else None
            # a percentage of a measure that is no rate ("revenue grew 30%") is its change
            return f"{base}_change" if percent and (change or not typed) else base
        if currency is not None and verb.lemma_.lower() in fig.money_verbs:
            return fig.money_verbs[verb.lemma_.lower()]
        if percent and change:
            return "change"
        return None

    def _measured(self, num: Token, inside: set[int]) -> tuple[Token | None, bool]:
        """The noun a percentage or amount measures, and whether a change word governs it.

        Climbs from the number through its heads. A noun is taken only when it names a
        measure (``FigureRules.measure_of``): "a record NT$5 billion" goes on past "record"
        to the clause's "net income"; a verb's subject is taken only when it names one
        ("the bank earned $5bn" leaves the verb to say what was measured). None rather than
        a stray word.
        """
        fig = self.fig
        skip = fig.unit_words
        t = num
        for _ in range(6):
            head = t.head
            if head == t:
                return None, False
            if head.i in inside or head.lower_ in skip:
                t = head
                continue
            lemma = head.lemma_.lower()
            if head.pos_ == "NOUN" and lemma in fig.change_nouns:
                target = _pobj_of(head, ("in", "of"))
                if target is not None and (target.i in inside or target.lower_ in skip or target.like_num):
                    target = None  # "an increase of 12.5%": the "of" holds the figure itself
                target = target or next(
                    (c for c in head.lefts if c.dep_ in ("compound", "poss", "amod") and c.pos_ == "NOUN"), None)
                if target is not None and fig.measure_of(target) is None:
                    target = None
                return target, True
            if head.pos_ == "NOUN" and lemma in self.stage_nouns:
                # "a forecast of 19 million", "its sales forecast": the stage is read elsewhere; what is
                # forecast is the measure (a compound, or the object of "for"/"of"), else look further up
                inner = next((c for c in head.lefts if c.dep_ == "compound" and c.pos_ == "NOUN"), None) or \
                    _pobj_of(head, ("for", "of"))
                if inner is not None and inner.i not in inside and fig.measure_of(self._unbox(inner)) is not None:
                    return inner, False
                t = head
                continue
            if head.pos_ == "NOUN":
                container = _pobj_of(head) if lemma in fig.containers else None
                if container is not None and fig.measure_of(container) is not None:
                    return container, False
                if fig.measure_of(head) is not None:
                    return head, False
                t = head  # "a record", "the chipmaker's": no measure here, look further up
                continue
            if head.pos_ in ("VERB", "AUX"):
                if lemma in fig.change_verbs:
                    level = self._is_level(num)
                    obj = next((c for c in head.children if c.dep_ == "dobj" and c.i not in inside and
                                c.pos_ == "NOUN"), None)
                    subj = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass") and
                                 c.pos_ in ("NOUN", "PROPN")), None)
                    raw = obj if obj is not None and lemma in fig.transitive_change else subj
                    target = None if raw is None or raw.pos_ == "PROPN" else raw  # "Apple rose 5%"
                    if target is not None and fig.measure_of(self._unbox(target)) is None:
                        target = None
                    return target, not level
                subj = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass") and c.pos_ == "NOUN"),
                            None)
                return (subj if subj is not None and fig.measure_of(self._unbox(subj)) is not None else None), False
            t = head
        return None, False

    def _counted_measure(self, noun: Token) -> str | None:
        """What a count measures, from the catalogue: the verb whose object the counted noun is
        ("delivered 735 aircraft", "120,400 vehicles delivered", "employs 5,000 people"); else the
        measure its clause's subject names ("the index closed at 4,210 points"); else the noun
        itself when it names a measure ("87 customers"); else the measure noun the count
        belongs to ("sales of 19 million units")."""
        cat = self.fig.catalogue
        lemma = noun.lemma_.lower()
        verbs: list[Token] = [c for c in noun.children if c.dep_ in ("acl", "relcl") and c.pos_ == "VERB"]
        if noun.dep_ in ("dobj", "nsubjpass", "obj") and noun.head.pos_ == "VERB":
            verbs.append(noun.head)
        forms = [f"{v.lemma_.lower()} {c.lower_}" for v in verbs for c in v.children if c.dep_ == "prt"]
        forms += [v.lemma_.lower() for v in verbs]
        by_verb = cat.for_verb(forms, "count", lemma)
        if by_verb is not None:
            return by_verb.id
        # "shipments hit 320 million units", "deliveries came to 1.14 billion smartphones", "the index
        # closed at 4,210 points": the clause's subject names the measure and the count is its value,
        # whatever the counted noun would measure on its own
        verb = clause_verb(noun)
        if noun.dep_ in ("dobj", "attr", "pobj", "oprd") and verb.pos_ in ("VERB", "AUX") and verb.lemma_.lower() \
                not in self.fig.money_verbs:
            subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.pos_ == "NOUN"), None)
            if subj is not None:
                owner, typed = self.fig.measure_typed(self._unbox(subj), "count")
                if owner is not None and typed:
                    return owner
        own, typed = self.fig.measure_typed(noun, "count")
        if own is not None and typed:
            return own
        # "raised its forecast for console sales to 19 million units": what the forecast is of
        staged = next((c for c in verb.children if c.dep_ in ("dobj", "nsubj", "nsubjpass") and
                       c.lemma_.lower() in self.stage_nouns), None)
        if staged is not None:
            inner = next((c for c in staged.lefts if c.dep_ == "compound" and c.pos_ == "NOUN"), None) or \
                _pobj_of(staged, ("for", "of"))
            if inner is not None:
                owner, typed = self.fig.measure_typed(self._unbox(inner), "count")
                if owner is not None and typed:
                    return owner
        head = noun.head
        if noun.dep_ == "pobj" and head.lower_ == "of" and head.head.pos_ == "NOUN":
            owner, typed = self.fig.measure_typed(head.head, "count")
            if owner is not None and typed:
                return owner
        return None

    def _unbox(self, noun: Token | None) -> Token | None:
        """"the list of approved LLMs", "the number of subscribers": the things the container holds."""
        if noun is not None and noun.lemma_.lower() in self.fig.containers:
            return _pobj_of(noun) or noun
        return noun

    def _part_of_token(self, doc: Doc, span: Span) -> Token | None:
        """The measure noun right after a figure's "of" or "in": "$5bn of debt", "$2bn in revenue"."""
        after = doc[span.end] if span.end < len(doc) else None
        if after is None or after.lower_ not in ("of", "in"):
            return None
        pobj = next((c for c in after.children if c.dep_ == "pobj"), None)
        if pobj is not None and pobj.pos_ == "NOUN" and self.fig.measure_of(pobj) is not None:
            return pobj
        return None

    def _part_of(self, doc: Doc, span: Span) -> str | None:
        """"74% of total revenue", "a third of sales": the measure a percentage is a share of."""
        after = doc[span.end] if span.end < len(doc) else None
        if after is None or after.lower_ != "of":
            return None
        pobj = self._part_of_token(doc, span)
        return self.fig.measure_of(pobj) if pobj is not None else None

    @staticmethod
    def _is_level(num: Token) -> bool:
        """"rose to 5%" is a level, "rose 5%" and "rose by 5%" are changes."""
        t = num
        for _ in range(4):
            if t.dep_ == "pobj" and t.head.lower_ in ("to", "from", "at"):
                return True
            if t.head == t:
                break
            t = t.head
        return False

    @staticmethod
    def _noun_phrase(noun: Token) -> str:
        mods = [c for c in noun.lefts if c.dep_ in ("compound", "amod") and c.pos_ in ("NOUN", "ADJ", "PROPN")
                and not c.ent_type_ and not any(ch.isdigit() for ch in c.text)]
        return " ".join([m.lower_ for m in mods] + [noun.lemma_.lower()])

    # ------------------------------------------------------------------ context
    def _attach_context(self, doc: Doc, mentions: list[Mention], ent_at: dict[int, SubjectMention],
                        sents: list[Span]) -> None:
        by_sentence: dict[int, list[int]] = {}
        for n, m in enumerate(mentions):
            by_sentence.setdefault(m.sentence_index, []).append(n)
        salient = self._salient(ent_at, original_text(doc))
        prev_sent_subject: dict[int, SubjectMention | None] = {}
        sent_subject: dict[int, SubjectMention | None] = {}
        last_subject: SubjectMention | None = None
        for si, sent in enumerate(sents):
            prev_sent_subject[si] = last_subject or salient
            subj = sent_subject[si] = self._sentence_subject(sent, ent_at)
            if subj is not None and not subj.source_like:
                last_subject = subj
        period: int | None = None  # the last reporting quarter named (carries across paragraphs)
        year_period: int | None = None  # the last year named (carries within its paragraph)
        year_paragraph = -1
        text = original_text(doc)
        breaks = [b.start() for b in re.finditer("\n\n", text)]
        for n, m in enumerate(mentions):
            sent = sents[m.sentence_index] if m.sentence_index < len(sents) else doc[:]
            token = _token_at(doc, m.start, m.end)
            if token is None:
                continue
            m.attribution, speech = self._attribution(sent, token, ent_at)
            m.modality = self._modality(sent, token, speech)
            fallback = prev_sent_subject.get(m.sentence_index)
            m.subject = self._subject(token, sent, ent_at, fallback, speech, is_date=m.kind == "date",
                                      main=sent_subject.get(m.sentence_index))
            if m.subject is not None and m.subject is fallback and m.stage == "actual" and \
                    not self._can_have(m.subject, m.measure):
                m.subject = None  # "the warehouse index rose": not the company the story is about
            if m.kind == "figure":
                here = by_sentence.get(m.sentence_index, [])
                paragraph = bisect.bisect_left(breaks, m.start)  # text.count("\n\n", 0, m.start), in log time
                carried = max((i for i in (period, year_period if year_paragraph == paragraph else None)
                               if i is not None), default=None)
                m.as_of_index = self._as_of(doc, token, m, [mentions[i] for i in here], here, period)
                if m.as_of_index is None:
                    m.as_of_index = carried  # the period the text is talking about
            else:
                m.predicate = self._date_event(token)
                kind = self._period_kind(doc, m)
                if kind == "quarter":
                    period = n
                elif kind == "year":
                    year_period, year_paragraph = n, bisect.bisect_left(breaks, m.start)
        self._elliptic_figures(doc, mentions, by_sentence)
        self._dates_of_figures(mentions)
        for idxs in by_sentence.values():
            figures = [mentions[i] for i in idxs if mentions[i].kind == "figure"]
            for before, m in zip(figures, figures[1:], strict=False):
                if m.predicate in ELLIPTIC_MODIFIERS and before.predicate:
                    base = re.sub(r"^(gross|net|total)_", "", before.predicate)
                    word = m.predicate
                    m.predicate = f"{word}_{base}"  # "2,319 gross orders (2,094 net)"
                    if before.unit:
                        m.unit = f"{word} {before.unit.split()[-1]}"
        for si, idxs in by_sentence.items():
            self._respectively(sents[si] if si < len(sents) else doc[:], [mentions[i] for i in idxs], ent_at)

    def _can_have(self, subject: SubjectMention, measure: str | None) -> bool:
        """Whether a subject carried over from earlier text can have a measure at all.

        A company story's company owns its revenue and deliveries, but not the country's
        inflation or an index level ("Prices rose 3.1%", "the index ended at 4,210"): those
        belong to the kinds of subject the catalogue names for the measure. A forecast or a target
        is whoever makes it (a central bank's inflation target), so only actuals are checked.
        """
        return self.fig.catalogue.can_have(measure, subject.label)

    def _elliptic_figures(self, doc: Doc, mentions: list[Mention], by_sentence: dict[int, list[int]]) -> None:
        """"raised it to 19 million units from 15 million", "up to 3.5% from 3%": a bare figure
        paired with a measured one in its clause measures the same thing, in the same unit; the
        "from" side of a revision is the value it replaced."""
        for idxs in by_sentence.values():
            figures = [mentions[i] for i in idxs if mentions[i].kind == "figure"]
            measured = [f for f in figures if f.predicate]
            for m in figures:
                if m.predicate or not measured:
                    continue
                sibling = min(measured, key=lambda f: abs(f.start - m.start))
                if abs(sibling.start - m.start) > 80 or (m.unit and sibling.unit and m.unit != sibling.unit):
                    continue
                tok, sib = _token_at(doc, m.start, m.end), _token_at(doc, sibling.start, sibling.end)
                if tok is None or sib is None:
                    continue
                while tok.head != tok and m.start <= tok.head.idx < m.end:
                    tok = tok.head  # the mention's own head word
                paired = tok.dep_ == "pobj" and tok.head.lower_ in ("from", "to")
                if not paired or clause_verb(tok).i != clause_verb(sib).i:
                    continue  # only "to X from Y" pairs of one clause share a measure
                base = sibling.predicate.removesuffix("_previous")
                for stage in ("_forecast", "_estimate", "_target"):
                    base = base.removesuffix(stage)
                m.predicate = base if m.stage == "actual" else f"{base}_{m.stage}" + ("_previous" if m.previous else "")
                m.unit = m.unit or sibling.unit
                m.measure, m.aspect = sibling.measure, sibling.aspect

    def _dates_of_figures(self, mentions: list[Mention]) -> None:
        """A date that says when a figure in its sentence held is the date of that figure's measure.

        "Revenue rose to $9bn in the third quarter": the quarter is when revenue was $9bn, and
        outlets that word the verb differently ("climbed", "came in at") still date the same
        thing. Such a date takes the figure's predicate (its own fact, of kind date), unless its
        verb names an event of its own (a release, an approval, a founding).
        """
        events = set(self.fig.date_events.values())
        for m in mentions:
            if m.kind != "figure" or m.as_of_index is None or not m.predicate:
                continue
            date = mentions[m.as_of_index]
            if date.kind == "date" and date.sentence_index == m.sentence_index and date.predicate not in events:
                date.predicate = m.predicate

    def _date_event(self, token: Token) -> str | None:
        """What a date marks: the event noun it modifies ("the 2023 regulation")
        or the verb of its clause ("released in August 2023"), folded."""
        fig = self.fig
        head = token.head
        if token.dep_ in ("compound", "nummod", "amod", "npadvmod") and head.pos_ == "NOUN":
            lemma = head.lemma_.lower()
            return fig.date_events.get(lemma, fig.fold(lemma))
        verb = clause_verb(token)
        if verb.lemma_ == "be":  # "It was not until X that Beijing allowed ...": the that-clause's verb
            verb = next((c for c in verb.subtree if c.dep_ in ("ccomp", "relcl", "advcl") and c.pos_ == "VERB"
                         and any(x.lower_ == "that" for x in c.lefts)), verb)
        if verb.pos_ != "VERB":
            return None
        permit = _permission(verb)
        if permit is not None:
            allowed = next((c for c in permit.subtree if c.dep_ in ("acl", "relcl", "xcomp") and c.pos_ == "VERB"),
                           None)
            if allowed is not None:
                verb = allowed  # "received approval to provide services to the public": the providing
        if any(c.dep_ in ("prep", "dative") and c.lower_ == "to" and
               any(p.lower_ == "public" for p in c.children) for c in verb.children):
            return "released"  # "released / offered / provided to the public"
        forms = [verb.lemma_.lower()]
        forms += [f"{verb.lemma_.lower()} {c.lower_}" for c in verb.children if c.dep_ in ("prt", "dobj")]
        for form in reversed(forms):
            if form in fig.date_events:
                return fig.date_events[form]
        return fig.fold(verb.lemma_.lower())

    def _period_kind(self, doc: Doc, m: Mention) -> str | None:
        """"quarter" for a reporting period the text goes on about, "year" for a year
        named outright, None for days, comparison bases and the rest."""
        label = m.label.split("@")[0]
        low = m.text.lower()
        if any(w in low for w in ("earlier", " ago", "previous", "prior", "year-ago", "last year", "before")):
            return None
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        prev = doc[span.start - 1].lower_ if span is not None and span.start > 0 else ""
        if prev in COMPARISON_WORDS:
            return None
        if label in ("quarter", "quarter_noyear", "month_range", "half") or label.startswith("quarter"):
            return "quarter"
        if label == "year" or (label == "relative" and low.endswith("year")):
            return "year"
        return None

    def _as_of(self, doc: Doc, fig_tok: Token, figure: Mention, sentence_mentions: list[Mention],
               indexes: list[int], period: int | None = None) -> int | None:
        """The date in the figure's sentence that says when it held.

        Comparison bases ("up 11% from 2022", "on a year earlier") are not as-of
        dates; a period (quarter, month, year) beats the day a report came out
        ("reported on Thursday a record Q3").
        """
        best: tuple[tuple[int, int, int], int] | None = None
        for m, i in zip(sentence_mentions, indexes, strict=True):
            if m.kind != "date":
                continue
            label = m.label.split("@")[0]
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is None:
                continue
            prev = doc[span.start - 1].lower_ if span.start > 0 else ""
            prev2 = doc[span.start - 2].lower_ if span.start > 1 else ""
            if prev in COMPARISON_WORDS or (prev in ("with", "to") and prev2 in ("compared", "relative")):
                continue
            if prev == "on" and label in ("year", "quarter", "relative"):
                continue  # "up 11% on 2022": the base of a comparison, not "on 16 April"
            if any(w in m.text.lower() for w in ("earlier", " ago", "previous", "prior", "year-ago")):
                continue
            is_day = label in ("day", "day_noyear", "weekday") or m.text.lower() in ("yesterday", "today")
            # "said Monday it sold", "said on Monday it sold": right after the speech verb, the day
            # is the speech's, however the parse attaches it
            before = [doc[j] for j in (span.start - 1, span.start - 2) if j >= 0]
            after_speech = bool(before) and (before[0].lemma_.lower() in SPEECH_VERBS or (
                prev == "on" and len(before) > 1 and before[1].lemma_.lower() in SPEECH_VERBS))
            if is_day and (period is not None or figure.aspect == "flow") and (after_speech or (
                    clause_verb(span.root).lemma_.lower() in SPEECH_VERBS and
                    clause_verb(fig_tok).i != clause_verb(span.root).i)):
                # "said Tuesday that Q4 sales climbed", "said on Monday it sold 20 million phones": the
                # day of the report, not the period of a flow (a level it reports held that day)
                continue
            # the date the parse attaches nearest to the figure wins: in "rose to 269.6 million in Q1,
            # up from 260.28 million in the last quarter" each figure keeps its own date
            if _via_comparison(fig_tok, span.root):
                continue  # "reached 117, up from eight when approvals began in August 2023"
            distance = tree_distance(fig_tok, span.root)
            rank = (1 if is_day else 0, distance, abs(m.start - figure.start))
            if best is None or rank < best[0]:
                best = (rank, i)
        return best[1] if best else None

    def _respectively(self, sent: Span, mentions: list[Mention], ent_at: dict[int, SubjectMention]) -> None:
        """"Shares of 13%, 9% and 8% went to X, Y and Z, respectively": pair them in order."""
        if not any(t.lower_ == "respectively" for t in sent):
            return
        figures = [m for m in mentions if m.kind == "figure"]
        seen: list[SubjectMention] = []
        for t in sent:
            e = ent_at.get(t.i)
            if e is not None and e.label in self.ents.subject_labels and not e.source_like and e.role is None and \
                    all(e is not x for x in seen):
                seen.append(e)
        if len(figures) > 1 and len(seen) == len(figures):
            for m, e in zip(figures, seen, strict=True):
                m.subject = e

    def _salient(self, ent_at: dict[int, SubjectMention], text: str = "") -> SubjectMention | None:
        """The organisation the document is about: named in its headline or lead and named most
        often (``subject_roles.focus_entity``); never a source, a place or a name in a role."""
        mentions = [e for e in {id(e): e for e in ent_at.values()}.values() if e.role is None]
        paragraphs = [m.end() for m in re.finditer(r"\S[^\n]*(?:\n(?!\n)[^\n]*)*", text[:2000])]
        lead_end = min(paragraphs[1] if len(paragraphs) > 1 else len(text), 600)
        first_line = text.split("\n", 1)[0] if text else ""
        title = first_line if 0 < len(first_line) < 200 else None
        return focus_entity(mentions, self.ents.key, lead_end=lead_end, title=title)

    def _sentence_subject(self, sent: Span, ent_at: dict[int, SubjectMention]) -> SubjectMention | None:
        root = sent.root
        for c in root.children:
            if c.dep_ in ("nsubj", "nsubjpass"):
                found = self._entity_in(c, ent_at)
                if found:
                    return found
        return None

    def _entity_in(self, token: Token, ent_at: dict[int, SubjectMention]) -> SubjectMention | None:
        """The entity closest to the head of a phrase: in "Beijing-based company Baichuan"
        the company is Baichuan, not Beijing."""
        frontier = [token]
        while frontier:
            for t in frontier:
                e = ent_at.get(t.i)
                if e is not None and e.label in self.ents.subject_labels and e.role is None:
                    return e
            frontier = [c for t in frontier for c in t.children]
        return None

    def _is_pronominal(self, subj: Token) -> bool:
        """"it", "its profits", "the company", "the Taiwanese chipmaker": refers back."""
        if subj.pos_ == "PRON":
            return True
        if any(c.dep_ == "poss" and c.pos_ == "PRON" for c in subj.children):
            return True
        return subj.lemma_.lower() in self.ents.org_nouns and any(
            c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in subj.children)

    def _subject(self, token: Token, sent: Span, ent_at: dict[int, SubjectMention],
                 fallback: SubjectMention | None, speech: Token | None, *, is_date: bool = False,
                 main: SubjectMention | None = None) -> SubjectMention | None:
        """The organisation, product or place a mention is about.

        In order: a possessor of the counted noun ("Baidu's 85,000 clients"); the
        subject of the clause, climbing out of pronouns ("Baidu said it had"),
        possessive pronouns ("its chatbot") and definite descriptions ("the
        company"); the nearest entity before the mention that is not the
        speaker (for dates, also after it); the subject carried over from an
        earlier sentence; else None. Publishers and research firms are only
        taken when they are the grammatical subject.
        """
        head = token.head
        for c in head.children:
            if c.dep_ == "poss":
                e = self._entity_in(c, ent_at)
                if e:
                    return e
        verb = clause_verb(token)
        refers_back = False
        cleft = self._cleft_subject(verb, ent_at)
        if cleft is not None:
            return cleft
        permit = _permission(verb) if is_date else None
        grantor = next((c for c in permit.children if c.dep_ == "poss"), None) if permit is not None else None
        if grantor is not None and (e := self._entity_in(grantor, ent_at)) is not None:
            return e  # "X received Beijing's approval in August": the approval is Beijing's act
        agent = next((c for c in verb.children if c.dep_ == "agent"), None)
        if agent is not None and (e := self._entity_in(agent, ent_at)) is not None:
            return e  # "released by the CAC in 2023": the agent acts
        for _ in range(4):
            subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is not None:
                e = self._entity_in(subj, ent_at)
                if e and (is_date or not e.source_like or speech is None or verb.i != speech.i):
                    return e  # "TSMC reported a 39% rise"; but "IDC said shipments fell": IDC is the speaker
                if not self._is_pronominal(subj):
                    break
                refers_back = True
            if verb.dep_ in ("ccomp", "xcomp", "conj", "advcl", "relcl") and verb.head != verb:
                verb = verb.head
            else:
                break
        if refers_back and fallback is not None:
            return fallback
        if not is_date and self._market_wide(token, verb):
            return SubjectMention("World", "GPE", token.idx)
        speaker_tokens: set[int] = set()
        if speech is not None and not is_date:
            for c in speech.children:
                if c.dep_ in ("nsubj", "dobj", "prep", "agent"):
                    speaker_tokens.update(t.i for t in c.subtree)
        def usable(t: Token) -> SubjectMention | None:
            e = ent_at.get(t.i)
            if e is None or e.label not in self.ents.subject_labels or t.i in speaker_tokens or e.source_like or \
                    e.role is not None:
                return None
            if t.head.lower_ == "to" and t.head.head.lower_ == "according":
                return None
            return e

        # ``main``: the sentence's own subject, found once per sentence by the caller
        if main is not None and not main.source_like and (is_date or main.start < token.idx) and \
                sent.root.lemma_.lower() not in SPEECH_VERBS:
            return main  # the sentence's own subject ("Apple shipped 78 million iPhones, up 7%")
        for t in reversed(list(sent[: max(token.i - sent.start, 0)])):
            if (e := usable(t)) is not None:
                return e
        if fallback is not None or not is_date:
            return fallback
        # a date with nothing before it: the first entity after it in the sentence
        for t in sent[max(token.i - sent.start, 0):]:
            if (e := usable(t)) is not None:
                return e
        return None

    @staticmethod
    def _market_wide(token: Token, verb: Token) -> bool:
        """"Worldwide smartphone shipments rose 8%", "global sales of ...": a market-wide figure."""
        scope: list[Token] = list(token.head.subtree) if token.head.pos_ == "NOUN" else []
        for c in verb.children:
            if c.dep_ in ("nsubj", "nsubjpass"):
                scope.extend(c.subtree)
        return any(t.lower_ in MARKET_WORDS and t.dep_ in ("amod", "compound", "poss", "nmod") for t in scope)

    def _cleft_subject(self, verb: Token, ent_at: dict[int, SubjectMention]) -> SubjectMention | None:
        """"It was not until August 2023 that Beijing allowed ...": the subject is Beijing."""
        if verb.lemma_ != "be" or not any(c.dep_ == "nsubj" and c.lower_ == "it" for c in verb.children):
            return None
        for c in verb.subtree:
            if c.dep_ in ("ccomp", "relcl", "advcl") and any(x.lower_ == "that" for x in c.lefts):
                subj = next((x for x in c.children if x.dep_ in ("nsubj", "nsubjpass")), None)
                if subj is not None:
                    return self._entity_in(subj, ent_at)
        return None

    def _attribution(self, sent: Span, token: Token, ent_at: dict[int, SubjectMention]
                     ) -> tuple[dict[str, str] | None, Token | None]:
        # "according to X"
        for t in sent:
            if t.lower_ == "according" and t.i + 1 < sent.end and t.nbor(1).lower_ == "to":
                pobj = next((c for c in t.nbor(1).children if c.dep_ == "pobj"), None)
                if pobj is not None:
                    sub = list(pobj.subtree)
                    speaker = sent.doc[sub[0].i : sub[-1].i + 1].text
                    return {"text": sent.doc[t.i : sub[-1].i + 1].text, "speaker": speaker}, None
        # a speech verb governing the mention
        t = token
        for _ in range(10):
            if t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in SPEECH_VERBS and t.i != token.i:
                subj = next((c for c in t.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                if subj is not None and subj.pos_ != "PRON" or subj is not None and ent_at.get(subj.i):
                    sub = list(subj.subtree)
                    speaker = _speaker_text(sent.doc, sub[0].i, sub[-1].i, t)
                    lo, hi = min(sub[0].i, t.i), max(sub[-1].i, t.i)
                    return {"text": sent.doc[lo : hi + 1].text, "speaker": speaker}, t
                return None, t
            if t.head == t:
                break
            t = t.head
        # "X told Reuters" / "said" at the sentence root after the mention
        root = sent.root
        if root.lemma_.lower() in SPEECH_VERBS and root.i > token.i:
            subj = next((c for c in root.children if c.dep_ in ("nsubj",)), None)
            if subj is not None:
                sub = list(subj.subtree)
                speaker = sent.doc[sub[0].i : sub[-1].i + 1].text
                return {"text": sent.doc[sub[0].i : root.i + 1].text, "speaker": speaker}, root
        return None, None

    def _modality(self, sent: Span, token: Token, speech: Token | None) -> str:
        verb = clause_verb(token)
        if any(c.dep_ == "neg" for c in verb.children):
            return "negated"
        if speech is not None:
            lemma = speech.lemma_.lower()
            if lemma in CLAIM_VERBS:
                return "claimed"
            if lemma == "allege":
                return "alleged"
        low = {t.lower_ for t in sent}
        if "allegedly" in low:
            return "alleged"
        if "reportedly" in low or (speech is not None and speech.lemma_.lower() in REPORT_VERBS):
            return "reported"
        if _has_aux(verb, FUTURE_AUX) or verb.lemma_.lower() in PLAN_WORDS or \
                (verb.head.lemma_.lower() in PLAN_WORDS and verb.dep_ in ("xcomp", "ccomp")):
            return "planned"
        if _has_aux(verb, HEDGE_AUX) or low & HEDGE_WORDS:
            return "hedged"
        if speech is not None:
            return "reported"
        return "asserted"


TITLE_WORDS = {"ceo", "cfo", "coo", "cto", "chief", "executive", "president", "chairman", "chairwoman", "chair",
               "founder", "co-founder", "director", "minister", "secretary", "spokesperson", "spokesman",
               "spokeswoman", "analyst", "officer", "head", "manager", "partner", "economist", "governor",
               "senator", "professor", "dr", "mr", "mrs", "ms"}


def _titled_person(doc: Doc, ent: Span) -> bool:
    """A two- or three-word name preceded by a job title ("CEO Jane Doe") or followed by one
    in apposition ("Jane Doe, Acme's chief executive")."""
    words = ent.text.split()
    if not 2 <= len(words) <= 3 or not all(w[:1].isupper() and w[1:].islower() for w in words if w.isalpha()):
        return False
    i = ent.start - 1
    while i >= 0 and doc[i].text in (")", "(", ","):
        i -= 1
    if i >= 0 and doc[i].lower_ in TITLE_WORDS:
        return True
    after = doc[ent.end : ent.end + 8]
    return len(after) > 1 and after[0].text == "," and any(t.lower_ in TITLE_WORDS for t in after[1:])


def headline_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of title-case lines without final punctuation (headlines)."""
    ranges = []
    pos = 0
    for line in text.split("\n"):
        words = [w for w in line.split() if w[:1].isalpha()]
        stripped = line.strip()
        if len(words) >= 4 and stripped and stripped[-1] not in ".!?\"”" and \
                sum(w[0].isupper() for w in words) / len(words) >= 0.7:
            ranges.append((pos, pos + len(line)))
        pos += len(line) + 1
    return ranges


def generic_acronyms(doc: Doc) -> set[str]:
    """Acronyms the text defines as short for lower-case words: "average revenue per membership (ARM)"."""
    found = set()
    for tok in doc:
        text = tok.text
        if not (text.isupper() and text.isalpha() and 2 <= len(text) <= 6):
            continue
        if tok.i == 0 or doc[tok.i - 1].text != "(" or tok.i + 1 >= len(doc) or doc[tok.i + 1].text != ")":
            continue
        words = [t for t in doc[max(0, tok.i - len(text) - 6) : tok.i - 1]
                 if t.is_alpha and t.lower_ not in ("per", "of", "and", "the", "for", "to", "in", "on", "a")]
        tail = words[-len(text):]
        if len(tail) == len(text) and "".join(w.text[0] for w in tail).upper() == text and \
                sum(w.text.islower() for w in tail) >= len(text) - 1:
            found.add(text)
    return found


PERMIT_VERBS = {"receive", "get", "win", "obtain", "gain", "secure", "earn"}
PERMIT_NOUNS = {"approval", "permission", "go-ahead", "licence", "license", "nod", "clearance", "authorisation",
                "authorization", "consent", "permit"}


def _permission(verb: Token) -> Token | None:
    """The permission noun in "received Beijing's approval to ...", if the verb is one of receiving."""
    if verb.lemma_.lower() not in PERMIT_VERBS:
        return None
    return next((c for c in verb.children if c.dep_ == "dobj" and c.lemma_.lower() in PERMIT_NOUNS), None)


def _speaker_text(doc: Doc, first: int, last: int, verb: Token) -> str:
    """Who speaks: the subject phrase, taken up to the speech verb when it comes first
    ("Baidu's co-founder and chief executive Li Yanhong claimed"), so that a parse
    that splits a long title still yields the whole name."""
    if first < verb.i and last < verb.i:
        end = verb.i
        while end > first and doc[end - 1].pos_ in ("AUX", "ADV", "PUNCT", "PART", "SPACE"):
            end -= 1
        return doc[first:end].text
    return doc[first : last + 1].text


CLAUSE_DEPS = {"relcl", "ccomp", "advcl", "acl", "xcomp", "conj", "parataxis"}


def _clause_words(verb: Token, token: Token) -> set[str]:
    """Lemmas of the verb's own clause, leaving out nested clauses that do not hold ``token``."""
    inside = {t.i for t in token.ancestors} | {token.i}
    words: set[str] = set()
    stack = [verb]
    while stack:
        t = stack.pop()
        words.add(t.lemma_.lower())
        for c in t.children:
            if c.dep_ in CLAUSE_DEPS and c.i not in inside:
                continue
            stack.append(c)
    return words


def _via_comparison(figure: Token, date: Token) -> bool:
    """Does the date hang off a comparison base ("up from eight when ...") rather than the figure?"""
    fig_path = {t.i for t in [figure, *figure.ancestors]}
    for t in [date, *date.ancestors]:
        if t.i in fig_path:
            return False
        if t.lower_ in ("from", "than", "versus", "vs", "vs.") and t.dep_ == "prep":
            return True
    return False


def tree_distance(a: Token, b: Token) -> int:
    """Edges between two tokens in the dependency tree."""
    path_a = [a, *a.ancestors]
    depth = {t.i: n for n, t in enumerate(path_a)}
    for n, t in enumerate([b, *b.ancestors]):
        if t.i in depth:
            return depth[t.i] + n
    return 99


def _pobj_of(noun: Token, preps: tuple[str, ...] = ("of",)) -> Token | None:
    """"list of approved LLMs" -> LLMs; "rise in net profit" -> profit."""
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ in preps:
            pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if pobj is not None and pobj.pos_ in ("NOUN", "PROPN"):
                return pobj
    return None


def _sign_before(doc: Doc, start: int) -> str | None:
    """The direction a sign right before a number gives (``units.yaml`` ``signs``): "+0.4%",
    "-5C" glued to the number and not to a word before it ("COVID-19" has no sign), or
    "minus"/"plus" written out."""
    if start == 0:
        return None
    sign = doc[start - 1]
    signs = load_lexicon().signs
    if sign.lower_ in ("minus", "plus"):
        return signs.get(sign.lower_)
    if sign.text not in signs or sign.whitespace_:
        return None
    if start >= 2 and not doc[start - 2].whitespace_ and doc[start - 2].text not in ("(", "["):
        return None
    return signs[sign.text]


def _currency_prefix(doc: Doc, start: int, currencies: dict[str, str]) -> str | None:
    """The currency of a sign written apart from its country's letters ("c $", "HK $", "US $"),
    when the letters and the sign together are a known mark ("C$", "HK$"). "a $5 fee" is an
    article, not Australia."""
    if start == 0 or doc[start].text != "$":
        return None
    letters = doc[start - 1]
    if not letters.is_alpha or letters.lower_ in ("a", "s", "an") or not letters.whitespace_:
        return None
    return currencies.get(letters.text.upper() + "$") or currencies.get(letters.text + "$")


def _per(doc: Doc, end: int) -> str | None:
    """The noun of "a barrel", "per share", "per capita" right after a price or rate."""
    if end + 1 >= len(doc) or doc[end].lower_ not in load_lexicon().per_words:
        return None
    noun = doc[end + 1]
    if noun.lower_ == "capita":
        return "capita"
    if noun.pos_ == "NOUN" and noun.tag_ == "NN" and (end + 2 >= len(doc) or doc[end + 2].lower_ != "of"):
        return noun.lemma_.lower()
    return None


def _token_at(doc: Doc, start: int, end: int) -> Token | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    # the number (for figures) or the head of the date phrase
    nums = [t for t in span if t.like_num or t.is_digit]
    return nums[-1] if nums else span.root
