"""The change log: ``fact_changes`` on hand-made facts (each kind of change, pairwise), and runs.jsonl
after a second drop is added to a store built from a first, on one company's running figures."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import write_article
from typer.testing import CliRunner

from pipeline.changes import document_changes, fact_changes
from pipeline.cli import app
from pipeline.query import StoreReader
from pipeline.store import validate_store


def _fact(fid: str, status: str, *obs: tuple[float, str, list[str]]) -> dict:
    observations = [{"value": {"amount": a, "unit": "customers"}, "as_of": {"iso": when, "start": when + "-01"},
                     "claim_ids": ids, "doc_ids": ids} for a, when, ids in obs]
    value = observations[-1]["value"] if status != "conflict" else None
    return {"fact_id": fid, "subject": {"id": "acme", "name": "Acme"}, "predicate": "customers", "status": status,
            "value": value, "observations": observations, "claim_ids": [c for o in obs for c in o[2]]}


def _kinds(changes: list[dict]) -> list[tuple[str, str]]:
    return [(c["fact_id"], c["change"]) for c in changes]


def test_nothing_new_is_no_change() -> None:
    facts = [_fact("f1", "agreed", (40, "2024-03", ["c1", "c2"]))]
    assert fact_changes(facts, facts) == []


def test_a_new_fact_is_created_and_nothing_else() -> None:
    changes = fact_changes([], [_fact("f1", "timeline", (40, "2024-03", ["c1"]), (46, "2024-06", ["c2"]))])
    assert _kinds(changes) == [("f1", "created")]
    created = changes[0]
    assert created["from"] is None and created["to"]["amount"] == 46 and created["claims_added"] == ["c1", "c2"]


def test_a_later_point_is_an_observation_a_status_and_a_value() -> None:
    before = [_fact("f1", "agreed", (40, "2024-03", ["c1", "c2"]))]
    after = [_fact("f1", "timeline", (40, "2024-03", ["c1", "c2"]), (46, "2024-06", ["c3"]))]
    changes = fact_changes(before, after)
    assert _kinds(changes) == [("f1", "observation_added"), ("f1", "status_changed"), ("f1", "value_changed")]
    added, status, value = changes
    assert added["to"]["amount"] == 46 and added["to"]["as_of"]["iso"] == "2024-06" and added["claims_added"] == ["c3"]
    assert (status["from"], status["to"]) == ("agreed", "timeline")
    assert (value["from"]["amount"], value["to"]["amount"]) == (40, 46)


def test_a_disagreeing_source_makes_a_conflict() -> None:
    before = [_fact("f1", "single_source", (320, "2024-03", ["c1"]))]
    after = [_fact("f1", "conflict", (320, "2024-03", ["c1"]), (410, "2024-03", ["c2"]))]
    changes = {c["change"]: c for c in fact_changes(before, after)}
    assert set(changes) == {"observation_added", "status_changed", "value_changed"}
    assert changes["status_changed"]["to"] == "conflict" and changes["value_changed"]["to"] is None


def test_another_source_for_the_same_value_confirms_it() -> None:
    before = [_fact("f1", "agreed", (12, "2023-12", ["c1", "c2"]))]
    after = [_fact("f1", "agreed", (12, "2023-12", ["c1", "c2", "c3"]))]
    assert [(c["change"], c["claims_added"]) for c in fact_changes(before, after)] == [("confirmed", ["c3"])]


def test_a_fact_gone_is_removed() -> None:
    before = [_fact("f1", "agreed", (40, "2024-03", ["c1"])), _fact("f2", "agreed", (5, "2024-03", ["c9"]))]
    changes = fact_changes(before, before[:1])
    assert _kinds(changes) == [("f2", "removed")] and changes[0]["to"] is None


def test_documents_added_changed_removed_and_unchanged() -> None:
    row = {"status": "ok", "drop": "/d"}
    before = {"a": row | {"path": "a.txt"}, "b": row | {"path": "b.txt"}, "c": row | {"path": "c.txt"}}
    after = {"a": row | {"path": "a.txt"}, "b2": row | {"path": "b.txt"}, "d": row | {"path": "d.txt"},
             "e": {"status": "error", "drop": "/d", "path": "e.bin"}}
    assert document_changes(before, after) == {"added": 1, "changed": 1, "removed": 1, "unchanged": 1, "errors": 1}


FIRST = {
    "fernhill-march.txt": (
        "Fernhill Energy said on Monday that it had 40,000 customers at the end of March 2024.\n\n"
        "The Leeds company employed 320 people at the end of March 2024, it said, and its revenue for 2023 "
        "was $12 million.\n",
        {"title": "Fernhill Energy reaches 40,000 customers", "publisher": "Northern Post", "published": "2024-04-08"}),
    "fernhill-brief.txt": (
        "Fernhill Energy had 40,000 customers at the end of March 2024, the supplier said.\n\n"
        "Fernhill Energy's revenue for 2023 was $12 million.\n",
        {"title": "Fernhill Energy grows", "publisher": "Energy Desk", "published": "2024-04-10"}),
}
SECOND = {
    "fernhill-june.txt": (
        "Fernhill Energy said it had 46,000 customers at the end of June 2024.\n\n"
        "The company's revenue for 2023 was $12 million, it said. Fernhill Energy employed 410 people at the "
        "end of March 2024.\n",
        {"title": "Fernhill Energy adds customers", "publisher": "Grid Weekly", "published": "2024-07-09"}),
}


def _drop(folder: Path, articles: dict) -> Path:
    folder.mkdir(parents=True)
    for name, (text, meta) in articles.items():
        write_article(folder, name, text, meta)
    return folder


def test_the_run_on_a_second_drop_logs_what_it_changed(tmp_path: Path, pipe) -> None:
    out = tmp_path / "store"
    pipe.run([_drop(tmp_path / "first", FIRST)], out=out)
    summary = pipe.run([_drop(tmp_path / "second", SECOND)], out=out)
    runs = [json.loads(line) for line in (out / "runs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(runs) == 2 and runs[1]["run_id"] == summary.run_id != runs[0]["run_id"]
    assert runs[0]["documents"]["added"] == 2 and {c["change"] for c in runs[0]["facts"]} == {"created"}
    assert runs[1]["documents"] == {"added": 1, "changed": 0, "removed": 0, "unchanged": 2, "errors": 0}
    by = {}
    for c in runs[1]["facts"]:
        if c["subject"] == "Fernhill Energy":
            by.setdefault((c["predicate"], c["change"]), []).append(c)
    figures = {c["fact_id"] for c in runs[1]["facts"]
               if StoreReader(out).fact(c["fact_id"]) and StoreReader(out).fact(c["fact_id"])["kind"] == "figure"}
    # a running figure got a new point
    point = next(c for c in by[("customers", "observation_added")] if c["fact_id"] in figures)
    assert point["to"]["amount"] == 46000 and point["to"]["as_of"]["iso"] == "2024-06"
    assert any(c["from"] == "agreed" and c["to"] == "timeline" for c in by[("customers", "status_changed")])
    # a figure two sources disagree on for one month is a new conflict, and the summary names it
    assert any(c["to"] == "conflict" for c in by[("employees", "status_changed")])
    assert "Fernhill Energy · employees" in summary.new_conflicts
    # an agreed value stated again is confirmed by the new claim
    confirmed = next(c for c in by[("revenue", "confirmed")] if c["fact_id"] in figures)
    assert confirmed["to"]["amount"] == 12_000_000 and len(confirmed["claims_added"]) == 1
    assert validate_store(out) == []

    # the log is append-only: a run with nothing new adds a line with no fact changes
    first_lines = (out / "runs.jsonl").read_text(encoding="utf-8")
    pipe.run([tmp_path / "second"], out=out)
    text = (out / "runs.jsonl").read_text(encoding="utf-8")
    assert text.startswith(first_lines) and json.loads(text.splitlines()[-1])["facts"] == []

    table = CliRunner().invoke(app, ["changes", "--out", str(out), "--run", summary.run_id])
    assert table.exit_code == 0, table.output
    flat = " ".join(table.output.split())
    assert summary.run_id in flat and "conflict" in flat and "confirmed" in flat and "timeline" in flat
    assert CliRunner().invoke(app, ["changes", "--out", str(out), "--run", "run_nope"]).exit_code == 1
