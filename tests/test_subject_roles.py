"""Roles that rule a name out as a figure's subject, on sentences written for these tests (several domains)."""

import pytest

from pipeline.subject_roles import after_dateline, dateline_ranges, excluded_role, focus_entity


@pytest.mark.parametrize("text, place", [
    ("OSLO, Norway (AP) - The insurer said premiums rose 4% in the quarter.", "OSLO, Norway (AP) - "),
    ("NAIROBI - The operator said it had 45 million customers.", "NAIROBI - "),
    ("Lagos (Reuters) - The cement maker raised prices by 10%.", "Lagos (Reuters) - "),
    ("TOKYO, March 3 (Reuters) - The carmaker sold 2 million cars.", "TOKYO, March 3 (Reuters) - "),
    ("Headline here\n\nMADRID, Spain \u2014 The club sold 80,000 season tickets.", "MADRID, Spain \u2014 "),
])
def test_datelines_are_found(text: str, place: str) -> None:
    assert [text[a:b] for a, b in dateline_ranges(text)] == [place]


@pytest.mark.parametrize("text", [
    "Profit rose - again - at the bakery.",  # title case and a dash is no dateline
    "The hospital treated 300 patients - a record - in May.",
    "Shares of the miner fell 3% on Tuesday.",
])
def test_ordinary_sentences_have_no_dateline(text: str) -> None:
    assert dateline_ranges(text) == []


def _roles(pipe, text: str) -> dict[str, str | None]:
    doc = pipe.nlp(text)
    dl = dateline_ranges(doc.text)
    return {e.text.removeprefix("the "): excluded_role(e, dl) for e in doc.ents
            if e.label_ in ("ORG", "GPE", "NORP", "PERSON")}


@pytest.mark.parametrize("text, name, role", [
    ("OSLO, Norway (AP) - The insurer said premiums rose 4% in the quarter.", "Norway", "dateline"),
    ("Nordstrom, which is headquartered in Seattle, said sales fell 3%.", "Seattle", "location"),
    ("The Denver-based brewer said volumes rose 5% last year.", "Denver", "location"),
    ("According to Statistics Canada, unemployment rose to 6.1% in May.", "Statistics Canada", "source"),
    ("The airline told Reuters that it carried 2 million passengers in July.", "Reuters", "source"),
    ("In a filing with the Securities and Exchange Commission, the carmaker said it built 13,000 vehicles.",
     "Securities and Exchange Commission", "source"),
    ("Data from the Office for National Statistics showed retail sales fell 1.2% in March.",
     "Office for National Statistics", "source"),
    ("The startup raised $640 million in a round led by General Catalyst.", "General Catalyst", "investor"),
    ("The startup is backed by Sequoia Capital and has 200 employees.", "Sequoia Capital", "investor"),
    ("The Japanese company said operating profit rose 12%.", "Japanese", "adjective"),
])
def test_names_in_a_role_are_not_subjects(pipe, text: str, name: str, role: str) -> None:
    assert _roles(pipe, text).get(name) == role


@pytest.mark.parametrize("text, name", [
    ("Nordstrom, which is headquartered in Seattle, said sales fell 3%.", "Nordstrom"),
    ("Statistics Canada said the population grew by 1.2 million people last year.", "Statistics Canada"),
    ("General Catalyst raised a $6 billion fund in April.", "General Catalyst"),
    ("Germany's economy shrank 0.3% in the third quarter.", "Germany"),
])
def test_names_in_their_own_clause_stay_candidates(pipe, text: str, name: str) -> None:
    assert _roles(pipe, text).get(name, "missing") is None


def test_a_name_run_into_its_dateline_keeps_its_own_part(pipe) -> None:
    doc = pipe.nlp("NAIROBI - Safaricom said it had 45 million customers.")
    ranges = dateline_ranges(doc.text)
    kept = [after_dateline(e, ranges) for e in doc.ents if e.label_ == "ORG"]
    assert [k.text for k in kept if k is not None] == ["Safaricom"]


class _M:
    def __init__(self, text: str, start: int, label: str = "ORG", source_like: bool = False) -> None:
        self.text, self.start, self.label, self.source_like = text, start, label, source_like


def _key(s: str) -> str:
    return s.lower().replace(" ", "")


def test_the_focus_is_the_company_of_the_title_and_lead() -> None:
    ms = [_M("Vestas", 10), _M("Reuters", 20, source_like=True), _M("Siemens Gamesa", 400), _M("Vestas", 600),
          _M("Siemens Gamesa", 700)]
    assert focus_entity(ms, _key, lead_end=200, title="Vestas order intake climbs").text == "Vestas"


def test_sources_and_places_are_never_the_focus() -> None:
    ms = [_M("Reuters", 5, source_like=True), _M("Reuters", 50, source_like=True), _M("Kenya", 10, "GPE"),
          _M("Kenya", 90, "GPE")]
    assert focus_entity(ms, _key, lead_end=100, title="Kenya tea exports") is None


def test_a_name_seen_once_in_passing_is_no_focus() -> None:
    assert focus_entity([_M("Acme", 900)], _key, lead_end=200, title="Markets wrap") is None


def test_the_agent_of_a_verb_is_no_reporting_source(pipe) -> None:
    # "released by": a verb, not a press release; the agent acts
    roles = _roles(pipe, "A new vaccine approved by regulators was released by Moderna in 2023.")
    assert roles.get("Moderna", "missing") is None


@pytest.mark.parametrize("text, place", [
    ("The UK airport handled 6 million passengers in May.", "UK"),
    ("The Kenyan lender said deposits rose 8%.", None),  # a nationality: not a GPE at all
    ("Shares of the Swiss drugmaker rose 3%.", None),
])
def test_a_place_modifying_an_organisation_noun_says_where(pipe, text: str, place: str | None) -> None:
    from pipeline.entities import EntityRules
    from pipeline.subject_roles import is_location_modifier

    nouns = frozenset(pipe.entity_rules.org_nouns) if hasattr(pipe, "entity_rules") else frozenset()
    doc = pipe.nlp(text)
    found = [e.text for e in doc.ents if e.label_ == "GPE" and is_location_modifier(e, org_nouns=nouns)]
    assert found == ([place] if place else [])
    assert EntityRules  # the org nouns come from the entity rules data


def test_a_country_with_its_own_figure_is_no_location_modifier(pipe) -> None:
    from pipeline.subject_roles import is_location_modifier

    doc = pipe.nlp("Germany's economy shrank 0.3% in the third quarter.")
    nouns = frozenset(pipe.entity_rules.org_nouns)
    assert [e.text for e in doc.ents if e.label_ == "GPE" and is_location_modifier(e, org_nouns=nouns)] == []


def test_a_place_that_governs_is_no_location_modifier(pipe) -> None:
    from pipeline.subject_roles import is_location_modifier

    doc = pipe.nlp("A Hong Kong government official said 40 agencies would use the system.")
    nouns = frozenset(pipe.entity_rules.org_nouns)
    assert [e.text for e in doc.ents if e.label_ == "GPE" and is_location_modifier(e, org_nouns=nouns)] == []
