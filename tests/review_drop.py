"""A small drop for the review tests, written for them: two sources disagree on Nimbus Freight's customer count
for the same month, Orbit Kitchens' subscribers change over time (one article tries script injection), and an
undated brief gives claims of low confidence."""

import json
from pathlib import Path

ARTICLES: dict[str, tuple[str, dict[str, str] | None]] = {
    "nimbus-harbour.txt": (
        "Nimbus Freight had 3,400 customers at the end of June 2024, the company said.\n\n"
        "Nimbus Freight, a logistics start-up based in Rotterdam, employed about 210 people.\n",
        {"title": "Nimbus Freight tops 3,400 customers", "publisher": "Harbour Times", "published": "2024-07-02"},
    ),
    "nimbus-ledger.txt": (
        "Nimbus Freight had 5,100 customers at the end of June 2024, according to a regulatory filing.\n\n"
        "Nimbus Freight plans to open an office in Lisbon next year.\n",
        {"title": "Filing shows Nimbus Freight with 5,100 customers", "publisher": "Tech Ledger",
         "published": "2024-07-05"},
    ),
    "orbit-winter.txt": (
        "Orbit Kitchens Inc. had 900 subscribers <script>window.__pwned=1</script> at the end of January 2024, "
        "the company said.\n\n"
        '<img src=x onerror="window.__pwned=2"> The meal-kit firm was founded in Leeds.\n',
        {"title": "Orbit Kitchens <b>grows</b> <script>window.__pwned=3</script>", "publisher": "Evil <i>Press</i>",
         "published": "2024-02-03", "url": "javascript:window.__pwned=4"},
    ),
    "orbit-spring.txt": (
        "Orbit Kitchens Inc. had 1,400 subscribers at the end of May 2024, the company said.\n",
        {"title": "Orbit Kitchens Inc. passes 1,400 subscribers", "publisher": "Tech Ledger",
         "published": "2024-06-04"},
    ),
    "undated-brief.txt": (
        "Nimbus Freight opened a depot in Antwerp last year, a spokesperson said.\n\n"
        "The warehouse index rose to 4,200 in the spring.\n",
        None,
    ),
}


def write_review_drop(drop: Path, skip: tuple[str, ...] = ()) -> Path:
    drop.mkdir(parents=True, exist_ok=True)
    for name, (text, meta) in ARTICLES.items():
        if name in skip:
            continue
        (drop / name).write_text(text, encoding="utf-8")
        if meta is not None:
            (drop / f"{name.rsplit('.', 1)[0]}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return drop


def conflict_fact(facts: list[dict]) -> dict:
    found = [f for f in facts if f["status"] == "conflict" and f["predicate"] == "customers"]
    assert found, f"the drop should give a conflict on Nimbus Freight's customers: {[f['fact_id'] for f in facts]}"
    return found[0]


def claim_by_text(claims: list[dict], text: str) -> dict:
    found = [c for c in claims if c["text"] == text]
    assert found, f"no claim {text!r} among {[c['text'] for c in claims]}"
    return found[0]
