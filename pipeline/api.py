"""The library API: what the CLI (and any other Python code) calls.

    from pipeline import Pipeline
    pipe = Pipeline.load()                       # config.yaml, spaCy model loaded once
    records = pipe.extract_text(text, published="2024-05-09")
    summary = pipe.run(["corpus"], out="outputs")
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacy.language import Language

from .changes import document_changes, fact_changes, fact_digest
from .config import Config, load_config
from .duplicates import near_duplicates, signature
from .entities import EntityIndex, EntityRules
from .extract import Extraction, Extractor, FigureRules
from .ingest import Document, check_drops, iter_drop, reread, text_sha
from .nlp import ChromeMarker, build_nlp, gazetteer_paths, read_gazetteer
from .normalise import build_claims
from .reconcile import reconcile
from .review import describe, settle_facts  # reviewer decisions (pipeline/review.py)
from .store import (
    SCHEMA_VERSION,
    Store,
    checkpoint,
    dumps,
    jsonl_text,
    locked,
    now_iso,
    remove_stale_stages,
    sha256_text,
    stage,
)

if TYPE_CHECKING:
    from .executors import Executor

ProgressHook = Callable[[int, int], None]
# gazetteer kinds that report figures about others rather than being their subject
SOURCE_KINDS = {"publisher", "research_firm", "wire", "news_agency"}
# the files a run writes (besides texts/ and reviews.jsonl)
OUTPUT_FILES = ("documents", "claims", "facts", "entities", "entity_mentions")


@dataclass
class RunSummary:
    documents: int = 0
    new_documents: int = 0
    kept_documents: int = 0
    removed_documents: int = 0
    errors: int = 0
    skipped: int = 0
    claims: int = 0
    facts: int = 0
    conflicts: int = 0
    seconds: float = 0.0
    error_messages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # documents read, but with a doubt a person should check
    orphan_reviews: list[str] = field(default_factory=list)  # decisions not applied: line unreadable, target gone
    run_id: str = ""
    changes: list[dict[str, Any]] = field(default_factory=list)  # this run's entry in runs.jsonl, per fact
    new_conflicts: list[str] = field(default_factory=list)  # "subject · predicate" of facts now in conflict


class Pipeline:
    """Config, model and rules, loaded once; extraction and runs on top."""

    def __init__(self, config: Config, nlp: Language | None = None) -> None:
        self.config = config
        self._nlp = nlp
        self.figure_rules = FigureRules(config.data_path(config.data.figure_patterns),
                                        config.data_path(config.data.predicates))
        self.entity_rules = EntityRules(config.data_path("entities.yaml"))
        self.gazetteer = read_gazetteer(gazetteer_paths(config))
        sources = {e["name"] for e in self.gazetteer if e.get("kind") in SOURCE_KINDS}
        self.extractor = Extractor(self.figure_rules, self.entity_rules, sources,
                                   [a for e in self.gazetteer for a in (e["name"], *e.get("aliases", []))])
        self.fingerprint = config.fingerprint()
        self._chrome: ChromeMarker | None = None

    @classmethod
    def load(cls, config: Config | str | Path | None = None, *, lazy: bool = False) -> Pipeline:
        """Config, rules and the spaCy model; with ``lazy``, the model is loaded when first needed
        (a run with nothing new, or one whose parsing happens elsewhere, never loads it)."""
        cfg = config if isinstance(config, Config) else load_config(config)
        return cls(cfg, None if lazy else build_nlp(cfg))

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = build_nlp(self.config)
        return self._nlp

    @nlp.setter
    def nlp(self, nlp: Language) -> None:
        self._nlp = nlp

    # ------------------------------------------------------------------ one text
    @property
    def chrome(self) -> ChromeMarker:
        """The page-chrome rules, for recording what extraction skipped."""
        if self._chrome is None:
            self._chrome = ChromeMarker(str(self.config.data_path(self.config.data.chrome)))
        return self._chrome

    def new_index(self) -> EntityIndex:
        return EntityIndex(self.gazetteer, self.entity_rules)

    def claims_for(self, doc: Document, extraction: Extraction) -> list[dict[str, Any]]:
        return build_claims(doc, extraction, scales=self.figure_rules.scales, fingerprint=self.fingerprint)

    def extract_text(self, text: str, published: str | None = None, title: str | None = None,
                     publisher: str | None = None, path: str = "<text>") -> list[dict[str, Any]]:
        """Claims (SPEC.md records) for one text, subjects canonicalised."""
        sha = text_sha(text)
        doc = Document(doc_id=sha[:16], path=path, drop="", text=text, sha256=sha, title=title,
                       publisher=publisher, published=published)
        extraction = self.extractor.extract(self.nlp(text))
        claims = self.claims_for(doc, extraction)
        index = self.new_index()
        canonicalise([(doc.doc_id, extraction_entities(extraction))], claims, index,
                     acronyms={doc.doc_id: extraction.acronyms})
        return claims

    # ------------------------------------------------------------------ a run
    def process(self, docs: Iterable[Document], n_process: int | None = None
                ) -> Iterator[tuple[Document, Extraction | str]]:
        """Parse documents with ``nlp.pipe`` and extract their mentions, in order.

        ``docs`` is read as the parser needs it (a generator is never held whole). Processes
        (config ``n_process``) are used past four batches, unless ``n_process`` is given. A document
        whose extraction raises comes out with the reason (a string) instead of an extraction."""
        batch = self.config.batch_size
        it = iter(docs)
        head = list(islice(it, 4 * batch + 1))
        if not head:
            return  # nothing to parse: the model is not even loaded
        if n_process is None:
            n_process = self.config.n_process if len(head) > 4 * batch else 1
        texts = ((d.text, d) for d in chain(head, it))
        for spacy_doc, doc in self.nlp.pipe(texts, as_tuples=True, batch_size=batch, n_process=n_process):
            try:
                yield doc, self.extractor.extract(spacy_doc)
            except Exception as err:  # noqa: BLE001 - one document's failure is that document's error row
                from .executors import failure

                yield doc, failure("extraction", err)

    def run(self, drops: Iterable[str | Path], out: str | Path | None = None, full: bool = False,
            progress: ProgressHook | None = None, executor: Executor | None = None) -> RunSummary:
        """Ingest, extract, reconcile and write the store.

        Documents stream: each file is read when the parser is ready for it, its text written to
        the store as soon as it is processed, and only its claims and entity mentions are kept.
        Files whose bytes are unchanged are not read as text again, and when nothing changed at all
        (documents, reviews, config, rules, code) the store is left as it is. ``executor`` says where
        the per-document stages run (default: here, ``nlp.pipe``; see ``pipeline.executors``)."""
        from .executors import LocalExecutor

        started = time.perf_counter()
        started_at = now_iso()
        drops = [Path(d) for d in drops]
        check_drops(drops)  # a drop that moved must not empty the store
        out_path = Path(out or self.config.output)
        store = Store(out_path)
        summary = RunSummary()
        executor = executor or LocalExecutor(self)
        summary.run_id = new_run_id(started_at)
        with locked(out_path):
            if not full:
                store.check_intact(OUTPUT_FILES)  # a damaged store is refused, never quietly carried on
            store.log_interrupted_run()  # a run killed after its files were written: its changes are logged
            remove_stale_stages(out_path)
            previous_docs = {d["doc_id"]: d for d in store.iter("documents")}
            old_docs = {} if full else previous_docs
            with_mentions = set() if full else store.doc_ids("entity_mentions")
            drop_keys = {str(d.resolve()) for d in drops}
            # documents of other drops stay as they are
            documents: dict[str, dict[str, Any]] = {
                k: v for k, v in old_docs.items() if v.get("drop") not in drop_keys
            }
            # unchanged files (same bytes, same sidecar) of documents the store holds: not read as text again
            known = {r["file_sha256"]: r for r in old_docs.values()
                     if r.get("file_sha256") and r.get("status") == "ok" and r["doc_id"] in with_mentions}
            resolved: dict[str, str] = {}
            queued = 0

            def pending() -> Iterator[Document]:
                """The drops' documents that need processing; every other file's row is settled on the way."""
                nonlocal queued
                for drop in drops:
                    for d in iter_drop(drop, self.config.max_file_bytes, known):
                        if d.drop not in resolved:
                            resolved[d.drop] = str(Path(d.drop).resolve())
                        d.drop = resolved[d.drop]
                        if d.status != "ok":
                            key = d.doc_id
                            prev = old_docs.get(key)
                            documents[key] = doc_record(d, prev["ingested_at"] if prev else now_iso())
                            summary.errors += d.status == "error"
                            summary.skipped += d.status == "skipped"
                            summary.error_messages.append(f"{d.path}: {d.error}")
                            continue
                        row = documents.get(d.doc_id)
                        if row is not None and row["status"] == "ok":
                            row.setdefault("also_paths", [])
                            if d.path != row["path"] and d.path not in row["also_paths"]:
                                row["also_paths"].append(d.path)
                            continue
                        prev = old_docs.get(d.doc_id)
                        if prev is not None and prev.get("status") == "ok" and d.doc_id in with_mentions:
                            row = prev | {"path": d.path, "drop": d.drop}
                            if d.file_sha256 and row.get("file_sha256") != d.file_sha256:
                                row["file_sha256"] = d.file_sha256
                            documents[d.doc_id] = row
                            summary.kept_documents += 1
                            continue
                        if d.cached:  # cannot happen (known rows are kept ones), but never parse an empty text
                            d = reread(d, self.config.max_file_bytes)
                        if len(d.text) > self.config.max_chars:  # the parser's memory grows with the text
                            d.status = "error"
                            d.error = (f"text is {len(d.text):,} characters, over the limit of "
                                       f"{self.config.max_chars:,} (max_chars)")
                            documents[d.doc_id] = doc_record(d, now_iso())
                            summary.errors += 1
                            summary.error_messages.append(f"{d.path}: {d.error}")
                            continue
                        documents[d.doc_id] = doc_record(d, now_iso())
                        if d.encoding:
                            summary.warnings.append(f"{d.path}: not UTF-8, read as {d.encoding} (a guess from "
                                                    "its bytes: check accented letters)")
                        queued += 1
                        yield d

            new_claims: dict[str, list[dict[str, Any]]] = {}
            new_mentions: dict[str, dict[str, Any]] = {}
            # texts are written (fsync and all) by one thread beside the parser, as documents come out
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="claims-texts") as writer:
                writes: deque[Future[None]] = deque()
                for n, (doc, claims_of_doc, entities, acronyms, error) in enumerate(
                        executor.map_documents(pending()), 1):
                    if error is not None:
                        documents[doc.doc_id] = documents[doc.doc_id] | {"status": "error", "error": error}
                        summary.errors += 1
                        summary.error_messages.append(f"{doc.path}: {error}")
                        continue
                    writes.append(writer.submit(_keep_text, store, doc, documents[doc.doc_id], self.chrome))
                    while writes and writes[0].done():
                        writes.popleft().result()  # a failed write stops the run
                    new_claims[doc.doc_id] = claims_of_doc
                    new_mentions[doc.doc_id] = {"doc_id": doc.doc_id, "entities": entities, "acronyms": acronyms}
                    if progress:
                        progress(n, queued)
                for w in writes:
                    w.result()
            removed = [k for k in old_docs if k not in documents]
            if queued or removed or full:
                link_near_duplicates(documents, store)  # the set of documents changed: links may too
            summary.removed_documents = len(removed)
            summary.new_documents = queued
            doc_rows = sorted(documents.values(), key=lambda r: (r.get("drop", ""), r["path"]))
            doc_payload = "".join(dumps(r) + "\n" for r in doc_rows)
            state = {
                "inputs": self.inputs_key(),
                "documents": hashlib.sha256(doc_payload.encode("utf-8")).hexdigest(),
                "reviews": store.file_sha("reviews"),
            }
            def run_record(changes: list[dict[str, Any]]) -> dict[str, Any]:
                return {"schema_version": SCHEMA_VERSION, "run_id": summary.run_id, "started_at": started_at,
                        "finished_at": now_iso(), "config_fingerprint": self.config.fingerprint(),
                        "drops": sorted(drop_keys), "documents": document_changes(previous_docs, documents),
                        "facts": changes}

            last = {} if full else store.state()
            if (not queued and not removed and last.get("inputs") == state["inputs"]
                    and last.get("documents") == state["documents"] and last.get("reviews") == state["reviews"]
                    and last.get("sizes") == store.sizes(OUTPUT_FILES)):
                # nothing changed since the last run: its claims, facts and entities stand
                store.ensure_reviews()
                done = last.get("summary") or {}
                summary.claims, summary.facts = done.get("claims", 0), done.get("facts", 0)
                summary.conflicts = done.get("conflicts", 0)
                summary.orphan_reviews = list(done.get("orphan_reviews", []))
                checkpoint("change log")
                store.append_run(run_record([]))
            else:
                before = _facts_before(store)

                claims, facts = self._settle(store, documents, doc_payload, new_claims, new_mentions, full, summary,
                                             before, run_record)
                summary.claims = len(claims)
                summary.facts = len(facts)
                summary.conflicts = sum(f["status"] == "conflict" for f in facts)
                for doc_id in removed:
                    store.text_path(doc_id).unlink(missing_ok=True)
                state["sizes"] = store.sizes(OUTPUT_FILES)
                state["digests"] = store.state().get("pending_digests") or store.digests(OUTPUT_FILES)
                state["summary"] = {"claims": summary.claims, "facts": summary.facts,
                                    "conflicts": summary.conflicts, "orphan_reviews": summary.orphan_reviews}
                checkpoint("change log")
                store.append_run(run_record(summary.changes))
                checkpoint("state")
                store.write_state(state)  # without the pending record: this run is logged
            summary.new_conflicts = [f"{c['subject']} · {c['predicate']}" for c in summary.changes
                                     if c["status"] == "conflict" and c["change"] in ("created", "status_changed")]
        summary.documents = len([d for d in documents.values() if d["status"] == "ok"])
        summary.seconds = round(time.perf_counter() - started, 2)
        return summary

    def _settle(self, store: Store, documents: dict[str, dict[str, Any]], doc_payload: str,
                new_claims: dict[str, list[dict[str, Any]]], new_mentions: dict[str, dict[str, Any]], full: bool,
                summary: RunSummary, before: list[dict[str, Any]],
                run_record: Callable[[list[dict[str, Any]]], dict[str, Any]],
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Claims of every document, canonical subjects, reviews, facts and entities; all files written,
        and ``summary.changes`` set against the facts ``before``."""
        ok = {k for k, rec in documents.items() if rec["status"] == "ok"}
        # a document's stored claims stand unless it was processed again (and gave some)
        from_store = {k for k in ok if not new_claims.get(k)}
        old_claims: dict[str, list[dict[str, Any]]] = {}
        mentions: dict[str, dict[str, Any]] = {}
        if not full:
            for c in store.iter("claims"):
                if c["doc_id"] in from_store:
                    old_claims.setdefault(c["doc_id"], []).append(c)
            for m in store.iter("entity_mentions"):
                if m["doc_id"] in documents and m["doc_id"] not in new_mentions:
                    mentions[m["doc_id"]] = m
        mentions.update(new_mentions)
        claims: list[dict[str, Any]] = []
        for doc_id, rec in documents.items():
            if rec["status"] != "ok":
                continue
            claims.extend(new_claims.get(doc_id) or old_claims.get(doc_id, []))
        del old_claims
        claims.sort(key=lambda c: (c["source"]["path"], c["doc_id"], c["span"][0], c["kind"]))
        index = self.new_index()
        canonicalise([(k, mentions[k]["entities"]) for k in sorted(mentions)], claims, index,
                     acronyms={k: mentions[k].get("acronyms", {}) for k in mentions})
        reviews = store.reviews()
        fact_reviews, orphans = apply_reviews(claims, reviews)
        summary.orphan_reviews = store.review_problems + orphans
        same_story = {k: r["near_duplicate_of"] for k, r in documents.items() if r.get("near_duplicate_of")}
        facts = reconcile(claims, self.config.reconcile, fact_reviews, same_story=same_story)
        summary.orphan_reviews += settle_facts(facts, claims, reviews)  # review: accepts settle conflicts
        entities = entity_records(index, claims)
        payloads = {"documents": doc_payload, "claims": jsonl_text(claims), "facts": jsonl_text(facts),
                    "entities": jsonl_text(entities),
                    "entity_mentions": jsonl_text(mentions[k] for k in sorted(mentions))}
        # the bytes about to be written are recorded first: a run killed between two files leaves
        # each file either as the last run wrote it or as this one did, and neither reads as damage
        # and so is this run's change-log record, which a later run appends if this one is killed after
        # writing its facts and before logging them (``Store.log_interrupted_run``)
        # The files as they are now count as recorded: the run found them intact (or is rebuilding them),
        # and they may be those of a run killed before it wrote its state, which this state replaces
        summary.changes = fact_changes(before, facts)
        store.write_state(store.state() | {"digests": store.digests(OUTPUT_FILES),
                                           "pending_digests": {n: sha256_text(t) for n, t in payloads.items()},
                                           "pending_run": run_record(summary.changes)})
        staged = {}
        for name, text in payloads.items():
            checkpoint(f"write {name}")
            staged[name] = stage(store.path(name), text)
        checkpoint("staged")
        for name, tmp in staged.items():  # one rename after another: no file of the store is half-written
            if tmp is not None:
                os.replace(tmp, store.path(name))
        checkpoint("written")
        store.ensure_reviews()
        return claims, facts

    def inputs_key(self) -> str:
        """A hash of everything besides the documents and reviews that a run's output depends on:
        the config, the rule data it names, and the package's code and data."""
        h = hashlib.sha256(self.config.model_dump_json().encode())
        package = Path(__file__).resolve().parent
        files = sorted([*package.glob("*.py"), *package.glob("data/*"), *package.glob("schemas/*")])
        cfg = self.config
        files += [cfg.data_path(name) for name in (*cfg.data.model_dump().values(), "entities.yaml")]
        files += gazetteer_paths(cfg)
        for path in files:
            h.update(str(path).encode() + b"\0")
            try:
                h.update(path.read_bytes())
            except OSError:
                h.update(b"\0missing")
        return h.hexdigest()


def _facts_before(store: Store) -> list[dict[str, Any]]:
    """The facts the last run wrote, as much as a change log needs of them ([] if unreadable: the
    run rewrites the file, and its changes then read as new facts)."""
    try:
        return [fact_digest(f) for f in store.iter("facts")]
    except ValueError:
        return []


def new_run_id(started_at: str) -> str:
    """``run_<start time>_<random>``: sorts by time, unique even for runs started in one second."""
    import secrets

    return "run_" + started_at.replace("-", "").replace(":", "") + "_" + secrets.token_hex(3)


def _keep_text(store: Store, doc: Document, row: dict[str, Any], chrome: ChromeMarker) -> None:
    """Write a processed document's text; note its MinHash signature and the page chrome that
    extraction skipped, as ``[start, end, reason]`` offsets into the text (runs beside the parser)."""
    store.write_text(doc.doc_id, doc.text)
    row["signature"] = signature(doc.text)
    row["boilerplate"] = boilerplate_spans(chrome.find(doc.text))


def boilerplate_spans(found: list[tuple[int, int, str]]) -> list[list[Any]]:
    """Sorted, with overlapping spans of one reason merged."""
    merged: list[list[Any]] = []
    for start, end, reason in sorted(found):
        if merged and merged[-1][2] == reason and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end, reason])
    return merged


def link_near_duplicates(documents: dict[str, dict[str, Any]], store: Store) -> None:
    """Mark each document that repeats an earlier one (a syndicated copy) with ``near_duplicate_of``.

    The earliest published copy (then the first by path) is the original, so links do not
    depend on the order files were added in."""
    ok = [r for r in documents.values() if r["status"] == "ok"]
    for row in ok:
        if "signature" not in row:  # stored before signatures were kept: read its text once
            text = store.read_text(row["doc_id"])
            if text is not None:
                row["signature"] = signature(text)
    ordered = sorted((r for r in ok if r.get("signature")), key=lambda r: (r.get("published") or "9999", r["path"]))
    links = near_duplicates((r["doc_id"], r["signature"]) for r in ordered)
    for row in ok:
        if row["doc_id"] in links:
            row["near_duplicate_of"] = links[row["doc_id"]]
        else:
            row.pop("near_duplicate_of", None)


def doc_record(d: Document, ingested_at: str) -> dict[str, Any]:
    row = {
        "schema_version": SCHEMA_VERSION, "doc_id": d.doc_id, "path": d.path, "sha256": d.sha256,
        "title": d.title, "publisher": d.publisher, "published": d.published, "url": d.url,
        "n_chars": len(d.text), "status": d.status, "error": d.error, "ingested_at": ingested_at,
        "drop": d.drop, "published_source": d.published_source,
    }
    if d.file_sha256:
        row["file_sha256"] = d.file_sha256  # the next run knows the file unchanged without reading it as text
    if d.encoding:
        row["encoding"] = d.encoding  # not UTF-8: the text was decoded from a guessed encoding
    return row


def extraction_entities(extraction: Extraction) -> list[list[str]]:
    return [[e.text, e.label, e.alias_of] if e.alias_of else [e.text, e.label] for e in extraction.entities]


def canonicalise(doc_entities: list[tuple[str, list[list[str]]]], claims: list[dict[str, Any]],
                 index: EntityIndex, acronyms: dict[str, dict[str, str]] | None = None) -> None:
    """Give every subject its canonical entity, and note every mention in the index."""
    acronyms = acronyms or {}
    for doc_id, ents in doc_entities:
        index.add_document(doc_id, ents, acronyms.get(doc_id, {}))
    for c in claims:
        subj = c.get("subject")
        if not subj:
            continue
        ref = index.resolve(subj["text"], subj["type"], c["doc_id"])
        c["subject"] = {"id": ref.id, "name": ref.name, "text": subj["text"], "type": ref.type}
        index.note(ref, subj["text"], c["doc_id"])


def entity_records(index: EntityIndex, claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    subject_ids = {(c.get("subject") or {}).get("id") for c in claims}
    for rec in index.table():
        if rec.ref.type not in ("ORG", "PRODUCT") and rec.ref.id not in subject_ids:
            continue
        row = {
            "schema_version": SCHEMA_VERSION, "entity_id": rec.ref.id, "name": rec.ref.name, "type": rec.ref.type,
            "aliases": sorted(rec.aliases), "doc_ids": sorted(rec.doc_ids), "mention_count": rec.mention_count,
        }
        if rec.ref.maker:
            row["maker"] = rec.ref.maker
        rows.append(row)
    return rows


def apply_reviews(claims: list[dict[str, Any]], reviews: list[dict[str, Any]]
                  ) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Apply reviewer decisions in log order; the latest decision on a target wins."""
    for c in claims:  # review: start from the extracted value (claims kept from the last run carry its corrections)
        if "extracted_value" in c:
            c["value"] = c.pop("extracted_value")
    by_id = {c["claim_id"]: c for c in claims}
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for r in reviews:
        latest[(r.get("target_type", ""), r.get("target_id", ""))] = r
    fact_reviews: dict[str, dict[str, Any]] = {}
    orphans = []
    for (target_type, target_id), r in latest.items():
        if target_type == "fact":
            fact_reviews[target_id] = r
            continue
        claim = by_id.get(target_id)
        if claim is None:
            orphans.append(describe(r))  # review: says what the claim was, from the decision's context
            continue
        flags = [f for f in claim["flags"] if f not in ("reviewed", "rejected")]
        flags.append("reviewed")
        if r["decision"] == "reject":
            flags.append("rejected")
        elif r["decision"] == "correct" and r.get("value") is not None:
            claim["extracted_value"] = claim["value"]
            claim["value"] = r["value"]
        claim["flags"] = flags
        claim["review"] = {k: r.get(k) for k in ("review_id", "decision", "reviewer", "at", "note")}
    return fact_reviews, orphans
