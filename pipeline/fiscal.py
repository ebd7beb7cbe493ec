"""Fiscal years and half-years as periods with a first and last day.

A company's year often is not the calendar year: "the year to March 2024",
"fiscal 2025", "FY24", "the six months to September". SPEC.md gives such a
period ``iso: null``, its first and last day in ``start``/``end``, the
nearest granularity (``year`` for a fiscal year, ``quarter`` for a half) and
a ``period_label`` (``FY2024``, ``H1 2025``). Reconciliation can then tell a
half-year's profit from a full year's, and two outlets that both report "the
year to March" meet on the same period.

The label convention is the year the period ends in (``FY2024`` is the year
to March 2024), as most issuers and newswires write it. A bare "fiscal 2024"
gets its end month from the document ("the fiscal year ending in March")
when it says; otherwise start and end stay null and only the label is known.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data" / "fiscal_periods.yaml"
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})


@dataclass(frozen=True)
class FiscalRules:
    period_to: re.Pattern[str]
    fiscal_label: re.Pattern[str]
    half: re.Pattern[str]
    year_end_cue: re.Pattern[str]
    months_words: dict[str, int]
    halves: dict[str, int]


def _rx(text: str) -> re.Pattern[str]:
    """A pattern written over several lines in the data file: the lines are joined as they stand."""
    return re.compile("".join(part.strip() for part in text.splitlines()))


@lru_cache(maxsize=4)
def load_rules(path: Path = DATA) -> FiscalRules:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pats = data["patterns"]
    return FiscalRules(
        period_to=_rx(pats["period_to"]), fiscal_label=_rx(pats["fiscal_label"]), half=_rx(pats["half"]),
        year_end_cue=_rx(data["year_end_cue"]),
        months_words={str(k): int(v) for k, v in data["months_words"].items()},
        halves={str(k): int(v) for k, v in data["halves"].items()},
    )


@dataclass(frozen=True)
class Period:
    """A period that is not a calendar year, quarter, month or day (SPEC.md "Date values")."""

    start: str | None
    end: str | None
    granularity: str  # year | quarter
    period_label: str
    resolution: str = "absolute"
    anchor: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"iso": None, "granularity": self.granularity, "start": self.start, "end": self.end,
                "resolution": self.resolution, "anchor": self.anchor, "period_label": self.period_label}


def _full_year(text: str | None, century_of: int = 2000) -> int | None:
    if not text:
        return None
    n = int(text)
    return n if n >= 100 else century_of + n


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _months_back(end: date, months: int) -> date:
    """The first day of the ``months``-month period that ends on ``end``."""
    m = end.month - months + 1
    y = end.year
    while m <= 0:
        m += 12
        y -= 1
    return date(y, m, 1)


def fiscal_year_end_month(text: str, rules: FiscalRules | None = None) -> int | None:
    """The month the document's company closes its fiscal year in, if the text says."""
    rules = rules or load_rules()
    m = rules.year_end_cue.search(text.lower())
    return MONTHS[m.group("month")] if m else None


def resolve_period(text: str, *, anchor: date | None = None, fiscal_end_month: int | None = None,
                   rules: FiscalRules | None = None) -> Period | None:
    """The fiscal or half-year period a mention names, or None when it names none.

    ``anchor`` (the publication date) supplies a missing year: "the year to March" in
    a November article is the year to the coming March when the verb looks ahead,
    which the caller decides; here a missing year takes the nearest end on or
    after the anchor's month minus six months, the reading news most often means.
    """
    rules = rules or load_rules()
    low = re.sub(r"\s+", " ", text.lower().strip())
    m = rules.period_to.search(low)
    if m and m.group("month") in MONTHS:
        month = MONTHS[m.group("month")]
        year = _full_year(m.group("year"))
        resolution, anchor_s = "absolute", None
        if year is None:
            if anchor is None:
                return None
            year = anchor.year if month >= anchor.month - 6 else anchor.year + 1
            if month > anchor.month + 6:
                year = anchor.year - 1
            resolution, anchor_s = "relative", anchor.isoformat()
        months = rules.months_words.get(m.group("months") or "", 12)
        if "half" in m.group(0):
            months = 6
        end = _month_end(year, month)
        start = _months_back(end, months)
        if months == 12:
            return Period(start.isoformat(), end.isoformat(), "year", f"FY{year}", resolution, anchor_s)
        label = f"{months}M to {year}-{month:02d}"
        if months == 6 and fiscal_end_month is not None:
            # a half that ends six months before the fiscal year does is its first half
            first_half = (month + 6 - 1) % 12 + 1 == fiscal_end_month
            fy = year + 1 if first_half and fiscal_end_month < month else year
            label = f"H{1 if first_half else 2} FY{fy}" if first_half or month == fiscal_end_month else label
        return Period(start.isoformat(), end.isoformat(), "quarter", label, resolution, anchor_s)
    m = rules.fiscal_label.search(low)
    if m:
        first = m.group("year") or m.group("fy")
        second = m.group("year2") or m.group("fy2")
        year = _full_year(second, (_full_year(first) or 2000) // 100 * 100) if second else _full_year(first)
        if year is None:
            return None
        if fiscal_end_month is None:
            return Period(None, None, "year", f"FY{year}")
        end = _month_end(year, fiscal_end_month)
        return Period(_months_back(end, 12).isoformat(), end.isoformat(), "year", f"FY{year}")
    m = rules.half.search(low)
    if m:
        half = rules.halves.get(m.group("half") or m.group("h") or m.group("h2") or "", 0)
        year = _full_year(m.group("year") or m.group("hy") or m.group("hy2"))
        resolution, anchor_s = "absolute", None
        if year is None:
            if anchor is None:
                return None
            year, resolution, anchor_s = anchor.year, "relative", anchor.isoformat()
        if not half:
            return None
        first_month = 1 if half == 1 else 7
        end = _month_end(year, first_month + 5)
        return Period(date(year, first_month, 1).isoformat(), end.isoformat(), "quarter", f"H{half} {year}",
                      resolution, anchor_s)
    return None
