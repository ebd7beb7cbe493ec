"""Normalisation: date mentions to SPEC date values, figure mentions to amounts.

Dates: dateparser parses what it parses well (month names, day-month orders,
abbreviations) and reports the period it saw (``DateDataParser.get_date_data``);
this module adds what news needs on top: quarters and halves, "early/late/the
end of", relative expressions resolved against the publication date ("last
December" in May 2024 is 2023-12), references to an earlier mention ("the
following year"), and the rule that nothing relative is ever resolved against
today's date.

Figures: digits and scale words ("1.5 billion", "8.8bn") are read here, number
words ("twenty-three", "two hundred") by text2num, and approximation markers
become the ``min``/``max`` interval SPEC.md asks for.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from dateparser.date import DateDataParser
from text_to_num import text2num

from .qualifiers import period_type_of
from .units import duration_iso

GRANULARITIES = ("year", "quarter", "month", "day")
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
            "final": 4}
SEASONS = {"spring", "summer", "autumn", "fall", "winter"}
_YEAR_RX = re.compile(r"(?<![\d])(1[6-9]\d\d|20\d\d)(?![\d])")
_SHORT_YEAR_RX = re.compile(r"['’](\d\d)\b")


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class DateValue:
    """SPEC.md date value."""

    iso: str | None
    granularity: str | None
    start: str | None
    end: str | None
    resolution: str  # absolute | relative | unanchored
    anchor: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FigureValue:
    """SPEC.md figure value."""

    amount: float | int | None
    unit: str | None
    approx: str | None
    min: float | int | None
    max: float | int | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _period(granularity: str, year: int, sub: int = 1, day: int = 1) -> tuple[str, str, str]:
    """iso, start, end for a period."""
    if granularity == "year":
        return f"{year:04d}", f"{year:04d}-01-01", f"{year:04d}-12-31"
    if granularity == "quarter":
        first = 3 * (sub - 1) + 1
        last = first + 2
        end_day = calendar.monthrange(year, last)[1]
        return f"{year:04d}-Q{sub}", f"{year:04d}-{first:02d}-01", f"{year:04d}-{last:02d}-{end_day:02d}"
    if granularity == "month":
        end_day = calendar.monthrange(year, sub)[1]
        return f"{year:04d}-{sub:02d}", f"{year:04d}-{sub:02d}-01", f"{year:04d}-{sub:02d}-{end_day:02d}"
    iso = f"{year:04d}-{sub:02d}-{day:02d}"
    return iso, iso, iso


def make_date(granularity: str, year: int, sub: int = 1, day: int = 1, *, resolution: str = "absolute",
              anchor: date | str | None = None) -> DateValue:
    iso, start, end = _period(granularity, year, sub, day)
    anchor_s = anchor.isoformat() if isinstance(anchor, date) else anchor
    return DateValue(iso, granularity, start, end, resolution, anchor_s if resolution == "relative" else None)


def from_day(d: date, granularity: str, *, resolution: str, anchor: date | str | None) -> DateValue:
    sub = {"year": 1, "quarter": (d.month - 1) // 3 + 1, "month": d.month, "day": d.month}[granularity]
    return make_date(granularity, d.year, sub, d.day, resolution=resolution, anchor=anchor)


def unanchored(granularity: str | None) -> DateValue:
    return DateValue(None, granularity, None, None, "unanchored", None)


def parse_iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


# --------------------------------------------------------------------------- dates


@lru_cache(maxsize=512)
def _parser(anchor: date | None, prefer: str) -> DateDataParser:
    base = datetime.combine(anchor, datetime.min.time()) if anchor else datetime(2000, 7, 1)
    settings = {
        "PREFER_DAY_OF_MONTH": "first",
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": prefer,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "STRICT_PARSING": False,
    }
    return DateDataParser(languages=["en"], settings=settings)


@lru_cache(maxsize=65536)
def _dateparse(text: str, anchor: date | None, prefer: str) -> tuple[date, str] | None:
    data = _parser(anchor, prefer).get_date_data(text)
    if data.date_obj is None:
        return None
    period = data.period if data.period in ("day", "month", "year") else "day"
    return data.date_obj.date(), period


_MODIFIER_RX = re.compile(
    r"^(?:(?:the\s+)?(?:end|beginning|start|middle|turn|close)\s+of\s+|(?:early|mid|late)\s*-?\s*"
    r"|(?:the\s+)?(?:first|second)\s+half\s+of\s+)",
    re.IGNORECASE,
)


def strip_modifiers(text: str) -> tuple[str, str | None]:
    m = _MODIFIER_RX.match(text)
    if not m:
        return text, None
    return text[m.end():], m.group(0).strip().lower()


_UNITS_WORDS = {w: i for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
     "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"])}
_TENS_WORDS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
               "ninety": 90}
_SPELLED_YEAR_RX = re.compile(
    r"\b(?:(nineteen|eighteen)\s+(?:(" + "|".join(_TENS_WORDS) + r")(?:[\s-]+(" + "|".join(list(_UNITS_WORDS)[1:10])
    + r"))?|(" + "|".join(list(_UNITS_WORDS)[10:]) + r"))|two\s+thousand(?:\s+(?:and\s+)?("
    + "|".join(list(_UNITS_WORDS)[1:]) + r"))?)\b",
    re.IGNORECASE,
)


def _spelled_years(text: str) -> str:
    """Write spoken years as digits ("nineteen ninety-six" -> 1996), as broadcast transcripts spell them."""

    def digits(m: re.Match[str]) -> str:
        century, tens, unit, teen, millennium_unit = (g.lower() if g else None for g in m.groups())
        if century is None:  # "two thousand (and) five"
            return str(2000 + (_UNITS_WORDS[millennium_unit] if millennium_unit else 0))
        base = 1900 if century == "nineteen" else 1800
        if teen is not None:
            return str(base + _UNITS_WORDS[teen])
        return str(base + _TENS_WORDS[tens or "ninety"] + (_UNITS_WORDS[unit] if unit else 0))

    return _SPELLED_YEAR_RX.sub(digits, text)


def _decade(low: str) -> DateValue | None:
    """"the 1990s", "the '80s": SPEC has no decade granularity, so ``iso`` and ``granularity``
    are null and ``start``/``end`` carry the ten years."""
    m = re.search(r"\b(1[6-9]\d|20\d)0s\b", low)
    if m:
        first = int(m.group(1)) * 10
    else:
        m = re.search(r"['’](\d)0s\b", low)
        if not m:
            return None
        first = 1900 + int(m.group(1)) * 10 if int(m.group(1)) >= 3 else 2000 + int(m.group(1)) * 10
    return DateValue(None, None, f"{first:04d}-01-01", f"{first + 9:04d}-12-31", "absolute", None)


def _explicit_year(text: str) -> int | None:
    m = _YEAR_RX.search(text)
    if m:
        return int(m.group(1))
    m = _SHORT_YEAR_RX.search(text)
    if m:
        return 2000 + int(m.group(1)) if int(m.group(1)) < 50 else 1900 + int(m.group(1))
    m = re.search(r"\bq[1-4]([12][0-9])$", text.lower())  # "Q123": the first quarter of 2023
    if m:
        return 2000 + int(m.group(1))
    return None


def _quarter_of(text: str) -> int | None:
    low = text.lower()
    m = re.search(r"\bq([1-4])|\b([1-4])q", low)
    if m:
        return int(m.group(1) or m.group(2))
    for word, n in ORDINALS.items():
        if re.search(rf"\b{word}\b", low):
            return n
    if re.search(r"\blast\s+(?:three|3)\s+months\b|\bfinal\b", low):
        return 4
    if re.search(r"\blast\b(?!\s+year)", low):
        return 4
    return None


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


# How far ahead of the publication date a month or day named without a year may
# lie before it is read as the last such one instead: news mostly speaks of the
# recent past, but "payable Jan. 2" in a November story is the coming January.
_AHEAD_MONTHS = 4
_AHEAD_DAYS = 122
_AHEAD_DAYS_PAST = 45
_REL_YEAR_RX = re.compile(r"\b(last|this|next)\s+year\b", re.IGNORECASE)


def _year_of_month(anchor: date, month: int, future: bool, past: bool = False) -> int:
    """Year of a month named without one: the coming one if the clause looks ahead or it is
    at most a few months off (and the verb is not in the past tense), else the latest at or
    before the anchor."""
    ahead = (month - anchor.month) % 12
    if future or ahead <= (0 if past else _AHEAD_MONTHS):
        return anchor.year if month >= anchor.month else anchor.year + 1
    return anchor.year if month <= anchor.month else anchor.year - 1


def _year_of_day(anchor: date, month: int, day: int, future: bool, past: bool = False) -> int:
    """Year of a day named without one ("Dec. 15"): the nearest such day, preferring the past
    unless it lies within a few months ahead (or the clause looks ahead); a past-tense verb
    narrows "a few months" to a few weeks ("extended the offer to Nov. 20")."""

    def on(y: int) -> date:
        return date(y, month, min(day, calendar.monthrange(y, month)[1]))

    ahead = min(on(y) for y in (anchor.year, anchor.year + 1) if on(y) >= anchor)
    if future or (ahead - anchor).days <= (_AHEAD_DAYS_PAST if past else _AHEAD_DAYS):
        return ahead.year
    return max(on(y) for y in (anchor.year - 1, anchor.year) if on(y) <= anchor).year


def _year_of_quarter(anchor: date, q: int, future: bool) -> int:
    """Year of a quarter named without one: the latest at or before the anchor's quarter; looking
    ahead, the previous quarter (results still to be reported) up to two quarters on."""
    current = (anchor.month - 1) // 3 + 1
    delta = (q - current) % 4  # 0..3 quarters ahead
    if future:
        if delta == 3:  # the quarter just ended
            return anchor.year if q < current else anchor.year - 1
        return anchor.year if q >= current else anchor.year + 1
    return anchor.year if q <= current else anchor.year - 1


def _last_quarter(anchor: date) -> tuple[int, int]:
    """The last complete quarter before the anchor: what "the quarter" reports on."""
    q = (anchor.month - 1) // 3  # 0 when the anchor lies in Q1
    return (anchor.year, q) if q else (anchor.year - 1, 4)


def _hint_quarter(hint: str | None, anchor: date | None, future: bool) -> tuple[int | None, int] | None:
    """The quarter a context hint from the date marker names: "1989-Q3", "Q3" (year from the
    anchor), or "Q" (a quarter with no number: the last complete one)."""
    if not hint or "Q" not in hint:
        return None
    m = re.fullmatch(r"(\d{4})-Q([1-4])", hint)
    if m:
        return int(m.group(1)), int(m.group(2))
    if anchor is None:  # known to be a quarter, but not which one
        return None, int(hint[1]) if len(hint) > 1 else 0
    if hint == "Q":
        return _last_quarter(anchor)
    q = int(hint[1])
    return _year_of_quarter(anchor, q, future), q


@dataclass(frozen=True)
class DateContext:
    """What a date mention is resolved against."""

    anchor: date | None  # publication date
    reference: DateValue | None = None  # the last absolute date mentioned before it
    future: bool = False  # the governing verb looks ahead ("will", "plans to")


def resolve_date(text: str, label: str, ctx: DateContext) -> DateValue | None:
    """Resolve one date mention; None when it has no SPEC form (weeks, durations, decades).

    ``label`` names the resolver; the date marker may append ``@hint`` with what the context
    says: the period under discussion ("Q3", "1989-Q3", "Q", "year") or "ahead" for a clause
    that looks forward ("until Tuesday").
    """
    label, _, hint = label.partition("@")
    if hint == "ahead":
        ctx = DateContext(ctx.anchor, ctx.reference, True)
    past = hint == "past" and not ctx.future
    core, modifier = strip_modifiers(text.strip())
    core = _spelled_years(core.strip().rstrip(".,"))
    low = core.lower()
    anchor = ctx.anchor
    year = _explicit_year(core)

    if label == "decade":
        return _decade(low)
    if label == "year_to_date":
        return None
    if label == "iso_day":
        try:
            d = date.fromisoformat(re.sub(r"\s+", "", core))
        except ValueError:
            return None
        return make_date("day", d.year, d.month, d.day)
    if label in ("year", "half", "season"):
        if year is None:
            return None
        return make_date("year", year)
    if label == "quarter":
        q = _quarter_of(core)
        if year is None and anchor is not None:
            for word, step in (("last", -1), ("this", 0), ("next", 1)):
                if re.search(rf"\b{word}\s+year\b", low):
                    year = anchor.year + step
        if q is None or year is None:
            return None
        return make_date("quarter", year, q)
    if label == "quarter_noyear":
        q = _quarter_of(core)
        if q is None:
            return None
        if anchor is None:
            return unanchored("quarter")
        return make_date("quarter", _year_of_quarter(anchor, q, ctx.future), q, resolution="relative",
                         anchor=anchor)
    if label == "the_period":
        return _resolve_the_period(low, hint, ctx)
    if label == "year_ago":
        return _resolve_year_ago(low, hint, ctx)
    if label == "period_of_year":  # "the 1988 period": the quarter under discussion, of that year
        if year is None:
            return None
        hq = _hint_quarter(hint, anchor, ctx.future)
        if hq is not None and 1 <= hq[1] <= 4:  # a quarter whose number the text never gave is the year
            return make_date("quarter", year, hq[1])
        return make_date("year", year)
    if label == "this_year":  # "the full year", "year-end": the year being reported on
        if anchor is None:
            return unanchored("year")
        return make_date("year", anchor.year, resolution="relative", anchor=anchor)
    if label == "month_range":
        return _resolve_month_range(low, year, ctx)
    if label == "relative":
        return _resolve_relative(low, ctx)
    if label == "weekday":
        if anchor is None:
            return unanchored("day")
        wd = WEEKDAYS[next(w for w in low.split() if w in WEEKDAYS)]
        if ctx.future:
            delta = (wd - anchor.weekday()) % 7
            d = anchor + timedelta(days=delta)
        else:
            delta = (anchor.weekday() - wd) % 7
            d = anchor - timedelta(days=delta)
        return make_date("day", d.year, d.month, d.day, resolution="relative", anchor=anchor)

    # day, month, day_noyear, month_noyear: dateparser reads the words
    cleaned = re.sub(r"\b(the|of)\b", " ", core, flags=re.IGNORECASE)
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" ,")
    if year is not None:
        parsed = _dateparse(cleaned, None, "past")
        if parsed is None:
            return None
        d, period = parsed
        granularity = "day" if label == "day" and period == "day" else period
        if label == "month" and granularity == "day":
            granularity = "month"
        return from_day(d, granularity, resolution="absolute", anchor=None)
    # no year in the text: resolve against the publication date
    granularity = "day" if label == "day_noyear" else "month"
    if anchor is None:
        return unanchored(granularity)
    rel_year = _REL_YEAR_RX.search(cleaned)  # "June last year", "February this year"
    if rel_year:
        cleaned = (cleaned[:rel_year.start()] + cleaned[rel_year.end():]).strip(" ,")
    parsed = _dateparse(cleaned, anchor, "future" if ctx.future else "past")
    if parsed is None:
        return None
    d, _ = parsed
    month = d.month
    if rel_year:
        y = anchor.year + {"last": -1, "this": 0, "next": 1}[rel_year.group(1).lower()]
    elif granularity == "day":
        y = _year_of_day(anchor, month, d.day, ctx.future, past)
    else:
        y = _year_of_month(anchor, month, ctx.future, past)
    day = min(d.day, calendar.monthrange(y, month)[1])
    return make_date(granularity, y, month, day, resolution="relative", anchor=anchor)


def _resolve_month_range(low: str, year: int | None, ctx: DateContext) -> DateValue | None:
    """"July-September 2025", "October through December", "the last three months of 2023":
    a calendar quarter when the range is one, else the year."""
    anchor = ctx.anchor
    months = [MONTHS[w] for w in re.findall(r"[a-z]+", low) if w in MONTHS]
    m = re.search(r"\b(first|last|final)\s+(?:three|3)\s+months\b", low)
    if m:
        months = [1, 3] if m.group(1) == "first" else [10, 12]
    if len(months) < 2:
        return None
    first, last = months[0], months[-1]
    is_quarter = first % 3 == 1 and last == first + 2
    resolution = "absolute"
    if year is None:
        if anchor is None:
            return unanchored("quarter" if is_quarter else None)
        resolution = "relative"
        year = _year_of_month(anchor, last, ctx.future)
        if is_quarter:
            year = _year_of_quarter(anchor, (first - 1) // 3 + 1, ctx.future)
    if is_quarter:
        return make_date("quarter", year, (first - 1) // 3 + 1, resolution=resolution, anchor=anchor)
    return make_date("year", year, resolution=resolution, anchor=anchor)


def _resolve_the_period(low: str, hint: str, ctx: DateContext) -> DateValue | None:
    """"the quarter", "the latest quarter", "that quarter": the quarter under discussion (from
    the hint), else the last complete one; "the current quarter" (and "this quarter" with no
    numbered quarter in context) is the anchor's own."""
    anchor = ctx.anchor
    numbered = hint is not None and re.search(r"Q[1-4]", hint) is not None
    if "current" in low or ("this" in low.split() and not numbered):
        if anchor is None:
            return unanchored("quarter")
        return make_date("quarter", anchor.year, (anchor.month - 1) // 3 + 1, resolution="relative",
                         anchor=anchor)
    hq = _hint_quarter(hint, anchor, ctx.future)
    if hq is None and anchor is not None:
        hq = _last_quarter(anchor)
    if hq is None or hq[0] is None:
        return unanchored("quarter")
    return make_date("quarter", hq[0], hq[1], resolution="relative", anchor=anchor)


def _resolve_year_ago(low: str, hint: str, ctx: DateContext) -> DateValue | None:
    """"a year ago", "the year-earlier quarter", "the same quarter last year": results are
    compared with the same period a year before, so the period under discussion (a quarter,
    from the text or the hint) moves back a year; otherwise it is the year before."""
    anchor = ctx.anchor
    q_text = _quarter_of(re.sub(r"\blast\s+year\b", " ", low))
    hq: tuple[int | None, int] | None = None
    if q_text is not None:
        hq = (_year_of_quarter(anchor, q_text, ctx.future) if anchor else None, q_text)
    elif "quarter" in low or (hint and "Q" in hint):
        hq = _hint_quarter(hint if hint and "Q" in hint else "Q", anchor, ctx.future)
    if hq is not None:
        y, q = hq
        if y is None:
            return unanchored("quarter")
        return make_date("quarter", y - 1, q, resolution="relative", anchor=anchor)
    if re.fullmatch(r"(?:a|an|one)\s+year\s+(?:ago|earlier)", low):
        return _resolve_relative(low, ctx)
    if anchor is None:
        return unanchored("year")
    return make_date("year", anchor.year - 1, resolution="relative", anchor=anchor)


def _resolve_relative(low: str, ctx: DateContext) -> DateValue | None:
    anchor = ctx.anchor
    words = low.replace("-", " ").split()
    ref = ctx.reference

    # anchored on an earlier mention: "the following year", "a year earlier", "that month"
    if words[0] in ("the", "that", "a", "an", "one") and words[-1] not in ("ago",):
        unit = next((w for w in words if w in ("year", "month", "day", "week", "quarter")), None)
        if unit is None or unit in ("day", "week"):
            return None
        if words[0] == "the" and len(words) == 2 and words[1] in ("year", "month", "quarter"):
            return None
        step = 0
        if any(w in ("previous", "prior", "before", "earlier") for w in words):
            step = -1
        elif any(w in ("following", "next", "later", "after") for w in words):
            step = 1
        base = ref.start if ref is not None and ref.granularity in ("year", "quarter", "month", "day") else None
        base_date = parse_iso_date(base)
        resolution_anchor: date | str | None = ref.iso if base_date else anchor
        if base_date is None:
            if anchor is None:
                return unanchored(unit)
            base_date = anchor
        if unit == "year":
            return make_date("year", base_date.year + step, resolution="relative", anchor=resolution_anchor)
        if unit == "quarter":
            q = (base_date.month - 1) // 3 + 1 + step
            y = base_date.year + (q - 1) // 4
            return make_date("quarter", y, (q - 1) % 4 + 1, resolution="relative", anchor=resolution_anchor)
        y, m = _shift_month(base_date.year, base_date.month, step)
        return make_date("month", y, m, resolution="relative", anchor=resolution_anchor)

    if anchor is None:
        gran = "day" if words[-1] in _DAY_WORDS or words[-1] in WEEKDAYS \
            else "month" if words[-1] in ("month",) or words[-1] in MONTHS else "year"
        if words[-1] in ("week", "weekend", "days", "weeks"):
            return None
        return unanchored(gran)

    if words[-1] in _DAY_WORDS:  # "yesterday", "this morning", "last night"
        shift = -1 if words[0] in ("yesterday", "last") else 1 if words[0] == "tomorrow" else 0
        d = anchor + timedelta(days=shift)
        return make_date("day", d.year, d.month, d.day, resolution="relative", anchor=anchor)
    if words[0] in ("yesterday", "tomorrow"):  # "yesterday morning"
        d = anchor + timedelta(days=-1 if words[0] == "yesterday" else 1)
        return make_date("day", d.year, d.month, d.day, resolution="relative", anchor=anchor)

    if words[-1] in ("ago", "earlier") and len(words) >= 3:
        n = parse_number_words(" ".join(words[:-2])) or 1
        unit = words[-2].rstrip("s")
        n = int(n)
        if unit == "year":
            return make_date("year", anchor.year - n, resolution="relative", anchor=anchor)
        if unit == "month":
            y, m = _shift_month(anchor.year, anchor.month, -n)
            return make_date("month", y, m, resolution="relative", anchor=anchor)
        if unit in ("day", "week"):
            d = anchor - timedelta(days=n * (7 if unit == "week" else 1))
            return make_date("day", d.year, d.month, d.day, resolution="relative", anchor=anchor)
        return None

    first, last = words[0], words[-1]
    if first in ("earlier", "later"):
        first = "this"
    step = {"last": -1, "previous": -1, "past": -1, "this": 0, "current": 0, "next": 1, "coming": 1}.get(first)
    if step is None:
        return None
    if first in ("past", "coming", "previous") and last in ("year", "month", "week", "quarter", "decade"):
        return None  # "the past year" is a duration, not a date
    if last == "year":
        return make_date("year", anchor.year + step, resolution="relative", anchor=anchor)
    if last == "month":
        y, m = _shift_month(anchor.year, anchor.month, step)
        return make_date("month", y, m, resolution="relative", anchor=anchor)
    if last == "quarter":
        q = (anchor.month - 1) // 3 + 1 + step
        y = anchor.year + (q - 1) // 4
        return make_date("quarter", y, (q - 1) % 4 + 1, resolution="relative", anchor=anchor)
    if last in MONTHS:
        month = MONTHS[last]
        if step == -1:
            # "last June" in October is this year's June; "last March" in May most often means
            # the March of the year before (the recent one would just be "in March")
            y = anchor.year if anchor.month - month >= _LAST_MONTH_SAME_YEAR else anchor.year - 1
        elif step == 0:
            y = anchor.year
        else:
            y = anchor.year if month > anchor.month else anchor.year + 1
        return make_date("month", y, month, resolution="relative", anchor=anchor)
    if last in WEEKDAYS:
        wd = WEEKDAYS[last]
        if step == -1:
            delta = (anchor.weekday() - wd) % 7 or 7
            d = anchor - timedelta(days=delta)
        elif step == 1:
            delta = (wd - anchor.weekday()) % 7 or 7
            d = anchor + timedelta(days=delta)
        else:
            d = anchor + timedelta(days=wd - anchor.weekday())
        return make_date("day", d.year, d.month, d.day, resolution="relative", anchor=anchor)
    if last in SEASONS:
        return make_date("year", anchor.year + step, resolution="relative", anchor=anchor)
    return None


_LAST_MONTH_SAME_YEAR = 4  # months back from which "last <month>" stays in the anchor's year
_DAY_WORDS = {"yesterday", "today", "tomorrow", "tonight", "morning", "afternoon", "evening", "night"}


# --------------------------------------------------------------------------- numbers

_DIGITS_RX = re.compile(r"^[0-9][0-9,]*(\.[0-9]+)?$")


def parse_number_words(text: str) -> float | None:
    """Digits ("85,000", "1.5") or English number words ("twenty-three") to a number."""
    t = text.strip().lower().replace("\u2009", "").replace("\u202f", "")
    if _DIGITS_RX.match(t):
        if re.match(r"^\d{1,3}(,\d{3})+(\.\d+)?$", t) or "," not in t:
            return float(t.replace(",", ""))
        return None
    t = re.sub(r"^(a|an)\s+", "one ", t)
    try:
        return float(text2num(t.replace(" and ", " "), "en"))
    except ValueError:
        return None


def tidy(amount: float) -> float | int:
    rounded = round(amount)
    if abs(amount - rounded) < 1e-6 * max(1.0, abs(amount)):
        return int(rounded)
    return round(amount, 6)


def figure_amount(number_tokens: list[str], scales: dict[str, int]) -> float | int | None:
    """Scale a number: ["1.5", "billion"] -> 1500000000; ["twenty", "-", "three"] -> 23."""
    scale = 1
    words = [t.rstrip(".") if t.endswith(".") and not t[:-1].isdigit() else t
             for t in number_tokens if t not in ("-", "–")]
    while words and words[-1].lower() in scales and len(words) > 1:
        scale *= scales[words[-1].lower()]
        words = words[:-1]
    if not words:
        return None
    value = parse_number_words(" ".join(words))
    if value is None and len(words) == 1 and words[0].lower() in scales:
        value = float(scales[words[0].lower()])
    if value is None:
        return None
    return tidy(value * scale)


APPROX_BOUNDS = {
    "more_than": ("min", None),
    "over": ("min", None),
    "at_least": ("min", None),
    "less_than": (None, "max"),
    "up_to": (None, "max"),
    "nearly": (None, "max"),
    "about": (None, None),
}


def figure_value(amount: float | int | None, unit: str | None, approx: str | None,
                 tolerance: float = 0.05) -> FigureValue:
    """The interval the wording allows: "more than 200" is [200, open)."""
    if amount is None:
        return FigureValue(None, unit, approx, None, None)
    if approx is None:
        return FigureValue(amount, unit, None, amount, amount)
    if approx == "about":
        spread = abs(amount) * tolerance
        return FigureValue(amount, unit, approx, tidy(amount - spread), tidy(amount + spread))
    if approx == "nearly":
        return FigureValue(amount, unit, approx, tidy(amount * (1 - tolerance)), amount)
    low, high = APPROX_BOUNDS.get(approx, (None, None))
    return FigureValue(amount, unit, approx, amount if low else None, amount if high else None)


# --------------------------------------------------------------------------- claims


def written_precision(number_tokens: list[str], scales: dict[str, int]) -> float | None:
    """The rounding step a figure was written at: "1.14 billion" -> 10 million."""
    words = [t.rstrip(".") if t.endswith(".") and not t[:-1].isdigit() else t
             for t in number_tokens if t not in ("-", "–")]
    scale = 1
    while words and words[-1].lower() in scales and len(words) > 1:
        scale *= scales[words[-1].lower()]
        words = words[:-1]
    if len(words) != 1 or not re.match(r"^[0-9][0-9,]*(\.[0-9]+)?$", words[0]):
        return float(scale) if scale > 1 else 1.0
    decimals = len(words[0].split(".")[1]) if "." in words[0] else 0
    return scale * 10 ** (-decimals)


def claim_id(doc_sha: str, kind: str, start: int, end: int, fingerprint: str) -> str:
    import hashlib

    key = f"{doc_sha}:{kind}:{start}:{end}:{fingerprint}"
    return "c_" + hashlib.sha256(key.encode()).hexdigest()[:16]


_CONFIDENCE = {"absolute": 0.95, "relative": 0.85, "unanchored": 0.5}


def build_claims(doc: Any, extraction: Any, *, scales: dict[str, int], fingerprint: str,
                 tolerance: float = 0.05) -> list[dict[str, Any]]:
    """SPEC.md claim records for one document (subjects still as surface forms).

    ``doc`` is an ``ingest.Document``, ``extraction`` an ``extract.Extraction``.
    Subjects carry ``text`` and ``type`` here; canonical ids are filled in over
    the whole store by ``canonicalise_subjects`` so that an acronym defined in one
    article merges mentions in all of them.
    """
    anchor = doc.published_date
    mentions = extraction.mentions
    text = doc.text
    source = {"path": doc.path, "title": doc.title, "publisher": doc.publisher, "published": doc.published,
              "url": doc.url}
    date_values: dict[int, DateValue | None] = {}
    reference: DateValue | None = None
    for n, m in enumerate(mentions):
        if m.kind != "date":
            continue
        ctx = DateContext(anchor=anchor, reference=reference, future=m.future)
        value = resolve_date(m.text, m.label, ctx)
        date_values[n] = value
        if value is not None and value.resolution == "absolute":
            reference = value
    records = []
    for n, m in enumerate(mentions):
        flags: list[str] = []
        if m.kind == "date":
            dv = date_values.get(n)
            if dv is None:
                continue
            value = dv.to_dict()
            if dv.resolution == "unanchored":
                flags.append("unanchored")
            confidence = _CONFIDENCE[dv.resolution]
            as_of = None
        else:
            amount = figure_amount(m.number_tokens, scales)
            if amount is None:
                continue
            if m.negative:
                amount = -amount
            fv = figure_value(amount, m.unit, m.approx, tolerance)
            value = fv.to_dict()
            value["precision"] = written_precision(m.number_tokens, scales)
            value.update(quantity_fields(m, amount))
            if m.approx:
                flags.append("approximate")
            as_of = None
            if m.as_of_index is not None:
                dv = date_values.get(m.as_of_index)
                as_of = dv.to_dict() if dv is not None else None
            qualifiers, as_of = figure_qualifiers(m, as_of, anchor)
            confidence = 0.6 + (0.15 if m.unit else 0) + (0.15 if m.subject else 0) + (0.05 if m.predicate else 0)
        subject = None
        if m.subject is not None:
            subject = {"id": None, "name": m.subject.text, "text": m.subject.text, "type": m.subject.label}
        records.append({
            "schema_version": "1",
            "claim_id": claim_id(doc.sha256, m.kind, m.start, m.end, fingerprint),
            "doc_id": doc.doc_id,
            "source": source,
            "kind": m.kind,
            "text": text[m.start : m.end],
            "span": [m.start, m.end],
            "sentence": text[m.sentence_start : m.sentence_end],
            "sentence_span": [m.sentence_start, m.sentence_end],
            "value": value,
            "subject": subject,
            "predicate": m.predicate or None,  # a verb with no letters folds to "": no predicate
            "as_of": as_of,
            "attribution": m.attribution,
            "modality": m.modality,
            "confidence": round(min(confidence, 0.99), 2),
            "extractor": m.extractor,
            "flags": flags,
        })
        if m.kind == "figure" and m.predicate:
            records[-1]["qualifiers"] = qualifiers
            if m.measure:
                records[-1]["measure"] = m.measure
    return records


def quantity_fields(m: Any, amount: float | int) -> dict[str, Any]:
    """SPEC.md's optional figure fields a mention has (``dimension``, ``unit_text``, ``per``,
    ``direction``, ``duration``); the unset ones are left out, as SPEC.md allows."""
    fields = {"dimension": m.dimension, "unit_text": m.unit_text, "per": m.per, "direction": m.direction}
    if m.dimension == "time" and m.unit:
        fields["duration"] = duration_iso(abs(amount), m.unit)
    return {k: v for k, v in fields.items() if v is not None}


def figure_qualifiers(m: Any, as_of: dict[str, Any] | None, anchor: date | None
                      ) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """SPEC.md qualifiers of a figure claim, and its as-of date.

    A forecast, estimate or target is placed at the time it was made (the publication
    month), not at the period it is about: a forecast revised from one month to the next is
    a timeline, and the period it covers (its ``target``) keeps forecasts for different years
    apart. A flow's period type comes from the period its as-of date covers.
    """
    target = None
    if m.stage != "actual":
        target = as_of
        as_of = make_date("month", anchor.year, anchor.month, resolution="relative", anchor=anchor).to_dict() \
            if anchor is not None else None
    period = period_type_of(target if m.stage != "actual" else as_of) if m.aspect in ("flow", "change") else None
    qualifiers: dict[str, Any] = {"period_type": period, "basis": m.basis, "aspect": m.aspect, "stage": m.stage}
    if target is not None:
        qualifiers["target"] = target.get("iso") or target.get("period_label")
    return qualifiers, as_of
