"""The review page (``claims serve``), driven in a real headless Chromium through Playwright.

Skips when no ``chromium`` executable is installed (Debian's package; .ci/run installs it) or Playwright is missing.
"""

import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from review_drop import claim_by_text, conflict_fact, write_review_drop

from pipeline.store import Store

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("no chromium executable (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")

from pipeline.server import create_app  # noqa: E402 - needs the web dependencies checked above


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory, pipe) -> Iterator[tuple[str, Path, Path]]:
    """(base url, drop, store) of a server on a free loopback port over a fresh store of the review drop."""
    root = tmp_path_factory.mktemp("serve")
    drop = write_review_drop(root / "drop")
    out = root / "out"
    pipe.run([drop], out=out)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(out, reviewer="tess", port=port), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", drop, out
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs
    yield pg
    assert not dialogs, f"a script ran and opened a dialog: {dialogs}"
    context.close()


def test_reject_from_the_queue_then_rerun(site, page, pipe):
    base, drop, out = site
    store = Store(out)
    conflict = conflict_fact(store.read("facts"))
    target = claim_by_text(store.read("claims"), "3,400 customers")["claim_id"]

    page.goto(base + "/")
    item = page.locator(f'article[data-target="{conflict["fact_id"]}"]')
    assert item.is_visible()
    card = item.locator(f'[data-claim="{target}"]')
    assert "3,400 customers" in card.locator("mark").inner_text()
    assert "Harbour Times" in card.inner_text() and "2024-07-02" in card.inner_text()  # publisher and date
    assert "Nimbus Freight tops 3,400 customers" in card.inner_text()  # the source's title
    assert item.locator(".obs").count() == 2  # both observations side by side
    card.locator("form.decide input[name=note]").fill("the filing is more recent")
    card.locator('button[value="reject"]').click()

    page.wait_for_url("**done=r_*")
    assert "Recorded" in page.locator(".flash").inner_text()
    (logged,) = store.reviews()
    assert (logged["target_id"], logged["decision"], logged["reviewer"]) == (target, "reject", "tess")
    assert logged["note"] == "the filing is more recent"
    assert page.locator(f'article[data-target="{conflict["fact_id"]}"]').count() == 0  # decided: off the queue

    pipe.run([drop], out=out)
    facts = store.read("facts")
    assert all(target not in f["claim_ids"] for f in facts)
    page.goto(f"{base}/fact/{conflict['fact_id']}")
    assert page.locator(f'.obs [data-claim="{target}"]').count() == 0  # gone from the fact's observations
    assert page.locator(f'#rejected [data-claim="{target}"]').is_visible()  # shown apart, as rejected
    assert "applied" in page.locator(f'#rejected [data-claim="{target}"] .decision').inner_text()
    assert "tess" in page.locator("main").inner_text()


def test_a_malicious_article_is_shown_inert(site, page):
    base, _, out = site
    claim = claim_by_text(Store(out).read("claims"), "900 subscribers")
    page.goto(base + "/?status=all&subject=orbit")
    page.locator(f'a[href="/claim/{claim["claim_id"]}"]').first.click()
    page.wait_for_url(f"**/claim/{claim['claim_id']}")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    body = page.locator("main").inner_text()
    assert "<script>window.__pwned=1</script>" in body  # the literal text is visible
    assert '<img src=x onerror="window.__pwned=2">' in body
    assert "Orbit Kitchens <b>grows</b>" in body and "Evil <i>Press</i>" in body  # metadata too
    assert page.get_by_text("<script>window.__pwned=1</script>").first.is_visible()
    assert page.locator("script").count() == 0 and page.locator("main img").count() == 0
    assert page.locator('a[href^="javascript:"]').count() == 0  # the sidecar's javascript: url is not a link
    # the queue and the fact page show the same sentence, just as inert
    fact = next(f for f in Store(out).read("facts") if claim["claim_id"] in f["claim_ids"])
    page.goto(f"{base}/fact/{fact['fact_id']}")
    assert "<script>window.__pwned=1</script>" in page.locator("main").inner_text()
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_a_timeline_fact_has_a_chart_with_a_point_per_source(site, page):
    base, _, out = site
    fact = next(f for f in Store(out).read("facts") if f["predicate"] == "subscribers" and f["kind"] == "figure")
    assert fact["status"] == "timeline"
    page.goto(f"{base}/fact/{fact['fact_id']}")
    chart = page.locator("figure.chart svg.plot")
    assert chart.is_visible()
    assert chart.locator("g.point").count() == len(fact["claim_ids"]) == 2
    legend = page.locator("figure.chart .legend").inner_text()
    assert "900 subscribers" in legend and "1,400 subscribers" in legend and "Tech Ledger" in legend


def test_filters_and_correct_form(site, page):
    base, _, out = site
    page.goto(base + "/")
    page.locator("select[name=status]").select_option("all")
    page.locator("input[name=subject]").fill("orbit")
    page.locator(".filters button").click()
    page.wait_for_url("**subject=orbit**")
    heads = page.locator("article .what").all_inner_texts()
    assert heads and all(h.startswith("Orbit Kitchens") for h in heads)

    claim = claim_by_text(Store(out).read("claims"), "4,200")
    page.goto(base + "/?status=low_confidence")
    card = page.locator(f'[data-claim="{claim["claim_id"]}"]')
    card.locator("details.correct summary").click()
    card.locator("details.correct input[name=value]").fill("4,300 points")
    card.locator("details.correct button").click()
    page.wait_for_url("**done=r_*")
    logged = Store(out).reviews()[-1]
    assert logged["decision"] == "correct" and logged["target_id"] == claim["claim_id"]
    assert logged["value"]["amount"] == 4300 and logged["value"]["unit"] == "points"
    # a value that cannot be read is refused with a reason, and nothing is logged
    n = len(Store(out).reviews())
    page.goto(base + "/?status=all")
    other = page.locator("details.correct").first
    other.locator("summary").click()
    other.locator("input[name=value]").fill("not a number")
    other.locator("button").click()
    assert "Decision not recorded" in page.locator("h1").inner_text()
    assert len(Store(out).reviews()) == n


def test_cross_origin_writes_are_refused(site, page):
    base, _, out = site
    store = Store(out)
    before = store.path("reviews").read_bytes()
    claim = store.read("claims")[0]
    page.goto(base + "/")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    form = {"csrf_token": token, "target_id": claim["claim_id"], "decision": "reject"}
    # a foreign Origin is refused even with a valid token
    refused = page.request.post(base + "/review", form=form, headers={"Origin": "http://evil.example"})
    assert refused.status == 403
    # the same origin without the token is refused too
    no_token = page.request.post(base + "/review", form=form | {"csrf_token": "guess"}, headers={"Origin": base})
    assert no_token.status == 403
    # a real form on another site's page, submitted by the browser (it sends Origin: http://evil.example)
    evil = (f'<form method="post" action="{base}/review"><input name="csrf_token" value="{token}">'
            f'<input name="target_id" value="{claim["claim_id"]}"><input name="decision" value="reject">'
            '<button id="go">go</button></form>')
    page.route("http://evil.example/**", lambda route: route.fulfill(body=evil, content_type="text/html"))
    page.goto("http://evil.example/")
    with page.expect_response(base + "/review") as answer:
        page.click("#go")
    assert answer.value.status == 403
    assert answer.value.request.header_value("origin") == "http://evil.example"
    # DNS rebinding: a loopback server only answers to its own name
    assert httpx.get(base + "/", headers={"Host": "evil.example"}).status_code == 400
    assert store.path("reviews").read_bytes() == before
    headers = httpx.get(base + "/").headers
    assert "script-src" not in headers["content-security-policy"]  # default-src 'none': no script may run
    assert "default-src 'none'" in headers["content-security-policy"]


def test_claims_serve_starts_on_loopback(site, tmp_path):
    _, _, out = site
    port = free_port()
    env_out = str(out)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", "--out", env_out, "--port", str(port),
                             "--reviewer", "sam"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/")
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "claims serve did not start"
                time.sleep(0.2)
        assert answer.status_code == 200
        assert "reviewing as <strong>sam</strong>" in answer.text and "Review queue" in answer.text
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_claims_serve_needs_a_store(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "serve", "--out", str(tmp_path / "none")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "no store" in result.stderr
