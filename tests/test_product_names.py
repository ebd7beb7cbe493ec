"""Product names with model numbers, through an EntityRuler built from the shapes (sentences written here)."""

import pytest

from pipeline.product_names import product_patterns


@pytest.fixture(scope="module")
def ruler_nlp():
    """The shipped model with only these patterns in a ruler before its NER (the pipeline adds them the same way)."""
    from pipeline.config import load_config
    from pipeline.nlp import load_model

    nlp = load_model(load_config())
    ruler = nlp.add_pipe("entity_ruler", before="ner")
    ruler.add_patterns(product_patterns(["Boeing", "Airbus", "Nintendo", "Sony"]))
    return nlp


def products(nlp, text: str) -> list[str]:
    return [e.text for e in nlp(text).ents if e.label_ == "PRODUCT"]


def added_products(nlp, text: str) -> list[str]:
    """PRODUCT names the patterns add (what the model finds on its own is not theirs to test)."""
    with nlp.select_pipes(disable=["entity_ruler"]):
        alone = set(products(nlp, text))
    return [name for name in products(nlp, text) if name not in alone]


@pytest.mark.parametrize("text, names", [
    ("The airline ordered ten Boeing 787 jets.", ["Boeing 787"]),
    ("Its Galaxy S24 Ultra sold well.", ["Galaxy S24 Ultra"]),
    ("The A350-1000 entered service.", ["A350-1000"]),
    ("Demand for the H100 chip soared.", ["H100"]),
    ("Airbus delivered 70 A321neo aircraft.", ["A321neo"]),
    ("Nintendo sold 10 million Switch units.", []),  # no code, no product name
])
def test_model_numbers_are_products(ruler_nlp, text: str, names: list[str]) -> None:
    assert products(ruler_nlp, text) == names


@pytest.mark.parametrize("text", [
    "Passengers at Terminal 5 waited for hours.",
    "Under Article 50 the country left.",
    "Revenue rose in Q3 and H1 was strong.",
    "The G20 met on March 3.",
    "CO2 emissions fell 4% in 2023.",
    "Boeing 2023 results were weak.",
    "The 5G network covers 90% of homes.",
])
def test_other_codes_are_not_products(ruler_nlp, text: str) -> None:
    assert added_products(ruler_nlp, text) == []
