"""End to end: a small drop through ``Pipeline.run`` into a store, then incremental re-runs.

The drop (tests/conftest.py) holds three short articles written for these
tests, each with a sidecar, plus one binary junk file.
"""

import json
import shutil
from pathlib import Path

import pytest

from pipeline.store import Store, validate_store

ARTICLE_PATHS = {"acme-growth.txt", "acme-funding.txt", "acme-update.txt"}


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file in the store (texts included), by relative path; not the change log, which every
    run appends its line to (``runs_after``)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name not in (".lock", "runs.jsonl")}


def runs_after(out: Path, before: bytes) -> list[dict]:
    """The lines a run added to runs.jsonl, checking that it only appended."""
    now = (out / "runs.jsonl").read_bytes()
    assert now.startswith(before), "runs.jsonl was rewritten"
    return [json.loads(line) for line in now[len(before):].decode("utf-8").splitlines()]


def docs_by_path(out: Path) -> dict[str, dict]:
    rows = Store(out).read("documents")
    by_path = {r["path"]: r for r in rows}
    assert len(by_path) == len(rows), [r["path"] for r in rows]
    return by_path


def claim_ids(out: Path) -> set[str]:
    return {c["claim_id"] for c in Store(out).read("claims")}


@pytest.fixture(scope="module")
def base(tmp_path_factory, pipe, make_drop):
    """One run on the drop, shared by the read-only tests."""
    root = tmp_path_factory.mktemp("base")
    drop = make_drop(root / "drop")
    out = root / "out"
    summary = pipe.run([drop], out=out)
    return drop, out, summary


@pytest.fixture
def fresh(tmp_path, pipe, make_drop):
    """A drop and a store of this test's own, after a first run."""
    drop = make_drop(tmp_path / "drop")
    out = tmp_path / "out"
    pipe.run([drop], out=out)
    return drop, out


# --------------------------------------------------------------------------- first run


def test_store_is_valid(base):
    _, out, summary = base
    assert validate_store(out) == []
    assert summary.documents == 3
    assert summary.new_documents == 3
    assert summary.kept_documents == 0
    assert summary.errors == 1 and summary.skipped == 0
    assert summary.claims == len(Store(out).read("claims")) > 0
    assert summary.facts == len(Store(out).read("facts"))
    assert any("junk.txt" in m for m in summary.error_messages)
    assert not (out / ".lock").exists()
    assert (out / "reviews.jsonl").read_bytes() == b""


def test_one_document_row_per_file(base):
    drop, out, _ = base
    docs = docs_by_path(out)
    assert set(docs) == ARTICLE_PATHS | {"junk.txt"}
    junk = docs["junk.txt"]
    assert junk["status"] == "error"
    assert junk["error"] and "binary" in junk["error"]
    for name in ARTICLE_PATHS:
        row = docs[name]
        meta = json.loads((drop / name.replace(".txt", ".meta.json")).read_text(encoding="utf-8"))
        assert row["status"] == "ok" and row["error"] is None
        assert (row["title"], row["publisher"], row["published"]) == (
            meta["title"], meta["publisher"], meta["published"])
        text = Store(out).read_text(row["doc_id"])
        assert text == (drop / name).read_text(encoding="utf-8")
        assert row["n_chars"] == len(text)
    assert len({docs[n]["doc_id"] for n in ARTICLE_PATHS}) == 3


def test_every_claim_points_into_its_text(base):
    _, out, _ = base
    store = Store(out)
    docs = {d["doc_id"]: d for d in store.read("documents")}
    claims = store.read("claims")
    assert claims
    for c in claims:
        text = store.read_text(c["doc_id"])
        assert text is not None, c["doc_id"]
        s, e = c["span"]
        ss, se = c["sentence_span"]
        assert c["text"] == text[s:e]
        assert c["sentence"] == text[ss:se]
        assert ss <= s < e <= se
        doc = docs[c["doc_id"]]
        assert doc["status"] == "ok"
        assert c["source"]["path"] == doc["path"]
        assert c["source"]["title"] == doc["title"]
        assert c["source"]["published"] == doc["published"]


def test_the_customer_figures_are_found(base):
    _, out, _ = base
    docs = {d["doc_id"]: d["path"] for d in Store(out).read("documents")}
    found: dict[str, set] = {}
    for c in Store(out).read("claims"):
        if c["kind"] == "figure" and "customers" in c["text"]:
            found.setdefault(docs[c["doc_id"]], set()).add(c["value"]["amount"])
    assert found == {"acme-growth.txt": {1200}, "acme-funding.txt": {1200}, "acme-update.txt": {1800}}


def test_facts_only_name_known_claims(base):
    _, out, _ = base
    ids = claim_ids(out)
    facts = Store(out).read("facts")
    assert facts
    for f in facts:
        assert f["claim_ids"] and set(f["claim_ids"]) <= ids
        for obs in f["observations"]:
            assert set(obs["claim_ids"]) <= set(f["claim_ids"])


def test_claim_ids_are_the_same_in_another_store(base, pipe, tmp_path):
    drop, out, _ = base
    other = tmp_path / "other"
    pipe.run([drop], out=other)

    def keyed(folder):
        return sorted((c["claim_id"], c["doc_id"], tuple(c["span"]), c["kind"])
                      for c in Store(folder).read("claims"))

    assert keyed(other) == keyed(out)
    fact_ids = [f["fact_id"] for f in Store(out).read("facts")]
    assert [f["fact_id"] for f in Store(other).read("facts")] == fact_ids
    for name in ("claims", "facts", "entities"):
        assert (other / f"{name}.jsonl").read_bytes() == (out / f"{name}.jsonl").read_bytes(), name


# --------------------------------------------------------------------------- re-runs


def test_second_run_changes_nothing(fresh, pipe):
    drop, out = fresh
    before = snapshot(out)
    log = (out / "runs.jsonl").read_bytes()
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.glob("*.jsonl") if p.name != "runs.jsonl"}
    summary = pipe.run([drop], out=out)
    assert summary.new_documents == 0
    assert summary.kept_documents == 3
    assert summary.removed_documents == 0
    assert summary.documents == 3 and summary.errors == 1
    after = snapshot(out)
    assert set(after) == set(before)
    for name in before:
        assert after[name] == before[name], f"{name} changed on a re-run"
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.jsonl") if p.name != "runs.jsonl"} == mtimes
    (line,) = runs_after(out, log)  # the re-run is in the change log, changing nothing
    assert line["run_id"] == summary.run_id and line["facts"] == []
    assert line["documents"] == {"added": 0, "changed": 0, "removed": 0, "unchanged": 3, "errors": 1}


def test_new_article_is_the_only_new_document(fresh, pipe):
    drop, out = fresh
    old_ids = claim_ids(out)
    old_docs = docs_by_path(out)
    (drop / "acme-hiring.txt").write_text(
        "Acme Robotics said on 2 October 2024 that it would hire 200 engineers in Berlin next year.\n",
        encoding="utf-8")
    (drop / "acme-hiring.meta.json").write_text(
        json.dumps({"title": "Acme Robotics to hire", "publisher": "Tech Ledger", "published": "2024-10-03"}),
        encoding="utf-8")
    summary = pipe.run([drop], out=out)
    assert summary.new_documents == 1
    assert summary.kept_documents == 3
    assert summary.documents == 4
    docs = docs_by_path(out)
    assert set(docs) == set(old_docs) | {"acme-hiring.txt"}
    for name, row in old_docs.items():
        assert docs[name] == row  # kept rows untouched, ingested_at included
    new_ids = claim_ids(out)
    assert old_ids <= new_ids
    new_doc = docs["acme-hiring.txt"]["doc_id"]
    assert {c["doc_id"] for c in Store(out).read("claims") if c["claim_id"] not in old_ids} == {new_doc}
    assert validate_store(out) == []


def test_changed_text_replaces_its_claims(fresh, pipe):
    drop, out = fresh
    old_docs = docs_by_path(out)
    old_id = old_docs["acme-update.txt"]["doc_id"]
    assert any(c["doc_id"] == old_id for c in Store(out).read("claims"))
    (drop / "acme-update.txt").write_text(
        "Acme Robotics said on 10 September 2024 that it had more than 1,900 customers.\n", encoding="utf-8")
    summary = pipe.run([drop], out=out)
    assert summary.new_documents == 1
    assert summary.kept_documents == 2
    assert summary.removed_documents == 1
    docs = docs_by_path(out)
    new_id = docs["acme-update.txt"]["doc_id"]
    assert new_id != old_id
    claims = Store(out).read("claims")
    assert old_id not in {c["doc_id"] for c in claims}
    assert old_id not in {d["doc_id"] for d in Store(out).read("documents")}
    assert not Store(out).text_path(old_id).exists()
    new_claims = [c for c in claims if c["doc_id"] == new_id]
    assert any(c["kind"] == "figure" and c["value"]["amount"] == 1900 for c in new_claims)
    assert not any("1,800" in c["text"] for c in claims)
    for f in Store(out).read("facts"):
        assert all(cid in {c["claim_id"] for c in claims} for cid in f["claim_ids"])
    assert validate_store(out) == []


def test_deleted_file_leaves_the_store(fresh, pipe):
    drop, out = fresh
    gone = docs_by_path(out)["acme-funding.txt"]["doc_id"]
    (drop / "acme-funding.txt").unlink()
    (drop / "acme-funding.meta.json").unlink()
    summary = pipe.run([drop], out=out)
    assert summary.removed_documents == 1
    assert summary.new_documents == 0
    assert summary.documents == 2
    assert set(docs_by_path(out)) == (ARTICLE_PATHS - {"acme-funding.txt"}) | {"junk.txt"}
    assert gone not in {c["doc_id"] for c in Store(out).read("claims")}
    for e in Store(out).read("entities"):
        assert gone not in e["doc_ids"]
    assert not Store(out).text_path(gone).exists()
    assert validate_store(out) == []


def test_rejected_claim_leaves_its_fact(fresh, pipe):
    drop, out = fresh
    store = Store(out)
    facts = store.read("facts")
    target = next((f["claim_ids"][0] for f in facts if f["claim_ids"]), None)
    assert target is not None, "the drop produced no fact to review"
    store.append_review({
        "schema_version": "1", "review_id": "rev-1", "target_type": "claim", "target_id": target,
        "decision": "reject", "value": None, "reviewer": "tester", "at": "2024-10-01T09:00:00Z",
        "note": "not what the article says",
    })
    reviews_before = store.path("reviews").read_bytes()
    summary = pipe.run([drop], out=out)
    assert summary.new_documents == 0
    assert summary.orphan_reviews == []
    assert store.path("reviews").read_bytes() == reviews_before
    claim = next(c for c in store.read("claims") if c["claim_id"] == target)
    assert "rejected" in claim["flags"] and "reviewed" in claim["flags"]
    for f in store.read("facts"):
        assert target not in f["claim_ids"]
        for obs in f["observations"]:
            assert target not in obs["claim_ids"]
    assert validate_store(out) == []
    # applying the same decision again changes nothing
    before = snapshot(out)
    pipe.run([drop], out=out)
    assert snapshot(out) == before


def test_review_of_a_vanished_claim_is_reported(fresh, pipe):
    drop, out = fresh
    Store(out).append_review({
        "schema_version": "1", "review_id": "rev-9", "target_type": "claim", "target_id": "c_doesnotexist",
        "decision": "reject", "value": None, "reviewer": "tester", "at": "2024-10-01T09:00:00Z", "note": None,
    })
    summary = pipe.run([drop], out=out)
    assert len(summary.orphan_reviews) == 1 and "c_doesnotexist" in summary.orphan_reviews[0]


def test_full_rerun_keeps_claim_ids(fresh, pipe):
    drop, out = fresh
    before = claim_ids(out)
    summary = pipe.run([drop], out=out, full=True)
    assert summary.new_documents == 3
    assert claim_ids(out) == before


def test_store_copied_elsewhere_still_reruns_cleanly(fresh, pipe, tmp_path):
    drop, out = fresh
    moved = tmp_path / "moved"
    shutil.copytree(out, moved)
    summary = pipe.run([drop], out=moved)
    assert summary.new_documents == 0
    assert snapshot(moved) == snapshot(out)


def test_every_broken_file_gets_its_own_row(pipe, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "blank1.txt").write_bytes(b"  \n")
    (drop / "blank2.txt").write_bytes(b"  \n")
    (drop / "feed.jsonl").write_text('{"x": 1}\n{"x": 1}\n', encoding="utf-8")
    (drop / "ok.txt").write_text("Acme Robotics said it had 40 staff.", encoding="utf-8")
    out = tmp_path / "out"
    summary = pipe.run([drop], out=out)
    assert summary.errors == 4
    docs = docs_by_path(out)
    assert set(docs) == {"blank1.txt", "blank2.txt", "feed.jsonl#1", "feed.jsonl#2", "ok.txt"}
    assert validate_store(out) == []


def test_boilerplate_is_recorded_with_offsets_into_the_stored_text(pipe, tmp_path) -> None:  # noqa: ANN001
    from pipeline.store import Store

    drop = tmp_path / "chrome"
    drop.mkdir()
    text = ("Harbour Times\n4 min read\n\nAcme Robotics said on 3 March 2024 that it had 1,200 customers.\n\n"
            "Share this article\n© 2024 Harbour Times. All rights reserved.\n")
    (drop / "page.txt").write_text(text, encoding="utf-8")
    pipe.run([drop], out=tmp_path / "out")
    store = Store(tmp_path / "out")
    (row,) = store.read("documents")
    stored = store.read_text(row["doc_id"])
    marked = {reason: stored[a:b] for a, b, reason in row["boilerplate"]}
    assert "4 min read" in marked.get("reading_time", "") + marked.get("reading_time_words", "")
    assert marked.get("copyright", "").startswith("©")
    assert "Share this article" in marked.get("share_links", "")
    claims = store.read("claims")
    assert {c["text"] for c in claims} >= {"3 March 2024", "1,200 customers"}
    assert not any(a <= c["span"][0] < b for c in claims for a, b, _ in row["boilerplate"])
