"""Benchmark: the cost of one long text with no sentence breaks grows linearly with its length.

    python benchmarks/long_text.py            # 16, 64 and 256 KB (about a minute on 2 cores)
    python benchmarks/long_text.py 32 128     # other sizes (KB)

A text without full stops (a table dumped as text, a feed with its punctuation stripped) used
to be one sentence, and the as-of and subject searches cost the square of its length (167 s at
32 KB). Each size is run as a one-file drop through ``Pipeline.run`` into an empty store, and
bare spaCy (the configured model, ``nlp.pipe``) parses the same text in the same process, so
both see the machine in the same state. Printed per size: seconds for each and seconds per KB;
last, one line ``long text: per-KB growth G (largest/smallest size), full/bare R``. The target
is G <= 1.5 (linear, with room for noise); R says what the rules cost on top of the parse.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_GROWTH = 1.5
# clauses of a freight and markets report, joined by commas: no sentence ever ends
CLAUSES = ("the port handled 41,200 containers in May, up 6% on a year earlier",
           "Harwick Rail carried 2.3 million tonnes in the second quarter of 2024",
           "fuel sold at $1.45 a litre, against $1.38 in April",
           "the airline said its passengers rose 4% to 3.1 million")


def breakless(kb: int) -> str:
    unit = ", ".join(CLAUSES) + ", "
    return (unit * (kb * 1024 // len(unit) + 1))[: kb * 1024]


def main(sizes: list[int]) -> int:
    from pipeline import Pipeline

    pipe = Pipeline.load(ROOT / "config.yaml")
    pipe.nlp("Warm-up text. " + breakless(2))  # first-use costs are not counted
    rows = []
    for kb in sizes:
        text = breakless(kb)
        t = time.perf_counter()
        for _ in pipe.nlp.pipe([text], batch_size=pipe.config.batch_size):
            pass
        bare = time.perf_counter() - t
        with tempfile.TemporaryDirectory() as tmp:
            drop = Path(tmp) / "drop"
            drop.mkdir()
            (drop / "dump.txt").write_text(text, encoding="utf-8")
            t = time.perf_counter()
            summary = pipe.run([drop], out=Path(tmp) / "out")
            full = time.perf_counter() - t
        if summary.errors:
            print(f"{kb} KB: the run reported errors: {summary.error_messages}")
            return 1
        rows.append((kb, bare, full))
        print(f"{kb:>5} KB  bare {bare:6.2f} s  full {full:6.2f} s  full per KB {1000 * full / kb:6.1f} ms  "
              f"claims {summary.claims}", flush=True)
    growth = (rows[-1][2] / rows[-1][0]) / (rows[0][2] / rows[0][0])
    ratio = sum(r[2] for r in rows) / sum(r[1] for r in rows)
    print(f"long text: per-KB growth {growth:.2f} (largest/smallest size), full/bare {ratio:.2f}")
    if len(rows) > 1 and growth > TARGET_GROWTH:
        print(f"FAIL: per-KB growth over {TARGET_GROWTH}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main([int(a) for a in sys.argv[1:]] or [16, 64, 256]))
