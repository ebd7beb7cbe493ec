"""The ``claims`` command: a thin shell over ``pipeline.api``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table

from .cli_review import review_app, serve
from .config import ConfigError, load_config
from .store import StoreDamaged, StoreLocked, validate_store

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Turn drops of articles into an audited fact store.")
app.add_typer(review_app, name="review", rich_help_panel="Reviewing")
app.command(rich_help_panel="Reviewing")(serve)
console = Console(stderr=True, soft_wrap=True)
out_console = Console()

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="config file (default ./config.yaml)")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="store folder (default: config 'output')")]


def _config(path: Path | None):  # noqa: ANN202 - returns Config
    try:
        return load_config(path)
    except ConfigError as err:
        console.print(f"[red]config error:[/red] {escape(str(err))}")
        raise typer.Exit(2) from err


@app.command()
def run(
    drops: Annotated[list[Path] | None, typer.Argument(help="drop folders or files (default: config 'input')")] = None,
    out: OutOpt = None,
    config: ConfigOpt = None,
    full: Annotated[bool, typer.Option("--full", help="reprocess every document")] = False,
    executor: Annotated[str, typer.Option(
        "--executor", help="where documents are parsed: local (nlp.pipe, config n_process) or dask")] = "local",
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Dask scheduler address for --executor dask, e.g. tcp://host:8786")] = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="exit 4 when any document could not be read or processed")] = False,
) -> None:
    """Extract, reconcile and store claims from one or more drops.

    Exit codes: 0 done (documents that could not be read are error rows, listed in the summary);
    2 a bad config, option or drop (a drop that does not exist: nothing is written); 3 the store
    is in use by another run; 4 with --strict, done but some documents are error rows; 5 the store
    was changed since the run that wrote it (nothing is written; --full rebuilds it).
    """
    from .api import Pipeline
    from .ingest import DropError
    from .nlp import ModelNotFound

    cfg = _config(config)
    drops = drops or [Path(cfg.input)]
    if executor not in ("local", "dask"):
        console.print(f"[red]error:[/red] --executor must be local or dask, not {escape(executor)!r}")
        raise typer.Exit(2)
    if executor == "dask" and not scheduler:
        console.print("[red]error:[/red] --executor dask needs --scheduler ADDRESS")
        raise typer.Exit(2)
    try:
        # the model is loaded when a document needs parsing (never for a run with nothing new, nor
        # here with dask, where the workers load it); a missing model is reported either way
        pipe = Pipeline.load(cfg, lazy=True)
    except ModelNotFound as err:
        console.print(f"[red]error:[/red] {escape(str(err))}")
        raise typer.Exit(2) from err
    runner = None
    if executor == "dask":
        try:
            from .executors import DaskExecutor

            runner = DaskExecutor(str(scheduler), cfg)
        except ImportError as err:
            console.print("[red]error:[/red] --executor dask needs Dask: pip install 'dask[distributed]'")
            raise typer.Exit(2) from err
        except OSError as err:
            console.print(f"[red]error:[/red] cannot reach the Dask scheduler {escape(str(scheduler))}: "
                          f"{escape(str(err))}")
            raise typer.Exit(2) from err
    progress_cm = None
    hook = None
    if console.is_terminal:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        progress_cm = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                               TimeElapsedColumn(), console=console, transient=True)
        progress_cm.start()
        task = progress_cm.add_task("extracting", total=None)

        def hook(done: int, total: int) -> None:
            progress_cm.update(task, completed=done, total=total)
    try:
        summary = pipe.run(drops, out=out or cfg.output, full=full, progress=hook, executor=runner)
    except StoreLocked as err:
        console.print(f"[red]error:[/red] {escape(str(err))}")
        raise typer.Exit(3) from err
    except StoreDamaged as err:
        console.print(f"[red]error:[/red] {escape(str(err))}")
        raise typer.Exit(5) from err
    except DropError as err:
        console.print(f"[red]error:[/red] {escape(str(err))}")
        raise typer.Exit(2) from err
    except ModelNotFound as err:
        console.print(f"[red]error:[/red] {escape(str(err))}")
        raise typer.Exit(2) from err
    finally:
        if progress_cm is not None:
            progress_cm.stop()
        if runner is not None:
            runner.close()
    for msg in summary.error_messages:
        console.print(f"[yellow]skipped/error:[/yellow] {escape(msg)}")
    for msg in summary.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(msg)}")
    for msg in summary.orphan_reviews:
        console.print(f"[yellow]review:[/yellow] {escape(msg)}")
    console.print(
        f"{summary.new_documents} new documents, {summary.kept_documents} unchanged, "
        f"{summary.removed_documents} removed; {summary.documents} documents, {summary.claims} claims, "
        f"{summary.facts} facts, {summary.conflicts} conflicts, {summary.errors} errors, "
        f"{summary.skipped} skipped, {summary.seconds:.1f} s"
    )
    if summary.changes:
        counts: dict[str, int] = {}
        for c in summary.changes:
            counts[c["change"]] = counts.get(c["change"], 0) + 1
        console.print("changes: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())
                      + f" (claims changes --run {summary.run_id})")
    for name in summary.new_conflicts:
        console.print(f"[red]new conflict:[/red] {escape(name)}")
    if summary.errors and strict:
        console.print(f"[yellow]{summary.errors} document(s) could not be read or processed[/yellow] "
                      "(error rows in documents.jsonl); the rest of the store is written")
        raise typer.Exit(4)


@app.command()
def validate(out: OutOpt = None, config: ConfigOpt = None) -> None:
    """Check a store against the JSON Schemas shipped with the package."""
    cfg = _config(config)
    problems = validate_store(out or cfg.output)
    for p in problems[:200]:
        out_console.print(escape(p))
    if problems:
        console.print(f"[red]{len(problems)} problem(s)[/red]")
        raise typer.Exit(1)
    console.print("store is valid")


SinceOpt = Annotated[str | None, typer.Option(help="only values that held on or after this date (YYYY-MM-DD)")]
UntilOpt = Annotated[str | None, typer.Option(help="only values that held on or before this date (YYYY-MM-DD)")]


def _reader(out: Path | None, config: Path | None):  # noqa: ANN202 - returns StoreReader
    from .query import StoreReader

    cfg = _config(config)
    return StoreReader(out or cfg.output)


def _checked_dates(*days: str | None) -> None:
    from datetime import date

    for d in days:
        if d is None:
            continue
        try:
            date.fromisoformat(d)
        except ValueError as err:
            console.print(f"[red]error:[/red] not a date (YYYY-MM-DD): {escape(d)}")
            raise typer.Exit(2) from err


def _write_rows(reader, name: str, records: list[dict[str, Any]], fmt: str, to: Path | None) -> None:  # noqa: ANN001
    """Records as JSONL (as stored) or CSV (the flat columns of ``pipeline.query``), to a file or stdout."""
    from .store import jsonl_text, write_atomic

    if fmt == "jsonl":
        text = jsonl_text(records)
    elif fmt == "csv":
        text = reader.frame(name, records).to_csv(index=False)
    else:
        console.print(f"[red]error:[/red] --format must be csv or jsonl, not {escape(fmt)!r}")
        raise typer.Exit(2)
    if to is None:
        sys.stdout.write(text)
    else:
        write_atomic(to, text)
        console.print(f"{len(records)} {name} written to {escape(str(to))}")


@app.command()
def facts(
    out: OutOpt = None,
    config: ConfigOpt = None,
    subject: Annotated[str | None, typer.Option(help="subject id or name (substring)")] = None,
    predicate: Annotated[str | None, typer.Option()] = None,
    status: Annotated[str | None, typer.Option(help="agreed|timeline|conflict|single_source")] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or jsonl")] = "table",
) -> None:
    """List facts, filtered."""
    _checked_dates(since, until)
    reader = _reader(out, config)
    sel = reader.facts(subject=subject, predicate=predicate, status=status, since=since, until=until)
    if fmt != "table":
        _write_rows(reader, "facts", sel, fmt, None)
        return
    # ids must print whole (they are what `show` takes), however narrow the terminal
    id_col = Column("fact_id", no_wrap=True, min_width=max((len(f["fact_id"]) for f in sel), default=7))
    table = Table(id_col, "subject", "predicate", "status", "value", "claims")
    for f in sel:
        table.add_row(f["fact_id"], escape(f["subject"]["name"]), f["predicate"], f["status"],
                      escape(_short(f["value"])), str(len(f["claim_ids"])))
    out_console.print(table)


@app.command()
def export(
    what: Annotated[str, typer.Argument(help="facts, claims, entities, documents, reviews or runs")] = "facts",
    out: OutOpt = None,
    config: ConfigOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="csv (flat columns) or jsonl (records as stored)")] = "csv",
    to: Annotated[Path | None, typer.Option("--to", help="file to write (default: stdout)")] = None,
    subject: Annotated[str | None, typer.Option(help="facts and claims: subject id or name (substring)")] = None,
    predicate: Annotated[str | None, typer.Option(help="facts and claims: predicate")] = None,
    status: Annotated[str | None, typer.Option(help="facts: status")] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
) -> None:
    """Write one file of the store as CSV for spreadsheets and BI tools (or as JSONL), filtered."""
    from .query import NAMES

    if what not in NAMES:
        console.print(f"[red]error:[/red] nothing to export called {escape(what)!r} (one of {', '.join(NAMES)})")
        raise typer.Exit(2)
    _checked_dates(since, until)
    reader = _reader(out, config)
    filters = {k: v for k, v in {"subject": subject, "predicate": predicate, "since": since, "until": until}.items()
               if v is not None}
    if what == "facts":
        records = reader.facts(status=status, **filters)
    elif what == "claims":
        records = reader.claims(**filters)
    elif filters or status:
        console.print(f"[red]error:[/red] {what} take no filters")
        raise typer.Exit(2)
    else:
        records = reader.records(what)
    _write_rows(reader, what, records, fmt, to)


@app.command()
def changes(
    out: OutOpt = None,
    config: ConfigOpt = None,
    run_id: Annotated[str | None, typer.Option("--run", help="one run's id (default: the last run)")] = None,
    since: Annotated[str | None, typer.Option(help="every run started on or after this date (YYYY-MM-DD)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or jsonl")] = "table",
) -> None:
    """What runs changed: facts created, new points of running figures, new conflicts, moved values."""
    _checked_dates(since)
    reader = _reader(out, config)
    runs = reader.runs(run_id=run_id, since=since)
    if run_id is None and since is None:
        runs = runs[-1:]
    if not runs:
        console.print("[red]no run recorded[/red]" + (f" with id {escape(run_id)}" if run_id else ""))
        raise typer.Exit(1)
    if fmt == "jsonl":
        from .store import jsonl_text

        sys.stdout.write(jsonl_text(runs))
        return
    for r in runs:
        d = r["documents"]
        out_console.print(f"[bold]{r['run_id']}[/bold] {r['started_at']} · documents: {d['added']} added, "
                          f"{d['changed']} changed, {d['removed']} removed, {d['unchanged']} unchanged, "
                          f"{d['errors']} errors · {len(r['facts'])} fact changes")
        if not r["facts"]:
            continue
        id_col = Column("fact_id", no_wrap=True, min_width=max(len(c["fact_id"]) for c in r["facts"]))
        table = Table("change", id_col, "subject", "predicate", "from", "to")
        order = {k: n for n, k in enumerate(("status_changed", "value_changed", "created", "observation_added",
                                            "confirmed", "removed"))}
        for c in sorted(r["facts"], key=lambda c: (order.get(c["change"], 9), c.get("subject") or "")):
            table.add_row(c["change"].replace("_", " "), c["fact_id"], escape(c.get("subject") or "-"),
                          c.get("predicate") or "-", escape(_change_side(c["from"])), escape(_change_side(c["to"])))
        out_console.print(table)


def _change_side(side: Any) -> str:
    if side is None:
        return "-"
    if isinstance(side, str):
        return side
    text = _short(side)
    when = (side.get("as_of") or {}).get("iso") if isinstance(side, dict) else None
    return f"{text} as of {when}" if when else text


def _short(value: dict[str, Any] | None) -> str:
    if not value:
        return "-"
    if "iso" in value:
        return str(value["iso"])
    return f"{value.get('approx') or ''} {value.get('amount')} {value.get('unit') or ''}".strip()


@app.command()
def show(claim_or_fact: str, out: OutOpt = None, config: ConfigOpt = None) -> None:
    """Print one claim or fact with its sources and sentences, the mention highlighted."""
    reader = _reader(out, config)
    claim = reader.claim(claim_or_fact)
    if claim is not None:
        _print_claim(claim)
        return
    f = reader.fact(claim_or_fact)
    if f is not None:
        out_console.print(f"[bold]{escape(f['subject']['name'])}[/bold] · {f['predicate']} · {f['status']}")
        out_console.print(escape(f["resolution"]["explanation"]))
        for c in reader.claims(fact_id=f["fact_id"]):
            _print_claim(c)
        return
    console.print(f"[red]no claim or fact with id {escape(claim_or_fact)}[/red]")
    raise typer.Exit(1)


def _print_claim(c: dict[str, Any]) -> None:
    src = c["source"]
    s0, _ = c["sentence_span"]
    a, b = c["span"][0] - s0, c["span"][1] - s0
    sent = c["sentence"]
    out_console.print(f"[dim]{c['claim_id']}[/dim] {escape(src.get('title') or src['path'])} "
                      f"({escape(src.get('publisher') or '?')}, {src.get('published') or 'undated'})")
    out_console.print("  " + escape(sent[:a]) + "[reverse]" + escape(sent[a:b]) + "[/reverse]" + escape(sent[b:]))
    out_console.print(f"  {c['kind']}: {escape(_short(c['value']))}; subject "
                      f"{escape((c.get('subject') or {}).get('name') or '-')}; predicate {c.get('predicate')}; "
                      f"{c['modality']}")


if __name__ == "__main__":
    app()
