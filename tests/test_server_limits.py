"""The review app's limits, through its ASGI interface (no browser): a body too big is refused
before it is parsed, long lists come in pages, and the way back after a post stays on the site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from review_drop import write_review_drop

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402 - needs the web dependencies checked above

from pipeline.server import MAX_BODY, PAGE_SIZE, _next_url, create_app  # noqa: E402
from pipeline.store import Store  # noqa: E402


@pytest.fixture(scope="module")
def store(tmp_path_factory, pipe) -> Path:
    root = tmp_path_factory.mktemp("limits")
    out = root / "out"
    pipe.run([write_review_drop(root / "drop")], out=out)
    return out


def client(out: Path) -> TestClient:
    return TestClient(create_app(out, reviewer="tess", host="testserver", port=80), follow_redirects=False)


def test_a_body_over_the_limit_is_refused_before_it_is_parsed(store: Path) -> None:
    c = client(store)
    before = Store(store).path("reviews").read_bytes()
    big = {"target_id": "x", "decision": "reject", "csrf_token": "t", "note": "n" * (MAX_BODY + 1)}
    answer = c.post("/review", data=big)
    assert answer.status_code == 413 and "refused" in answer.text
    assert "Content-Security-Policy" in answer.headers  # refused inside the guard, headers and all

    def chunked():  # no Content-Length: counted as it comes
        for _ in range(8):
            yield b"note=" + b"n" * (MAX_BODY // 4)

    answer = c.post("/review", content=chunked(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413
    small = c.post("/review", data={"target_id": "x", "decision": "reject", "csrf_token": "stale"})
    assert small.status_code == 403  # a small post still reaches the token check
    assert Store(store).path("reviews").read_bytes() == before


@pytest.mark.parametrize("raw", ["/\t/evil.example/x", "/\n/evil.example", "//evil.example", "https://evil.example/",
                                 "/\\evil.example", "javascript:alert(1)", "evil.example", "/ok\x00", "", None])
def test_the_way_back_after_a_post_never_leaves_the_site(raw: str | None) -> None:
    assert _next_url(raw) == "/"


@pytest.mark.parametrize("raw", ["/", "/?status=all&page=2", "/fact/f_abc123", "/claim/c_1?done=r_2"])
def test_a_path_on_this_site_is_kept(raw: str) -> None:
    assert _next_url(raw) == raw


def test_long_lists_come_in_pages_that_cover_every_fact(store: Path, tmp_path: Path) -> None:
    facts = Store(store).read("facts")
    template = facts[0]
    n = 3 * PAGE_SIZE + 7
    big = tmp_path / "big"
    big.mkdir()
    for name in ("claims", "documents", "entities", "reviews", "entity_mentions"):
        src = Store(store).path(name)
        (big / src.name).write_bytes(src.read_bytes() if src.exists() else b"")
    rows = [dict(template, fact_id=f"f_{i:06d}") for i in range(n)]
    (big / "facts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    c = client(big)
    seen: list[str] = []
    url: str | None = "/?status=all"
    pages = 0
    while url:
        answer = c.get(url)
        assert answer.status_code == 200
        assert len(answer.content) < 2_000_000
        html = answer.text
        seen += [r["fact_id"] for r in rows if f'data-target="{r["fact_id"]}"' in html]
        pages += 1
        nxt = html.split('rel="next"')[0].rsplit('href="', 1)[-1].split('"')[0] if 'rel="next"' in html else None
        url = nxt.replace("&amp;", "&") if nxt else None
    assert pages == 4 and sorted(seen) == sorted(r["fact_id"] for r in rows) and len(seen) == n
    assert c.get("/?status=all&page=999").status_code == 200  # past the end: the last page
