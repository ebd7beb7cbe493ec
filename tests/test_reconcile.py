"""Reconciliation of claims into facts, on claims built by hand."""

from __future__ import annotations

from typing import Any

from pipeline.config import ReconcileConfig
from pipeline.normalise import figure_value, make_date
from pipeline.reconcile import reconcile


def claim(cid: str, doc: str, amount: float, *, approx: str | None = None, unit: str = "users",
          as_of: str | None = None, precision: float = 1.0, publisher: str = "Wire", predicate: str = "users",
          subject: str = "acme", modality: str = "asserted") -> dict[str, Any]:
    value = figure_value(amount, unit, approx).to_dict() | {"precision": precision}
    as_of_value = None
    if as_of:
        parts = [int(p) for p in as_of.split("-")]
        as_of_value = make_date("month" if len(parts) == 2 else "year", parts[0], *parts[1:]).to_dict()
    return {"claim_id": cid, "doc_id": doc, "kind": "figure", "value": value, "as_of": as_of_value,
            "subject": {"id": subject, "name": subject.title(), "text": subject, "type": "ORG"},
            "predicate": predicate, "source": {"publisher": publisher, "published": None}, "span": [0, 1],
            "flags": [], "modality": modality}


def facts_of(claims: list[dict[str, Any]], **kw: Any) -> list[dict[str, Any]]:
    return reconcile(claims, ReconcileConfig(**kw.pop("config", {})), **kw)


def test_more_than_agrees_with_the_exact_figure_on_the_same_date() -> None:
    (fact,) = facts_of([claim("a", "d1", 200e6, approx="more_than", as_of="2024-04", precision=1e6),
                        claim("b", "d2", 200e6, as_of="2024-04", precision=1e6)])
    assert fact["status"] == "agreed"
    assert fact["value"]["amount"] == 200e6 and fact["value"]["approx"] is None  # the narrower value stands


def test_values_at_different_times_make_a_timeline_and_the_latest_stands() -> None:
    (fact,) = facts_of([claim("c", "d3", 117), claim("a", "d1", 8, as_of="2023-08"),
                        claim("b", "d2", 40, approx="over", as_of="2024-01")])
    assert fact["status"] == "timeline"
    assert [o["value"]["amount"] for o in fact["observations"]] == [8, 40, 117]
    assert fact["value"]["amount"] == 117


def test_different_values_for_the_same_time_are_a_conflict_with_no_value() -> None:
    (fact,) = facts_of([claim("a", "d1", 528, as_of="2023"), claim("b", "d2", 735, as_of="2023")])
    assert fact["status"] == "conflict" and fact["value"] is None
    assert "528" in fact["resolution"]["explanation"] and "735" in fact["resolution"]["explanation"]


def test_rounding_agrees_only_within_the_written_precision() -> None:
    (agree,) = facts_of([claim("a", "d1", 1.1e9, as_of="2023", precision=1e8),
                         claim("b", "d2", 1.14e9, as_of="2023", precision=1e7)])
    assert agree["status"] == "agreed"
    (differ,) = facts_of([claim("a", "d1", 8, unit="percent", as_of="2023"),
                          claim("b", "d2", 9, unit="percent", as_of="2023")])
    assert differ["status"] == "conflict"


def test_currencies_are_never_compared() -> None:
    facts = facts_of([claim("a", "d1", 452.3e9, unit="TWD", predicate="net_profit", as_of="2025"),
                      claim("b", "d2", 14.75e9, unit="USD", predicate="net_profit", as_of="2025")])
    assert sorted(f["status"] for f in facts) == ["single_source", "single_source"]


def test_one_document_is_a_single_source_and_a_syndicated_copy_is_the_same_source() -> None:
    (one,) = facts_of([claim("a", "d1", 5, as_of="2024"), claim("b", "d1", 5, as_of="2024")])
    assert one["status"] == "single_source"
    (copy,) = facts_of([claim("a", "d1", 5, as_of="2024"), claim("b", "d2", 5, as_of="2024")],
                       same_story={"d2": "d1"})
    assert copy["status"] == "single_source"


def test_publisher_weights_pick_the_value_a_fact_stands_behind() -> None:
    claims = [claim("a", "d1", 100, approx="about", as_of="2024", publisher="Blog"),
              claim("b", "d2", 101, as_of="2024", publisher="Registry")]
    (plain,) = facts_of(claims)
    (weighted,) = facts_of(claims, config={"publisher_weights": {"Blog": 3.0}})
    assert plain["status"] == weighted["status"] == "agreed"
    assert plain["value"]["amount"] == 101 and weighted["value"]["amount"] == 100


def test_rejected_claims_leave_their_fact() -> None:
    rejected = claim("b", "d2", 735, as_of="2023") | {"flags": ["reviewed", "rejected"]}
    (fact,) = facts_of([claim("a", "d1", 528, as_of="2023"), rejected])
    assert fact["claim_ids"] == ["a"] and fact["status"] == "single_source"


def test_fact_ids_are_stable() -> None:
    first = facts_of([claim("a", "d1", 5, as_of="2024")])[0]["fact_id"]
    again = facts_of([claim("z", "d9", 7, as_of="2022")])[0]["fact_id"]
    assert first == again  # same subject and predicate, whatever the claims


def _qualified(c: dict[str, Any], **q: str) -> dict[str, Any]:
    return c | {"qualifiers": {"stage": "actual", "basis": None} | q, "measure": c["predicate"]}


def test_a_quarters_flow_and_a_years_flow_are_different_facts() -> None:
    # a wind farm's output: the quarter and the year are different figures, not a conflict
    q = _qualified(claim("a", "d1", 120, unit="GWh", predicate="generation", as_of="2024"), aspect="flow",
                   period_type="quarter")
    y = _qualified(claim("b", "d2", 510, unit="GWh", predicate="generation", as_of="2024"), aspect="flow",
                   period_type="year")
    facts = facts_of([q, y])
    assert len(facts) == 2 and {f["qualifiers"]["period_type"] for f in facts} == {"quarter", "year"}
    assert all(f["status"] == "single_source" for f in facts)


def test_levels_are_compared_whatever_period_word_they_carry() -> None:
    a = _qualified(claim("a", "d1", 5.25, unit="percent", predicate="policy_rate", as_of="2024-03"),
                   aspect="level", period_type="month")
    b = _qualified(claim("b", "d2", 5.25, unit="percent", predicate="policy_rate", as_of="2024-03"),
                   aspect="level", period_type=None)
    (fact,) = facts_of([a, b])
    assert fact["status"] == "agreed"


def test_fiscal_periods_are_told_apart_by_their_days() -> None:
    from pipeline.fiscal import resolve_period

    def fy(c: dict[str, Any], text: str) -> dict[str, Any]:
        return c | {"as_of": resolve_period(text).to_dict()}

    same = facts_of([fy(claim("a", "d1", 19e6, precision=1e6), "the year to March 2026"),
                     fy(claim("b", "d2", 20e6, precision=1e6), "the fiscal year ending March 31, 2026")])
    assert same[0]["status"] == "conflict"  # one period, two values
    apart = facts_of([fy(claim("a", "d1", 19e6, precision=1e6), "the year to March 2026"),
                      fy(claim("b", "d2", 15e6, precision=1e6), "the year to March 2025")])
    assert apart[0]["status"] == "timeline"
    assert "FY2025" in apart[0]["resolution"]["explanation"]


def test_the_explanation_names_the_qualifiers_that_made_claims_comparable() -> None:
    a = _qualified(claim("a", "d1", 3.1, unit="percent", predicate="retail_sales_change", as_of="2024-05"),
                   aspect="change", period_type="month", basis="yoy")
    b = _qualified(claim("b", "d2", 3.1, unit="percent", predicate="retail_sales_change", as_of="2024-05"),
                   aspect="change", period_type="month", basis="yoy")
    (fact,) = facts_of([a, b])
    assert "basis yoy" in fact["resolution"]["explanation"] and fact["measure"] == "retail_sales_change"
