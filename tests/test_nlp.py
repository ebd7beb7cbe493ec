"""The parse stage's pure helpers: where sentences may run no longer, and how text with
invisible characters is cleaned for the model and mapped back to the text as written."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.nlp import capped_sentence_starts, strip_invisible, to_original


def _words(text: str) -> list[str]:
    return text.replace(",", " ,").replace(";", " ;").replace(".", " .").split()


def _lengths(n: int, cuts: list[int], starts: list[int]) -> list[int]:
    bounds = sorted({0, n, *cuts, *starts})
    return [b - a for a, b in zip(bounds, bounds[1:], strict=False)]


# --------------------------------------------------------------------------- capped_sentence_starts


def test_ordinary_sentences_are_never_cut() -> None:
    text = ("The storm brought 120 millimetres of rain to the valley overnight. Officials said 3,000 homes "
            "lost power, and the river rose 2 metres above its usual level. Schools stay shut on Monday.")
    words = _words(text)
    assert capped_sentence_starts(words, [False] * len(words), 40) == []


def test_a_text_without_breaks_is_cut_after_a_semicolon_before_a_comma() -> None:
    clause = "the fund bought 40 tonnes of copper , sold 12 tonnes of tin"
    words = _words(" ; ".join([clause] * 12))
    cuts = capped_sentence_starts(words, [False] * len(words), 30)
    assert cuts
    assert all(words[c - 1] == ";" for c in cuts)
    assert max(_lengths(len(words), cuts, [])) <= 30


def test_without_punctuation_the_cut_falls_at_the_cap() -> None:
    words = ["price"] * 95
    assert capped_sentence_starts(words, [False] * 95, 40) == [40, 80]


def test_known_starts_and_full_stops_reset_the_count() -> None:
    words = ["rain"] * 30 + ["."] + ["Wind"] + ["gusts"] * 30
    starts = [False] * len(words)
    assert capped_sentence_starts(words, starts, 40) == []  # two sentences of 31, none over 40
    assert capped_sentence_starts(["x"] * 70, [False] * 70, 40) == [40]
    assert capped_sentence_starts(["x"] * 70, [i == 35 for i in range(70)], 40) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "B", ",", ";", ":", ".", "the", "—"]), max_size=600),
       st.integers(min_value=20, max_value=200))
def test_no_sentence_is_ever_longer_than_the_cap(words: list[str], cap: int) -> None:
    cuts = capped_sentence_starts(words, [False] * len(words), cap)
    assert cuts == sorted(set(cuts)) and all(0 < c < len(words) for c in cuts)
    natural = [i for i in range(1, len(words)) if words[i - 1] in ".!?" and words[i][:1].isupper()]
    assert all(n <= cap for n in _lengths(len(words), cuts, natural))


# --------------------------------------------------------------------------- invisible characters


def test_invisible_characters_are_taken_out_and_offsets_map_back() -> None:
    written = "Northwind Air\u200b carried 7\u200b million\x00 passengers, up \u202b4%\u202c on a year earlier."
    clean, removed = strip_invisible(written)
    assert clean == "Northwind Air carried 7 million passengers, up 4% on a year earlier."
    for phrase in ("7 million passengers", "4%", "Northwind Air", "a year earlier"):
        start = clean.index(phrase)
        a, b = to_original(removed, start, start + len(phrase))
        assert written[a:b].replace("\u200b", "").replace("\x00", "") == phrase
        assert written[a] == phrase[0] and written[b - 1] == phrase[-1]  # edges never on an invisible


def test_whitespace_and_ordinary_text_are_left_alone() -> None:
    text = "Temperatures fell to -4\u00b0C\tin Oslo\non Tuesday, the institute said.\r\n"
    assert strip_invisible(text) == (text, [])
    assert to_original([], 3, 9) == (3, 9)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab 7.%") + ["\u200b", "\u200d", "\x00", "\u202e", "\ufeff", "\u00ad"]),
               max_size=80))
def test_every_visible_character_maps_back_to_itself(written: str) -> None:
    clean, removed = strip_invisible(written)
    for i, ch in enumerate(clean):
        a, b = to_original(removed, i, i + 1)
        assert written[a:b] == ch
