"""Organisations and products: one canonical entity per real thing, and no
merging of different things. Sentences are written for these tests."""

from __future__ import annotations

import pytest

from pipeline.api import canonicalise
from pipeline.entities import EntityIndex, defined_acronyms


@pytest.fixture(scope="module")
def index_factory(pipe):  # noqa: ANN001, ANN201 - pytest fixture
    return pipe.new_index


def entity_ids(pipe, texts: list[str]) -> dict[str, str]:  # noqa: ANN001
    """Run texts as one batch; map every surface form seen to its entity id."""
    index: EntityIndex = pipe.new_index()
    docs = []
    for n, text in enumerate(texts):
        extraction = pipe.extractor.extract(pipe.nlp(text))
        docs.append((f"d{n}", [[e.text, e.label, e.alias_of] if e.alias_of else [e.text, e.label]
                               for e in extraction.entities]))
        acronyms = {f"d{n}": extraction.acronyms}
        canonicalise([docs[-1]], [], index, acronyms=acronyms)
    return {alias: rec.ref.id for rec in index.table() for alias in rec.aliases}


@pytest.mark.parametrize("texts,forms", [
    pytest.param(["SenseTime posted a wider loss.", "Sense Time shares rose on Monday.",
                  "Analysts said Sensetime would raise prices."], ["SenseTime", "Sense Time", "Sensetime"],
                 id="spacing-and-case"),
    pytest.param(["OpenAI released a new model.", "Critics said Open AI moved too fast."], ["OpenAI", "Open AI"],
                 id="open-ai"),
    pytest.param(["Tencent Holdings reported higher revenue.", "Tencent said games sales grew."],
                 ["Tencent Holdings", "Tencent"], id="legal-suffix"),
    pytest.param(["iFlytek unveiled a speech model.", "Shares of iFlyTek fell sharply."], ["iFlytek", "iFlyTek"],
                 id="inner-capitals"),
    pytest.param(["The Cyberspace Administration of China (CAC) issued draft rules on Friday. "
                  "The CAC said comments were due within a month."],
                 ["Cyberspace Administration of China", "CAC"], id="acronym-defined-in-text"),
    pytest.param(["Northwind Freight Lines said volumes rose. Later, Northwind said it would hire drivers."],
                 ["Northwind Freight Lines", "Northwind"], id="short-form-after-full-name"),
])
def test_variants_merge_into_one_entity(pipe, texts: list[str], forms: list[str]) -> None:  # noqa: ANN001
    ids = entity_ids(pipe, texts)
    missing = [f for f in forms if f not in ids]
    assert not missing, f"not recognised: {missing}; saw {sorted(ids)}"
    assert len({ids[f] for f in forms}) == 1, {f: ids[f] for f in forms}


@pytest.mark.parametrize("texts,forms", [
    pytest.param(["Baidu cut prices for its cloud service.", "Baichuan raised new funds from investors."],
                 ["Baidu", "Baichuan"], id="baidu-is-not-baichuan"),
    pytest.param(["Alibaba invested in the startup.", "Ant Group, its affiliate, filed results."],
                 ["Alibaba", "Ant Group"], id="affiliates-stay-apart"),
    pytest.param(["Meta trained the model.", "Microsoft hosted it on its cloud."], ["Meta", "Microsoft"],
                 id="same-initial"),
])
def test_different_organisations_stay_apart(pipe, texts: list[str], forms: list[str]) -> None:  # noqa: ANN001
    ids = entity_ids(pipe, texts)
    assert all(f in ids for f in forms), sorted(ids)
    assert len({ids[f] for f in forms}) == len(forms), {f: ids[f] for f in forms}


def test_products_are_kept_apart_from_their_makers(pipe) -> None:  # noqa: ANN001
    ids = entity_ids(pipe, ["Baidu said its ERNIE Bot now answers questions in English."])
    assert ids["Baidu"] != ids["ERNIE Bot"]
    index = pipe.new_index()
    ref = index.resolve("Ernie Bot", "PRODUCT")
    assert ref.type == "PRODUCT" and ref.maker == "Baidu"


@pytest.mark.parametrize("text,junk", [
    pytest.param("Generative AI is spreading fast, and every LLM needs chips.", ["AI", "LLM"], id="generic-words"),
    pytest.param("Average revenue per membership (ARM) rose 3% in the quarter.", ["ARM"], id="metric-acronym"),
    pytest.param("Remarkably, orders doubled in the period.", ["Remarkably"], id="sentence-initial-adverb"),
])
def test_generic_words_are_not_organisations(pipe, text: str, junk: list[str]) -> None:  # noqa: ANN001
    surfaces = {e.text for e in pipe.extractor.extract(pipe.nlp(text)).entities}
    assert not set(junk) & surfaces, surfaces


def test_mentions_are_cleaned() -> None:
    from pathlib import Path

    from pipeline.entities import EntityRules

    rules = EntityRules(Path(__file__).resolve().parents[1] / "pipeline" / "data" / "entities.yaml")
    assert rules.clean("the Commerce Department's", "ORG") == "Commerce Department"
    assert rules.clean("Conclusion\n\n\nHuawei", "ORG") == "Huawei"
    assert rules.clean("World Internet Centre (WIC", "ORG") == "World Internet Centre"
    assert rules.clean("2024 Government Work Report", "ORG") is None


def test_acronyms_defined_in_text() -> None:
    found = defined_acronyms("Officials at the National Development and Reform Commission (NDRC) said ...")
    assert found == {"NDRC": "National Development and Reform Commission"}


def test_every_claim_subject_is_in_the_entity_table(pipe, tmp_path) -> None:  # noqa: ANN001
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a.txt").write_text("Northwind Freight Lines said on 3 May 2024 that it had 4,200 trucks.\n")
    (drop / "b.txt").write_text("Northwind said in June 2024 that it ran 4,350 trucks.\n")
    pipe.run([drop], out=tmp_path / "out")
    from pipeline.store import Store

    store = Store(tmp_path / "out")
    entity_ids_ = {e["entity_id"] for e in store.read("entities")}
    subjects = [c["subject"] for c in store.read("claims") if c["subject"]]
    assert subjects and all(s["id"] in entity_ids_ for s in subjects)


def test_a_user_gazetteer_named_in_the_config_is_used(tmp_path) -> None:  # noqa: ANN001
    import json

    from pipeline import Pipeline, load_config

    gaz = tmp_path / "mine.jsonl"
    gaz.write_text(json.dumps({"name": "Zorvane Dynamics", "type": "ORG", "aliases": ["ZVD", "Zorvane"]}) + "\n")
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"user_gazetteer: {gaz}\n")
    pipe = Pipeline.load(load_config(cfg))
    text = "ZVD said on 2 May 2024 that it had shipped 1,400 drones."
    (figure,) = [c for c in pipe.extract_text(text) if c["kind"] == "figure"]
    assert figure["subject"]["name"] == "Zorvane Dynamics" and figure["subject"]["text"] == "ZVD"
