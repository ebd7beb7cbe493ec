"""Shared fixtures: the pipeline, loaded once, and a small drop of articles written for these tests."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

PNG_JUNK = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"

# name -> (text, sidecar). Two articles repeat Acme's March figure; the third gives a later one.
ARTICLES: dict[str, tuple[str, dict[str, str]]] = {
    "acme-growth.txt": (
        "Acme Robotics said on 3 March 2024 that it had more than 1,200 customers, up from a few hundred "
        "two years earlier.\n\n"
        "The Boston company, which makes warehouse robots, also said it employed about 450 people. Its chief "
        "executive, Dana Ortiz, said demand from retailers had been strong.\n",
        {"title": "Acme Robotics passes 1,200 customers", "publisher": "Harbour Times",
         "published": "2024-03-04"},
    ),
    "acme-funding.txt": (
        "Warehouse robot maker Acme Robotics has raised $50 million in new funding.\n\n"
        "Acme Robotics said on 3 March 2024 that it had more than 1,200 customers. The money will be used to "
        "open an office in Berlin later this year.\n",
        {"title": "Acme Robotics raises $50 million", "publisher": "Tech Ledger", "published": "2024-03-06"},
    ),
    "acme-update.txt": (
        "Acme Robotics said on 10 September 2024 that it had more than 1,800 customers.\n\n"
        "The company opened its Berlin office in August, it said, and now sells its robots in twelve "
        "countries.\n",
        {"title": "Acme Robotics reaches 1,800 customers", "publisher": "Harbour Times",
         "published": "2024-09-11"},
    ),
}

def write_article(drop: Path, name: str, text: str, meta: dict[str, str]) -> None:
    (drop / name).write_text(text, encoding="utf-8")
    stem = name.rsplit(".", 1)[0]
    (drop / f"{stem}.meta.json").write_text(json.dumps(meta), encoding="utf-8")


def write_drop(drop: Path) -> Path:
    drop.mkdir(parents=True, exist_ok=True)
    for name, (text, meta) in ARTICLES.items():
        write_article(drop, name, text, meta)
    (drop / "junk.txt").write_bytes(PNG_JUNK)
    return drop


@pytest.fixture(scope="session")
def pipe():
    """The pipeline (config.yaml, spaCy model), loaded once per test session."""
    from pipeline import Pipeline

    return Pipeline.load()


@pytest.fixture(scope="session")
def make_drop() -> Callable[[Path], Path]:
    """Write the test drop (3 articles with sidecars, 1 junk file) into a folder."""
    return write_drop
