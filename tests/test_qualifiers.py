"""Qualifiers of a figure, on sentences written for these tests from several domains."""

import pytest

from pipeline.qualifiers import basis_of, period_type_of, stage_of


def _token(pipe, text: str, number: str):
    doc = pipe.nlp(text)
    return next(t for t in doc if t.text == number)


@pytest.mark.parametrize("text, number, stage", [
    ("The carmaker expects to deliver 1.8 million vehicles this year.", "1.8", "forecast"),
    ("The airport now forecasts 82 million passengers for the year.", "82", "forecast"),
    ("The retailer gave a forecast of $12 billion in sales.", "12", "forecast"),
    ("Analysts had expected a profit of $3.1 billion.", "3.1", "estimate"),
    ("The consensus estimate was 2.4%.", "2.4", "estimate"),
    ("The utility aims to install 5 gigawatts of wind capacity by 2030.", "5", "target"),
    ("The club sold 40,000 season tickets last year.", "40,000", "actual"),
    ("Inflation rose to 3.3% in May.", "3.3", "actual"),
    ("The hospital treated 12,000 patients in March.", "12,000", "actual"),
])
def test_stage(pipe, text: str, number: str, stage: str) -> None:
    assert stage_of(_token(pipe, text, number)).stage == stage


@pytest.mark.parametrize("text, number, previous", [
    ("The console maker raised its forecast to 19 million units from 15 million.", "15", True),
    ("The console maker raised its forecast to 19 million units from 15 million.", "19", False),
    ("The miner cut its output target to 300 tonnes from 340 tonnes.", "340", True),
])
def test_the_figure_a_revision_replaced(pipe, text: str, number: str, previous: bool) -> None:
    found = stage_of(_token(pipe, text, number))
    assert found.stage in ("forecast", "target") and found.previous is previous


@pytest.mark.parametrize("clause, basis", [
    ("Retail sales rose 3.1% year on year in June.", "yoy"),
    ("Deliveries climbed 11% from a year earlier.", "yoy"),
    ("Core prices rose 0.2% on the month.", "mom"),
    ("Revenue grew 4% quarter-on-quarter.", "qoq"),
    ("The index is up 12% since January.", "since"),
    ("Shares fell 3% on Tuesday.", None),
])
def test_basis(clause: str, basis: str | None) -> None:
    assert basis_of(clause) == basis


@pytest.mark.parametrize("as_of, period", [
    ({"iso": "2024-Q3", "granularity": "quarter"}, "quarter"),
    ({"iso": "2023", "granularity": "year"}, "year"),
    ({"iso": None, "granularity": "year", "period_label": "FY2024"}, "fiscal_year"),
    ({"iso": None, "granularity": "quarter", "period_label": "H1 2025"}, "half"),
    (None, None),
])
def test_period_type(as_of, period) -> None:
    assert period_type_of(as_of) == period


def test_a_past_event_under_an_expectation_is_an_actual(pipe) -> None:
    text = "Operators expected that output reached 9 million barrels, and it fell short of the 10 million forecast."
    doc = pipe.nlp(text)
    assert stage_of(next(t for t in doc if t.text == "9")).stage == "actual"
