"""Date claims: normalisation to SPEC.md "Date values", resolution, and what is not a date.

Every sentence here is written for these tests. The default anchor is
Thursday 2024-05-09.
"""
import calendar

import pytest

P = "2024-05-09"  # a Thursday


@pytest.fixture(scope="module")
def pipe():
    from pipeline import Pipeline  # imported here so the module imports cleanly

    return Pipeline.load()


def date_claims(records):
    return [r for r in records if r.get("kind") == "date"]


def _describe(records):
    return [(r["text"], r["span"], (r.get("value") or {}).get("iso")) for r in date_claims(records)] or "none"


def _overlapping(records, text, mention):
    start = text.find(mention)
    assert start >= 0, f"test bug: {mention!r} not in {text!r}"
    end = start + len(mention)
    return [r for r in date_claims(records) if r["span"][0] < end and start < r["span"][1]]


def date_claim(records, text, mention):
    """The single date claim whose span overlaps the first occurrence of `mention`."""
    hits = _overlapping(records, text, mention)
    assert len(hits) == 1, (
        f"expected one date claim over {mention!r}, got {len(hits)}; date claims found: {_describe(records)}"
    )
    rec = hits[0]
    assert rec["text"] == text[rec["span"][0]:rec["span"][1]], "claim text must equal text[span]"
    return rec


def period(iso, granularity):
    """First and last day (inclusive) covered by an ISO value."""
    year = int(iso[:4])
    if granularity == "year":
        return f"{year}-01-01", f"{year}-12-31"
    if granularity == "quarter":
        q = int(iso[-1])
        first, last = 3 * q - 2, 3 * q
        return f"{year}-{first:02d}-01", f"{year}-{last:02d}-{calendar.monthrange(year, last)[1]:02d}"
    if granularity == "month":
        month = int(iso[5:7])
        return f"{iso}-01", f"{iso}-{calendar.monthrange(year, month)[1]:02d}"
    return iso, iso


def case(text, published, mention, iso, granularity, resolution, id):
    return pytest.param(text, published, mention, iso, granularity, resolution, id=id)


ABSOLUTE = [
    case("Beijing opened generative AI services to the public in August 2023, after months of review.",
         P, "August 2023", "2023-08", "month", "absolute", "month-year"),
    case("The chipmaker confirmed on 16 April 2024 that its new fab had begun trial production.",
         P, "16 April 2024", "2024-04-16", "day", "absolute", "day-month-year"),
    case("Shareholders approved the merger on April 16, 2024, clearing the last hurdle.",
         P, "April 16, 2024", "2024-04-16", "day", "absolute", "month-day-year"),
    case("The filing, dated Apr. 16, 2024, lists three new board members.",
         P, "Apr. 16, 2024", "2024-04-16", "day", "absolute", "abbrev-month-day-year"),
    case("Regulators set a compliance deadline of Sept. 30, 2023 for all lenders.",
         P, "Sept. 30, 2023", "2023-09-30", "day", "absolute", "sept-abbrev"),
    case("The ministry published the draft rules on 3 March 2025.",
         "2025-03-10", "3 March 2025", "2025-03-03", "day", "absolute", "single-digit-day"),
    case("A court hearing is scheduled for 14 January 2025 in Frankfurt.",
         P, "14 January 2025", "2025-01-14", "day", "absolute", "future-day"),
    case("The notice, dated 2024-03-15, sets out the new tariff schedule.",
         P, "2024-03-15", "2024-03-15", "day", "absolute", "iso-date-in-prose"),
    case("The agency tightened algorithm rules in regulations issued in 2021.",
         P, "2021", "2021", "year", "absolute", "bare-year"),
    case("Exports of the chips fell sharply in 2022 (Zhang, 2023).",
         P, "2022", "2022", "year", "absolute", "year-before-citation"),
    case("Cloud revenue rose 28 percent in the first quarter of 2024, the company said.",
         P, "the first quarter of 2024", "2024-Q1", "quarter", "absolute", "first-quarter-of-year"),
    case("Analysts expect the handset maker to return to growth in Q3 2025.",
         P, "Q3 2025", "2025-Q3", "quarter", "absolute", "Qn-year"),
    case("Smartphone shipments climbed 8 percent in Q4 2023 from a year earlier.",
         P, "Q4 2023", "2023-Q4", "quarter", "absolute", "Q4-2023"),
    case("The foundry posted record net profit for the third quarter of 2025.",
         "2025-10-16", "the third quarter of 2025", "2025-Q3", "quarter", "absolute", "third-quarter-of-year"),
    case("Deliveries peaked in the second quarter of 2020, when lockdowns lifted.",
         P, "the second quarter of 2020", "2020-Q2", "quarter", "absolute", "second-quarter-2020"),
    case("Margins improved in Q3\u201923 on lower freight costs.",
         P, "Q3\u201923", "2023-Q3", "quarter", "absolute", "Qn-apostrophe-year"),
    case("The chatbot went viral after its launch in late November 2022.",
         P, "late November 2022", "2022-11", "month", "absolute", "late-month"),
    case("Four more startups won approval only at the end of August 2023.",
         P, "the end of August 2023", "2023-08", "month", "absolute", "end-of-month"),
    case("The retailer plans to open its first European store in early 2024.",
         "2023-10-02", "early 2024", "2024", "year", "absolute", "early-year"),
    case("Construction of the battery plant stalled in mid-2022 amid supply shortages.",
         P, "mid-2022", "2022", "year", "absolute", "mid-year"),
    case("The carrier last raised fares in December 2019, before the pandemic.",
         P, "December 2019", "2019-12", "month", "absolute", "month-year-2019"),
    case("The lender cut its benchmark rate in March 2023.",
         None, "March 2023", "2023-03", "month", "absolute", "no-published-month-year"),
    case("Revenue hit a record in Q4 2023, the firm said.",
         None, "Q4 2023", "2023-Q4", "quarter", "absolute", "no-published-quarter"),
    case("The start-up was founded on June 5, 2018 in Shenzhen.",
         None, "June 5, 2018", "2018-06-05", "day", "absolute", "no-published-day"),
]

RELATIVE = [
    case("The platform suspended the developer's account last December.",
         P, "last December", "2023-12", "month", "relative", "last-December"),
    case("In March, the startup released an open-source model.",
         P, "March", "2024-03", "month", "relative", "in-March"),
    case("The firm had raised prices last March as well.",
         P, "last March", "2023-03", "month", "relative", "last-March"),
    case("Producer prices rose sharply last February.",
         P, "last February", "2023-02", "month", "relative", "last-February"),
    case("Imports from the region surged in February.",
         P, "February", "2024-02", "month", "relative", "in-February"),
    case("Sales of electric vans doubled last year.",
         P, "last year", "2023", "year", "relative", "last-year"),
    case("The insurer expects claims to ease this year.",
         P, "this year", "2024", "year", "relative", "this-year"),
    case("The airline plans to retire its oldest jets next year.",
         P, "next year", "2025", "year", "relative", "next-year"),
    case("Earlier this year, the group cut 1,200 jobs.",
         P, "Earlier this year", "2024", "year", "relative", "earlier-this-year"),
    case("Factory orders fell for a third time last month.",
         P, "last month", "2024-04", "month", "relative", "last-month"),
    case("Two new data centres came online this month.",
         P, "this month", "2024-05", "month", "relative", "this-month"),
    case("The carmaker will publish detailed results next month.",
         P, "next month", "2024-06", "month", "relative", "next-month"),
    case("The regulator said earlier this month that it would review the deal.",
         P, "earlier this month", "2024-05", "month", "relative", "earlier-this-month"),
    case("The central bank held rates steady yesterday, citing sticky inflation.",
         P, "yesterday", "2024-05-08", "day", "relative", "yesterday"),
    case("The union said today that talks had broken down.",
         P, "today", "2024-05-09", "day", "relative", "today"),
    case("Shares of the retailer slid 7 percent on Tuesday after a profit warning.",
         P, "Tuesday", "2024-05-07", "day", "relative", "weekday-past"),
    case("The chief executive told investors on Thursday that hiring would slow.",
         P, "Thursday", "2024-05-09", "day", "relative", "weekday-publication-day"),
    case("On 16 April, the company's founder unveiled a new chatbot.",
         P, "16 April", "2024-04-16", "day", "relative", "day-month-no-year"),
    case("Hospitals had placed orders worth $2 million by April 30, officials said.",
         P, "April 30", "2024-04-30", "day", "relative", "month-day-no-year"),
    case("As of January, more than 40 models had won approval.",
         P, "January", "2024-01", "month", "relative", "as-of-January"),
    case("Revenue from advertising rose 12 percent last quarter.",
         P, "last quarter", "2024-Q1", "quarter", "relative", "last-quarter"),
    case("The company expects chip sales to recover next quarter.",
         P, "next quarter", "2024-Q3", "quarter", "relative", "next-quarter"),
    case("The streamer added 13 million subscribers in the fourth quarter.",
         "2024-01-24", "the fourth quarter", "2023-Q4", "quarter", "relative", "bare-fourth-quarter"),
    case("The foundry's profit beat forecasts in Q3, helped by AI chip demand.",
         "2025-10-16", "Q3", "2025-Q3", "quarter", "relative", "bare-Q3"),
    case("Sign-ups accelerated again in January, the company said.",
         "2024-01-24", "January", "2024-01", "month", "relative", "January-in-January"),
    case("Subscriptions jumped after the crackdown on password sharing last May.",
         "2024-01-24", "last May", "2023-05", "month", "relative", "last-May-in-January"),
]


@pytest.mark.parametrize("text,published,mention,iso,granularity,resolution", ABSOLUTE + RELATIVE)
def test_date_value(pipe, text, published, mention, iso, granularity, resolution):
    rec = date_claim(pipe.extract_text(text, published=published), text, mention)
    value = rec["value"]
    assert (value["iso"], value["granularity"], value["resolution"]) == (iso, granularity, resolution)
    assert (value["start"], value["end"]) == period(iso, granularity)
    if resolution == "relative":
        assert value["anchor"] == published
    else:
        assert value["anchor"] is None


UNANCHORED = [
    pytest.param("Sales of electric vans doubled last year.", "last year", "year", id="last-year"),
    pytest.param("The central bank held rates steady yesterday.", "yesterday", "day", id="yesterday"),
    pytest.param("The airline plans to retire its oldest jets next year.", "next year", "year", id="next-year"),
    pytest.param("The regulator said earlier this month that it would review the deal.",
                 "earlier this month", "month", id="earlier-this-month"),
    pytest.param("Shares slid 7 percent on Friday after a profit warning.", "Friday", "day", id="weekday"),
]


@pytest.mark.parametrize("text,mention,granularity", UNANCHORED)
def test_unanchored_relative_date_is_kept_and_flagged(pipe, text, mention, granularity):
    rec = date_claim(pipe.extract_text(text, published=None), text, mention)
    value = rec["value"]
    assert value["resolution"] == "unanchored"
    assert value["iso"] is None and value["start"] is None and value["end"] is None
    assert value["granularity"] == granularity
    assert "unanchored" in rec.get("flags", [])


@pytest.mark.parametrize("text,published,mention,start,end", [
    pytest.param("Approvals resumed in August 2023.", P, "August 2023", "2023-08-01", "2023-08-31", id="month"),
    pytest.param("Net income fell in Q1 2024 as memory prices slumped.", P, "Q1 2024",
                 "2024-01-01", "2024-03-31", id="quarter"),
    pytest.param("Exports slowed in Q4 2023.", P, "Q4 2023", "2023-10-01", "2023-12-31", id="q4"),
    pytest.param("The bank expects loan growth to slow in 2024.", P, "2024", "2024-01-01", "2024-12-31", id="year"),
    pytest.param("Retail footfall dipped in February 2024.", P, "February 2024",
                 "2024-02-01", "2024-02-29", id="leap-february"),
    pytest.param("Rail freight fell in February 2023.", P, "February 2023",
                 "2023-02-01", "2023-02-28", id="february"),
    pytest.param("The deal closed on 16 April 2024.", P, "16 April 2024", "2024-04-16", "2024-04-16", id="day"),
    pytest.param("Sales of electric vans doubled last year.", P, "last year",
                 "2023-01-01", "2023-12-31", id="relative-year"),
])
def test_start_end(pipe, text, published, mention, start, end):
    value = date_claim(pipe.extract_text(text, published=published), text, mention)["value"]
    assert (value["start"], value["end"]) == (start, end)


@pytest.mark.parametrize("text,published,mention", [
    pytest.param("Exports of the chips fell sharply in 2022 (Zhang, 2023).", P, "2023", id="citation-year"),
    pytest.param("Several startups are now called the new AI tigers (Li, 2024a).", P, "2024a",
                 id="citation-year-letter"),
    pytest.param("Full story: https://www.example-news.com/2023/12/15/chipmakers-raise-prices/", P,
                 "2023/12/15", id="url-path"),
    pytest.param("The method is set out in https://doi.org/10.1000/xyz.2023.04.004 by the authors.", P,
                 "2023.04", id="doi"),
    pytest.param("Chipmakers brace for new export curbs\n5 min read\n\nChipmakers are preparing for tighter rules.",
                 P, "5 min read", id="reading-time"),
    pytest.param("Updated: Jun 18\n\nRegulators in Brussels opened a new probe into the cloud market.", None,
                 "Jun 18", id="update-stamp"),
    pytest.param("By Maria Lopez\nMay 09, 2024\n\nShares of the lender rose after its results.", P,
                 "May 09, 2024", id="byline-date"),
    pytest.param("The company did not respond to a request for comment.\n\n"
                 "\u00a9 2024 Example Media. All rights reserved.", P, "2024", id="copyright"),
    pytest.param("Foundry orders climb on AI demand\n\nA technician inspects a wafer at a plant in Hsinchu, Taiwan, "
                 "in this illustration taken February 19, 2024. REUTERS/Jane Doe\n\n"
                 "Orders at the foundry climbed sharply, the company said.", P, "February 19, 2024",
                 id="photo-caption"),
    pytest.param("The bank now routes customer queries through GPT-4.", P, "GPT-4", id="model-name"),
    pytest.param("Apple cut the price of the iPhone 15 in China by 500 yuan.", P, "iPhone 15", id="product-name"),
    pytest.param("The plant shipped 2,024 units to dealers in the period.", P, "2,024", id="number-not-year"),
])
def test_not_a_date_claim(pipe, text, published, mention):
    records = pipe.extract_text(text, published=published)
    hits = _overlapping(records, text, mention)
    assert not hits, f"{mention!r} must not be a date claim; date claims found: {_describe(records)}"


# Mentions whose value depends on the text around them: the period being reported on,
# the tense of the clause, or a year named after the month.
IN_CONTEXT = [
    case("Quarterly profit rose to $12 million in the third quarter from $9 million a year earlier.",
         "2024-10-24", "a year earlier", "2023-Q3", "quarter", "relative", "year-earlier-after-quarter"),
    case("Third-quarter sales climbed 8%. In the year-ago quarter, the retailer lost money.",
         "2024-10-24", "the year-ago quarter", "2023-Q3", "quarter", "relative", "year-ago-quarter"),
    case("The streamer added 9 million members in Q1 2024, up from 2 million in the same quarter last year.",
         "2024-04-19", "the same quarter last year", "2023-Q1", "quarter", "relative", "same-quarter-last-year"),
    case("Revenue rose 9% in the quarter, the company said.",
         P, "the quarter", "2024-Q1", "quarter", "relative", "the-quarter-last-complete"),
    case("Net profit climbed in July-September to a record.",
         "2025-10-16", "July-September", "2025-Q3", "quarter", "relative", "month-range-no-year"),
    case("Shipments fell in the last three months of 2023.",
         "2024-01-31", "the last three months of 2023", "2023-Q4", "quarter", "absolute", "last-three-months-of-year"),
    case("In Q123, new sign-ups fell.",
         "2024-04-19", "Q123", "2023-Q1", "quarter", "absolute", "Qn-glued-year"),
    case("The dividend is payable Jan. 2 to holders of record.",
         "2024-11-02", "Jan. 2", "2025-01-02", "day", "relative", "day-soon-after-new-year"),
    case("The company bought the plant in February.",
         "2024-11-20", "February", "2024-02", "month", "relative", "past-tense-month"),
    case("The board approved the plan last June.",
         "2024-10-27", "last June", "2024-06", "month", "relative", "last-June-in-October"),
    case("In June last year, the group split in two.",
         "2024-02-19", "June last year", "2023-06", "month", "relative", "month-last-year"),
    case("In nineteen ninety-six the stadium was rebuilt.",
         "1998-02-27", "nineteen ninety-six", "1996", "year", "absolute", "spoken-year"),
    case("The minister resigned this morning.",
         P, "this morning", "2024-05-09", "day", "relative", "this-morning"),
    case("Officials extended the deadline until Tuesday.",
         P, "Tuesday", "2024-05-14", "day", "relative", "until-weekday"),
    case("Sales for the full year rose 4%.",
         "2024-02-01", "the full year", "2024", "year", "relative", "the-full-year"),
    case("The fiscal year 2023 brought record sales.",
         None, "The fiscal year 2023", "2023", "year", "absolute", "the-fiscal-year-YYYY"),
]


@pytest.mark.parametrize("text,published,mention,iso,granularity,resolution", IN_CONTEXT)
def test_date_value_in_context(pipe, text, published, mention, iso, granularity, resolution):
    test_date_value(pipe, text, published, mention, iso, granularity, resolution)


@pytest.mark.parametrize("text,published,mention", [
    pytest.param("Foreign Minister Jan Kavan signed the treaty.", P, "Jan", id="month-as-first-name"),
    pytest.param("Thousands joined the annual March for Life in the capital.", P, "March", id="month-in-event-name"),
    pytest.param("Apple was the year's leading vendor by shipments.", "2024-01-16", "the year", id="the-years-best"),
])
def test_month_words_that_are_not_dates(pipe, text, published, mention):
    records = pipe.extract_text(text, published=published)
    hits = _overlapping(records, text, mention)
    assert not hits, f"{mention!r} must not be a date claim; date claims found: {_describe(records)}"


@pytest.mark.parametrize("text,mention,start,end", [
    pytest.param("Chip exports boomed throughout the 1990s.", "1990s", "1990-01-01", "1999-12-31", id="decade"),
    pytest.param("Margins peaked in the early '80s, analysts said.", "'80s", "1980-01-01", "1989-12-31",
                 id="short-decade"),
])
def test_decades_cover_ten_years_without_an_iso_value(pipe, text: str, mention: str, start: str, end: str) -> None:
    value = date_claim(pipe.extract_text(text, published="2001-06-01"), text, mention)["value"]
    assert (value["iso"], value["granularity"], value["start"], value["end"], value["resolution"]) == \
        (None, None, start, end, "absolute")
