"""The fact store: JSON Lines files in one folder, written atomically, one run at a time.

Files (SPEC.md): documents.jsonl, claims.jsonl, facts.jsonl, entities.jsonl,
reviews.jsonl (append-only, never rewritten by a run) and texts/<doc_id>.txt
(the text every span points into). Each file is replaced by writing a
temporary file in the same folder, fsync, then rename, so a crash leaves the
old file or the new one.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jsonlines

FILES = ("documents", "claims", "facts", "entities")
SCHEMA_VERSION = "1"
# what the last run read and wrote, so that a run with nothing new can stop early (see ``Store.state``)
STATE_FILE = ".run-state.json"
_DOC_ID_PREFIX = re.compile(r'\{"doc_id":"([^"\\]*)"')


class StoreLocked(RuntimeError):
    """Another run holds the store."""


class StoreDamaged(RuntimeError):
    """A file of the store is not what the last run wrote (edited, truncated or torn)."""


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def write_atomic(path: Path, data: str | bytes) -> None:
    tmp = stage(path, data)
    if tmp is not None:
        os.replace(tmp, path)


def stage(path: Path, data: str | bytes) -> str | None:
    """Write ``data`` to a temporary file next to ``path`` (fsynced), ready for ``os.replace``;
    None when the file already holds these bytes (it is left alone, mtime and all). A run stages
    every file of the store first and then renames them one after the other, so that a run
    killed while it writes leaves the files it had not renamed as they were (and the renames
    take microseconds, not the seconds the writing does)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path.exists() and path.read_bytes() == payload:
        return None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; give the mode open() would
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return tmp


def remove_stale_stages(out: Path) -> None:
    """Temporary files a killed run staged and never renamed (``stage``): removed under the lock."""
    for tmp in out.glob(".*.jsonl.*.tmp"):
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def jsonl_text(records: Iterable[dict[str, Any]]) -> str:
    """Records as JSON Lines text (jsonlines' writer, with the store's compact, unsorted dumps)."""
    buf = io.StringIO()
    with jsonlines.Writer(buf, dumps=dumps, flush=False) as writer:
        writer.write_all(records)
    return buf.getvalue()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> None:
    write_atomic(path, jsonl_text(records))


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a JSON Lines file, one at a time (none if it is missing). A line that is not
    a JSON object raises ``ValueError`` naming the file and the line."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        reader = jsonlines.Reader(fh, loads=json.loads)
        try:
            yield from reader.iter(type=dict, skip_empty=True)
        except jsonlines.InvalidLineError as err:
            raise ValueError(f"{path}:{err.lineno}: not a JSON object: {err.line[:80]!r}") from err


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


PAUSE_ENV = "CLAIMS_TEST_PAUSE"


def checkpoint(label: str) -> None:
    """A point between two writes of a run. With ``CLAIMS_TEST_PAUSE`` set (seconds), the run says
    so on stderr and waits there, so that the kill tests can stop it at exactly that point
    (tests/test_kill_writes.py, benchmarks/kill_runs.py); otherwise it costs one lookup."""
    pause = os.environ.get(PAUSE_ENV)
    if pause:
        print(f"checkpoint {label}", file=sys.stderr, flush=True)
        time.sleep(float(pause))


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold ``out/.lock`` for the run; a second run gets a clear error naming the holder's pid.

    The lock is the kernel's (``fcntl.flock`` on the open file), so it dies with its holder: a run
    killed with SIGKILL leaves the file but not the lock, and there is no window between reading
    a stale pid and taking over. The pid written into the file is only for the message. After
    the lock is taken, the path must still name the file locked (another run may have removed
    it on release in between); otherwise the lock is taken again on the new file."""
    import fcntl

    out.mkdir(parents=True, exist_ok=True)
    lock = out / ".lock"
    while True:
        fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise StoreLocked(f"{out} is in use by another claims run{who}; wait for it to finish") from None
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        lock.unlink(missing_ok=True)  # while still held: a run waiting on this file retries on a new one
        os.close(fd)


class Store:
    """Read and write one store folder."""

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        self.review_problems: list[str] = []

    def path(self, name: str) -> Path:
        return self.out / f"{name}.jsonl"

    def read(self, name: str) -> list[dict[str, Any]]:
        return list(read_jsonl(self.path(name)))

    def iter(self, name: str) -> Iterator[dict[str, Any]]:
        """The records of one file, one at a time."""
        return read_jsonl(self.path(name))

    def doc_ids(self, name: str) -> set[str]:
        """The ``doc_id`` of every record of a file written with ``doc_id`` first (entity_mentions),
        read from the start of each line without parsing the rest."""
        path = self.path(name)
        ids: set[str] = set()
        if not path.exists():
            return ids
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                m = _DOC_ID_PREFIX.match(line)
                if m:
                    ids.add(m.group(1))
                elif line.strip():
                    try:
                        ids.add(json.loads(line)["doc_id"])
                    except json.JSONDecodeError as err:
                        raise ValueError(f"{path}:{n}: not JSON: {err}") from err
        return ids

    def file_sha(self, name: str) -> str:
        """sha256 of a file's bytes (a missing file counts as empty)."""
        path = self.path(name)
        return hashlib.sha256(path.read_bytes() if path.exists() else b"").hexdigest()

    def sizes(self, names: Iterable[str]) -> dict[str, int]:
        """Byte size of each file (-1 if missing)."""
        return {n: self.path(n).stat().st_size if self.path(n).exists() else -1 for n in names}

    def state(self) -> dict[str, Any]:
        """What the last run recorded about its inputs and outputs ({} if nothing, or unreadable)."""
        try:
            state = json.loads((self.out / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def digests(self, names: Iterable[str]) -> dict[str, str]:
        """sha256 of each file, as the run that writes them records it in the state file."""
        return {n: self.file_sha(n) for n in names}

    def damaged(self, names: Iterable[str]) -> list[str]:
        """The files whose bytes are neither those the last run recorded nor those a run that was
        stopped half-way was writing (none when no run recorded any)."""
        state = self.state()
        recorded, pending = state.get("digests") or {}, state.get("pending_digests") or {}
        return [n for n in names if n in recorded and self.file_sha(n) not in (recorded[n], pending.get(n))]

    def check_intact(self, names: Iterable[str]) -> None:
        """Raise ``StoreDamaged`` when a file was changed since the run that wrote it: a claim line
        deleted by hand would otherwise be gone for good after the next run, unnoticed."""
        bad = self.damaged(names)
        if bad:
            raise StoreDamaged(
                f"{self.out}: {', '.join(f'{n}.jsonl' for n in bad)} changed since the run that wrote "
                f"{'them' if len(bad) > 1 else 'it'} (edited, truncated or torn); nothing was written. "
                "Rebuild the store from the drops with `claims run --full DROP ...` (reviews.jsonl is kept), "
                "or restore the file")

    def log_interrupted_run(self) -> bool:
        """Append the change-log record of a run that was killed after writing its facts but before
        logging them (it left the record in the state as ``pending_run``), once; then forget it.
        The record keeps the fact changes only if facts.jsonl was written, and the document counts
        only if documents.jsonl was: what did not reach its file, the next run computes again
        against the file as it still is, and logs in its own record."""
        state = self.state()
        record = state.get("pending_run")
        if not record:
            return False
        pending, recorded = state.get("pending_digests") or {}, state.get("digests") or {}
        wrote = {n: self.file_sha(n) == pending.get(n) != recorded.get(n) for n in ("facts", "documents")}
        logged = any(wrote.values()) and self.last_run_id() != record.get("run_id")
        if logged:
            # only what reached the files: the next run finds the rest still to do, and logs it itself
            record = record | {"interrupted": True}
            if not wrote["facts"]:
                record["facts"] = []
            if not wrote["documents"]:
                record["documents"] = dict.fromkeys(record.get("documents") or {}, 0)
            self.append_run(record)
        self.write_state({k: v for k, v in state.items() if k != "pending_run"})
        return logged

    def last_run_id(self) -> str | None:
        """The ``run_id`` of the last whole line of runs.jsonl (read from the end, not the whole log)."""
        p = self.path("runs")
        if not p.exists():
            return None
        with p.open("rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            tail = 65536
            while True:
                fh.seek(max(0, size - tail))
                lines = fh.read().splitlines()
                whole = lines if tail >= size else lines[1:]  # the first line of a tail may be cut
                for line in reversed(whole):
                    try:
                        return json.loads(line).get("run_id")
                    except (ValueError, AttributeError):
                        continue
                if tail >= size:
                    return None
                tail *= 8

    def write_state(self, state: dict[str, Any]) -> None:
        write_atomic(self.out / STATE_FILE, json.dumps(state, sort_keys=True, indent=1) + "\n")

    def write(self, name: str, records: Iterable[dict[str, Any]]) -> None:
        write_jsonl(self.path(name), records)

    def text_path(self, doc_id: str) -> Path:
        return self.out / "texts" / f"{doc_id}.txt"

    def write_text(self, doc_id: str, text: str) -> None:
        write_atomic(self.text_path(doc_id), text)

    def read_text(self, doc_id: str) -> str | None:
        p = self.text_path(doc_id)
        return p.read_text(encoding="utf-8") if p.exists() else None

    def ensure_reviews(self) -> None:
        p = self.path("reviews")
        if not p.exists():
            write_atomic(p, "")

    def reviews(self) -> list[dict[str, Any]]:
        """The decisions that can be applied; why any other line was left out is in
        ``review_problems`` (after this call)."""
        records, self.review_problems = read_reviews(self.path("reviews"))
        return records

    def append_review(self, record: dict[str, Any]) -> None:
        """Append one decision (the only write reviews.jsonl ever gets)."""
        self._append("reviews", record)

    def append_run(self, record: dict[str, Any]) -> None:
        """Append one run's record to the change log (runs.jsonl is never rewritten)."""
        self._append("runs", record)

    def _append(self, name: str, record: dict[str, Any]) -> None:
        p = self.path(name)
        p.parent.mkdir(parents=True, exist_ok=True)
        with p.open("a", encoding="utf-8") as fh:
            fh.write(dumps(record) + "\n")
            fh.flush()
            os.fsync(fh.fileno())


# --------------------------------------------------------------------------- validation


@functools.cache
def load_schemas() -> dict[str, dict[str, Any]]:
    """The shipped JSON Schemas, read once (every reviews read and every correction checks against
    them); callers only read them."""
    schemas = {}
    for name in (*FILES, "reviews", "runs"):
        text = (resources.files("pipeline") / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
        schemas[name] = json.loads(text)
    return schemas


def _numbered_rows(path: Path, problems: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) of every line that is a JSON object; each other line (torn, not JSON,
    not UTF-8) is a problem, and the lines after it are still checked."""
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as err:
                problems.append(f"{path.name}:{n}: not a JSON object ({err})")
                continue
            if not isinstance(row, dict):
                problems.append(f"{path.name}:{n}: not a JSON object")
                continue
            yield n, row


def read_reviews(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The decisions of a reviewers' log that can be applied, and for each other line why it was
    left out ("reviews.jsonl:7: not a JSON object ...", "reviews.jsonl:9: value: ...").

    reviews.jsonl is the one file people and scripts append to by hand, and a run never rewrites
    it: a torn or hand-edited line must cost that decision, with its line named, never the run
    or the reviews before and after it."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    if not path.exists():
        return [], []
    problems: list[str] = []
    validator = Draft202012Validator(load_schemas()["reviews"])
    records = []
    for n, row in _numbered_rows(path, problems):
        error = best_match(validator.iter_errors(row))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(record)"
            problems.append(f"{path.name}:{n}: {where}: {error.message}")
        else:
            records.append(row)
    return records, [f"{p} (decision skipped)" for p in problems]


def validate_store(out: str | Path) -> list[str]:
    """Problems found in a store (empty when it follows SPEC.md)."""
    from jsonschema import Draft202012Validator

    store = Store(out)
    problems: list[str] = []
    schemas = load_schemas()
    claim_ids: set[str] = set()
    entity_ids: set[str] = set()
    texts: dict[str, str | None] = {}
    for name in (*FILES, "reviews", "runs"):
        path = store.path(name)
        if not path.exists():
            if name != "runs":  # stores written before the change log have none
                problems.append(f"{path}: missing")
            continue
        validator = Draft202012Validator(schemas[name])
        for n, row in _numbered_rows(path, problems):
            for err in validator.iter_errors(row):
                where = "/".join(str(p) for p in err.absolute_path) or "(record)"
                problems.append(f"{path.name}:{n}: {where}: {err.message}")
            if name == "entities":
                entity_ids.add(row.get("entity_id"))
            if name == "claims":
                claim_ids.add(row.get("claim_id"))
                doc_id = row.get("doc_id")
                if doc_id not in texts:
                    texts[doc_id] = store.read_text(doc_id)
                text = texts[doc_id]
                s, e = row.get("span", [0, 0])
                if text is None:
                    problems.append(f"claims.jsonl:{n}: no stored text for document {doc_id}")
                elif text[s:e] != row.get("text"):
                    problems.append(f"claims.jsonl:{n}: text does not match its span in {doc_id}")
    for name in store.damaged(("documents", "claims", "facts", "entities", "entity_mentions")):
        problems.append(f"{name}.jsonl: changed since the run that wrote it (.run-state.json records other bytes)")
    try:
        claim_rows = store.read("claims")
    except ValueError:
        claim_rows = []  # reported above
    for n, row in enumerate(claim_rows, 1):
        subj = row.get("subject")
        if subj and subj.get("id") not in entity_ids:
            problems.append(f"claims.jsonl:{n}: subject {subj.get('id')!r} is not in entities.jsonl")
    try:
        fact_rows = store.read("facts")
    except ValueError:
        fact_rows = []  # reported above
    if fact_rows:
        for n, row in enumerate(fact_rows, 1):
            missing = [c for c in row.get("claim_ids", []) if c not in claim_ids]
            if missing:
                problems.append(f"facts.jsonl:{n}: unknown claim ids {missing[:3]}")
    return problems
