"""Kill runs at random moments, many times over, and check the store after every kill.

    python benchmarks/kill_runs.py                 # 100 kills at random moments (about 6 minutes on 2 cores)
    python benchmarks/kill_runs.py --write-phase   # 100 kills inside the write phase, at a random point
    python benchmarks/kill_runs.py --kills 20 --seed 3

Each round changes the drop (a new article, an edited one, a removed one) or the reviewers' log,
starts ``claims run`` as a process of its own and sends it SIGKILL after a random delay: while it
loads, parses, writes texts, or writes the store. After every kill, ``validate_store`` must find
nothing wrong. At the end one run completes, and its claims, facts and entities must be exactly
those of a run of the final drop and log into an empty store. With ``--write-phase`` every kill
lands inside the write phase: the run is made to wait at each point between its writes
(``CLAIMS_TEST_PAUSE``) and is killed at one drawn at random; the reviewers' log must then be
byte for byte what it was before the run. tests/test_kill_writes.py stops a run at each point
once; this repeats it over changing drops.

Prints one line per kill and, last: ``kills N, killed while running K, store invalid 0, final
store identical: yes``. Exits 1 on any invalid store or a final difference.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CLAIMS = [sys.executable, "-m", "pipeline.cli"]
# short articles of our own, in several domains; numbers are varied per round
ARTICLES = [
    "Harwick Rail said on {d} March 2025 that it carried {n},400 passengers in February, up {p}% on a year "
    "earlier.\n\nThe operator, based in Leeds, also said punctuality improved to 91%.\n",
    "Brightwater Energy reported revenue of ${n}.2 billion for the fourth quarter of 2024, "
    "up {p}% from a year earlier.\n\nIts chief executive said output would rise in 2025.\n",
    "The city council said on {d} May 2025 that {n},100 homes had been connected to the new heat network, "
    "and that it expected {p},000 more by the end of 2026.\n",
    "Northwind Air flew {n}.3 million passengers in April, the airline said on {d} May 2025, "
    "a rise of {p}% on April 2024.\n",
]


def write_article(drop: Path, name: str, rng: random.Random) -> None:
    text = rng.choice(ARTICLES).format(d=rng.randint(2, 27), n=rng.randint(2, 9), p=rng.randint(2, 19))
    (drop / name).write_text(text, encoding="utf-8")


def change(drop: Path, out: Path, rng: random.Random, round_no: int) -> str:
    """One change to the drop or the log; says which."""
    names = sorted(p.name for p in drop.glob("*.txt"))
    roll = rng.random()
    if roll < 0.4 or len(names) < 3:
        write_article(drop, f"a{round_no:03d}.txt", rng)
        return "new article"
    if roll < 0.6:
        write_article(drop, rng.choice(names), rng)
        return "edited article"
    if roll < 0.7:
        (drop / rng.choice(names)).unlink()
        return "removed article"
    from pipeline.review import ReviewError, record_decision
    from pipeline.store import Store

    try:
        claims = Store(out).read("claims")
    except ValueError:
        claims = []
    if not claims:
        write_article(drop, f"a{round_no:03d}.txt", rng)
        return "new article"
    try:
        record_decision(out, rng.choice(claims)["claim_id"], rng.choice(["accept", "reject"]), reviewer="killer")
    except ReviewError:
        return "no change (decision refused)"
    return "decision"


POINTS = ["write documents", "write claims", "write facts", "write entities", "write entity_mentions",
          "staged", "written", "change log", "state"]


def run_and_kill_at(drop: Path, out: Path, point: str) -> bool:
    """Start a run that waits at each point between its writes and SIGKILL it at ``point``;
    True if it got there (a run with nothing to write never does)."""
    from pipeline.store import PAUSE_ENV

    proc = subprocess.Popen([*CLAIMS, "run", str(drop), "--out", str(out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, env=dict(os.environ, **{PAUSE_ENV: "0.3"}))
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.strip() == f"checkpoint {point}":
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
    proc.wait()
    return False


def run_and_kill(drop: Path, out: Path, delay: float) -> bool:
    """Start a run and SIGKILL it after ``delay`` seconds; True if it was still running."""
    proc = subprocess.Popen([*CLAIMS, "run", str(drop), "--out", str(out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write-phase", action="store_true", help="kill inside the write phase only")
    args = parser.parse_args()
    from pipeline.store import Store, validate_store

    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        drop, out = Path(tmp) / "drop", Path(tmp) / "out"
        drop.mkdir()
        for i in range(4):
            write_article(drop, f"seed{i}.txt", rng)
        first = subprocess.run([*CLAIMS, "run", str(drop), "--out", str(out)], capture_output=True, cwd=ROOT)
        if first.returncode != 0:
            print(first.stderr.decode())
            return 1
        # a full run (process start, model, parse, write) takes about 4-6 s here: kill anywhere in it
        started = time.perf_counter()
        subprocess.run([*CLAIMS, "run", str(drop), "--out", str(out), "--full"], capture_output=True, cwd=ROOT)
        span = time.perf_counter() - started
        running = invalid = 0
        log_changed = 0
        for k in range(args.kills):
            what = change(drop, out, rng, k)
            log = (out / "reviews.jsonl").read_bytes() if (out / "reviews.jsonl").exists() else b""
            if args.write_phase:
                point = rng.choice(POINTS)
                was_running = run_and_kill_at(drop, out, point)
                when = f"at {point!r}"
            else:
                delay = rng.uniform(0.3, span * 1.1)
                was_running = run_and_kill(drop, out, delay)
                when = f"after {delay:4.1f} s"
            running += was_running
            problems = validate_store(out)
            invalid += bool(problems)
            log_changed += (out / "reviews.jsonl").read_bytes() != log
            print(f"kill {k + 1:3d}: {what:<28} {when}, {'killed' if was_running else 'finished'}"
                  f"{'' if not problems else '  INVALID: ' + '; '.join(problems[:3])}", flush=True)
        final = subprocess.run([*CLAIMS, "run", str(drop), "--out", str(out)], capture_output=True, cwd=ROOT)
        reference = Path(tmp) / "reference"
        reference.mkdir()
        if (out / "reviews.jsonl").exists():
            (reference / "reviews.jsonl").write_bytes((out / "reviews.jsonl").read_bytes())
        subprocess.run([*CLAIMS, "run", str(drop), "--out", str(reference)], capture_output=True, cwd=ROOT)
        same = final.returncode == 0 and all(
            Store(out).path(n).read_bytes() == Store(reference).path(n).read_bytes()
            for n in ("claims", "facts", "entities"))
        print(f"kills {args.kills}, killed while running {running}, store invalid {invalid}, "
              f"reviews log changed {log_changed}, final store identical: {'yes' if same else 'NO'}")
        return 0 if same and not invalid and not log_changed else 1


if __name__ == "__main__":
    sys.exit(main())
