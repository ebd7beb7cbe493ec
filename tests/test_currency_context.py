"""The document decides what an ambiguous currency sign means (texts written for these tests)."""

from pipeline.currency_context import document_currencies


def test_yen_story() -> None:
    text = ("Osaka-based electronics maker posted a profit of ¥120 billion. The yen weakened against the dollar, "
            "and exports from Japan rose.")
    assert document_currencies(text)["¥"] == "JPY"


def test_yuan_story() -> None:
    text = "The Shenzhen carmaker's revenue rose to ¥80 billion as sales in China grew; the yuan was steady."
    assert document_currencies(text)["¥"] == "CNY"


def test_no_cue_keeps_the_first_candidate() -> None:
    assert document_currencies("A toy shop sold goods worth ¥3 million.")["¥"] == "CNY"
    assert document_currencies("The fund holds $2 billion.")["$"] == "USD"


def test_dollars_stay_american_on_a_passing_mention() -> None:
    text = "The Chicago retailer earned $2 billion in the US and opened two stores in Canada."
    assert document_currencies(text)["$"] == "USD"


def test_a_plainly_canadian_story() -> None:
    text = ("The Toronto lender said profit rose to $4 billion. Canadian households borrowed more, the Bank of "
            "Canada said, and Canada's housing market cooled; Ottawa plans new rules.")
    assert document_currencies(text)["$"] == "CAD"


def test_krona_and_krone() -> None:
    assert document_currencies("Stockholm-listed Swedish miner earned 4 billion kr.")["kr"] == "SEK"
    assert document_currencies("The Oslo utility, Norway's largest, earned 9 billion kr.")["kr"] == "NOK"
