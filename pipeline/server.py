"""``claims serve``: a local review page over one store (FastAPI + server-rendered Jinja2, no JavaScript).

Pages: ``/`` the queue (conflicts, then low-confidence claims) and a browser over all facts, filtered
by subject, predicate and status; ``/fact/ID`` a fact with its observations side by side and, where
its values change over time, an inline SVG chart with a point per source; ``/claim/ID`` a claim in
its sentence and in its whole article; ``/reviews`` the decision log. Decisions are posted to
``/review`` and appended to reviews.jsonl; they apply on the next ``claims run``.

Article text is untrusted. Templates autoescape everything and never mark article text safe; the
pages carry no script, and a Content-Security-Policy forbids scripts anyway. Writes are refused
(403) when the Origin header names another origin or the browser says the request is cross-site,
and every form carries a token that is new each time the server starts. On a loopback address, a
request whose Host header is not the server's own name is refused (DNS rebinding).
"""

from __future__ import annotations

import hmac
import math
import secrets
import threading
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from .query import StoreReader
from .reconcile import fact_id, fact_key
from .review import (
    LOW_CONFIDENCE,
    ReviewError,
    build_items,
    decision_status,
    latest_decisions,
    record_decision,
    short_value,
)
from .store import Store

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
STATUSES = [("queue", "needs review"), ("decided", "decided"), ("all", "all facts"), ("conflict", "conflict"),
            ("timeline", "timeline"), ("agreed", "agreed"), ("single_source", "single source"),
            ("low_confidence", "low-confidence claims")]
PAGE_SIZE = 50  # items per page of the queue and the fact lists
CARD_OBSERVATIONS = 6  # observations a card on a list shows (the fact page shows them all)
MAX_BODY = 64 * 1024  # bytes a form post may carry: a decision with a note is under 10 KB


# --------------------------------------------------------------------------- reading the store


class StoreView:
    """The store's records, re-read only when a file changes."""

    def __init__(self, out: Path) -> None:
        self.store = Store(out)
        self._lock = threading.Lock()
        self._stamp: tuple[Any, ...] | None = None
        self.claims: dict[str, dict[str, Any]] = {}
        self.facts: list[dict[str, Any]] = []
        self.facts_by_id: dict[str, dict[str, Any]] = {}
        self.documents: dict[str, dict[str, Any]] = {}
        self.reviews: list[dict[str, Any]] = []
        self.fact_of_claim: dict[str, str] = {}  # every claim, rejected ones too, to the fact its key names

    def _files_stamp(self) -> tuple[Any, ...]:
        stamp = []
        for name in ("claims", "facts", "documents", "reviews"):
            p = self.store.path(name)
            st = p.stat() if p.exists() else None
            stamp.append((st.st_mtime_ns, st.st_size) if st else None)
        return tuple(stamp)

    def refresh(self) -> StoreView:
        with self._lock:
            stamp = self._files_stamp()
            if stamp != self._stamp:
                reader = StoreReader(self.store.out)  # a fresh reader: the files changed
                self.claims = {c["claim_id"]: c for c in reader.claims()}
                self.facts = reader.facts()
                self.facts_by_id = {f["fact_id"]: f for f in self.facts}
                self.documents = {d["doc_id"]: d for d in reader.documents()}
                self.reviews = reader.reviews()
                self.fact_of_claim = {}
                for c in self.claims.values():
                    key = fact_key(c)
                    if key is not None:
                        self.fact_of_claim[c["claim_id"]] = fact_id(key)
                self._stamp = stamp
        return self


# --------------------------------------------------------------------------- presentation helpers


def split_mention(claim: Mapping[str, Any]) -> tuple[str, str, str]:
    """The claim's sentence as (before, mention, after): the template marks the middle, escaping all three."""
    sentence = claim.get("sentence") or ""
    s0 = (claim.get("sentence_span") or [0, 0])[0]
    a, b = claim["span"][0] - s0, claim["span"][1] - s0
    if not (0 <= a <= b <= len(sentence)) or sentence[a:b] != claim.get("text"):
        return "", claim.get("text") or "", ""
    return sentence[:a].lstrip(), sentence[a:b], sentence[b:].rstrip()


def safe_url(url: Any) -> str | None:
    """Only http(s) links are rendered as links; anything else (javascript:, data:) stays text."""
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return url
    return None


def claim_time(claim: Mapping[str, Any]) -> tuple[date | None, str]:
    """When a claim's value held, for the chart: its as-of date, else its article's publication date."""
    as_of = claim.get("as_of") or {}
    published = (claim.get("source") or {}).get("published")
    for text, how in ((as_of.get("start"), f"as of {as_of.get('iso')}"), (published, f"published {published}")):
        if text:
            try:
                return date.fromisoformat(str(text)[:10]), how
            except ValueError:
                continue
    return None, ""


def _y_of(kind: str, value: Mapping[str, Any]) -> tuple[float | None, float | None, float | None]:
    """(value, low, high) on the chart's y axis; low/high are the interval the wording allows."""
    if kind == "date":
        try:
            start = date.fromisoformat(str(value.get("start")))
            end = date.fromisoformat(str(value.get("end")))
        except (TypeError, ValueError):
            return None, None, None
        return float(start.toordinal()), float(start.toordinal()), float(end.toordinal())
    amount = value.get("amount")
    if not isinstance(amount, (int, float)):
        return None, None, None
    lo, hi = value.get("min"), value.get("max")
    return float(amount), float(lo) if isinstance(lo, (int, float)) else None, \
        float(hi) if isinstance(hi, (int, float)) else None


def _nice_ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step) + 1)]


def _tick_label(kind: str, y: float) -> str:
    if kind == "date":
        return date.fromordinal(int(y)).isoformat()
    if abs(y) >= 1e9:
        return f"{y / 1e9:g}bn"
    if abs(y) >= 1e6:
        return f"{y / 1e6:g}m"
    return f"{y:,.0f}" if float(y).is_integer() else f"{y:,.2f}"


def chart_for(fact: Mapping[str, Any], claims: Mapping[str, dict[str, Any]]) -> dict[str, Any] | None:
    """Coordinates for the values-over-time chart: a point per source, a line through the fact's values in time.

    None when fewer than two points can be placed in time. Only numbers and labels leave here; the
    template draws the SVG and escapes every label.
    """
    kind = fact["kind"]
    w, h, left, right, top, bottom = 960, 320, 92, 40, 24, 44
    points = []
    for n, obs in enumerate(fact.get("observations") or []):
        for cid in obs["claim_ids"]:
            c = claims.get(cid)
            if c is None:
                continue
            when, how = claim_time(c)
            y, lo, hi = _y_of(kind, c["value"])
            if when is None or y is None:
                continue
            src = c.get("source") or {}
            points.append({"date": when, "how": how, "y": y, "lo": lo, "hi": hi, "obs": n, "claim_id": cid,
                           "label": src.get("publisher") or src.get("title") or src.get("path") or "?",
                           "value": short_value(c["value"])})
    if len(points) < 2:
        return None
    xs = [p["date"].toordinal() for p in points]
    ys = [v for p in points for v in (p["y"], p["lo"], p["hi"]) if v is not None]
    x0, x1 = min(xs), max(xs)
    if x0 == x1:
        x0, x1 = x0 - 15, x1 + 15
    y0, y1 = min(ys), max(ys)
    pad = (y1 - y0) * 0.12 or max(abs(y0) * 0.1, 1.0)
    y0 = 0.0 if kind == "figure" and 0 <= y0 < pad else y0 - pad  # counts start at zero when it is near
    y1 = y1 + pad

    def sx(x: float) -> float:
        return round(left + (x - x0) / (x1 - x0) * (w - left - right), 1)

    def sy(y: float) -> float:
        return round(top + (1 - (y - y0) / (y1 - y0)) * (h - top - bottom), 1)

    for p in points:
        p["cx"], p["cy"] = sx(p["date"].toordinal()), sy(p["y"])
        # the interval the wording allows: a bar where both ends are known, an arrow where one is open
        p["bar_top"] = sy(p["hi"]) if p["hi"] is not None else top
        p["bar_bottom"] = sy(p["lo"]) if p["lo"] is not None else h - bottom
        p["interval"] = p["hi"] != p["lo"] or p["lo"] is None
        p["date"] = p["date"].isoformat()
        p["anchor"], p["dx"] = ("end", -10) if p["cx"] > w * 0.7 else ("start", 10)  # labels stay inside
    # the line: each observation at its earliest point, in time order
    firsts: dict[int, dict[str, Any]] = {}
    for p in sorted(points, key=lambda p: p["cx"]):
        firsts.setdefault(p["obs"], p)
    line = " ".join(f"{p['cx']},{p['cy']}" for p in sorted(firsts.values(), key=lambda p: p["cx"]))
    y_ticks = [{"y": sy(t), "label": _tick_label(kind, t)} for t in _nice_ticks(y0, y1) if y0 <= t <= y1]
    x_ticks = [{"x": sx(x), "label": date.fromordinal(int(x)).isoformat(), "anchor": a}
               for x, a in ((x0, "start"), ((x0 + x1) / 2, "middle"), (x1, "end"))]
    return {"width": w, "height": h, "left": left, "right": w - right, "top": top, "bottom": h - bottom,
            "points": points, "line": line, "y_ticks": y_ticks, "x_ticks": x_ticks,
            "y_label": "date" if kind == "date" else (fact.get("value") or {}).get("unit") or "value"}


def _next_url(raw: str | None) -> str:
    """Where to go after a post: a path on this server only (no open redirect). Browsers drop
    tabs and newlines from a URL before following it ("/\t/evil.example" becomes
    "//evil.example", another site), so any whitespace or control character refuses it."""
    if not raw or any(ch.isspace() or not ch.isprintable() for ch in raw):
        return "/"
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    return raw


# --------------------------------------------------------------------------- security


class BodyLimit:
    """Refuse a request body over ``limit`` bytes (413) before anything parses it: by its
    Content-Length when it gives one, else by counting the chunks as they come. Without this,
    a form parser holds a 50 MB upload in memory before the token is even looked at."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        too_big = PlainTextResponse(f"request body over {self.limit} bytes refused", 413)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await too_big(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await too_big(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)


class Guard(BaseHTTPMiddleware):
    """Host check (loopback servers), cross-origin write refusal, CSP and friends on every answer."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        super().__init__(app)
        self.port = port
        self.loopback = host in LOOPBACK
        names = LOOPBACK | {host}
        self.hosts = {f"{n}:{port}" for n in names} | (names if port == 80 else set())

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        host = request.headers.get("host", "")
        if self.loopback and host not in self.hosts:
            return PlainTextResponse("unknown Host header: this server only answers to its own address", 400)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            origin = request.headers.get("origin")
            if origin is not None and origin != f"{request.url.scheme}://{host}":
                return PlainTextResponse("cross-origin request refused", 403)
            if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
                return PlainTextResponse("cross-site request refused", 403)
        nonce = secrets.token_urlsafe(16)
        request.state.nonce = nonce
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = (
            f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "no-store"
        return response


# --------------------------------------------------------------------------- the app


def create_app(out: str | Path, reviewer: str = "unknown", host: str = "127.0.0.1", port: int = 8765) -> FastAPI:
    """The review app over store ``out``; ``host``/``port`` are where it listens (for the Host check)."""
    view = StoreView(Path(out))
    csrf_token = secrets.token_urlsafe(32)  # new each time the server starts
    env = Environment(loader=PackageLoader("pipeline", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["short"] = short_value
    env.globals.update(split_mention=split_mention, safe_url=safe_url, csrf_token=csrf_token, reviewer=reviewer,
                       low_confidence=LOW_CONFIDENCE, store_path=str(out))
    app = FastAPI(title="claims review", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(BodyLimit, limit=MAX_BODY)  # inside Guard: the refusal gets its headers too
    app.add_middleware(Guard, host=host, port=port)

    def render(request: Request, name: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
        v = view.refresh()
        ctx.setdefault("done", _done(v, request.query_params.get("done")))
        html = env.get_template(name).render(nonce=request.state.nonce, path=_here(request), **ctx)
        return HTMLResponse(html, status_code=status_code)

    def _done(v: StoreView, review_id: str | None) -> dict[str, Any] | None:
        if not review_id:
            return None
        return next((r for r in reversed(v.reviews) if r.get("review_id") == review_id), None)

    def _here(request: Request) -> str:
        q = [(k, v) for k, v in request.query_params.multi_items() if k != "done"]
        return request.url.path + (f"?{urlencode(q)}" if q else "")

    def status_of(v: StoreView, rec: Mapping[str, Any]) -> dict[str, Any] | None:
        return decision_status(rec, v.reviews)

    env.globals["decision_of"] = lambda rec: status_of(view, rec)

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request, subject: str = "", predicate: str = "", status: str = "queue",
              page: int = 1) -> HTMLResponse:
        v = view.refresh()
        subject_q = subject.strip().lower()
        if status in ("queue", "decided", "low_confidence"):
            items = build_items(list(v.claims.values()), v.facts, v.reviews, include_reviewed=status != "queue")
            if status == "decided":
                items = [i for i in items if not i["pending"]]
                decided_facts = {i["target_id"] for i in items}
                items += [{"kind": f["status"], "target_type": "fact", "target_id": f["fact_id"], "pending": False,
                           "fact": f, "claims": [v.claims[c] for c in f["claim_ids"] if c in v.claims],
                           "decision": None}
                          for f in v.facts if f.get("review") and f["fact_id"] not in decided_facts]
            elif status == "low_confidence":
                items = [i for i in items if i["kind"] == "low_confidence"]
        else:
            items = [{"kind": f["status"], "target_type": "fact", "target_id": f["fact_id"], "pending": False,
                      "fact": f, "claims": [v.claims[c] for c in f["claim_ids"] if c in v.claims], "decision": None}
                     for f in v.facts if status == "all" or f["status"] == status]

        def keep(item: dict[str, Any]) -> bool:
            rec = item["fact"] or item["claims"][0]
            subj = rec.get("subject") or {}
            if subject_q and subject_q not in f"{subj.get('id', '')} {subj.get('name', '')}".lower():
                return False
            return not predicate or rec.get("predicate") == predicate

        items = [i for i in items if keep(i)]
        predicates = sorted({f["predicate"] for f in v.facts} | {c["predicate"] for c in v.claims.values()
                                                                   if c.get("predicate")})
        counts = {"conflicts": sum(f["status"] == "conflict" for f in v.facts), "facts": len(v.facts),
                  "claims": len(v.claims), "decisions": len(v.reviews)}
        pages = max(1, -(-len(items) // PAGE_SIZE))
        page = min(max(page, 1), pages)
        first = (page - 1) * PAGE_SIZE
        q = [(k, v) for k, v in (("subject", subject), ("predicate", predicate), ("status", status)) if v]
        link = {p: "/?" + urlencode([*q, ("page", p)]) for p in (page - 1, page + 1) if 1 <= p <= pages}
        return render(request, "index.html", items=items[first:first + PAGE_SIZE], total=len(items), first=first,
                      page=page, pages=pages, prev_url=link.get(page - 1), next_url=link.get(page + 1),
                      card_observations=CARD_OBSERVATIONS,
                      subject=subject, predicate=predicate, status=status, statuses=STATUSES,
                      predicates=predicates, counts=counts, claims=v.claims, documents=v.documents)

    @app.get("/fact/{fid}", response_class=HTMLResponse)
    def fact_page(request: Request, fid: str) -> HTMLResponse:
        v = view.refresh()
        fact = v.facts_by_id.get(fid)
        if fact is None:
            return render(request, "error.html", 404, title="No such fact",
                          message=f"There is no fact {fid} in this store (it may have gone in the last run).")
        left = [c for cid, c in v.claims.items() if v.fact_of_claim.get(cid) == fid and cid not in fact["claim_ids"]]
        return render(request, "fact.html", fact=fact, claims=v.claims, documents=v.documents,
                      chart=chart_for(fact, v.claims), left=left)

    @app.get("/claim/{cid}", response_class=HTMLResponse)
    def claim_page(request: Request, cid: str) -> HTMLResponse:
        v = view.refresh()
        claim = v.claims.get(cid)
        if claim is None:
            return render(request, "error.html", 404, title="No such claim",
                          message=f"There is no claim {cid} in this store (it may have gone in the last run).")
        text = v.store.read_text(claim["doc_id"])
        article = None
        if text is not None and text[claim["span"][0]:claim["span"][1]] == claim["text"]:
            article = (text[:claim["span"][0]], claim["text"], text[claim["span"][1]:])
        fid = v.fact_of_claim.get(cid)
        fact = v.facts_by_id.get(fid) if fid else None
        return render(request, "claim.html", claim=claim, fact=fact, article=article,
                      document=v.documents.get(claim["doc_id"]), claims=v.claims)

    @app.get("/reviews", response_class=HTMLResponse)
    def reviews_page(request: Request) -> HTMLResponse:
        v = view.refresh()
        latest = {r["review_id"] for r in latest_decisions(v.reviews).values()}
        rows = []
        for r in reversed(v.reviews):
            target = v.claims.get(r.get("target_id", "")) if r.get("target_type") == "claim" else \
                v.facts_by_id.get(r.get("target_id", ""))
            state = "superseded" if r.get("review_id") not in latest else "missing" if target is None else \
                "applied" if (decision_status(target, v.reviews) or {}).get("applied") else "pending"
            rows.append({"r": r, "state": state})
        return render(request, "reviews.html", rows=rows)

    @app.post("/review")
    def review(request: Request, target_id: str = Form(...), decision: str = Form(...),
               csrf_token_: str = Form("", alias="csrf_token"), value: str = Form(""), note: str = Form(""),
               next_: str = Form("/", alias="next")) -> Response:
        if not hmac.compare_digest(csrf_token_.encode(), csrf_token.encode()):
            return render(request, "error.html", 403, title="Refused",
                          message="The form's token is missing or stale (the server may have restarted). "
                                  "Reload the page and try again.")
        try:
            rec = record_decision(out, target_id, decision, value=value if decision == "correct" else None,
                                  note=note or None, reviewer=reviewer)
        except ReviewError as err:
            return render(request, "error.html", 400, title="Decision not recorded", message=str(err),
                          back=_next_url(next_))
        target = _next_url(next_)
        sep = "&" if "?" in target else "?"
        return RedirectResponse(f"{target}{sep}{urlencode({'done': rec['review_id']})}", status_code=303)

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/healthz", response_class=PlainTextResponse)
    def healthz() -> str:
        return "ok"

    return app
