"""Ingest: every file in a drop becomes one document (or one per feed line), never silently lost.

Each test writes real files into a temporary drop and reads it back with
``pipeline.ingest.iter_drop``. All article text here is written for these tests.
"""

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.ingest import iter_drop

PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def docs_by_path(drop: Path, **kw):
    docs = list(iter_drop(drop, **kw))
    by_path = {d.path: d for d in docs}
    assert len(by_path) == len(docs), f"duplicate paths: {[d.path for d in docs]}"
    return by_path


def only(drop: Path, **kw):
    docs = list(iter_drop(drop, **kw))
    assert len(docs) == 1, [(d.path, d.status, d.error) for d in docs]
    return docs[0]


# --------------------------------------------------------------------------- one file of each kind


def test_utf8_text(tmp_path):
    body = "Zoë Café opened its third shop in Lyon.\nIt now employs 40 people.\n"
    (tmp_path / "plain.txt").write_bytes(body.encode("utf-8"))
    doc = only(tmp_path)
    assert doc.status == "ok" and doc.error is None
    assert doc.path == "plain.txt"
    assert doc.text == body
    assert doc.published is None and doc.published_source is None


def test_bom_and_crlf_are_normalised(tmp_path):
    body = "First line of the story.\r\nSecond line, with a figure of 12 units.\r\nThird line.\r\n"
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    doc = only(tmp_path)
    assert doc.status == "ok"
    assert not doc.text.startswith("\ufeff")
    assert "\r" not in doc.text
    assert doc.text == body.replace("\r\n", "\n")


def test_lone_cr_becomes_newline(tmp_path):
    (tmp_path / "mac.txt").write_bytes(b"One old line.\rAnother old line.\r")
    doc = only(tmp_path)
    assert doc.text == "One old line.\nAnother old line.\n"


def test_markdown(tmp_path):
    body = "# Harbour report\n\nThe *harbour* handled 3 million tonnes last year.\n"
    (tmp_path / "notes.md").write_text(body, encoding="utf-8")
    doc = only(tmp_path)
    assert doc.status == "ok"
    assert doc.text == body  # markdown is kept as plain text, nothing stripped


def test_html_text_and_title(tmp_path):
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Widget maker expands</title></head>"
        "<body><nav><a href='/'>Home</a></nav><article><h1>Widget maker expands</h1>"
        "<p>Acme Robotics announced a new line of warehouse widgets on Tuesday, its first in years.</p>"
        "<p>The company said the widgets would ship to customers across Europe before the summer ends.</p>"
        "</article></body></html>"
    )
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    doc = only(tmp_path)
    assert doc.status == "ok", doc.error
    assert doc.title == "Widget maker expands"
    assert "Acme Robotics announced a new line of warehouse widgets on Tuesday" in doc.text
    assert "ship to customers across Europe" in doc.text
    assert "<p>" not in doc.text and "<article>" not in doc.text


def test_a_page_nested_too_deep_for_the_tree_is_read_as_a_stream_of_tags(tmp_path):
    article = ("<p>The council said on Monday that bus ridership rose 8% to 41 million trips in 2024.</p>"
               "<script>var tracking = 1;</script><p>A second paragraph &amp; its numbers: 12 new routes.</p>")
    depth = 10_000
    page = ("<html><head><title>Buses</title><style>p {color: red}</style></head><body>" + "<div>" * depth
            + article + "</div>" * depth + "</body></html>")
    (tmp_path / "deep.html").write_text(page, encoding="utf-8")
    doc = only(tmp_path)
    assert doc.status == "ok", doc.error
    assert doc.text == ("The council said on Monday that bus ridership rose 8% to 41 million trips in 2024.\n\n"
                        "A second paragraph & its numbers: 12 new routes.")
    (tmp_path / "deep.html").write_text("<html><body>" + "<div>" * depth + "</div>" * depth + "</body></html>",
                                        encoding="utf-8")
    assert only(tmp_path).error == "no article text found in the HTML page"  # deep and empty is still empty


@pytest.mark.parametrize("head, published", [
    ("", None),  # a year in the body text is no publication date
    ("<meta property='article:published_time' content='2024-07-02T08:00:00Z'>", "2024-07-02"),
])
def test_html_publication_date_comes_from_markup_only(tmp_path, head, published):
    page = (
        f"<html><head><title>Mill results</title>{head}</head><body><article><h1>Mill results</h1>"
        "<p>Harbour Mills said on Tuesday that revenue rose 8% to $42 million in the second quarter of 2024, "
        "helped by exports to Norway and Denmark.</p>"
        "<p>The Glasgow company employed 310 people at the end of June 2024, up from 280 a year earlier.</p>"
        "</article></body></html>"
    )
    (tmp_path / "mill.html").write_text(page, encoding="utf-8")
    doc = only(tmp_path)
    assert doc.status == "ok", doc.error
    assert doc.published == published


def test_jsonl_feed_good_and_broken_lines(tmp_path):
    lines = [
        json.dumps({"text": "Bolt Foods said it sold 5,000 crates in April.", "title": "Crates",
                    "published": "2024-05-02"}),
        '{"text": "this line is cut off',
        json.dumps({"text": "Kite Labs hired 30 engineers.", "title": "Hiring"}),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs = list(iter_drop(tmp_path))
    assert [d.status for d in docs] == ["ok", "error", "ok"]
    good1, bad, good2 = docs
    assert good1.text == "Bolt Foods said it sold 5,000 crates in April."
    assert good1.title == "Crates"
    assert good1.published == "2024-05-02" and good1.published_source == "feed"
    assert good2.text == "Kite Labs hired 30 engineers."
    assert good2.published is None
    assert "line 2" in bad.error
    assert bad.path.startswith("feed.jsonl") and "2" in bad.path
    assert good1.doc_id != good2.doc_id


def test_feed_line_without_text_is_an_error(tmp_path):
    (tmp_path / "feed.jsonl").write_text('{"title": "no body"}\n[1, 2]\n', encoding="utf-8")
    docs = list(iter_drop(tmp_path))
    assert [d.status for d in docs] == ["error", "error"]
    assert "line 1" in docs[0].error and "text" in docs[0].error
    assert "line 2" in docs[1].error


def test_windows_1252_is_decoded(tmp_path):
    body = ("Le café de la gare a ouvert une nouvelle salle. Le chef, très fier, sert une crème brûlée "
            "célèbre et un gâteau à l’orange. Les clients sont ravis de la qualité du café.\n")
    (tmp_path / "latin.txt").write_bytes(body.encode("cp1252"))
    doc = only(tmp_path)
    assert doc.status == "ok", doc.error
    for word in ("café", "très", "crème", "brûlée", "célèbre", "gâteau", "l’orange"):
        assert word in doc.text, word
    assert "\ufffd" not in doc.text


def test_latin1_is_decoded(tmp_path):
    body = ("Die Bäckerei in München verkauft täglich über 500 Brötchen. Der Inhaber sagt, die Straße "
            "sei schön und die Kunden seien zufrieden mit der Qualität.\n")
    (tmp_path / "german.txt").write_bytes(body.encode("latin-1"))
    doc = only(tmp_path)
    assert doc.status == "ok", doc.error
    for word in ("Bäckerei", "München", "täglich", "über", "Brötchen", "Straße", "schön", "Qualität"):
        assert word in doc.text, word


@pytest.mark.parametrize("body", [
    "The naïve plan cost €5 million — a café owner said.\n",
    "Shares in Nestlé rose 2% on Tuesday, and the company’s chief, José Núñez, said “demand held up”.\n",
])
def test_short_english_in_windows_1252_keeps_its_accents_and_says_it_was_guessed(tmp_path, body):
    (tmp_path / "short.txt").write_bytes(body.encode("cp1252"))
    doc = only(tmp_path)
    assert doc.status == "ok", doc.error
    assert doc.text == body and doc.encoding == "cp1252"


def test_text_in_another_script_goes_to_the_detector(tmp_path):
    body = ("Центральный банк сохранил ключевую ставку на уровне 16 процентов, сообщили в пятницу. "
            "Аналитики ожидали такого решения, инфляция замедлилась второй месяц подряд.\n")
    (tmp_path / "ru.txt").write_bytes(body.encode("cp1251"))
    doc = only(tmp_path)
    assert doc.status == "ok", doc.error
    assert "ставку" in doc.text and doc.encoding is not None and doc.encoding != "cp1252"


def test_utf8_records_no_encoding(tmp_path):
    (tmp_path / "plain.txt").write_text("The naïve plan cost €5 million.\n", encoding="utf-8")
    assert only(tmp_path).encoding is None


def test_utf16_is_decoded(tmp_path):
    body = "Grüße aus Köln: the plant made 2,400 bikes in 2023.\r\nA second line.\r\n"
    (tmp_path / "wide.txt").write_bytes(body.encode("utf-16"))  # with BOM
    doc = only(tmp_path)
    assert doc.status == "ok", doc.error
    assert doc.text == "Grüße aus Köln: the plant made 2,400 bikes in 2023.\nA second line.\n"


def test_binary_with_txt_extension_is_an_error(tmp_path):
    (tmp_path / "image.txt").write_bytes(PNG_HEADER)
    doc = only(tmp_path)
    assert doc.status == "error"
    assert doc.error and "binary" in doc.error.lower()
    assert doc.text == ""


def test_empty_file_is_an_error(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    doc = only(tmp_path)
    assert doc.status == "error"
    assert "empty" in doc.error


def test_whitespace_only_file_is_an_error(tmp_path):
    (tmp_path / "blank.txt").write_bytes(b"  \n\t\n")
    doc = only(tmp_path)
    assert doc.status == "error" and doc.error


def test_file_over_max_bytes_is_an_error_naming_the_limit(tmp_path):
    (tmp_path / "big.txt").write_text("x" * 500, encoding="utf-8")
    (tmp_path / "small.txt").write_text("A short note about 3 boats.", encoding="utf-8")
    docs = docs_by_path(tmp_path, max_bytes=100)
    assert docs["big.txt"].status == "error"
    assert "100" in docs["big.txt"].error
    assert "500" in docs["big.txt"].error
    assert docs["small.txt"].status == "ok"


def test_broken_sidecar_is_an_error_naming_it(tmp_path):
    (tmp_path / "story.txt").write_text("Harbor Co said it moved 12 ships.", encoding="utf-8")
    (tmp_path / "story.meta.json").write_text('{"title": "Ships", ', encoding="utf-8")
    doc = only(tmp_path)  # the sidecar itself is not a document
    assert doc.path == "story.txt"
    assert doc.status == "error"
    assert "story.meta.json" in doc.error


def test_sidecar_that_is_not_an_object_is_an_error(tmp_path):
    (tmp_path / "story.txt").write_text("Harbor Co said it moved 12 ships.", encoding="utf-8")
    (tmp_path / "story.meta.json").write_text('["Ships"]', encoding="utf-8")
    doc = only(tmp_path)
    assert doc.status == "error" and "story.meta.json" in doc.error


def test_unknown_extension_is_skipped_with_reason(tmp_path):
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    doc = only(tmp_path)
    assert doc.status == "skipped"
    assert doc.error and ".pdf" in doc.error


def test_sidecar_metadata_is_picked_up(tmp_path):
    (tmp_path / "story.txt").write_text("[May 09, 2024] Harbor Co said it moved 12 ships.", encoding="utf-8")
    meta = {"title": "Ships", "publisher": "Port Gazette", "published": "2024-03-05",
            "url": "https://example.org/ships", "section": "business"}
    (tmp_path / "story.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    doc = only(tmp_path)
    assert doc.status == "ok"
    assert (doc.title, doc.publisher, doc.url) == ("Ships", "Port Gazette", "https://example.org/ships")
    # the sidecar wins over the dateline
    assert doc.published == "2024-03-05" and doc.published_source == "sidecar"
    assert doc.extra == {"section": "business"}


def test_sidecar_published_in_words_is_normalised(tmp_path):
    (tmp_path / "story.txt").write_text("Harbor Co said it moved 12 ships.", encoding="utf-8")
    (tmp_path / "story.meta.json").write_text(json.dumps({"published": "March 5, 2024"}), encoding="utf-8")
    doc = only(tmp_path)
    assert doc.published == "2024-03-05"


def test_dateline_without_sidecar(tmp_path):
    body = "[May 09, 2024] By Jane Doe\n\nHarbor Co said on Thursday that it moved 12 ships last month.\n"
    (tmp_path / "dated.txt").write_text(body, encoding="utf-8")
    doc = only(tmp_path)
    assert doc.status == "ok"
    assert doc.published == "2024-05-09"
    assert doc.published_source == "dateline"
    assert doc.text == body  # the dateline stays in the text


def test_no_date_anywhere_leaves_published_empty(tmp_path):
    (tmp_path / "undated.txt").write_text("Harbor Co said it moved 12 ships.\n", encoding="utf-8")
    doc = only(tmp_path)
    assert doc.published is None and doc.published_source is None


def test_identical_text_under_two_names_has_one_doc_id(tmp_path):
    body = "Kite Labs said it had 300 staff at the end of 2023.\n"
    (tmp_path / "a.txt").write_text(body, encoding="utf-8")
    sub = tmp_path / "copies"
    sub.mkdir()
    (sub / "b.txt").write_text(body, encoding="utf-8")
    (tmp_path / "c.txt").write_text(body.replace("300", "301"), encoding="utf-8")
    docs = docs_by_path(tmp_path)
    assert set(docs) == {"a.txt", "copies/b.txt", "c.txt"}
    assert docs["a.txt"].doc_id == docs["copies/b.txt"].doc_id
    assert docs["a.txt"].doc_id != docs["c.txt"].doc_id


def test_crlf_and_lf_copies_share_doc_id(tmp_path):
    (tmp_path / "unix.txt").write_bytes(b"Line one.\nLine two with 7 cats.\n")
    (tmp_path / "dos.txt").write_bytes(b"\xef\xbb\xbfLine one.\r\nLine two with 7 cats.\r\n")
    docs = docs_by_path(tmp_path)
    assert docs["unix.txt"].doc_id == docs["dos.txt"].doc_id


def test_mixed_drop_one_row_per_file_in_sorted_order(tmp_path):
    files = {
        "a.txt": b"Alpha Corp made 10 widgets.",
        "b.md": b"# B\n\nBeta Ltd made 20 gadgets.",
        "c.pdf": b"%PDF-1.4",
        "d.txt": PNG_HEADER,
        "e.txt": b"",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "a.meta.json").write_text(json.dumps({"title": "Alpha"}), encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("not an article", encoding="utf-8")
    docs = list(iter_drop(tmp_path))
    assert [d.path for d in docs] == sorted(files)
    assert [d.status for d in docs] == ["ok", "ok", "skipped", "error", "error"]
    for d in docs:
        if d.status != "ok":
            assert d.error


def test_identical_broken_files_stay_separate(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"  \n")
    (tmp_path / "b.txt").write_bytes(b"  \n")
    (tmp_path / "feed.jsonl").write_text('{"x": 1}\n{"x": 1}\n', encoding="utf-8")
    docs = list(iter_drop(tmp_path))
    assert [d.path for d in docs] == ["a.txt", "b.txt", "feed.jsonl#1", "feed.jsonl#2"]
    assert all(d.status == "error" for d in docs)
    assert len({d.doc_id for d in docs}) == 4


def test_single_file_drop(tmp_path):
    path = tmp_path / "solo.txt"
    path.write_text("Solo Inc shipped 4 rockets.", encoding="utf-8")
    doc = only(path)
    assert doc.status == "ok" and doc.path == "solo.txt"


def test_missing_drop_is_an_error_not_an_exception(tmp_path):
    doc = only(tmp_path / "nowhere")
    assert doc.status == "error" and "not found" in doc.error


# --------------------------------------------------------------------------- property


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=600), feed=st.text(max_size=400))
def test_iter_drop_never_raises(raw, feed):
    with tempfile.TemporaryDirectory() as tmp:
        drop = Path(tmp)
        (drop / "random.txt").write_bytes(raw)
        (drop / "random.jsonl").write_text(feed, encoding="utf-8")
        docs = list(iter_drop(drop))
    assert {d.path.split("#")[0] for d in docs} <= {"random.txt", "random.jsonl"}
    assert any(d.path == "random.txt" for d in docs)
    for d in docs:
        assert d.status in {"ok", "error", "skipped"}
        if d.status == "error":
            assert isinstance(d.error, str) and d.error.strip()
        elif d.status == "ok":
            assert d.text.strip()
            assert "\r" not in d.text and not d.text.startswith("\ufeff")


# --- hostile drops: every file is a row with a reason, nothing stops the batch -------------------------

def _rows(drop):
    return {d.path: d for d in iter_drop(drop)}


def test_links_that_are_not_followed_are_reported(tmp_path):
    import os

    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "story.txt").write_text("Acme Corp said it had 1,200 customers in May 2024.\n", encoding="utf-8")
    outside = tmp_path / "secret.txt"
    outside.write_text("not part of the drop\n", encoding="utf-8")
    os.symlink(outside, drop / "outside.txt")
    os.symlink("loop.txt", drop / "loop.txt")
    os.symlink(tmp_path, drop / "folder")
    os.symlink("story.txt", drop / "alias.txt")
    rows = _rows(drop)
    assert rows["story.txt"].status == "ok" and rows["alias.txt"].status == "ok"  # a link inside the drop is read
    assert rows["outside.txt"].status == "skipped" and "outside the drop" in rows["outside.txt"].error
    assert "not part of the drop" not in rows["outside.txt"].text
    assert rows["loop.txt"].status == "skipped" and "loop" in rows["loop.txt"].error
    assert rows["folder"].status == "skipped" and "folder" in rows["folder"].error


def test_a_file_name_that_is_not_utf8_is_read_and_named(tmp_path):
    import os

    drop = tmp_path / "drop"
    drop.mkdir()
    name = os.fsdecode(b"caf\xe9.txt")
    (drop / name).write_text("Zeta Ltd hired 40 engineers in 2023.\n", encoding="utf-8")
    (doc,) = iter_drop(drop)
    assert doc.status == "ok" and doc.path == "caf\\xe9.txt"
    doc.path.encode("utf-8")  # storable


@pytest.mark.parametrize("sidecar, reason", [
    ({"publisher": {"a": 1}}, "'publisher' must be a string"),
    ({"title": 123, "url": ["x"]}, "'title' must be a string"),
    ({"published": "last week"}, "absolute date"),
    ({"published": "Friday"}, "absolute date"),
])
def test_a_sidecar_of_the_wrong_types_is_an_error_row_naming_the_field(tmp_path, sidecar, reason):
    (tmp_path / "a.txt").write_text("Kappa Inc sold 300 units in 2022.\n", encoding="utf-8")
    (tmp_path / "a.meta.json").write_text(json.dumps(sidecar), encoding="utf-8")
    doc = only(tmp_path)
    assert doc.status == "error" and reason in doc.error and "a.meta.json" in doc.error


def test_an_absolute_published_date_in_words_is_read(tmp_path):
    (tmp_path / "a.txt").write_text("Kappa Inc sold 300 units in 2022.\n", encoding="utf-8")
    (tmp_path / "a.meta.json").write_text(json.dumps({"published": "9 May 2024"}), encoding="utf-8")
    assert only(tmp_path).published == "2024-05-09"
