"""EntityRuler patterns for product names with a model number.

"Galaxy S24", "Boeing 787", "A350-1000", "H100", "PlayStation 5 Pro": products
that news names constantly, that a small NER model misses or cuts short, and
that no gazetteer can list in full. Their shape is regular, a brand word and
a model code, or a code that stands alone, so the shapes are written once
(``pipeline/data/product_names.yaml``) and turned here into token patterns
for the same ``entity_ruler`` that holds the gazetteer. A brand that the
gazetteer knows as an organisation ("Boeing 787") makes a product of the
code after it; an unknown title-case word does so only when the code has
letters in it ("Galaxy S24"), so "Room 101" and "Terminal 5" stay out.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data" / "product_names.yaml"


@lru_cache(maxsize=4)
def load_shapes(path: Path = DATA) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _code(regex: str, not_codes: str) -> dict[str, Any]:
    """A token whose text has the code's shape and is none of the codes that name no product."""
    return {"TEXT": {"REGEX": f"^(?!(?:{not_codes.strip('^$')})$)(?:{regex.strip('^$')})$"}}


def product_patterns(known_brands: Iterable[str], shapes: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Token patterns (EntityRuler format, label PRODUCT) for brand + model code and standalone codes.

    ``known_brands``: single-word names the gazetteer lists (organisations and product lines),
    whose following code is a product even when it is digits only ("Boeing 787").
    """
    shapes = shapes or load_shapes()
    not_codes, model = shapes["not_codes"], shapes["model_code"]
    not_brands = list(shapes["not_brands"])
    suffix = {"TEXT": {"IN": list(shapes["suffixes"])}, "OP": "*"}
    lettered = r"(?=[^\d]*\d)(?=.*[A-Za-z])" + model.strip("^$")  # "S24", "A321neo": letters and digits
    brands = sorted({b for b in known_brands if b and " " not in b and b not in set(not_brands)})
    heads: list[list[dict[str, Any]]] = [
        [{"POS": "PROPN", "IS_TITLE": True, "TEXT": {"NOT_IN": not_brands}}, _code(lettered, not_codes)],
        [_code(shapes["standalone_code"], not_codes)],
    ]
    if brands:
        heads.append([{"TEXT": {"IN": brands}}, _code(model, not_codes)])
        # "Nintendo Switch 2", "Sony PlayStation 5": a known brand, a product line, a number
        heads.append([{"TEXT": {"IN": brands}}, {"IS_TITLE": True, "POS": "PROPN", "TEXT": {"NOT_IN": not_brands}},
                      _code(model, not_codes)])
    variant = [{"TEXT": {"IN": ["-", "\u2010", "\u2011"]}, "SPACY": False}, {"TEXT": {"REGEX": r"^\d{1,4}$"}}]
    patterns: list[dict[str, Any]] = []
    for head in heads:  # "A350" and "A350-1000": the tokenizer splits a hyphen between digits
        patterns.append({"label": "PRODUCT", "pattern": [*head, suffix]})
        patterns.append({"label": "PRODUCT", "pattern": [*head[:-1], head[-1] | {"SPACY": False}, *variant, suffix]})
    return patterns
