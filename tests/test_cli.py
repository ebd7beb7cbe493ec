"""The ``claims`` command, driven through typer's CliRunner on the test drop."""

import json

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.store import Store, locked

runner = CliRunner()


def flat(s: str) -> str:
    """Whitespace folded, so that rich's line wrapping does not matter."""
    return " ".join(s.split())


@pytest.fixture(scope="module")
def ran(tmp_path_factory, make_drop):
    root = tmp_path_factory.mktemp("cli")
    drop = make_drop(root / "drop")
    out = root / "out"
    result = runner.invoke(app, ["run", str(drop), "--out", str(out)])
    return drop, out, result


def test_run_prints_a_summary(ran):
    _, out, result = ran
    assert result.exit_code == 0, result.output
    summary = flat(result.output)
    assert "documents" in summary and "claims" in summary
    n_claims = len(Store(out).read("claims"))
    assert "3 documents" in summary
    assert f"{n_claims} claims" in summary
    assert "junk.txt" in summary  # the broken file is reported, not hidden
    for name in ("documents", "claims", "facts", "entities", "reviews"):
        assert (out / f"{name}.jsonl").exists(), name


def test_validate(ran):
    _, out, _ = ran
    result = runner.invoke(app, ["validate", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_validate_reports_a_broken_store(tmp_path, ran):
    _, out, _ = ran
    broken = tmp_path / "broken"
    broken.mkdir()
    for p in out.glob("*.jsonl"):
        (broken / p.name).write_bytes(p.read_bytes())
    (broken / "documents.jsonl").write_text('{"doc_id": 5}\n', encoding="utf-8")
    result = runner.invoke(app, ["validate", "--out", str(broken)])
    assert result.exit_code == 1
    assert "documents.jsonl:1" in result.output


def test_facts_jsonl(ran):
    _, out, _ = ran
    result = runner.invoke(app, ["facts", "--out", str(out), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines
    rows = [json.loads(line) for line in lines]
    assert [r["fact_id"] for r in rows] == [f["fact_id"] for f in Store(out).read("facts")]
    for r in rows:
        assert {"fact_id", "subject", "predicate", "status", "claim_ids"} <= set(r)


def test_facts_filter_by_predicate(ran):
    _, out, _ = ran
    facts = Store(out).read("facts")
    pred = facts[0]["predicate"]
    result = runner.invoke(app, ["facts", "--out", str(out), "--format", "jsonl", "--predicate", pred])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert rows and all(r["predicate"] == pred for r in rows)
    assert len(rows) == sum(f["predicate"] == pred for f in facts)


def test_facts_table(ran):
    _, out, _ = ran
    result = runner.invoke(app, ["facts", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "fact_id" in result.output
    for f in Store(out).read("facts"):  # ids print whole, ready to pass to `show`
        assert f["fact_id"] in result.output


def test_show_claim_prints_its_sentence(ran):
    _, out, _ = ran
    claim = Store(out).read("claims")[0]
    result = runner.invoke(app, ["show", claim["claim_id"], "--out", str(out)])
    assert result.exit_code == 0, result.output
    printed = flat(result.output)
    assert flat(claim["sentence"]) in printed
    assert claim["claim_id"] in printed
    assert claim["source"]["title"] in printed


def test_show_fact(ran):
    _, out, _ = ran
    fact = Store(out).read("facts")[0]
    result = runner.invoke(app, ["show", fact["fact_id"], "--out", str(out)])
    assert result.exit_code == 0, result.output
    printed = flat(result.output)
    assert flat(fact["resolution"]["explanation"]) in printed
    for cid in fact["claim_ids"]:
        assert cid in printed


def test_show_unknown_id_fails(ran):
    _, out, _ = ran
    result = runner.invoke(app, ["show", "nope", "--out", str(out)])
    assert result.exit_code != 0
    assert "nope" in result.output


def test_run_with_bad_config_exits_2_naming_the_key(tmp_path, ran):
    drop, _, _ = ran
    bad = tmp_path / "bad.yaml"
    bad.write_text("batch_sise: 4\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(drop), "--out", str(out), "--config", str(bad)])
    assert result.exit_code == 2
    assert "batch_sise" in result.output
    assert not (out / "claims.jsonl").exists()


def test_run_refuses_a_locked_store(tmp_path, ran):
    drop, _, _ = ran
    out = tmp_path / "busy"
    out.mkdir()
    with locked(out):  # held by this test's process, as another run would hold it
        result = runner.invoke(app, ["run", str(drop), "--out", str(out)])
    assert result.exit_code == 3
    assert "in use" in flat(result.output)
    assert not (out / "claims.jsonl").exists()


def test_a_missing_drop_stops_the_run_before_the_store_is_touched(tmp_path, ran):
    """A typo or an unmounted disk must not be read as an empty drop (which would remove every
    document of the store)."""
    _, built, _ = ran
    out = tmp_path / "store"
    out.mkdir()
    for p in built.glob("*.jsonl"):
        (out / p.name).write_bytes(p.read_bytes())
    before = {p.name: p.read_bytes() for p in out.glob("*.jsonl")}
    missing = tmp_path / "moved-away"
    result = runner.invoke(app, ["run", str(missing), "--out", str(out)])
    assert result.exit_code == 2
    assert "moved-away" in flat(result.output) and "no such file or folder" in flat(result.output)
    assert {p.name: p.read_bytes() for p in out.glob("*.jsonl")} == before


def test_strict_run_exits_4_when_a_document_is_an_error_row(tmp_path, ran):
    drop, _, _ = ran
    out = tmp_path / "strict"
    result = runner.invoke(app, ["run", str(drop), "--out", str(out), "--strict"])
    assert result.exit_code == 4, result.output
    assert "1 document(s) could not be read" in flat(result.output)
    assert (out / "claims.jsonl").exists()  # the rest of the batch is written all the same
