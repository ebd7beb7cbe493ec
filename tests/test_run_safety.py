"""A run killed half-way leaves a valid store, the next run completes it, and a
second run on a store that is in use stops with a clear message."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ARTICLES, write_article, write_drop

from pipeline.store import locked, validate_store

CLAIMS = [sys.executable, "-m", "pipeline.cli"]


def _grow_drop(drop: Path, n: int) -> None:
    """Add n more articles (the test articles with their numbers varied)."""
    (text, meta) = ARTICLES["acme-growth.txt"]
    for i in range(n):
        varied = text.replace("1,200", f"{1_200 + 7 * i:,}").replace("450", str(450 + i))
        write_article(drop, f"extra-{i:03d}.txt", varied * 20, dict(meta, title=f"Extra {i}"))


def test_sigkill_mid_run_leaves_a_valid_store_and_the_next_run_completes(tmp_path: Path) -> None:
    drop, out = write_drop(tmp_path / "drop"), tmp_path / "out"
    first = subprocess.run([*CLAIMS, "run", str(drop), "--out", str(out)], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.glob("*.jsonl")}
    _grow_drop(drop, 60)
    proc = subprocess.Popen([*CLAIMS, "run", str(drop), "--out", str(out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    lock = out / ".lock"
    deadline = time.monotonic() + 120
    while not lock.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # let it get into the work
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert validate_store(out) == []
    if killed:
        assert lock.exists()  # the dead run's lock is left behind ...
    second = subprocess.run([*CLAIMS, "run", str(drop), "--out", str(out)], capture_output=True, text=True)
    assert second.returncode == 0, second.stderr  # ... and taken over, since its process is gone
    assert validate_store(out) == []
    docs = (out / "documents.jsonl").read_text(encoding="utf-8")
    assert docs.count('"status":"ok"') == 3 + 60
    assert before.keys() <= {p.name for p in out.glob("*.jsonl")}


def test_a_second_run_on_a_store_in_use_stops_with_a_clear_message(tmp_path: Path) -> None:
    drop, out = write_drop(tmp_path / "drop"), tmp_path / "out"
    with locked(out):
        result = subprocess.run([*CLAIMS, "run", str(drop), "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 3
    assert "in use by another claims run" in result.stderr
    assert str(out) in result.stderr
    assert not (out / "claims.jsonl").exists()
    shutil.rmtree(out)
