"""Figure claims: amounts, units, approximation markers, subjects, modality,
attribution, as_of, and numbers that must NOT become figure claims.

Every sentence here is invented for the tests. See SPEC.md, "Figure values".
"""
import pytest

from pipeline import Pipeline

PUB = "2024-05-09"
ANY = object()  # sentinel: this field is not checked in this case


@pytest.fixture(scope="module")
def pipe():
    return Pipeline.load()


def _locate(text, mention):
    start = text.find(mention)
    assert start >= 0, f"test bug: {mention!r} not in {text!r}"
    return start, start + len(mention)


def _overlaps(span, start, end):
    return span[0] < end and start < span[1]


def _describe(figures):
    if not figures:
        return "  (no figure claims)"
    return "\n".join(
        f"  {r.get('text')!r} span={r.get('span')} value={r.get('value')}" for r in figures
    )


def figure_claim(records, text, mention):
    """The single figure claim whose span overlaps the first `mention` in `text`."""
    start, end = _locate(text, mention)
    figures = [r for r in records if r.get("kind") == "figure"]
    hits = [r for r in figures if _overlaps(r["span"], start, end)]
    assert len(hits) == 1, (
        f"expected exactly one figure claim overlapping {mention!r} at [{start}, {end}) "
        f"in {text!r}, found {len(hits)}; all figure claims:\n{_describe(figures)}"
    )
    claim = hits[0]
    s, e = claim["span"]
    assert text[s:e] == claim["text"], f"claim text {claim['text']!r} != text[{s}:{e}] {text[s:e]!r}"
    return claim


def _check_number(field, got, expected):
    if expected is ANY:
        return
    if expected is None:
        assert got is None, f"{field}: expected None, got {got!r}"
    else:
        assert got is not None, f"{field}: expected {expected!r}, got None"
        assert got == pytest.approx(expected, rel=1e-9), f"{field}: expected {expected!r}, got {got!r}"


# --- 1 and 2. amount, unit, approx, min, max -------------------------------
# (text, mention, amount, unit, approx, min, max); ANY = not checked
AMOUNTS = [
    pytest.param("Baidu said its Ernie chatbot now has more than 200 million users.", "200 million",
                 200_000_000, "users", "more_than", 200_000_000, None, id="more_than-200-million-users"),
    pytest.param("Nimbus Cloud serves 85,000 enterprise clients across Europe.", "85,000",
                 85_000, "enterprise clients", None, 85_000, 85_000, id="exact-85000-enterprise-clients"),
    pytest.param("The regulator now lists eight approved models for public release.", "eight",
                 8, ANY, None, 8, 8, id="word-eight"),
    pytest.param("Nimbus Robotics raised $1 billion in its latest funding round.", "$1 billion",
                 1_000_000_000, "USD", None, 1_000_000_000, 1_000_000_000, id="usd-1-billion"),
    pytest.param("The takeover is valued at more than $1 billion, two people said.", "$1 billion",
                 1_000_000_000, "USD", "more_than", 1_000_000_000, None, id="more_than-usd"),
    pytest.param("Revenue at Orbital Foods grew 10 percent in the quarter.", "10 percent",
                 10, "percent", None, 10, 10, id="percent-word"),
    pytest.param("Orbital Foods lifted its dividend by 10% this year.", "10%",
                 10, "percent", None, 10, 10, id="percent-sign"),
    pytest.param("Sales at the retailer rose 10 per cent over Christmas.", "10 per cent",
                 10, "percent", None, 10, 10, id="per-cent-british"),
    pytest.param("The model was trained on 50 billion tokens of text.", "50 billion",
                 50_000_000_000, "tokens", None, ANY, ANY, id="50-billion-tokens"),
    pytest.param("Chinese regulators have approved over 40 models so far.", "40",
                 40, "models", "over", 40, None, id="over-40-models"),
    pytest.param("Investors backed at least five startups in the sector this spring.", "five",
                 5, "startups", "at_least", 5, None, id="at_least-five-startups"),
    pytest.param("The group now has nearly 3,000 employees worldwide.", "3,000",
                 3_000, "employees", "nearly", ANY, 3_000, id="nearly-3000-employees"),
    pytest.param("The trade fair drew about 1.5 million visitors last year.", "1.5 million",
                 1_500_000, "visitors", "about", ANY, ANY, id="about-1.5-million"),
    pytest.param("The carmaker said it could cut up to 300 jobs at the plant.", "300",
                 300, "jobs", "up_to", ANY, 300, id="up_to-300-jobs"),
    pytest.param("Nimbus Robotics holds less than 2 percent of the market.", "2 percent",
                 2, "percent", "less_than", ANY, 2, id="less_than-2-percent"),
    pytest.param("Quarterly revenue reached $6.4bn, beating forecasts.", "$6.4bn",
                 6_400_000_000, "USD", None, ANY, ANY, id="usd-bn-abbrev"),
    pytest.param("The streamer ended the year with 172.5m subscribers.", "172.5m",
                 172_500_000, "subscribers", None, ANY, ANY, id="m-abbrev-subscribers"),
    pytest.param("The lender set aside £2.5 billion for bad loans.", "£2.5 billion",
                 2_500_000_000, "GBP", None, ANY, ANY, id="gbp"),
    pytest.param("The chipmaker expects revenue of NT$1 trillion this year.", "NT$1 trillion",
                 1_000_000_000_000, "TWD", None, ANY, ANY, id="twd-nt-dollar"),
    pytest.param("Quarterly net income came to T$412.7 billion.", "T$412.7 billion",
                 412_700_000_000, "TWD", None, ANY, ANY, id="twd-t-dollar"),
    pytest.param("The utility will invest €400 million in offshore wind.", "€400 million",
                 400_000_000, "EUR", None, ANY, ANY, id="eur"),
    pytest.param("The startup raised US$75 million in a new round.", "US$75 million",
                 75_000_000, "USD", None, ANY, ANY, id="usd-us-prefix"),
    pytest.param("Vendors shipped 1.23 billion smartphones worldwide in 2023.", "1.23 billion",
                 1_230_000_000, "smartphones", None, ANY, ANY, id="1.23-billion-smartphones"),
    pytest.param("The operator launched twenty-three satellites this year.", "twenty-three",
                 23, "satellites", None, 23, 23, id="word-twenty-three"),
    pytest.param("The chain now runs two hundred stores in Spain.", "two hundred",
                 200, "stores", None, 200, 200, id="word-two-hundred"),
    pytest.param("Shares of Nimbus Robotics fell 4 percent on Tuesday.", "4 percent",
                 4, "percent", None, ANY, ANY, id="decline-stored-unsigned"),
    pytest.param("Nimbus Robotics sold 12,500 robots last year.", "12,500",
                 12_500, "robots", None, 12_500, 12_500, id="comma-thousands"),
    pytest.param("The operating margin widened to 18.7% in the period.", "18.7%",
                 18.7, "percent", None, ANY, ANY, id="decimal-percent"),
]


@pytest.mark.parametrize("text, mention, amount, unit, approx, vmin, vmax", AMOUNTS)
def test_figure_value(pipe, text, mention, amount, unit, approx, vmin, vmax):
    claim = figure_claim(pipe.extract_text(text, published=PUB), text, mention)
    value = claim["value"]
    for key in ("amount", "unit", "approx", "min", "max"):
        assert key in value, f"value lacks {key!r}: {value}"
    _check_number("amount", value["amount"], amount)
    if unit is not ANY:
        assert value["unit"] == unit, f"unit: expected {unit!r}, got {value['unit']!r}"
    assert value["approx"] == approx, f"approx: expected {approx!r}, got {value['approx']!r}"
    _check_number("min", value["min"], vmin)
    _check_number("max", value["max"], vmax)


# --- 3. subjects -------------------------------------------------------------
SUBJECTS = [
    pytest.param("Baidu said its chatbot had 200 million users.", "200 million", "Baidu", id="baidu-said-its"),
    pytest.param("Apple shipped 80 million iPhones in the final quarter.", "80 million", "Apple", id="apple-shipped"),
    pytest.param("Airbus, the European planemaker, delivered 766 jets last year.", "766", "Airbus",
                 id="airbus-appositive"),
    pytest.param("Netflix's subscriber base rose to 260 million by December.", "260 million", "Netflix",
                 id="netflix-possessive"),
    pytest.param("Samsung's operating profit jumped 25 percent in the quarter.", "25 percent", "Samsung",
                 id="samsung-possessive"),
    pytest.param("China has approved more than 40 models for public use.", "40", "China", id="country-gpe"),
    # market-wide figures are about the world market, not about any one company
    pytest.param("Global smartphone shipments fell 3 percent last year.", "3 percent", "World", id="market-wide-world"),
    pytest.param("Shipments fell 3 percent last year, analysts said.", "3 percent", None, id="no-subject-none"),
    # a company carried over from earlier sentences owns its own measures, not a country's or a market's
    pytest.param("Harbour Logistics opened two depots in May. Its revenue rose 8% to $40 million.",
                 "$40 million", "Harbour Logistics", id="carried-company-revenue"),
    pytest.param("Harbour Logistics opened two depots in May. Consumer prices rose 3.1% in the year to May.",
                 "3.1%", None, id="carried-company-not-inflation"),
    pytest.param("Pinecrest Foods cut prices in June. The benchmark index closed at 4,210 points on Friday.",
                 "4,210", None, id="carried-company-not-index"),
    # "the Leeds company": the place says which company, by where it is
    pytest.param("Fernhill Energy opened two depots in May. The Leeds company employed 320 people in June.",
                 "320 people", "Fernhill Energy", id="the-city-company"),
    pytest.param("Marlow Grocers reported results on Tuesday. The Ohio chain had 112 stores at the end of June.",
                 "112 stores", "Marlow Grocers", id="the-state-chain"),
]


@pytest.mark.parametrize("text, mention, expected", SUBJECTS)
def test_figure_subject(pipe, text, mention, expected):
    claim = figure_claim(pipe.extract_text(text, published=PUB), text, mention)
    subject = claim["subject"]
    if expected is None:
        assert subject is None, f"expected no subject, got {subject}"
    else:
        assert subject is not None, f"expected subject {expected!r}, got None"
        names = {(subject.get("name") or "").casefold(), (subject.get("text") or "").casefold()}
        assert expected.casefold() in names, f"expected subject {expected!r}, got {subject}"


# --- 4. modality and attribution -------------------------------------------
# (text, mention, modality, speaker): speaker is a substring of attribution.speaker,
# None = attribution must be None, ANY = not checked; modality ANY = not checked
MODALITY = [
    pytest.param("Nimbus Robotics sold 1,200 robots in the quarter, according to Reuters.", "1,200",
                 ANY, "Reuters", id="according-to-reuters"),
    pytest.param("Li Wei, the founder, claimed the app had 50 million users.", "50 million",
                 "claimed", "Li Wei", id="person-claimed"),
    pytest.param("The company claims its robots have cut warehouse costs by 30 percent.", "30 percent",
                 "claimed", ANY, id="company-claims"),
    pytest.param("Nimbus Robotics plans to hire 500 engineers next year.", "500",
                 "planned", ANY, id="plans-to-hire"),
    pytest.param("The airline plans to buy 40 new aircraft by 2030.", "40",
                 "planned", ANY, id="plans-to-buy"),
    pytest.param("The startup reportedly raised $300 million from investors.", "$300 million",
                 "reported", ANY, id="reportedly"),
    pytest.param("Airbus delivered 766 jets last year.", "766", "asserted", None, id="plain-asserted"),
]


@pytest.mark.parametrize("text, mention, modality, speaker", MODALITY)
def test_figure_modality_attribution(pipe, text, mention, modality, speaker):
    claim = figure_claim(pipe.extract_text(text, published=PUB), text, mention)
    if modality is not ANY:
        assert claim["modality"] == modality, f"modality: expected {modality!r}, got {claim['modality']!r}"
    attribution = claim["attribution"]
    if speaker is None:
        assert attribution is None, f"expected no attribution, got {attribution}"
    elif speaker is not ANY:
        assert attribution is not None, f"expected attribution to {speaker!r}, got None"
        assert speaker.casefold() in (attribution.get("speaker") or "").casefold(), \
            f"expected speaker containing {speaker!r}, got {attribution}"


# --- 5. as_of ----------------------------------------------------------------
# (text, mention, published, expected iso); None = as_of null or unresolved (iso null)
AS_OF = [
    pytest.param("As of January, more than 40 models had been approved.", "40", PUB, "2024-01",
                 id="as-of-bare-month"),
    pytest.param("On 16 April 2024 the company said it had 85,000 clients.", "85,000", PUB, "2024-04-16",
                 id="full-date"),
    pytest.param("In March 2023, the app had 12 million monthly users.", "12 million", PUB, "2023-03",
                 id="month-year"),
    pytest.param("By last December, Nimbus Robotics had sold 4,000 robots.", "4,000", PUB, "2023-12",
                 id="last-december-anchored"),
    pytest.param("By last December, Nimbus Robotics had sold 4,000 robots.", "4,000", None, None,
                 id="last-december-unanchored"),
    # the day a statement was made dates what it says held then, not the period of a flow
    pytest.param("The Leeds supplier said on Monday that it had 40,000 customers.", "40,000", PUB, "2024-05-06",
                 id="level-on-the-day-said"),
    pytest.param("The carmaker said on Monday it sold 20,000 cars.", "20,000", PUB, None,
                 id="flow-not-on-the-day-said"),
    pytest.param("Orion Air said Tuesday it carried 1.2 million passengers in March.", "1.2 million", PUB,
                 "2024-03", id="flow-period-not-the-day-said"),
]


@pytest.mark.parametrize("text, mention, published, iso", AS_OF)
def test_figure_as_of(pipe, text, mention, published, iso):
    claim = figure_claim(pipe.extract_text(text, published=published), text, mention)
    as_of = claim["as_of"]
    if iso is None:
        assert as_of is None or as_of.get("iso") is None, f"expected no resolved as_of, got {as_of}"
    else:
        assert as_of is not None, f"expected as_of {iso!r}, got None"
        assert as_of.get("iso") == iso, f"expected as_of {iso!r}, got {as_of}"


# --- 6. numbers that are not figure claims -----------------------------------
NOT_FIGURES = [
    pytest.param("Nimbus Robotics was founded in 2019 in Lyon.", "2019", id="year-founded"),
    pytest.param("In 2023, the company moved its headquarters to Berlin.", "2023", id="year-leading"),
    pytest.param("The results were published on 16 April.", "16", id="day-of-month"),
    pytest.param("Revenue in Q3 beat the company's own guidance.", "Q3", id="quarter-name"),
    pytest.param("The goals are set out in its 14th development plan.", "14th", id="ordinal-14th"),
    pytest.param("Nimbus Robotics is the second largest robot maker in Europe.", "second", id="ordinal-second"),
    pytest.param("Article 4 bans deceptive synthetic content.", "Article 4", id="article-number"),
    pytest.param("Under subsection 1, providers must register their services.", "subsection 1",
                 id="subsection-number"),
    pytest.param("The startup 01.AI released Yi-34B last autumn.", "Yi-34B", id="model-yi-34b"),
    pytest.param("The startup 01.AI released Yi-34B last autumn.", "01.AI", id="company-01ai"),
    pytest.param("OpenAI made GPT-4 available to paying users.", "GPT-4", id="model-gpt-4"),
    pytest.param("Many startups benchmark their chatbots against GPT4.", "GPT4", id="model-gpt4"),
    pytest.param("The A350-1000 is the largest jet that Airbus builds.", "A350-1000", id="aircraft-a350-1000"),
    pytest.param("Demand for Nvidia's H100 chips remains strong.", "H100", id="chip-h100"),
    pytest.param("The handset supports 5G networks.", "5G", id="tech-5g"),
    pytest.param("Apple's iPhone 15 sold well in India.", "iPhone 15", id="product-iphone-15"),
    pytest.param("Further reading: doi:10.5555/techpol.2022.07.013", "10.5555/techpol.2022.07.013", id="doi"),
    pytest.param("Chen, L. (2022) 'Rules for AI', Journal of Digital Policy, 12(3), pp. 45-67.",
                 "pp. 45-67", id="page-range"),
    pytest.param("Chen, L. (2022) 'Rules for AI', Journal of Digital Policy, 12(3), pp. 45-67.",
                 "12(3)", id="volume-issue"),
    pytest.param("Updated 2 June\n138 views   0 comments\n\nNimbus Robotics opened a plant in Lyon.\n",
                 "138 views", id="chrome-views"),
    pytest.param("Updated 2 June\n138 views   0 comments\n\nNimbus Robotics opened a plant in Lyon.\n",
                 "0 comments", id="chrome-comments"),
    pytest.param("By Dana Whitfield\n5 min read\n\nNimbus Robotics opened a plant in Lyon.\n",
                 "5 min read", id="chrome-reading-time"),
    pytest.param("Baidu is one of the largest search companies in the world.", "one", id="one-of-the-largest"),
]


@pytest.mark.parametrize("text, mention", NOT_FIGURES)
def test_not_a_figure(pipe, text, mention):
    start, end = _locate(text, mention)
    figures = [r for r in pipe.extract_text(text, published=PUB) if r.get("kind") == "figure"]
    bad = [r for r in figures if _overlaps(r["span"], start, end)]
    assert not bad, f"{mention!r} must not be a figure claim in {text!r}; got:\n{_describe(bad)}"
