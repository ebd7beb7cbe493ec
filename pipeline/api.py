"""The library API: what the CLI (and any other Python code) calls.

    from pipeline import Pipeline
    pipe = Pipeline.load()                       # config.yaml, spaCy model loaded once
    records = pipe.extract_text(text, published="2024-05-09")
    summary = pipe.run(["corpus"], out="outputs")
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language

from .config import Config, load_config
from .entities import EntityIndex, EntityRules
from .extract import Extraction, Extractor, FigureRules
from .ingest import Document, iter_drop, text_sha
from .nlp import build_nlp, gazetteer_paths, read_gazetteer
from .normalise import build_claims
from .reconcile import reconcile
from .review import describe, settle_facts  # reviewer decisions (pipeline/review.py)
from .store import SCHEMA_VERSION, Store, locked, now_iso

ProgressHook = Callable[[int, int], None]
# gazetteer kinds that report figures about others rather than being their subject
SOURCE_KINDS = {"publisher", "research_firm", "wire", "news_agency"}


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
    orphan_reviews: list[str] = field(default_factory=list)


class Pipeline:
    """Config, model and rules, loaded once; extraction and runs on top."""

    def __init__(self, config: Config, nlp: Language) -> None:
        self.config = config
        self.nlp = nlp
        self.figure_rules = FigureRules(config.data_path(config.data.figure_patterns),
                                        config.data_path(config.data.predicates))
        self.entity_rules = EntityRules(config.data_path("entities.yaml"))
        self.gazetteer = read_gazetteer(gazetteer_paths(config))
        sources = {e["name"] for e in self.gazetteer if e.get("kind") in SOURCE_KINDS}
        self.extractor = Extractor(self.figure_rules, self.entity_rules, sources)
        self.fingerprint = config.fingerprint()

    @classmethod
    def load(cls, config: Config | str | Path | None = None) -> Pipeline:
        cfg = config if isinstance(config, Config) else load_config(config)
        return cls(cfg, build_nlp(cfg))

    # ------------------------------------------------------------------ one text
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
    def process(self, docs: list[Document]) -> Iterator[tuple[Document, Extraction]]:
        """Parse documents with ``nlp.pipe`` and extract their mentions, in order."""
        texts = ((d.text, d) for d in docs)
        n_process = self.config.n_process if len(docs) > 4 * self.config.batch_size else 1
        for spacy_doc, doc in self.nlp.pipe(texts, as_tuples=True, batch_size=self.config.batch_size,
                                            n_process=n_process):
            yield doc, self.extractor.extract(spacy_doc)

    def run(self, drops: Iterable[str | Path], out: str | Path | None = None, full: bool = False,
            progress: ProgressHook | None = None) -> RunSummary:
        started = time.perf_counter()
        out_path = Path(out or self.config.output)
        store = Store(out_path)
        summary = RunSummary()
        with locked(out_path):
            old_docs = {} if full else {d["doc_id"]: d for d in store.read("documents")}
            old_claims: dict[str, list[dict[str, Any]]] = {}
            old_mentions: dict[str, dict[str, Any]] = {}
            if not full:
                for c in store.read("claims"):
                    old_claims.setdefault(c["doc_id"], []).append(c)
                old_mentions = {m["doc_id"]: m for m in store.read("entity_mentions")}
            drops = [Path(d) for d in drops]
            drop_keys = {str(d.resolve()) for d in drops}
            seen: list[Document] = []
            for drop in drops:
                seen.extend(iter_drop(drop, self.config.max_file_bytes))
            for d in seen:
                d.drop = str(Path(d.drop).resolve())
            # documents of other drops stay as they are
            documents: dict[str, dict[str, Any]] = {
                k: v for k, v in old_docs.items() if v.get("drop") not in drop_keys
            }
            to_process: list[Document] = []
            for d in seen:
                if d.status != "ok":
                    key = d.doc_id
                    prev = old_docs.get(key)
                    documents[key] = doc_record(d, prev["ingested_at"] if prev else now_iso())
                    summary.errors += d.status == "error"
                    summary.skipped += d.status == "skipped"
                    summary.error_messages.append(f"{d.path}: {d.error}")
                    continue
                if d.doc_id in documents and documents[d.doc_id]["status"] == "ok":
                    documents[d.doc_id].setdefault("also_paths", [])
                    if d.path != documents[d.doc_id]["path"] and d.path not in documents[d.doc_id]["also_paths"]:
                        documents[d.doc_id]["also_paths"].append(d.path)
                    continue
                prev = old_docs.get(d.doc_id)
                if prev is not None and prev.get("status") == "ok" and d.doc_id in old_mentions:
                    documents[d.doc_id] = prev | {"path": d.path, "drop": d.drop}
                    summary.kept_documents += 1
                    continue
                documents[d.doc_id] = doc_record(d, now_iso())
                to_process.append(d)
            summary.removed_documents = len([k for k in old_docs if k not in documents])
            summary.new_documents = len(to_process)
            new_claims: dict[str, list[dict[str, Any]]] = {}
            mentions: dict[str, dict[str, Any]] = {k: v for k, v in old_mentions.items() if k in documents}
            for n, (doc, extraction) in enumerate(self.process(to_process), 1):
                store.write_text(doc.doc_id, doc.text)
                new_claims[doc.doc_id] = self.claims_for(doc, extraction)
                mentions[doc.doc_id] = {"doc_id": doc.doc_id, "entities": extraction_entities(extraction),
                                        "acronyms": extraction.acronyms}
                if progress:
                    progress(n, len(to_process))
            claims: list[dict[str, Any]] = []
            for doc_id, rec in documents.items():
                if rec["status"] != "ok":
                    continue
                claims.extend(new_claims.get(doc_id) or old_claims.get(doc_id, []))
            claims.sort(key=lambda c: (c["source"]["path"], c["doc_id"], c["span"][0], c["kind"]))
            index = self.new_index()
            canonicalise([(k, mentions[k]["entities"]) for k in sorted(mentions)], claims, index,
                         acronyms={k: mentions[k].get("acronyms", {}) for k in mentions})
            reviews = store.reviews() if store.path("reviews").exists() else []
            fact_reviews, orphans = apply_reviews(claims, reviews)
            summary.orphan_reviews = orphans
            facts = reconcile(claims, self.config.reconcile, fact_reviews)
            summary.orphan_reviews += settle_facts(facts, claims, reviews)  # review: accepts settle conflicts
            entities = entity_records(index, claims)
            doc_rows = sorted(documents.values(), key=lambda r: (r.get("drop", ""), r["path"]))
            store.write("documents", doc_rows)
            store.write("claims", claims)
            store.write("facts", facts)
            store.write("entities", entities)
            store.write("entity_mentions", [mentions[k] for k in sorted(mentions)])
            store.ensure_reviews()
            for doc_id in {d for d in old_docs if d not in documents}:
                store.text_path(doc_id).unlink(missing_ok=True)
        summary.documents = len([d for d in documents.values() if d["status"] == "ok"])
        summary.claims = len(claims)
        summary.facts = len(facts)
        summary.conflicts = sum(f["status"] == "conflict" for f in facts)
        summary.seconds = round(time.perf_counter() - started, 2)
        return summary


def doc_record(d: Document, ingested_at: str) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION, "doc_id": d.doc_id, "path": d.path, "sha256": d.sha256,
        "title": d.title, "publisher": d.publisher, "published": d.published, "url": d.url,
        "n_chars": len(d.text), "status": d.status, "error": d.error, "ingested_at": ingested_at,
        "drop": d.drop, "published_source": d.published_source,
    }


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
    for rec in index.table():
        if rec.ref.type not in ("ORG", "PRODUCT") and not any(
            (c.get("subject") or {}).get("id") == rec.ref.id for c in claims
        ):
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


def default_progress() -> ProgressHook | None:
    return None if not sys.stderr.isatty() else None
