"""Ingest: read a drop folder into documents, never losing a file silently.

Every file seen becomes a ``Document``: either ``status="ok"`` with its text
and metadata, or ``status="error"``/``"skipped"`` with a reason a person can
act on. Text follows SPEC.md: UTF-8 (BOM removed; other encodings detected),
``\\r\\n`` and ``\\r`` turned into ``\\n``, nothing else changed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
FEED_SUFFIXES = {".jsonl"}
META_SUFFIX = ".meta.json"
META_KEYS = ("title", "publisher", "published", "url")


@dataclass
class Document:
    """One input article (or one line of a feed)."""

    doc_id: str
    path: str  # relative to its drop folder
    drop: str
    text: str
    sha256: str
    title: str | None = None
    publisher: str | None = None
    published: str | None = None
    url: str | None = None
    published_source: str | None = None  # sidecar | html_meta | dateline | feed
    status: str = "ok"
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    file_sha256: str | None = None  # of the file's bytes and its sidecar's: unchanged files are not read again
    encoding: str | None = None  # set when the file is not UTF-8 (or UTF-16 with a BOM): the encoding guessed
    cached: bool = False  # taken from the store's row for the same file bytes; ``text`` was not read

    @property
    def published_date(self) -> date | None:
        try:
            return date.fromisoformat(self.published) if self.published else None
        except ValueError:
            return None


def normalise_newlines(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) first; else the detected encoding; else an error."""
    return decode_with_encoding(raw)[0]


def decode_with_encoding(raw: bytes) -> tuple[str, str]:
    """The text and the encoding it was read as (``utf-8``, ``utf-16``, ``cp1252``, ...).

    Past UTF-8, English news in a single-byte encoding is Windows-1252 far more often than
    anything else (it is what the HTML standard reads "latin-1" pages as), and a detector
    guessing from a few accented letters often picks another code page ("naïve" read as
    cp775 is "na’ve"). So cp1252 is taken when it decodes the bytes and at most a quarter of
    the letters it gives are non-ASCII (accents in Latin-script text are far fewer; curly
    quotes and dashes are no letters); text in another script, where nearly every letter
    would come out non-ASCII, goes to the detector."""
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in raw[:4096]:
        raise ValueError("binary file (contains NUL bytes), not text")
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        text = ""
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(not ch.isascii() for ch in letters) <= 0.25 * len(letters):
        return text, "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise ValueError("cannot decode: not UTF-8 and no text encoding detected")
    return str(best), best.encoding


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_sha(raw: bytes, sidecar: bytes | None) -> str:
    """What a file's document depends on: its bytes and its sidecar's (or that it has none)."""
    h = hashlib.sha256(raw)
    h.update(b"\0-" if sidecar is None else b"\0+" + sidecar)
    return h.hexdigest()


# the previous documents.jsonl row of each file, by ``file_sha``: a file with the same bytes (and
# the same sidecar) is the same document, so it is not decoded, parsed or dated again
KnownFiles = Mapping[str, Mapping[str, Any]]


_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
_DATELINE = re.compile(
    rf"^\W{{0,3}}\[?\s*((?:{_MONTHS})[a-z]*\.? \d{{1,2}},? \d{{4}}|\d{{1,2}} (?:{_MONTHS})[a-z]* \d{{4}}|"
    rf"\d{{4}}-\d{{2}}-\d{{2}})\s*\]?",
    re.MULTILINE,
)


def dateline_date(text: str, window: int = 400) -> str | None:
    """A publication date written at the top of the text: "[May 09, 2024] By ..."."""
    import dateparser

    for m in _DATELINE.finditer(text[:window]):
        parsed = dateparser.parse(m.group(1), languages=["en"], settings={"PREFER_DAY_OF_MONTH": "first"})
        if parsed is not None:
            return parsed.date().isoformat()
    return None


_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")


def _clean_published(value: Any) -> str | None:
    """A publication date as YYYY-MM-DD. It must be absolute (name its year): "last week" or
    "Friday" would be resolved against the machine's clock, and every relative date of the
    article against that guess."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"'published' must be a date string, got {value!r}")
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        import dateparser

        if not _YEAR.search(value):
            raise ValueError(f"'published' must be an absolute date with its year, got {value!r}") from None
        parsed = dateparser.parse(value, languages=["en"], settings={"PREFER_DAY_OF_MONTH": "first"})
        if parsed is None:
            raise ValueError(f"'published' is not a date: {value!r}") from None
        return parsed.date().isoformat()


def _check_meta_types(meta: Mapping[str, Any], where: str) -> None:
    """Title, publisher, url and author are text (or null): a number or an object there is a broken
    sidecar, reported, never stored as it is."""
    bad = [f"'{k}' must be a string or null, got {type(meta[k]).__name__}"
           for k in (*META_KEYS, "author") if k != "published" and meta.get(k) is not None
           and not isinstance(meta[k], str)]
    if bad:
        raise ValueError(f"{where}: " + "; ".join(bad))


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name.rsplit(".", 1)[0] + META_SUFFIX)


def read_sidecar(path: Path, raw: bytes | None = None) -> dict[str, Any]:
    """The sidecar of ``path`` (``raw``: its bytes, when already read), checked; {} if there is none."""
    meta_path = sidecar_path(path)
    if raw is None:
        if not meta_path.exists():
            return {}
        raw = meta_path.read_bytes()
    try:
        meta = json.loads(raw.decode("utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"sidecar {meta_path.name} is not valid JSON: {err}") from err
    if not isinstance(meta, dict):
        raise ValueError(f"sidecar {meta_path.name} must hold a JSON object")
    _check_meta_types(meta, f"sidecar {meta_path.name}")
    try:
        meta["published"] = _clean_published(meta.get("published"))
    except ValueError as err:
        raise ValueError(f"sidecar {meta_path.name}: {err}") from err
    return meta


def _document(drop: Path, rel: str, text: str, meta: dict[str, Any], source: str | None) -> Document:
    sha = text_sha(text)
    doc = Document(doc_id=sha[:16], path=rel, drop=str(drop), text=text, sha256=sha)
    for key in META_KEYS:
        value = meta.get(key)
        setattr(doc, key, value if value not in ("",) else None)
    doc.published_source = source if doc.published else None
    if doc.published is None:
        found = dateline_date(text)
        if found:
            doc.published, doc.published_source = found, "dateline"
    doc.extra = {k: v for k, v in meta.items() if k not in META_KEYS}
    return doc


def _error(drop: Path, rel: str, reason: str, status: str = "error", raw: bytes = b"") -> Document:
    sha = hashlib.sha256(raw or rel.encode()).hexdigest()
    # the id names the file too, so two files with the same bad bytes stay two rows
    key = hashlib.sha256(rel.encode() + b"\0" + sha.encode()).hexdigest()
    return Document(doc_id="err-" + key[:12], path=rel, drop=str(drop), text="", sha256=sha, status=status,
                    error=reason)


def html_text(raw_html: str) -> tuple[str, dict[str, Any]]:
    """Main text and metadata of an HTML page, via trafilatura.

    The publication date is taken only from the page's markup (meta tags, time elements, the
    URL): htmldate's extensive search would otherwise guess one from any year in the body text
    ("in the second quarter of 2024" made a page published on 2024-01-01), and every relative
    date of the article would be resolved against that guess."""
    import trafilatura

    text = trafilatura.extract(raw_html, include_comments=False, include_tables=False, favor_precision=True)
    meta = trafilatura.extract_metadata(raw_html, extensive=False)
    info: dict[str, Any] = {}
    if meta is not None:
        info = {"title": meta.title, "publisher": meta.sitename, "url": meta.url, "published": meta.date}
    if not text:
        reader = _FlatHTML()
        reader.feed(raw_html)
        reader.close()
        if reader.max_depth > _html_rules()["max_tree_depth"]:  # too deep for lxml, not empty
            text = reader.text()
    return normalise_newlines(text or ""), info


@functools.cache
def _html_rules() -> dict[str, Any]:
    import yaml

    rules = yaml.safe_load((resources.files("pipeline") / "data" / "html.yaml").read_text(encoding="utf-8"))
    return {"block": frozenset(rules["block_elements"]), "hidden": frozenset(rules["hidden_elements"]),
            "max_tree_depth": int(rules["max_tree_depth"])}


class _FlatHTML(HTMLParser):
    """The text of a page read as a stream of tags (the standard library's tokenizer, which keeps
    no tree and so has no depth limit): hidden elements skipped, a paragraph break at every
    block element. Used only where trafilatura's tree gives up (a page nested thousands deep);
    it keeps boilerplate that trafilatura would have left out, which the chrome rules then skip."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.depth = self.max_depth = 0
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        rules = _html_rules()
        if tag in rules["hidden"]:
            self.hidden += 1
        if tag in rules["block"]:
            self.parts.append("\n\n")
        if tag not in ("br", "hr", "img", "meta", "link", "input", "wbr"):
            self.depth += 1
            self.max_depth = max(self.max_depth, self.depth)

    def handle_endtag(self, tag: str) -> None:
        rules = _html_rules()
        if tag in rules["hidden"]:
            self.hidden = max(0, self.hidden - 1)
        if tag in rules["block"]:
            self.parts.append("\n\n")
        self.depth = max(0, self.depth - 1)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    def text(self) -> str:
        paragraphs = (" ".join(p.split()) for p in "".join(self.parts).split("\n\n"))
        return "\n\n".join(p for p in paragraphs if p)


def _sidecar_bytes(path: Path) -> bytes | None:
    try:
        return sidecar_path(path).read_bytes()
    except FileNotFoundError:
        return None


def _known_document(drop: Path, rel: str, row: Mapping[str, Any], fsha: str) -> Document:
    doc = Document(doc_id=row["doc_id"], path=rel, drop=str(drop), text="", sha256=row["sha256"],
                   file_sha256=fsha, cached=True)
    for key in (*META_KEYS, "published_source", "encoding"):
        setattr(doc, key, row.get(key))
    return doc


def read_file(drop: Path, path: Path, max_bytes: int, known: KnownFiles | None = None) -> Iterator[Document]:
    """The document(s) of one file; with ``known``, a file whose bytes and sidecar are those of a
    known row comes back as that row's document (``cached``, no text) without being decoded."""
    rel = _relative(drop, path) if path != drop else _relative(drop.parent, path)
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES:
        yield _error(drop, rel, f"skipped: unsupported file type '{suffix or path.name}'", status="skipped")
        return
    try:
        size = path.stat().st_size
        if size > max_bytes:
            yield _error(drop, rel, f"file is {size} bytes, over the limit of {max_bytes} (max_file_bytes)")
            return
        raw = path.read_bytes()
        if not raw.strip():
            yield _error(drop, rel, "empty file", raw=raw)
            return
        fsha = None
        meta_raw = None
        if suffix not in FEED_SUFFIXES:
            meta_raw = _sidecar_bytes(path)
            fsha = file_sha(raw, meta_raw)
            row = known.get(fsha) if known else None
            if row is not None:
                yield _known_document(drop, rel, row, fsha)
                return
        decoded, encoding = decode_with_encoding(raw)
        text = normalise_newlines(decoded)
    except (OSError, ValueError, UnicodeDecodeError) as err:
        yield _error(drop, rel, f"cannot read: {err}")
        return
    try:
        meta = read_sidecar(path, meta_raw)
    except ValueError as err:
        yield _error(drop, rel, str(err), raw=raw)
        return
    if suffix in FEED_SUFFIXES:
        yield from _feed(drop, rel, text)
        return
    source = "sidecar" if meta.get("published") else None
    if suffix in HTML_SUFFIXES:
        body, info = html_text(text)
        if not body.strip():
            yield _error(drop, rel, "no article text found in the HTML page", raw=raw)
            return
        for key, value in info.items():
            if not meta.get(key) and value:
                meta[key] = value
                if key == "published":
                    try:
                        meta[key] = _clean_published(value)
                    except ValueError:
                        meta[key] = None  # a page's own date that is no absolute date: as if it had none
                        continue
                    source = "html_meta"
        text = body
    if not text.strip():
        yield _error(drop, rel, "file holds only whitespace", raw=raw)
        return
    doc = _document(drop, rel, text, meta, source)
    doc.file_sha256 = fsha
    if encoding not in ("utf-8", "utf-16"):
        doc.encoding = encoding  # a guess from the bytes: recorded, and said in the run's summary
    yield doc


def _feed(drop: Path, rel: str, text: str) -> Iterator[Document]:
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{rel}#{n}"
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not row["text"].strip():
                raise ValueError("each line needs a JSON object with a non-empty 'text'")
            _check_meta_types(row, "feed line")
            row["published"] = _clean_published(row.get("published"))
        except (json.JSONDecodeError, ValueError) as err:
            yield _error(drop, where, f"line {n}: {err}", raw=line.encode())
            continue
        body = normalise_newlines(row["text"])
        yield _document(drop, where, body, row, "feed" if row.get("published") else None)


def reread(doc: Document, max_bytes: int = 5_000_000) -> Document:
    """A ``cached`` document read again in full, text and all."""
    drop = Path(doc.drop)
    for found in read_file(drop, drop / doc.path, max_bytes):
        return found
    return _error(drop, doc.path, "file vanished while the drop was read")


def files_under(root: Path, links: list[tuple[Path, str]] | None = None) -> list[Path]:
    """Every file under ``root``, sorted: what ``sorted(p for p in root.rglob("*") if p.is_file())``
    gives (symlinked folders are not entered, symlinked files are kept), without building and
    comparing a ``Path`` per file.

    A symbolic link that is not followed goes to ``links`` with the reason, so that it is reported
    rather than missing: a link to a folder, a broken link or a loop, and a link to a file outside
    the drop (a drop must not copy /etc/passwd into the store)."""
    found: list[tuple[str, ...]] = []
    real_root = os.path.realpath(root)
    stack: list[tuple[tuple[str, ...], str]] = [((), str(root))]
    while stack:
        parts, folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except PermissionError:
            continue
        for entry in entries:
            link = entry.is_symlink()
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if not link:
                    stack.append(((*parts, entry.name), entry.path))
                elif links is not None:
                    links.append((root.joinpath(*parts, entry.name), "a link to a folder, not followed"))
                continue
            try:
                is_file = entry.is_file()
            except OSError:
                is_file = False
            if link and links is not None:
                target = os.path.realpath(entry.path)
                if not is_file:
                    links.append((root.joinpath(*parts, entry.name), "a broken link or a link loop"))
                    continue
                if os.path.commonpath([real_root, target]) != real_root:
                    links.append((root.joinpath(*parts, entry.name), "a link to a file outside the drop"))
                    continue
            if is_file:
                found.append((*parts, entry.name))
    found.sort()
    return [root.joinpath(*parts) for parts in found]


class DropError(ValueError):
    """A drop that cannot be read at all (missing, unreadable, not a folder or file): the run stops
    before anything is written, so that a typo or an unmounted disk never empties the store."""


def check_drops(drops: Iterable[Path]) -> None:
    """Raise ``DropError`` naming every drop that does not exist or cannot be read."""
    bad = []
    for drop in drops:
        if not drop.exists():
            bad.append(f"{drop}: no such file or folder")
        elif not os.access(drop, os.R_OK | (os.X_OK if drop.is_dir() else 0)):
            bad.append(f"{drop}: not readable")
        elif not (drop.is_dir() or drop.is_file()):
            bad.append(f"{drop}: not a folder or a file")
    if bad:
        raise DropError("cannot read the drop: " + "; ".join(bad) + " (nothing was written)")


def _relative(root: Path, path: Path) -> str:
    """A path inside the drop as text that can be stored: a name that is not valid UTF-8 keeps its
    bytes as \\x escapes (the file is still read, and the name still says which file it is)."""
    rel = path.relative_to(root).as_posix()
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        rel = os.fsencode(rel).decode("utf-8", "backslashreplace")
    return rel


def iter_drop(drop: str | Path, max_bytes: int = 5_000_000, known: KnownFiles | None = None) -> Iterator[Document]:
    """Every file under ``drop`` (sorted, sidecars excepted), as documents, read one at a time.

    ``known`` (previous rows by ``file_sha``) lets unchanged files through without decoding them."""
    root = Path(drop)
    if root.is_file():
        yield from read_file(root.parent, root, max_bytes, known)
        return
    if not root.is_dir():
        yield _error(root, root.name, f"drop folder not found: {root}")
        return
    links: list[tuple[Path, str]] = []
    files = files_under(root, links)
    for path, reason in sorted(links):
        yield _error(root, _relative(root, path), f"skipped: {reason}", status="skipped")
    for path in files:
        name = path.name
        if name.endswith(META_SUFFIX) or name.startswith("."):
            continue
        if name.lower() in ("readme.md", "readme.txt"):
            yield _error(root, _relative(root, path),
                         "skipped: the drop's README describes the drop, it is not an article", status="skipped")
            continue
        yield from read_file(root, path, max_bytes, known)
