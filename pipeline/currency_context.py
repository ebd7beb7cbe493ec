"""Which currency an ambiguous sign means in this document.

"¥" is the yen in a story about a Japanese company and the yuan in one about
a Chinese one; "$" is the US dollar unless the story is plainly Canadian or
Australian. The sign alone cannot say, but the document can: the currency
words it spells out ("yen", "yuan") and the places it names. This module
counts those cues once per document (``currency_cues.yaml``) and gives each
ambiguous sign its code for that document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data" / "currency_cues.yaml"


@dataclass(frozen=True)
class Candidate:
    code: str
    cues: re.Pattern[str]


@dataclass(frozen=True)
class CurrencyCues:
    ambiguous: dict[str, tuple[Candidate, ...]]
    margin: dict[str, int]

    def margin_for(self, sign: str) -> int:
        return self.margin.get(sign, self.margin.get("default", 1))


def _cue_pattern(words: list[str]) -> re.Pattern[str]:
    alts = sorted((re.escape(str(w).lower()) for w in words), key=len, reverse=True)
    return re.compile(r"(?<![\w.])(?:" + "|".join(alts) + r")(?![\w])")


@lru_cache(maxsize=4)
def load_cues(path: Path = DATA) -> CurrencyCues:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    ambiguous = {sign: tuple(Candidate(c["code"], _cue_pattern(c["cues"])) for c in cands)
                 for sign, cands in data["ambiguous"].items()}
    return CurrencyCues(ambiguous, {str(k): int(v) for k, v in data.get("margin", {}).items()})


def document_currencies(text: str, cues: CurrencyCues | None = None) -> dict[str, str]:
    """For each ambiguous sign, the currency code this document means by it."""
    cues = cues or load_cues()
    low = text.lower()
    out = {}
    for sign, cands in cues.ambiguous.items():
        counts = [len(c.cues.findall(low)) for c in cands]
        best = 0
        for i in range(1, len(cands)):
            if counts[i] >= counts[best] + cues.margin_for(sign) and counts[i] > counts[0]:
                best = i
        out[sign] = cands[best].code
    return out
