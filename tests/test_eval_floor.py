"""Score floors: run the pipeline on the shared development sets and score the
store with ``../shared/eval/score.py``. A change that lowers a score below its
floor fails here instead of slipping through (trafilatura's eval gate is the
model). Skipped when ``../shared`` is absent."""

from __future__ import annotations

import hashlib
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


def data_digest(*folders: Path) -> str:
    """sha256 over every file's relative path and bytes: the data a floor was measured on."""
    h = hashlib.sha256()
    for folder in folders:
        for f in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(f.relative_to(folder).as_posix().encode("utf-8") + b"\0")
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


# (drop, gold, digest of drop+gold the floors were measured on, floors): metric path in score.py's JSON
# report -> lowest value allowed. Like trafilatura's evaluation gate, a floor only means something on the
# data it was measured on: when a kit is revised the test says so, and the floor is re-measured and re-pinned.
SETS = {
    "corpus": (SHARED / "corpus", SHARED / "gold", "fc6d457c308e4bf9", {
        ("date", "strict_f1"): 0.95, ("date", "strict_precision"): 0.95,
        ("figure", "strict_f1"): 0.95, ("figure", "strict_precision"): 0.95,
        ("subject", "accuracy"): 0.90, ("entities", "f1"): 0.95, ("entities", "all_aliases_merged"): 60,
        ("facts", "right"): 3,
    }),
    # news-dev's gold facts were revised in December 2026 (a quarter's flow and a year's flow are different
    # facts; 31 facts became 30): facts re-pinned at what the code reaches on the revised gold.
    "news-dev": (SHARED / "news-dev" / "drop", SHARED / "news-dev" / "gold", "815871c2fa232546", {
        ("date", "strict_f1"): 0.95, ("figure", "strict_f1"): 0.97, ("figure", "strict_precision"): 0.97,
        ("subject", "accuracy"): 0.93, ("entities", "f1"): 0.75, ("facts", "right"): 7,
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
    drop, gold, digest, floors = SETS[name]
    if data_digest(drop, gold) != digest:
        pytest.fail(f"{name}: the data changed since its floors were measured (digest {data_digest(drop, gold)}, "
                    f"pinned {digest}): re-measure with ../shared/eval/score.py and re-pin the floors")
    report = score(pipe, drop, gold, tmp_path / name)
    below = {f"{a}.{b}": (report[a][b], floor) for (a, b), floor in floors.items() if report[a][b] < floor}
    assert not below, f"{name}: scores below their floors (got, floor): {below}"


def test_dates_dev_date_floor(pipe: Pipeline, tmp_path: Path) -> None:
    """The larger newswire date set: only the date line means anything there."""
    drop, gold = SHARED / "dates-dev" / "drop", SHARED / "dates-dev" / "gold"
    if not drop.exists():
        pytest.skip("dates-dev not available")
    assert data_digest(drop, gold) == "c5ac19c26d2a2035", "dates-dev changed since its floor was measured: re-pin"
    report = score(pipe, drop, gold, tmp_path / "dates-dev")
    assert report["date"]["strict_f1"] >= 0.89, report["date"]["strict_f1"]
    assert report["date"]["precision"] >= 0.96, report["date"]["precision"]


QUANTITIES = SHARED / "quantities-dev"


def test_quantities_dev_floor(pipe: Pipeline, tmp_path: Path) -> None:
    """The Recognizers-Text unit specs (currency, dimension, age, temperature, percent), scored by
    the kit's own CQE-rule scorer; its README says to read the judged line. Floors are what the
    code reaches (issue #15's targets, 95 and 90, are not met yet)."""
    if not (QUANTITIES / "score.py").exists():
        pytest.skip("quantities-dev not available")
    assert data_digest(QUANTITIES) == "143f495e0ef0f950", "quantities-dev changed since its floor was measured: re-pin"
    out = tmp_path / "quantities"
    pipe.run([QUANTITIES / "drop"], out=out, full=True)
    assert validate_store(out) == []
    done = subprocess.run([sys.executable, str(QUANTITIES / "score.py"), str(out)], check=True, capture_output=True,
                          text=True)
    last = done.stdout.strip().splitlines()[-1]  # "quantities-dev: value F1 X, value+unit F1 Y; judged value F1 Z, ..."
    numbers = [float(x) for x in last.replace(",", " ").replace(";", " ").split() if x.replace(".", "").isdigit()]
    judged_value, judged_unit = numbers[2], numbers[3]
    assert judged_value >= 93.0 and judged_unit >= 81.5, last
