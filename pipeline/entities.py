"""Organisations and products: clean mentions, then one canonical entity per real thing.

Cleaning fixes what the small model gets wrong (determiners, possessives,
spans run across line breaks, generic words tagged ORG). Canonicalisation
merges variants: gazetteer aliases first, then acronyms defined in the text
("the Cyberspace Administration of China (CAC)"), then a name key that ignores
case, spacing, punctuation and legal suffixes. Different names are never
merged on similarity alone: "Baidu" and "Baichuan" stay apart.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class EntityRef:
    """A canonical entity as a claim's subject points to it."""

    id: str
    name: str
    type: str
    maker: str | None = None


@dataclass
class EntityRecord:
    ref: EntityRef
    aliases: set[str] = field(default_factory=set)
    doc_ids: set[str] = field(default_factory=set)
    mention_count: int = 0


def slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "entity"


class EntityRules:
    """Cleaning rules from ``entities.yaml``."""

    def __init__(self, path: Path) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.generic = {str(w).lower() for w in data["generic"]}
        self.legal = {str(w).lower() for w in data["legal_suffixes"]}
        self.subject_labels = set(data["subject_labels"])
        self.operator_labels = set(data.get("operator_labels", []))
        self.mislabelled_as = set(data.get("mislabelled_as", []))
        self.org_nouns = {str(w).lower() for w in data["org_nouns"]}
        self.org_words = {str(w).lower() for w in data["org_words"]}

    def clean(self, text: str, label: str, known: bool = False) -> str | None:
        """The usable surface form of a mention, or None for junk.

        ``known`` says the gazetteer vouches for the name, which lifts the
        checks meant for the statistical model's guesses.
        """
        if "\n" in text.strip():
            parts = [p.strip() for p in text.split("\n") if p.strip()]
            text = parts[-1] if parts else ""
        text = re.sub(r"\s*\([^)]*\)?$", "", text.strip()) if "(" in text else text
        text = re.sub(r",\s*(inc|ltd|corp|co|llc|plc)\b.*$", "", text, flags=re.IGNORECASE)
        text = text.strip().strip("“”\"'‘’()[],.:;„«»")
        text = re.sub(r"^(the|a|an)\s+", "", text, flags=re.IGNORECASE)
        text = re.sub(r"['’]s?$", "", text).strip()
        if len(text) < 2 or not any(c.isalpha() for c in text):
            return None
        if known:
            return text
        if text.lower() in self.generic or text[0].isdigit():
            return None
        if text[0].islower() and not re.match(r"^[a-z]{1,2}[A-Z]", text):
            return None  # lower-case words are not names ("iPhone", "eBay" are)
        words = text.split()
        if len(words) > 1 and text.isupper():
            return None  # an upper-case heading ("STANCE ON")
        if re.match(r"^Q[1-4]$|^H[12]$|^FY\d", text):
            return None
        if label in ("ORG", "PRODUCT") and len(words) > 7:
            return None
        return text

    def key(self, name: str) -> str:
        """A comparison key: case, spacing, punctuation and legal suffixes ignored."""
        text = re.sub(r"['’]s\b", "", unicodedata.normalize("NFKD", name).lower())
        words = re.findall(r"[a-z0-9]+", text)
        while len(words) > 1 and words[-1] in self.legal:
            words.pop()
        return "".join(words)


def acronym_of(name: str) -> str:
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", name) if w.lower() not in {"of", "and", "the", "for", "&"}]
    return "".join(w[0].upper() for w in words)


_DEFINED_ACRONYM = re.compile(r"((?:[A-Z][\w'’.-]*\s+(?:(?:of|and|for|the)\s+)?){1,9})\(([A-Z][A-Za-z0-9&.]{1,9})\)")


def defined_acronyms(text: str) -> dict[str, str]:
    """Acronyms a text defines: "Cyberspace Administration of China (CAC)" -> {"CAC": full name}."""
    found = {}
    for m in _DEFINED_ACRONYM.finditer(text):
        phrase, acro = m.group(1).strip(), m.group(2).replace(".", "")
        words = phrase.split()
        # keep the shortest tail of the phrase whose initials give the acronym
        for i in range(len(words)):
            candidate = re.sub(r"^(the|a|an)\s+", "", " ".join(words[i:]), flags=re.IGNORECASE)
            if acronym_of(candidate) == acro.upper():
                found[m.group(2)] = candidate
                break
    return found


class EntityIndex:
    """Canonical entities over all documents of a run.

    Resolution order for a surface form: the document's own context (an
    acronym it defines, a short form of a name it used earlier: "Delta" after
    "Delta Air Lines", a ticker written after a name), the gazetteer's aliases,
    the name key (case, spacing, punctuation, possessives, legal suffixes
    ignored), a product line with a model number ("iPhone 15" is iPhone), and
    last a near-identical spelling of a long name ("Thompson Reuters"). Short
    names are never merged on similarity: "Baidu" is not "Baichuan".
    """

    similarity = 0.92
    similarity_min_length = 10

    def __init__(self, gazetteer: Iterable[dict[str, Any]], rules: EntityRules) -> None:
        self.rules = rules
        self.by_alias: dict[str, EntityRef] = {}
        self.by_key: dict[str, EntityRef] = {}
        self.records: dict[str, EntityRecord] = {}
        self.local: dict[str, dict[str, EntityRef]] = {}
        self._known_keys: set[str] = set()
        for entry in gazetteer:
            ref = EntityRef(slug(entry["name"]), entry["name"], entry["type"], entry.get("maker"))
            for alias in {entry["name"], *entry.get("aliases", [])}:
                self.by_alias.setdefault(alias, ref)
                self.by_alias.setdefault(alias.lower(), ref)
                self.by_key.setdefault(rules.key(alias), ref)
                self._known_keys.add(rules.key(alias))

    def lookup(self, surface: str) -> EntityRef | None:
        return self.by_alias.get(surface) or self.by_alias.get(surface.lower()) or \
            self.by_key.get(self.rules.key(surface))

    def add_document(self, doc_id: str, mentions: Iterable[list[str]], acronyms: dict[str, str]) -> None:
        """Resolve a document's organisation and product mentions, in text order."""
        local = self.local.setdefault(doc_id, {})
        for acro, full in acronyms.items():
            ref = self.lookup(full) or self._new(full, "ORG")
            local[acro] = ref
            self.note(ref, acro, doc_id)
        for mention in mentions:
            text, label = mention[0], mention[1]
            alias_of = mention[2] if len(mention) > 2 else None
            if label not in ("ORG", "PRODUCT"):
                continue
            if alias_of:  # a ticker written after its company's name
                ref = self.resolve(alias_of, label, doc_id)
                local[text] = ref
            else:
                ref = self.resolve(text, label, doc_id)
            words = text.split()
            if len(words) > 1 and ref.type == "ORG" and self.lookup(words[0]) is None:
                local.setdefault(words[0], ref)
            self.note(ref, text, doc_id)

    def resolve(self, surface: str, label: str, doc_id: str | None = None) -> EntityRef:
        """The canonical entity for a cleaned surface form (created when new)."""
        local = self.local.get(doc_id or "", {})
        ref = local.get(surface) or self.lookup(surface)
        if ref is None:
            m = re.match(r"^(.*\D)\s+\d{1,4}$", surface)  # "iPhone 15": the product line
            line = self.lookup(m.group(1)) if m else None
            if line is not None and line.type == "PRODUCT":
                ref = line
        if ref is None:
            ref = self._similar(surface) or self._new(surface, label)
        return ref

    def _similar(self, surface: str) -> EntityRef | None:
        key = self.rules.key(surface)
        if len(key) < self.similarity_min_length:
            return None
        best, best_ratio = None, self.similarity
        for other, ref in self.by_key.items():
            if len(other) < self.similarity_min_length or other[0] != key[0]:
                continue
            ratio = difflib.SequenceMatcher(None, key, other).ratio()
            if ratio >= best_ratio:
                best, best_ratio = ref, ratio
        return best

    def _new(self, name: str, label: str) -> EntityRef:
        ref = EntityRef(slug(name), name, label)
        self.by_alias.setdefault(name, ref)
        self.by_key.setdefault(self.rules.key(name), ref)
        return ref

    def note(self, ref: EntityRef, surface: str, doc_id: str) -> None:
        rec = self.records.setdefault(ref.id, EntityRecord(ref))
        rec.aliases.add(surface)
        rec.doc_ids.add(doc_id)
        rec.mention_count += 1

    def table(self) -> list[EntityRecord]:
        return sorted(self.records.values(), key=lambda r: r.ref.id)
