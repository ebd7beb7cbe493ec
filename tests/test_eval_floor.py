"""Score floors: run the pipeline on the shared development sets and score the
store with ``../shared/eval/score.py``. A change that lowers a score below its
floor fails here instead of slipping through (trafilatura's eval gate is the
model). Skipped when ``../shared`` is absent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import Pipeline
from pipeline.store import validate_store

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SCORE = SHARED / "eval" / "score.py"

pytestmark = pytest.mark.skipif(not SCORE.exists(), reason="../shared development data not available")

# (drop, gold, floors): metric path in score.py's JSON report -> lowest value allowed
SETS = {
    "corpus": (SHARED / "corpus", SHARED / "gold", {
        ("date", "strict_f1"): 0.95, ("date", "strict_precision"): 0.95,
        ("figure", "strict_f1"): 0.95, ("figure", "strict_precision"): 0.95,
        ("subject", "accuracy"): 0.90, ("entities", "f1"): 0.95, ("entities", "all_aliases_merged"): 60,
        ("facts", "right"): 3,
    }),
    "news-dev": (SHARED / "news-dev" / "drop", SHARED / "news-dev" / "gold", {
        ("date", "strict_f1"): 0.95, ("figure", "strict_f1"): 0.97, ("figure", "strict_precision"): 0.97,
        ("subject", "accuracy"): 0.93, ("entities", "f1"): 0.75, ("facts", "right"): 9,
    }),
}


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline.load()


def score(pipe: Pipeline, drop: Path, gold: Path, out: Path) -> dict:
    pipe.run([drop], out=out, full=True)
    assert validate_store(out) == [], "every store follows SPEC.md"
    report = out / "report.json"
    subprocess.run([sys.executable, str(SCORE), "--store", str(out), "--corpus", str(drop), "--gold", str(gold),
                    "--json", str(report)], check=True, capture_output=True, text=True)
    return json.loads(report.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(SETS))
def test_scores_stay_above_their_floors(pipe: Pipeline, tmp_path: Path, name: str) -> None:
    drop, gold, floors = SETS[name]
    report = score(pipe, drop, gold, tmp_path / name)
    below = {f"{a}.{b}": (report[a][b], floor) for (a, b), floor in floors.items() if report[a][b] < floor}
    assert not below, f"{name}: scores below their floors (got, floor): {below}"


def test_dates_dev_date_floor(pipe: Pipeline, tmp_path: Path) -> None:
    """The larger newswire date set: only the date line means anything there."""
    drop, gold = SHARED / "dates-dev" / "drop", SHARED / "dates-dev" / "gold"
    if not drop.exists():
        pytest.skip("dates-dev not available")
    report = score(pipe, drop, gold, tmp_path / "dates-dev")
    assert report["date"]["strict_f1"] >= 0.89, report["date"]["strict_f1"]
    assert report["date"]["precision"] >= 0.96, report["date"]["precision"]
