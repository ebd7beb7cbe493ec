"""A run killed (SIGKILL) at each point of its write phase: between any two files, after the
files and before the change log, after the log and before the run state. After every kill the
store is valid; the next run completes it to exactly what an uninterrupted run gives, and the
change log holds each run's changes once.

The run is stopped where it says it is (``CLAIMS_TEST_PAUSE``: it names each point on stderr
and waits there). benchmarks/kill_runs.py kills runs at random moments, a hundred times over."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from conftest import write_drop

from pipeline.review import record_decision
from pipeline.store import PAUSE_ENV, Store, validate_store

CLAIMS = [sys.executable, "-m", "pipeline.cli"]
ROOT = Path(__file__).resolve().parents[1]
# the points between writes, and kills right after kills
POINTS = ["write documents", "write claims", "write facts", "write entities", "write entity_mentions",
          "staged", "written", "change log", "state", "write documents", "state", "write facts"]


def run_until(drop: Path, out: Path, point: str) -> bool:
    """Run on ``drop`` and SIGKILL the run at ``point``; False if it finished without reaching it."""
    env = dict(os.environ, **{PAUSE_ENV: "0.5"})
    proc = subprocess.Popen([*CLAIMS, "run", str(drop), "--out", str(out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.strip() == f"checkpoint {point}":
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
    proc.wait()
    return False


def test_a_run_killed_at_any_point_of_its_writes_is_completed_by_the_next(tmp_path: Path, pipe) -> None:
    drop, out = write_drop(tmp_path / "drop"), tmp_path / "out"
    pipe.run([drop], out=out)
    claims = [c for c in Store(out).read("claims") if c["kind"] == "figure"]
    assert len(claims) >= 3
    for i, point in enumerate(POINTS):
        # a new decision each time, so that every run has facts to change and files to write
        target = claims[i % len(claims)]["claim_id"]
        record_decision(out, target, "reject" if i % 2 == 0 else "accept", reviewer="kill-test")
        assert run_until(drop, out, point), point
        assert validate_store(out) == [], point
    final = subprocess.run([*CLAIMS, "run", str(drop), "--out", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert final.returncode == 0, final.stderr
    assert validate_store(out) == []

    # the same decisions, each followed by a run that is not killed
    reference = tmp_path / "reference"
    pipe.run([drop], out=reference)
    decisions = (out / "reviews.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    for line in decisions:
        with (reference / "reviews.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(line)
        pipe.run([drop], out=reference)
    for name in ("claims", "facts", "entities", "entity_mentions"):
        assert Store(out).path(name).read_bytes() == Store(reference).path(name).read_bytes(), name

    def logged(store: Path) -> dict[str, str]:
        """Whether each fact the log names is there or removed after the last change it logs."""
        runs = [json.loads(line) for line in Store(store).path("runs").read_text(encoding="utf-8").splitlines()]
        assert len({r["run_id"] for r in runs}) == len(runs)  # no run logged twice
        last: dict[str, str] = {}
        for r in runs:
            for c in r["facts"]:
                last[c["fact_id"]] = "removed" if c["change"] == "removed" else "present"
        return last

    # the log tells the same story: a run killed before its files were renamed changed nothing, and
    # the next run logs the net change; one killed after logs nothing twice
    assert logged(out) == logged(reference)
    facts_now = {f["fact_id"] for f in Store(out).read("facts")}
    assert {k for k, v in logged(out).items() if v == "present"} == facts_now
    runs = [json.loads(line) for line in Store(out).path("runs").read_text(encoding="utf-8").splitlines()]
    # killed after the renames and before its record was appended: the run after it logged it
    assert any(r.get("interrupted") and r["facts"] for r in runs)
