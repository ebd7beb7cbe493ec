"""Texts that are articles only in name: no sentence breaks, too long for the model, invisible
characters inside words. Each is parsed in bounded time or becomes its error row, and the
batch goes on."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import write_drop
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import Pipeline
from pipeline.store import Store, validate_store

# a market report dumped from a table: clauses joined by commas and no full stop anywhere
_ROW = ("the port of Harwick handled 41,200 containers in May, up 6% on a year earlier, "
        "rail freight carried 2.3 million tonnes, fuel sold at $1.45 a litre, ")


def test_a_text_without_sentence_breaks_is_cut_into_bounded_sentences(pipe) -> None:
    text = "Freight report\n\n" + _ROW * 60  # about 9,500 characters in one "sentence"
    doc = pipe.nlp(text)
    cap = pipe.config.max_sentence_tokens
    assert max(len(s) for s in doc.sents) <= cap
    claims = pipe.extract_text(text, published="2024-06-03")
    spans = [c["span"] for c in claims if c["kind"] == "figure"]
    assert spans and spans[-1][0] > len(text) // 2  # figures are found all the way through
    assert all(text[c["span"][0]:c["span"][1]] == c["text"] for c in claims)


def test_a_text_over_max_chars_is_an_error_row_and_the_rest_of_the_drop_is_read(pipe, tmp_path: Path) -> None:
    small = Pipeline(pipe.config.model_copy(update={"max_chars": 5_000}), nlp=pipe.nlp)
    drop = write_drop(tmp_path / "drop")
    (drop / "dump.txt").write_text(_ROW * 40, encoding="utf-8")
    out = tmp_path / "out"
    summary = small.run([drop], out=out)
    docs = {d["path"]: d for d in Store(out).read("documents")}
    dump = next(d for p, d in docs.items() if p.endswith("dump.txt"))
    assert dump["status"] == "error" and "max_chars" in dump["error"] and "5,000" in dump["error"]
    assert sum(d["status"] == "ok" for d in docs.values()) == 3
    assert summary.errors >= 1 and any("dump.txt" in m for m in summary.error_messages)
    assert validate_store(out) == []


def test_invisible_characters_inside_words_and_numbers_lose_nothing(pipe) -> None:
    clean = ("Shares were flat on Monday.\n"
             "Brightwater Energy said output rose 12% to 4.5 million barrels in 2024, "
             "and it has 7 million customers.")
    for mark in ("\u200b", "\u200d", "\x00", "\u00ad", "\ufeff"):
        written = (clean.replace("Brightwater", f"Bright{mark}water").replace("4.5 million", f"4.5 mil{mark}lion")
                   .replace("7 million customers", f"7 million{mark} customers"))
        expected = [(c["kind"], c["value"], (c["subject"] or {}).get("name"))
                    for c in pipe.extract_text(clean, published="2025-01-10")]
        claims = pipe.extract_text(written, published="2025-01-10")
        assert [(c["kind"], c["value"], (c["subject"] or {}).get("name")) for c in claims] == expected, repr(mark)
        for c in claims:
            a, b = c["span"]
            assert written[a:b] == c["text"]  # spans point into the text as written


def test_bidi_controls_around_a_name_leave_the_name_whole(pipe) -> None:
    clean = "Shares were flat on Monday.\nBrightwater Energy said its output rose 12% in 2024."
    written = clean.replace("Brightwater Energy", "\u202bBrightwater Energy\u202c")
    names = [(c["subject"] or {}).get("name") for c in pipe.extract_text(written, published="2025-01-10")]
    assert "Brightwater Energy" in names
    assert names == [(c["subject"] or {}).get("name") for c in pipe.extract_text(clean, published="2025-01-10")]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["Acme", "said", "sales", "rose", "12%", "to", "$4.5", "billion", "in",
                                 "May", "2024", ",", ";", ".", "\n", "\u200b", "\x00", "million", "the",
                                 "quarter", "Q0", "month", "0", "-", "(", ")", "\u202e"]), max_size=400))
def test_any_run_of_words_is_parsed_without_error_into_bounded_sentences(pipe, words: list[str]) -> None:
    text = " ".join(words)
    doc = pipe.nlp(text)
    assert all(len(s) <= pipe.config.max_sentence_tokens for s in doc.sents)
    claims = pipe.extract_text(text)
    json.dumps(claims)  # every record is plain data
    for c in claims:
        a, b = c["span"]
        assert text[a:b] == c["text"]


def test_a_guessed_encoding_is_recorded_and_reported(pipe, tmp_path: Path) -> None:
    drop = write_drop(tmp_path / "drop")
    text = "The naïve café chain said sales rose 4% to €12 million in 2024.\n"
    (drop / "legacy.txt").write_bytes(text.encode("cp1252"))
    out = tmp_path / "out"
    summary = pipe.run([drop], out=out)
    rows = {d["path"]: d for d in Store(out).read("documents")}
    assert rows["legacy.txt"]["encoding"] == "cp1252" and rows["legacy.txt"]["status"] == "ok"
    assert all("encoding" not in r for p, r in rows.items() if p != "legacy.txt")
    assert any("legacy.txt" in w and "cp1252" in w for w in summary.warnings)
    assert validate_store(out) == []
    assert "naïve café" in (Store(out).read_text(rows["legacy.txt"]["doc_id"]) or "")
