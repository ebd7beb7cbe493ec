"""Measurement units, durations, ages, rates and signed changes: the pure readers of
``pipeline.units`` and the figure claims they give, on sentences of our own from weather,
sport, transport, energy, health, science, technology and the courts."""

from __future__ import annotations

import pytest

from pipeline.units import canonical_name, describe, duration_iso, read_age, read_duration, read_unit

pytest.importorskip("pint")


# --------------------------------------------------------------------------- the pure readers


@pytest.mark.parametrize(("words", "glued", "name", "dimension", "taken"), [
    (["km", "from"], False, "kilometer", "length", 1),
    (["miles", "an", "hour"], False, "mile per hour", "speed", 3),
    (["miles", "per", "hour"], False, "mile per hour", "speed", 3),
    (["km", "/", "h"], False, "kilometer per hour", "speed", 3),
    (["degrees", "Celsius"], False, "degree Celsius", "temperature", 2),
    (["deg", "f"], False, "degree Fahrenheit", "temperature", 2),
    (["celcius"], False, "degree Celsius", "temperature", 1),  # a common misspelling
    (["metric", "tons"], False, "metric ton", "mass", 2),
    (["tonnes"], False, "metric ton", "mass", 1),
    (["square", "meters"], False, "square meter", "area", 2),
    (["cubic", "feet"], False, "cubic foot", "volume", 2),
    (["barrels", "a", "day"], False, "barrel per day", "flow", 3),
    (["MW"], False, "megawatt", "power", 1),
    (["kWh"], False, "kilowatt hour", "energy", 1),
    (["GB"], True, "gigabyte", "data", 1),
    (["ml"], True, "milliliter", "volume", 1),
    (["hectares"], False, "hectare", "area", 1),
    (["knots"], False, "knot", "speed", 1),
])
def test_units_get_one_canonical_name_and_their_dimension(words, glued, name, dimension, taken):
    unit = read_unit(words, glued)
    assert unit is not None and (unit.name, unit.dimension, unit.words) == (name, dimension, taken)


@pytest.mark.parametrize(("words", "glued", "context"), [
    (["at"], False, None),  # pint knows "at" (technical atmosphere): a word here
    (["points"], False, None),
    (["people"], False, None),
    (["has"], False, None),  # pint reads "has" as hectares
    (["C"], False, {"temperature"}),  # "Class C": only glued
    (["F"], True, {"boeing", "freighter"}),  # "777F": no temperature in the sentence
    (["pm"], True, None),  # "6pm" is a time of day
])
def test_words_that_are_not_units_stay_out(words, glued, context):
    assert read_unit(words, glued, context=context, pos=["VERB"] if words == ["has"] else None) is None


def test_a_glued_c_is_a_temperature_where_the_sentence_speaks_of_one():
    unit = read_unit(["C"], True, context={"highs", "of"})
    assert unit is not None and unit.name == "degree Celsius"


def test_canonical_names_are_pint_names_in_words():
    import pint

    ureg = pint.UnitRegistry()
    assert canonical_name(ureg.parse_units("km/h")) == "kilometer per hour"
    assert canonical_name(ureg.parse_units("m**2")) == "square meter"
    assert canonical_name(ureg.parse_units("degC")) == "degree Celsius"
    assert describe("percent") is None  # dimensionless and not information: no figure unit


@pytest.mark.parametrize(("words", "before", "unit", "taken"), [
    (["years", "old", "when"], None, "year", 2),
    (["-", "year", "-", "old", "striker"], None, "year", 4),
    (["months", "of", "age"], None, "month", 3),
    ([",", "was"], "aged", "year", 0),
])
def test_ages(words, before, unit, taken):
    assert read_age(words, before) == (unit, taken)


@pytest.mark.parametrize(("words", "before", "hyphen", "found"), [
    (["years", "in", "prison"], "to", False, ("year", 1)),
    (["hours", ","], "for", False, ("hour", 1)),
    (["year", "deal"], "a", True, None),  # "a" before the number: see below
    (["year", "deal"], "two", True, ("year", 1)),
    (["years", "ago"], None, False, None),  # a date
    (["months", "to", "September"], "nine", False, None),  # a period
    (["months", ","], "past", False, None),  # "the past three months": a period
    (["week", "high"], "a", True, None),
    (["year", "bond"], "10", True, None),
])
def test_durations_but_not_dates_or_periods(words, before, hyphen, found):
    assert read_duration(words, before, hyphen) == found


def test_iso_durations():
    assert duration_iso(20, "year") == "P20Y"
    assert duration_iso(10, "minute") == "PT10M"
    assert duration_iso(1.5, "hour") == "PT1.5H"
    assert duration_iso(3, "decade") is None


# --------------------------------------------------------------------------- figure claims


def figures(pipe, sentence: str) -> list[dict]:
    text = "Officials gave the figures on Monday.\n" + sentence  # a first line is a headline: add one
    return [c for c in pipe.extract_text(text, published="2025-03-10") if c["kind"] == "figure"]


def value_of(pipe, sentence: str, mention: str) -> dict:
    found = [c for c in figures(pipe, sentence) if mention in c["text"] or c["text"] in mention]
    assert found, (mention, [c["text"] for c in figures(pipe, sentence)])
    return found[0]["value"]


@pytest.mark.parametrize(("sentence", "mention", "expected"), [
    ("Overnight lows of -5C are forecast for the Highlands, with 30cm of snow on high ground.",
     "-5C", {"amount": -5, "unit": "degree Celsius", "dimension": "temperature"}),
    ("Moscow recorded minus 27 degrees Celsius, its coldest morning this winter.",
     "minus 27 degrees Celsius", {"amount": -27, "unit": "degree Celsius"}),
    ("The new trains will run at up to 320 km/h between the two cities.",
     "320 km/h", {"amount": 320, "unit": "kilometer per hour", "dimension": "speed", "unit_text": "km/h"}),
    ("The field pumps 500,000 barrels a day, the ministry said.",
     "500,000 barrels a day", {"amount": 500000, "unit": "barrel per day", "dimension": "flow"}),
    ("Brent crude rose to $78 a barrel in London trading.",
     "$78", {"amount": 78, "unit": "USD", "per": "barrel", "dimension": "currency"}),
    ("The airline will pay a dividend of $1.71 a share in June.",
     "$1.71", {"amount": 1.71, "unit": "USD", "per": "share"}),
    ("The wind farm will have a capacity of 1,200 MW when it opens.",
     "1,200 MW", {"amount": 1200, "unit": "megawatt", "dimension": "power"}),
    ("The phone comes with 512GB of storage and a 6.1-inch screen.",
     "512GB", {"amount": 512, "unit": "gigabyte", "dimension": "data"}),
    ("The phone comes with 512GB of storage and a 6.1-inch screen.",
     "6.1-inch", {"amount": 6.1, "unit": "inch", "dimension": "length"}),
    ("The council bought a 45-acre site next to the ring road.",
     "45-acre", {"amount": 45, "unit": "acre", "dimension": "area"}),
    ("The boxer weighed in at 160 pounds on Friday.",
     "160 pounds", {"amount": 160, "unit": "pound", "dimension": "mass"}),
    ("The club paid 25 million pounds for the striker.",
     "25 million pounds", {"amount": 25_000_000, "unit": "GBP", "dimension": "currency"}),
    ("He was sentenced to five years in prison for the fraud.",
     "five years", {"amount": 5, "unit": "year", "dimension": "time", "duration": "P5Y"}),
    ("The captain, aged 57, had flown for the airline since 1994.",
     "57", {"amount": 57, "unit": "year", "dimension": "time", "duration": "P57Y"}),
    ("Prices rose +0.4% in May, the statistics office said.",
     "0.4%", {"amount": 0.4, "unit": "percent", "direction": "up"}),
    ("Retail sales fell 2.1% in February as shoppers cut back.",
     "2.1%", {"amount": 2.1, "unit": "percent", "direction": "down"}),
    ("Shares in the miner closed down 5pc on Tuesday.",
     "5pc", {"amount": 5, "unit": "percent", "direction": "down"}),
    ("The course was lengthened by 25 yards before the championship.",
     "25 yards", {"amount": 25, "unit": "yard", "direction": "up"}),
    ("Farmers in Punjab harvested 25 lakh tonnes of wheat this season.",
     "25 lakh tonnes", {"amount": 2_500_000, "unit": "metric ton"}),
    ("The high jumper, who is 1.93m tall, cleared the bar at the first attempt.",
     "1.93m", {"amount": 1.93, "unit": "meter", "dimension": "length"}),
    ("The streaming service now has 1.8m subscribers in Britain.",
     "1.8m subscribers", {"amount": 1_800_000, "unit": "subscribers", "dimension": "count"}),
])
def test_quantities_in_news_of_other_kinds(pipe, sentence, mention, expected):
    value = value_of(pipe, sentence, mention)
    assert {k: value.get(k) for k in expected} == expected


def test_a_rise_to_a_level_has_no_direction(pipe):
    claims = figures(pipe, "Revenue rose 12% to $4.5 billion, and market share rose to 31%.")
    by_text = {c["text"]: c["value"] for c in claims}
    assert by_text["12%"]["direction"] == "up"
    assert "direction" not in by_text["$4.5 billion"] and "direction" not in by_text["31%"]


@pytest.mark.parametrize("sentence", [
    "The Boeing 777F freighters landed at 6pm, an hour late.",
    "Shares hit a 52-week high three years ago, the exchange said.",
    "Its 3nm chips and 7-nanometer lines run at full capacity.",
    "Arsenal won 3-1 at the stadium on Saturday.",
])
def test_designations_times_and_periods_are_no_quantities(pipe, sentence):
    found = [(c["text"], c["value"].get("unit")) for c in figures(pipe, sentence)
             if c["value"].get("dimension") not in (None, "count")]
    assert found == []
