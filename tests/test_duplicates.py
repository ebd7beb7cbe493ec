"""Near-duplicate detection on texts written for these tests."""

from pipeline.duplicates import near_duplicates, signature, similarity

STORY = (
    "Lufthansa said on Tuesday that its quarterly profit rose 12 percent to 41 million euros, helped by "
    "strong demand for cold-chain storage in northern Europe. The airline, which runs 38 warehouses, also raised "
    "its outlook for the full year and said it would open two more sites in Poland before December. Chief "
    "executive Mara Lind told analysts that orders from grocery chains had doubled since the spring."
)


def test_a_syndicated_copy_is_linked_to_the_original() -> None:
    copy = "By Wire Staff\n\n" + STORY.replace("Tuesday", "Tuesday,") + "\n\nReporting by Wire Staff; editing."
    other = STORY.replace("Lufthansa", "Fjord Freight").replace("12 percent", "3 percent") \
        .replace("cold-chain storage in northern Europe", "bulk shipping along the Atlantic coast") \
        .replace("38 warehouses", "nine terminals").replace("grocery chains", "car makers") \
        .replace("open two more sites in Poland", "retire three old vessels").replace("Mara Lind", "Ola Berg")
    sigs = [("a", signature(STORY)), ("b", signature(copy)), ("c", signature(other))]
    assert similarity(sigs[0][1], sigs[1][1]) > 0.8
    links = near_duplicates(sigs)
    assert links == {"b": "a"}


def test_unrelated_and_short_texts_are_not_linked() -> None:
    sigs = [("a", signature("Shares rose.")), ("b", signature("Shares fell.")), ("c", signature(STORY))]
    assert near_duplicates(sigs) == {}


def test_links_point_to_the_first_copy() -> None:
    sigs = [(name, signature(STORY + suffix)) for name, suffix in [("a", ""), ("b", " Ends."), ("c", " End.")]]
    assert near_duplicates(sigs) == {"b": "a", "c": "a"}


def test_a_run_links_syndicated_copies_and_counts_them_as_one_source(pipe, tmp_path) -> None:  # noqa: ANN001
    import json

    from pipeline.store import Store, validate_store

    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a.txt").write_text(STORY + "\n")
    (drop / "a.meta.json").write_text(json.dumps({"publisher": "Wire", "published": "2024-05-07"}))
    (drop / "b.txt").write_text("By Wire Staff\n\n" + STORY + "\n\n(Reporting by Wire Staff)\n")
    (drop / "b.meta.json").write_text(json.dumps({"publisher": "Daily Post", "published": "2024-05-08"}))
    out = tmp_path / "out"
    pipe.run([drop], out=out)
    store = Store(out)
    assert validate_store(out) == []
    docs = {d["path"]: d for d in store.read("documents")}
    assert docs["b.txt"]["near_duplicate_of"] == docs["a.txt"]["doc_id"]
    assert "near_duplicate_of" not in docs["a.txt"]
    shared = [f for f in store.read("facts") if len({o for ob in f["observations"] for o in ob["doc_ids"]}) == 2]
    assert shared, "the two copies state the same figures"
    assert all(f["status"] == "single_source" for f in shared)
