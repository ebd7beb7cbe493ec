"""Near-duplicate articles: the same wire story syndicated under two names.

A syndicated story is one source, not two: reconciliation must not count it
twice as confirmation. Each document gets a MinHash signature of its word
5-gram shingles; locality-sensitive banding finds candidate pairs without
comparing every pair, and a pair whose estimated Jaccard similarity reaches
the threshold is linked. Signatures are small lists of integers, kept in the
store so incremental runs never re-read old texts.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable

N_HASHES = 64
BANDS = 16  # 16 bands of 4 rows: pairs above ~0.6 similarity almost always meet in a band
SHINGLE = 5
THRESHOLD = 0.8
_MASK = (1 << 61) - 1
_SEEDS = [int.from_bytes(hashlib.blake2b(str(i).encode(), digest_size=8).digest(), "big") | 1
          for i in range(N_HASHES)]


def shingles(text: str, size: int = SHINGLE) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    if len(words) < size:
        words = words + [""] * (size - len(words))
    return {int.from_bytes(hashlib.blake2b(" ".join(words[i : i + size]).encode(), digest_size=8).digest(), "big")
            for i in range(len(words) - size + 1)}


def signature(text: str) -> list[int]:
    """MinHash signature: for each seeded hash, the least hashed shingle."""
    items = shingles(text)
    return [min(((h * seed) ^ (seed >> 7)) & _MASK for h in items) for seed in _SEEDS]


def similarity(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def near_duplicates(signatures: Iterable[tuple[str, list[int]]], threshold: float = THRESHOLD) -> dict[str, str]:
    """Map each document that repeats an earlier one to that earlier one.

    ``signatures`` come in the order that decides which copy is the original
    (the caller sorts them, e.g. by publication date then path), so the result
    is the same on every run.
    """
    rows = N_HASHES // BANDS
    order: list[tuple[str, list[int]]] = list(signatures)
    buckets: dict[tuple[int, tuple[int, ...]], list[int]] = defaultdict(list)
    original: dict[str, str] = {}
    for n, (doc_id, sig) in enumerate(order):
        candidates: set[int] = set()
        for band in range(BANDS):
            key = (band, tuple(sig[band * rows : (band + 1) * rows]))
            candidates.update(buckets[key])
            buckets[key].append(n)
        best = None
        for m in sorted(candidates):
            other_id, other_sig = order[m]
            if similarity(sig, other_sig) >= threshold:
                best = original.get(other_id, other_id)
                break
        if best is not None and best != doc_id:
            original[doc_id] = best
    return original
