"""``claims review ...`` (record and list reviewer decisions) and ``claims serve`` (the review page)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table

from .config import Config, ConfigError, load_config
from .query import StoreReader
from .review import ReviewError, record_decision, review_items, reviewer_name, short_value

review_app = typer.Typer(add_completion=False, no_args_is_help=True,
                         help="Record reviewer decisions (appended to reviews.jsonl) and list what needs review.")
console = Console(stderr=True)
out_console = Console()

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="config file (default ./config.yaml)")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="store folder (default: config 'output')")]
ReviewerOpt = Annotated[str | None, typer.Option("--reviewer", "-r",
                                                 help="who decides (default: $CLAIMS_REVIEWER, else $USER)")]
NoteOpt = Annotated[str | None, typer.Option("--note", "-n", help="why (kept with the decision)")]
IdArg = Annotated[str, typer.Argument(help="a claim id (c_...) or fact id (f_...)")]


def _config(path: Path | None) -> Config:
    try:
        return load_config(path)
    except ConfigError as err:
        console.print(f"[red]config error:[/red] {escape(str(err))}")
        raise typer.Exit(2) from err


def _decide(target: str, decision: str, out: Path | None, config: Path | None, reviewer: str | None,
            note: str | None, value: str | None = None) -> None:
    store = out or Path(_config(config).output)
    try:
        rec = record_decision(store, target, decision, value=value, note=note, reviewer=reviewer)
    except ReviewError as err:
        console.print(f"[red]error:[/red] {escape(str(err))}")
        raise typer.Exit(1) from err
    shown = f" value {escape(json.dumps(rec['value'], ensure_ascii=False))}" if rec["value"] is not None else ""
    out_console.print(f"{rec['review_id']}: {rec['decision']} {rec['target_type']} {rec['target_id']}{shown} "
                      f"by {escape(rec['reviewer'])} at {rec['at']}")
    console.print(f"recorded in {store / 'reviews.jsonl'}; it applies on the next `claims run`")
    _warn_unusable(StoreReader(store))


def _warn_unusable(reader: StoreReader) -> None:
    """Name the lines of the reviewers' log that no run will apply (torn, hand-edited)."""
    for problem in reader.review_problems:
        console.print(f"[yellow]review:[/yellow] {escape(problem)}")


@review_app.command()
def accept(target: IdArg, note: NoteOpt = None, reviewer: ReviewerOpt = None, out: OutOpt = None,
           config: ConfigOpt = None) -> None:
    """Accept a claim (in a conflict: its value settles the fact) or confirm a fact's value."""
    _decide(target, "accept", out, config, reviewer, note)


@review_app.command()
def reject(target: IdArg, note: NoteOpt = None, reviewer: ReviewerOpt = None, out: OutOpt = None,
           config: ConfigOpt = None) -> None:
    """Reject a claim (it leaves its fact) or a fact (it loses its value)."""
    _decide(target, "reject", out, config, reviewer, note)


@review_app.command()
def correct(
    target: IdArg,
    value: Annotated[str, typer.Option("--value", "-v", help="the right value: '200 million', '$1.2bn', "
                                                            "'more than 900', '2023-08', or a JSON value")],
    note: NoteOpt = None, reviewer: ReviewerOpt = None, out: OutOpt = None, config: ConfigOpt = None,
) -> None:
    """Replace the value of a claim (or set the value of a fact)."""
    _decide(target, "correct", out, config, reviewer, note, value=value)


@review_app.command("list")
def list_(
    out: OutOpt = None,
    config: ConfigOpt = None,
    pending: Annotated[bool, typer.Option("--pending", help="only items nobody has decided yet")] = False,
    fmt: Annotated[str, typer.Option("--format", help="table or jsonl")] = "table",
) -> None:
    """What needs review: pending conflicts and low-confidence claims first, then items already decided."""
    store = out or Path(_config(config).output)
    if not (store / "claims.jsonl").exists():
        console.print(f"[red]error:[/red] no store at {escape(str(store))} (run `claims run` first)")
        raise typer.Exit(1)
    reader = StoreReader(store)
    items = review_items(reader, include_reviewed=not pending)
    _warn_unusable(reader)
    if fmt == "jsonl":
        for i in items:
            row = {k: i[k] for k in ("kind", "target_type", "target_id", "pending", "decision")}
            row["fact_id"] = (i["fact"] or {}).get("fact_id")
            row["claim_ids"] = [c["claim_id"] for c in i["claims"]]
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    if not items:
        console.print("nothing to review")
        return
    width = max(len(i["target_id"]) for i in items)
    table = Table(Column("id", no_wrap=True, min_width=width), "why", "subject · predicate", "values (source)",
                  "state")
    for i in items:
        table.add_row(i["target_id"], _why(i), escape(_about(i)), escape(_values(i)), escape(_state(i)))
    out_console.print(table)
    n = sum(i["pending"] for i in items)
    console.print(f"{n} pending, {len(items) - n} decided")


def _why(item: dict[str, Any]) -> str:
    if item["kind"] == "conflict":
        return "conflict"
    return f"low confidence ({item['claims'][0].get('confidence', 0):.2f})"


def _about(item: dict[str, Any]) -> str:
    rec = item["fact"] or item["claims"][0]
    subject = (rec.get("subject") or {}).get("name") or "-"
    return f"{subject} · {rec.get('predicate') or '-'}"


def _values(item: dict[str, Any]) -> str:
    return "; ".join(f"{short_value(c['value'])} ({c['source'].get('publisher') or c['source']['path']})"
                     for c in item["claims"])


def _state(item: dict[str, Any]) -> str:
    d = item["decision"]
    if d is None:
        return "pending"
    on = "" if d["target_id"] == item["target_id"] else f" {d['target_id']}"
    return f"{d['decision']}{on} by {d.get('reviewer')}"


def serve(
    out: OutOpt = None,
    config: ConfigOpt = None,
    host: Annotated[str, typer.Option(help="address to listen on (keep the default: the page has no login)")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8765,
    reviewer: ReviewerOpt = None,
) -> None:
    """Serve the review page: the queue, each claim in its sentence, accept/reject/correct buttons."""
    import uvicorn

    from .server import create_app

    cfg = _config(config)
    store = out or Path(cfg.output)
    if not (store / "claims.jsonl").exists():
        console.print(f"[red]error:[/red] no store at {escape(str(store))} (run `claims run` first)")
        raise typer.Exit(1)
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[yellow]warning:[/yellow] listening on {escape(host)}: anyone who can reach it can "
                      "record decisions (there is no login)")
    app = create_app(store, reviewer=reviewer_name(reviewer), host=host, port=port)
    console.print(f"review page: http://{'[::1]' if host == '::1' else host}:{port}/  (Ctrl-C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
