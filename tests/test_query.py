"""The reading API over a store built from ../shared/news-dev: frames against the JSONL they come from,
filters, the facts-to-claims-to-documents join, and CSV exports that read back to the same frame."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.query import CLAIM_COLUMNS, FACT_COLUMNS, StoreReader

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DROP = SHARED / "news-dev" / "drop"
pytestmark = pytest.mark.skipif(not DROP.exists(), reason="../shared development data not available")


@pytest.fixture(scope="module")
def store(tmp_path_factory, pipe) -> Path:
    out = tmp_path_factory.mktemp("query") / "store"
    pipe.run([DROP], out=out)
    return out


def _none(x: object) -> object:
    """A frame's missing value (NaN or None) as None."""
    return None if pd.isna(x) else x


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_frames_have_a_row_per_record_and_the_nested_fields_flattened(store: Path) -> None:
    reader = StoreReader(store)
    for name in ("facts", "claims", "entities", "documents"):
        assert len(reader.frame(name)) == len(_lines(store / f"{name}.jsonl")), name
    facts = reader.frame("facts").set_index("fact_id")
    assert list(facts.reset_index().columns) == list(FACT_COLUMNS)
    for f in _lines(store / "facts.jsonl"):
        row = facts.loc[f["fact_id"]]
        assert row["subject_name"] == f["subject"]["name"] and row["status"] == f["status"]
        assert row["n_claims"] == len(f["claim_ids"])
        if f["kind"] == "figure" and f["value"] is not None:
            assert row["value_amount"] == pytest.approx(f["value"]["amount"])
            assert _none(row["value_unit"]) == f["value"]["unit"]


def test_a_claim_row_carries_its_value_date_and_source(store: Path) -> None:
    claims = StoreReader(store).frame("claims")
    assert list(claims.columns) == list(CLAIM_COLUMNS)
    by_text = {c["text"]: c for c in _lines(store / "claims.jsonl") if c["doc_id"]}
    raw = by_text["$8.8bn"]  # Hargreaves Lansdown's Netflix quarter: "grew 12.5% to $8.8bn"
    row = claims.set_index("claim_id").loc[raw["claim_id"]]
    assert row["value_amount"] == pytest.approx(8.8e9) and row["value_unit"] == "USD"
    assert row["source_publisher"] == raw["source"]["publisher"] == "Hargreaves Lansdown"
    assert _none(row["as_of_iso"]) == (raw["as_of"] or {}).get("iso")


def test_filters_select_what_they_name(store: Path) -> None:
    reader = StoreReader(store)
    conflicts = reader.facts(status="conflict")
    assert conflicts and all(f["status"] == "conflict" for f in conflicts)
    netflix = reader.claims(subject="netflix")
    assert netflix and all("netflix" in c["subject"]["name"].lower() for c in netflix)
    in_2023 = reader.claims(kind="figure", since="2023-01-01", until="2023-12-31")
    assert in_2023 and all(c["as_of"]["start"] <= "2023-12-31" and c["as_of"]["end"] >= "2023-01-01"
                           for c in in_2023)
    assert len(in_2023) < len(reader.claims(kind="figure"))
    some = reader.facts()[0]
    assert {c["claim_id"] for c in reader.claims(fact_id=some["fact_id"])} == set(some["claim_ids"])


def test_facts_join_their_claims_and_documents(store: Path) -> None:
    reader = StoreReader(store)
    joined = reader.fact_claims(status="timeline")
    facts = reader.facts(status="timeline")
    assert len(joined) == sum(len(f["claim_ids"]) for f in facts) > 0
    assert set(joined["fact_id"]) == {f["fact_id"] for f in facts}
    assert (joined["status"] == "timeline").all()
    assert joined["doc_path"].notna().all()
    assert (joined["doc_publisher"].fillna("") == joined["source_publisher"].fillna("")).all()


@pytest.mark.parametrize("what", ["facts", "claims", "entities", "documents"])
def test_csv_exports_read_back_to_the_same_frame(store: Path, tmp_path: Path, what: str) -> None:
    target = tmp_path / f"{what}.csv"
    result = CliRunner().invoke(app, ["export", what, "--out", str(store), "--to", str(target)])
    assert result.exit_code == 0, result.output
    frame = StoreReader(store).frame(what)
    back = pd.read_csv(target)
    assert list(back.columns) == list(frame.columns) and len(back) == len(frame)
    pd.testing.assert_frame_equal(back, frame.astype(back.dtypes.to_dict(), errors="ignore"),
                                  check_dtype=False)


def test_jsonl_export_is_the_store_file(store: Path, tmp_path: Path) -> None:
    target = tmp_path / "facts.jsonl"
    result = CliRunner().invoke(app, ["export", "facts", "--format", "jsonl", "--out", str(store), "--to", str(target)])
    assert result.exit_code == 0, result.output
    assert _lines(target) == _lines(store / "facts.jsonl")


def test_filtered_csv_export_on_stdout(store: Path) -> None:
    result = CliRunner().invoke(app, ["facts", "--out", str(store), "--status", "conflict", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = result.stdout.strip().splitlines()
    assert rows[0].startswith("fact_id,subject_id,subject_name")
    assert len(rows) - 1 == len(StoreReader(store).facts(status="conflict"))
