"""Behaviour on the real development articles in ../shared/corpus (read at test
time, never copied into the repo). Skipped when ../shared is absent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.store import Store

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus not available")


@pytest.fixture(scope="module")
def store(pipe, tmp_path_factory) -> Store:  # noqa: ANN001
    out = tmp_path_factory.mktemp("shared-corpus")
    pipe.run([CORPUS], out=out, full=True)
    return Store(out)


@pytest.fixture(scope="module")
def claims(store: Store) -> list[dict]:
    return store.read("claims")


def by_text(claims: list[dict], kind: str, pattern: str) -> list[dict]:
    return [c for c in claims if c["kind"] == kind and re.fullmatch(pattern, c["text"], flags=re.S)]


def test_every_span_holds_its_text(store: Store, claims: list[dict]) -> None:
    texts = {d["doc_id"]: store.read_text(d["doc_id"]) for d in store.read("documents")}
    for c in claims:
        text = texts[c["doc_id"]]
        assert text[c["span"][0]:c["span"][1]] == c["text"]
        assert text[c["sentence_span"][0]:c["sentence_span"][1]] == c["sentence"]


def test_relative_month_resolves_against_the_publication_date(claims: list[dict]) -> None:
    (c,) = by_text(claims, "date", r"Last\s+December")
    assert c["source"]["published"] == "2024-05-09"
    assert c["value"]["iso"] == "2023-12" and c["value"]["resolution"] == "relative"


def test_page_chrome_citations_and_urls_make_no_claims(store: Store, claims: list[dict]) -> None:
    texts = [c["text"] for c in claims]
    assert not any(re.search(r"Minuten|Jun 18|May 09, 2024|2024[ab]\b", t) for t in texts), texts
    assert not any("/" in c["text"] for c in claims)
    for doc in store.read("documents"):
        text = store.read_text(doc["doc_id"])
        cited = [m.span() for m in re.finditer(r"\([A-Z][^()]{0,120}, (19|20)\d\d[a-z]?\)", text)]
        urls = [m.span() for m in re.finditer(r"https?://\S+|www\.\S+", text)]
        inside = [c["text"] for c in claims if c["doc_id"] == doc["doc_id"]
                  and any(a <= c["span"][0] < b for a, b in cited + urls)]
        assert inside == [], f"{doc['path']}: claims inside citations or URLs: {inside}"


def test_undated_articles_never_resolve_relative_dates_against_today(claims: list[dict]) -> None:
    undated = [c for c in claims if c["kind"] == "date" and c["source"]["published"] is None]
    assert undated, "the corpus has articles without a publication date"
    for c in undated:
        assert c["value"]["resolution"] in ("absolute", "unanchored") or c["value"]["anchor"] not in (None, ""), c


def test_a_figure_claim_carries_its_whole_context(claims: list[dict]) -> None:
    (c,) = by_text(claims, "figure", r"more than 200 million users")
    value = c["value"]
    assert (value["amount"], value["unit"], value["approx"], value["min"], value["max"]) == \
        (200_000_000, "users", "more_than", 200_000_000, None)
    assert c["subject"]["name"] == "Ernie Bot" and c["subject"]["type"] == "PRODUCT"
    assert c["predicate"] == "users"
    assert c["as_of"]["iso"] == "2024-04-16"
    assert c["modality"] == "claimed"
    assert "Li Yanhong" in c["attribution"]["speaker"]


def test_the_approved_model_count_is_a_timeline(store: Store) -> None:
    facts = [f for f in store.read("facts") if f["predicate"] == "approved_llms" and f["subject"]["name"] == "China"]
    assert len(facts) == 1
    (fact,) = facts
    assert fact["status"] == "timeline"
    amounts = [o["value"]["amount"] for o in fact["observations"]]
    assert amounts[:2] == [8, 40] and 117 in amounts
    assert fact["value"]["amount"] == 117


def test_names_that_look_like_numbers_are_not_figures(claims: list[dict]) -> None:
    texts = {c["text"] for c in claims if c["kind"] == "figure"}
    assert not texts & {"01.AI", "Yi-34B", "GPT4", "GPT-4", "TC260", "14th", "41(4)"}
