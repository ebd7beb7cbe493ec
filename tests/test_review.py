"""Reviewer decisions through the ``claims review`` commands: recorded, listed, and applied on the next run."""

import json

import pytest
from review_drop import claim_by_text, conflict_fact, write_review_drop
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.review import ReviewError, parse_value, record_decision, review_queue
from pipeline.store import Store, validate_store

runner = CliRunner()


def flat(s: str) -> str:
    return " ".join(s.split())


def fact_of(facts: list[dict], claim_id: str) -> dict | None:
    return next((f for f in facts if claim_id in f["claim_ids"]), None)


def cli(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env=env)


@pytest.fixture
def store(tmp_path, pipe):
    """A fresh store of the review drop (runs through the session's pipeline, to keep the tests quick)."""
    drop = write_review_drop(tmp_path / "drop")
    out = tmp_path / "out"
    pipe.run([drop], out=out)
    return drop, out


def test_cli_round_trip_reject(tmp_path):
    drop = write_review_drop(tmp_path / "drop")
    out = tmp_path / "out"
    result = cli("run", str(drop), "--out", str(out))
    assert result.exit_code == 0, result.output
    s = Store(out)
    conflict = conflict_fact(s.read("facts"))
    target = conflict["claim_ids"][0]

    result = cli("review", "reject", target, "--note", "misread the filing", "--reviewer", "alice", "--out", str(out))
    assert result.exit_code == 0, result.output
    (logged,) = s.reviews()
    assert logged["target_type"] == "claim" and logged["target_id"] == target and logged["decision"] == "reject"
    assert logged["reviewer"] == "alice" and logged["note"] == "misread the filing" and logged["value"] is None
    assert logged["schema_version"] == "1" and logged["review_id"].startswith("r_") and logged["at"].endswith("Z")
    assert logged["review_id"] in result.output
    assert validate_store(out) == []
    log_bytes = s.path("reviews").read_bytes()

    result = cli("run", str(drop), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert s.path("reviews").read_bytes() == log_bytes  # never rewritten by a run
    claim = next(c for c in s.read("claims") if c["claim_id"] == target)
    assert "rejected" in claim["flags"] and claim["review"]["reviewer"] == "alice"
    facts = s.read("facts")
    assert fact_of(facts, target) is None
    assert all(target not in o["claim_ids"] for f in facts for o in f["observations"])
    # the fact it left still shows who decided what and when
    left = next(f for f in facts if f["fact_id"] == conflict["fact_id"])
    assert left["status"] != "conflict"
    assert left["review"]["decisions"][0]["review_id"] == logged["review_id"]
    assert left["review"]["reviewer"] == "alice" and left["review"]["at"] == logged["at"]
    assert validate_store(out) == []
    assert cli("validate", "--out", str(out)).exit_code == 0


def test_correct_replaces_the_extracted_value(store, pipe):
    drop, out = store
    s = Store(out)
    claim = claim_by_text(s.read("claims"), "900 subscribers")
    result = cli("review", "correct", claim["claim_id"], "--value", "1,000", "--out", str(out),
                 env={"CLAIMS_REVIEWER": "bob"})
    assert result.exit_code == 0, result.output
    (logged,) = s.reviews()
    assert logged["reviewer"] == "bob"
    assert logged["value"] == {"amount": 1000, "unit": "subscribers", "approx": None, "min": 1000, "max": 1000}

    for _ in range(2):  # applying the decision again must not take the corrected value for the extracted one
        pipe.run([drop], out=out)
        after = next(c for c in s.read("claims") if c["claim_id"] == claim["claim_id"])
        assert after["value"]["amount"] == 1000 and after["extracted_value"]["amount"] == 900
        fact = fact_of(s.read("facts"), claim["claim_id"])
        assert fact is not None
        assert any(o["value"]["amount"] == 1000 and claim["claim_id"] in o["claim_ids"] for o in fact["observations"])
        assert fact["review"]["decision"] == "correct" and fact["review"]["reviewer"] == "bob"
    assert validate_store(out) == []


def test_correct_a_date_claim_with_an_iso_value(store, pipe):
    drop, out = store
    s = Store(out)
    claim = claim_by_text(s.read("claims"), "the end of May 2024")
    result = cli("review", "correct", claim["claim_id"], "--value", "2024-Q2", "--reviewer", "carol", "--out", str(out))
    assert result.exit_code == 0, result.output
    pipe.run([drop], out=out)
    after = next(c for c in s.read("claims") if c["claim_id"] == claim["claim_id"])
    assert after["value"]["iso"] == "2024-Q2" and after["value"]["granularity"] == "quarter"
    assert after["value"]["start"] == "2024-04-01" and after["value"]["end"] == "2024-06-30"


def test_accepting_a_conflict_claim_resolves_the_conflict(store, pipe):
    drop, out = store
    s = Store(out)
    conflict = conflict_fact(s.read("facts"))
    assert conflict["value"] is None
    assert [i["target_id"] for i in review_queue(out)][0] == conflict["fact_id"]
    chosen = claim_by_text(s.read("claims"), "5,100 customers")
    result = cli("review", "accept", chosen["claim_id"], "--reviewer", "dana", "--note", "the filing is primary",
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    assert conflict["fact_id"] not in [i["target_id"] for i in review_queue(out)]  # decided, off the queue

    pipe.run([drop], out=out)
    fact = next(f for f in s.read("facts") if f["fact_id"] == conflict["fact_id"])
    assert fact["value"] == chosen["value"]
    assert fact["resolution"]["policy"] == "reviewer"
    assert "dana" in fact["resolution"]["explanation"] and "5,100" in fact["resolution"]["explanation"]
    assert fact["review"]["target_id"] == chosen["claim_id"] and fact["review"]["decision"] == "accept"
    assert fact["review"]["note"] == "the filing is primary"
    assert len(fact["claim_ids"]) == 2  # accepting one value keeps the other observation on record
    assert conflict["fact_id"] not in [i["target_id"] for i in review_queue(out)]
    assert validate_store(out) == []


def test_fact_level_correct_and_reject(store, pipe):
    drop, out = store
    s = Store(out)
    conflict = conflict_fact(s.read("facts"))
    result = cli("review", "accept", conflict["fact_id"], "--out", str(out))
    assert result.exit_code == 1 and "no value to accept" in flat(result.output)
    result = cli("review", "correct", conflict["fact_id"], "--value", "4,000", "--out", str(out))
    assert result.exit_code == 0, result.output
    pipe.run([drop], out=out)
    fact = next(f for f in s.read("facts") if f["fact_id"] == conflict["fact_id"])
    assert fact["value"]["amount"] == 4000 and fact["value"]["unit"] == "customers"
    assert fact["resolution"]["policy"] == "reviewer" and fact["review"]["target_type"] == "fact"
    # a later decision supersedes it
    assert cli("review", "reject", conflict["fact_id"], "--out", str(out)).exit_code == 0
    pipe.run([drop], out=out)
    fact = next(f for f in s.read("facts") if f["fact_id"] == conflict["fact_id"])
    assert fact["value"] is None and fact["review"]["decision"] == "reject"
    assert len(s.reviews()) == 2


def test_review_list_puts_pending_conflicts_and_low_confidence_first(store):
    _, out = store
    result = cli("review", "list", "--format", "jsonl", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = [r["kind"] for r in rows]
    assert kinds[0] == "conflict" and "low_confidence" in kinds
    assert kinds == sorted(kinds, key=lambda k: k != "conflict")
    low = [r for r in rows if r["kind"] == "low_confidence"]
    claims = {c["claim_id"]: c for c in Store(out).read("claims")}
    confidences = [claims[r["target_id"]]["confidence"] for r in low]
    assert confidences == sorted(confidences) and all(c < 0.75 for c in confidences)

    decided = low[0]["target_id"]
    assert cli("review", "accept", decided, "--out", str(out)).exit_code == 0
    listed = cli("review", "list", "--format", "jsonl", "--out", str(out)).stdout
    rows = [json.loads(line) for line in listed.splitlines()]
    assert rows[-1]["target_id"] == decided and rows[-1]["pending"] is False  # decided items come last
    assert all(r["pending"] for r in rows[:-1])
    pending = cli("review", "list", "--pending", "--format", "jsonl", "--out", str(out)).stdout
    assert decided not in pending
    table = cli("review", "list", "--out", str(out)).stdout
    assert "conflict" in table and "Nimbus" in table and "pending" in table


def test_a_decision_on_a_vanished_claim_is_reported_not_lost(store, pipe, tmp_path):
    drop, out = store
    s = Store(out)
    claim = claim_by_text(s.read("claims"), "1,400 subscribers")
    assert cli("review", "reject", claim["claim_id"], "--out", str(out)).exit_code == 0
    log_bytes = s.path("reviews").read_bytes()
    (drop / "orbit-spring.txt").unlink()
    summary = pipe.run([drop], out=out)
    assert len(summary.orphan_reviews) == 1
    assert claim["claim_id"] in summary.orphan_reviews[0] and "orbit-spring.txt" in summary.orphan_reviews[0]
    assert s.path("reviews").read_bytes() == log_bytes
    result = cli("run", str(drop), "--out", str(out))
    assert "no longer exists" in flat(result.output) and claim["claim_id"] in flat(result.output)
    # the article comes back: so does the decision
    write_review_drop(drop)
    assert pipe.run([drop], out=out).orphan_reviews == []
    assert "rejected" in next(c for c in s.read("claims") if c["claim_id"] == claim["claim_id"])["flags"]


def test_the_log_only_grows(store):
    _, out = store
    s = Store(out)
    claims = s.read("claims")
    sizes = []
    for decision, c in zip(("accept", "reject", "accept"), claims, strict=False):
        before = s.path("reviews").read_bytes()
        assert cli("review", decision, c["claim_id"], "--out", str(out)).exit_code == 0
        after = s.path("reviews").read_bytes()
        assert after.startswith(before) and after.count(b"\n") == before.count(b"\n") + 1
        sizes.append(len(after))
    assert len({r["review_id"] for r in s.reviews()}) == 3


def test_bad_decisions_are_refused_and_not_logged(store):
    _, out = store
    s = Store(out)
    claim = claim_by_text(s.read("claims"), "900 subscribers")
    result = cli("review", "reject", "c_doesnotexist", "--out", str(out))
    assert result.exit_code == 1 and "c_doesnotexist" in flat(result.output)
    result = cli("review", "correct", claim["claim_id"], "--value", "plenty", "--out", str(out))
    assert result.exit_code == 1 and "not a figure" in flat(result.output)
    assert cli("review", "correct", claim["claim_id"], "--out", str(out)).exit_code == 2  # --value is required
    result = cli("review", "accept", claim["claim_id"], "--out", str(tmp := out.parent / "nowhere"))
    assert result.exit_code == 1 and not tmp.exists()
    assert s.reviews() == []


@pytest.mark.parametrize("value", [
    '{"amount": "<b>900</b>", "unit": "subscribers", "approx": null, "min": null, "max": null}',
    '{"amount": NaN, "unit": "subscribers", "approx": null, "min": null, "max": null}',
    '{"amount": 900, "unit": "subscribers", "approx": "roughly", "min": null, "max": null}',
    '{"iso": "2024-03", "granularity": "month", "start": "2024-03-01", "end": "2024-03-31"}',  # a date, not a figure
    '[900]',
])
def test_a_correction_that_no_run_could_use_is_refused(store, value):
    _, out = store
    s = Store(out)
    claim = claim_by_text(s.read("claims"), "900 subscribers")
    result = cli("review", "correct", claim["claim_id"], "--value", value, "--out", str(out))
    assert result.exit_code == 1, result.output
    assert "not a figure" in flat(result.output)
    assert s.path("reviews").read_bytes() == b""


def test_unreadable_lines_in_the_log_cost_their_decision_only(store, pipe):
    drop, out = store
    s = Store(out)
    first = claim_by_text(s.read("claims"), "900 subscribers")
    assert cli("review", "reject", first["claim_id"], "--out", str(out)).exit_code == 0
    with s.path("reviews").open("a", encoding="utf-8") as fh:  # a hand edit gone wrong, then a torn line
        fh.write('{"decision": "reject", "target_id": "c_x"}\n')
        fh.write('{"schema_version": "1", "review_id": "r_torn", "target_ty\n')
    second = claim_by_text(s.read("claims"), "1,400 subscribers")
    result = cli("review", "reject", second["claim_id"], "--out", str(out))
    assert result.exit_code == 0
    assert "reviews.jsonl:2" in flat(result.output) and "reviews.jsonl:3" in flat(result.output)
    summary = pipe.run([drop], out=out)
    problems = " ".join(summary.orphan_reviews)
    assert "reviews.jsonl:2" in problems and "reviews.jsonl:3" in problems
    flags = {c["claim_id"]: c["flags"] for c in s.read("claims")}
    assert "rejected" in flags[first["claim_id"]] and "rejected" in flags[second["claim_id"]]
    listed = cli("review", "list", "--out", str(out))
    assert listed.exit_code == 0 and "reviews.jsonl:3" in flat(listed.output)
    assert any("reviews.jsonl:2" in p for p in validate_store(out))  # validate still names the bad line


def test_reviewer_falls_back_to_user(store):
    _, out = store
    claim = Store(out).read("claims")[0]
    result = cli("review", "accept", claim["claim_id"], "--out", str(out), env={"CLAIMS_REVIEWER": "", "USER": "erin"})
    assert result.exit_code == 0, result.output
    assert Store(out).reviews()[0]["reviewer"] == "erin"


@pytest.mark.parametrize(("text", "amount", "unit", "approx"), [
    ("200000000", 200_000_000, "users", None),
    ("200 million", 200_000_000, "users", None),
    ("more than 200 million", 200_000_000, "users", "more_than"),
    ("$1.5bn", 1_500_000_000, "USD", None),
    ("10%", 10, "percent", None),
    ("about 3,400 customers", 3400, "customers", "about"),
    ("eight", 8, "users", None),
])
def test_figure_values_are_parsed_like_extracted_ones(text, amount, unit, approx):
    value = parse_value("figure", text, {"amount": 1, "unit": "users"})
    assert (value["amount"], value["unit"], value["approx"]) == (amount, unit, approx)
    assert set(value) >= {"amount", "unit", "approx", "min", "max"}
    if approx == "more_than":
        assert value["min"] == amount and value["max"] is None


@pytest.mark.parametrize(("text", "iso", "granularity"), [
    ("2023", "2023", "year"), ("2023-Q3", "2023-Q3", "quarter"), ("2023-08", "2023-08", "month"),
    ("2023-08-09", "2023-08-09", "day"),
])
def test_date_values_are_parsed(text, iso, granularity):
    value = parse_value("date", text)
    assert value["iso"] == iso and value["granularity"] == granularity and value["resolution"] == "absolute"


@pytest.mark.parametrize("text", ["August 2023", "2023-02-30", "2023-13", ""])
def test_bad_dates_are_refused(text):
    with pytest.raises(ReviewError):
        parse_value("date", text)


def test_record_decision_refuses_a_value_on_reject(store):
    _, out = store
    claim = Store(out).read("claims")[0]
    with pytest.raises(ReviewError, match="takes no value"):
        record_decision(out, claim["claim_id"], "reject", value="3")
    with pytest.raises(ReviewError, match="decision must be"):
        record_decision(out, claim["claim_id"], "approve")
