"""The ``claims`` command: a thin shell over ``pipeline.api``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table

from .cli_review import review_app, serve
from .config import ConfigError, load_config
from .store import Store, StoreLocked, validate_store

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
    is in use by another run; 4 with --strict, done but some documents are error rows.
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
    for msg in summary.orphan_reviews:
        console.print(f"[yellow]review:[/yellow] {escape(msg)}")
    console.print(
        f"{summary.new_documents} new documents, {summary.kept_documents} unchanged, "
        f"{summary.removed_documents} removed; {summary.documents} documents, {summary.claims} claims, "
        f"{summary.facts} facts, {summary.conflicts} conflicts, {summary.errors} errors, "
        f"{summary.skipped} skipped, {summary.seconds:.1f} s"
    )
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


@app.command()
def facts(
    out: OutOpt = None,
    config: ConfigOpt = None,
    subject: Annotated[str | None, typer.Option(help="subject id or name (substring)")] = None,
    predicate: Annotated[str | None, typer.Option()] = None,
    status: Annotated[str | None, typer.Option(help="agreed|timeline|conflict|single_source")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or jsonl")] = "table",
) -> None:
    """List facts, filtered."""
    cfg = _config(config)
    rows = Store(out or cfg.output).read("facts")
    sel = []
    for f in rows:
        s = f["subject"]
        if subject and subject.lower() not in (s["id"] + " " + s["name"]).lower():
            continue
        if predicate and predicate != f["predicate"]:
            continue
        if status and status != f["status"]:
            continue
        sel.append(f)
    if fmt == "jsonl":
        for f in sel:
            sys.stdout.write(json.dumps(f, ensure_ascii=False) + "\n")
        return
    # ids must print whole (they are what `show` takes), however narrow the terminal
    id_col = Column("fact_id", no_wrap=True, min_width=max((len(f["fact_id"]) for f in sel), default=7))
    table = Table(id_col, "subject", "predicate", "status", "value", "claims")
    for f in sel:
        table.add_row(f["fact_id"], escape(f["subject"]["name"]), f["predicate"], f["status"],
                      escape(_short(f["value"])), str(len(f["claim_ids"])))
    out_console.print(table)


def _short(value: dict[str, Any] | None) -> str:
    if not value:
        return "-"
    if "iso" in value:
        return str(value["iso"])
    return f"{value.get('approx') or ''} {value.get('amount')} {value.get('unit') or ''}".strip()


@app.command()
def show(claim_or_fact: str, out: OutOpt = None, config: ConfigOpt = None) -> None:
    """Print one claim or fact with its sources and sentences, the mention highlighted."""
    cfg = _config(config)
    store = Store(out or cfg.output)
    claims = {c["claim_id"]: c for c in store.read("claims")}
    if claim_or_fact in claims:
        _print_claim(claims[claim_or_fact])
        return
    for f in store.read("facts"):
        if f["fact_id"] == claim_or_fact:
            out_console.print(f"[bold]{escape(f['subject']['name'])}[/bold] · {f['predicate']} · {f['status']}")
            out_console.print(escape(f["resolution"]["explanation"]))
            for cid in f["claim_ids"]:
                if cid in claims:
                    _print_claim(claims[cid])
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
