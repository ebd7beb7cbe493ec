"""Fiscal years and half-years as periods (pure resolver, no spaCy)."""

from datetime import date

import pytest

from pipeline.fiscal import fiscal_year_end_month, resolve_period


@pytest.mark.parametrize("text, start, end, label", [
    ("the year to March 2024", "2023-04-01", "2024-03-31", "FY2024"),
    ("the fiscal year ending March 31, 2026", "2025-04-01", "2026-03-31", "FY2026"),
    ("the financial year ended 30 June 2025", "2024-07-01", "2025-06-30", "FY2025"),
    ("the full fiscal year through March 2026", "2025-04-01", "2026-03-31", "FY2026"),
    ("the 12 months to September 2023", "2022-10-01", "2023-09-30", "FY2023"),
    ("the six months to September 30, 2025", "2025-04-01", "2025-09-30", "6M to 2025-09"),
    ("the nine months to December 2024", "2024-04-01", "2024-12-31", "9M to 2024-12"),
    ("the first half of 2025", "2025-01-01", "2025-06-30", "H1 2025"),
    ("H2 2024", "2024-07-01", "2024-12-31", "H2 2024"),
    ("1H25", "2025-01-01", "2025-06-30", "H1 2025"),
    ("second-half 2023", "2023-07-01", "2023-12-31", "H2 2023"),
])
def test_periods_with_their_days(text: str, start: str, end: str, label: str) -> None:
    p = resolve_period(text)
    assert p is not None and (p.start, p.end, p.period_label) == (start, end, label)
    assert p.to_dict()["iso"] is None


@pytest.mark.parametrize("text, label", [("fiscal 2024", "FY2024"), ("FY24", "FY2024"), ("FY 2026", "FY2026"),
                                         ("fiscal year 2024/25", "FY2025"), ("FY2024-25", "FY2025")])
def test_fiscal_labels_without_an_end_month_keep_only_the_label(text: str, label: str) -> None:
    p = resolve_period(text)
    assert p is not None and p.period_label == label and p.start is None and p.granularity == "year"


def test_fiscal_label_with_the_documents_end_month() -> None:
    month = fiscal_year_end_month("The retailer's fiscal year ending in January closed with 900 stores.")
    assert month == 1
    p = resolve_period("fiscal 2024", fiscal_end_month=month)
    assert (p.start, p.end) == ("2023-02-01", "2024-01-31")


def test_a_year_missing_from_the_text_comes_from_the_anchor() -> None:
    p = resolve_period("the year to March", anchor=date(2025, 11, 4))
    assert (p.end, p.resolution) == ("2026-03-31", "relative")
    p = resolve_period("the first half", anchor=date(2024, 8, 1))
    assert p.period_label == "H1 2024" and p.resolution == "relative"
    assert resolve_period("the year to March") is None  # no anchor, no guess


@pytest.mark.parametrize("text", ["March 2024", "2023", "the third quarter", "last year", "half a million"])
def test_calendar_dates_are_not_fiscal_periods(text: str) -> None:
    assert resolve_period(text) is None


def test_a_fiscal_half_takes_its_fiscal_year() -> None:
    assert resolve_period("the six months to September 2025", fiscal_end_month=3).period_label == "H1 FY2026"
    assert resolve_period("the six months to March 2026", fiscal_end_month=3).period_label == "H2 FY2026"
    assert resolve_period("the six months to June 2025", fiscal_end_month=12).period_label == "H1 FY2025"
