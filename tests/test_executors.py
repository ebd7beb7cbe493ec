"""The Dask executor gives the store the local executor gives.

A ``LocalCluster`` of two worker processes runs the per-document stages of a
small drop (articles written for this test), once through ``claims run
--executor dask --scheduler ADDRESS`` and once through the library; both stores
must equal the local run's byte for byte (``ingested_at`` aside), and each
worker must load the pipeline once however many batches it gets.
"""

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

distributed = pytest.importorskip("distributed")

from pipeline import Pipeline  # noqa: E402
from pipeline.cli import app  # noqa: E402
from pipeline.config import load_config  # noqa: E402
from pipeline.executors import DaskExecutor, loaded_pipelines  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

ARTICLES = {
    "harbour-ferries.txt": (
        "Bayline Ferries said on 4 February 2024 that it carried 2.3 million passengers last year, "
        "up from 1.9 million in 2022.\n\nThe operator, based in Halifax, runs 14 vessels and plans to add "
        "two more by the end of 2025.\n",
        {"title": "Bayline Ferries carries 2.3 million", "publisher": "Coastal Courier", "published": "2024-02-05"},
    ),
    "harbour-fares.txt": (
        "Bayline Ferries will raise fares by 6 percent in April, the company said on Monday.\n\n"
        "It carried 2.3 million passengers in 2023, according to its annual report.\n",
        {"title": "Ferry fares to rise", "publisher": "Port Ledger", "published": "2024-03-11"},
    ),
    "mill-jobs.txt": (
        "Greystone Paper Mill has cut about 120 jobs since January, its owner Larch Holdings said.\n\n"
        "The mill employed nearly 900 people in 2021. Larch Holdings reported revenue of $410 million "
        "for the year ended 30 June 2023.\n",
        {"title": "Greystone cuts jobs", "publisher": "Valley Times", "published": "2024-05-20"},
    ),
    "mill-update.txt": (
        "Larch Holdings said on 2 September 2024 that Greystone Paper Mill now employs 760 people.\n",
        {"title": "Greystone staff numbers", "publisher": "Valley Times", "published": "2024-09-03"},
    ),
    "orchard.txt": (
        "Kestrel Orchards expects to pick 40,000 tonnes of apples this autumn, more than twice the 2023 "
        "harvest, its managing director told reporters on 12 August 2024.\n",
        {"title": "A record apple harvest", "publisher": "Farm Weekly", "published": "2024-08-13"},
    ),
}


def write_drop(drop: Path) -> Path:
    drop.mkdir(parents=True)
    for name, (text, meta) in ARTICLES.items():
        (drop / name).write_text(text, encoding="utf-8")
        (drop / name.replace(".txt", ".meta.json")).write_text(json.dumps(meta), encoding="utf-8")
    return drop


def store_files(out: Path) -> dict[str, object]:
    """The store's content: every JSONL file's bytes (documents without ``ingested_at``) and the texts."""
    files: dict[str, object] = {}
    for name in ("claims", "facts", "entities", "entity_mentions"):
        files[name] = (out / f"{name}.jsonl").read_bytes()
    docs = [json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    files["documents"] = [{k: v for k, v in d.items() if k != "ingested_at"} for d in docs]
    files["texts"] = {p.name: p.read_bytes() for p in sorted((out / "texts").iterdir())}
    return files


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """A drop, a config with batches of two (so that both workers get some), and the local run's store."""
    root = tmp_path_factory.mktemp("executors")
    drop = write_drop(root / "drop")
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8")) or {}
    raw["batch_size"] = 2
    config_path = root / "config.yaml"
    config_path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    cfg = load_config(config_path)
    local_out = root / "local"
    summary = Pipeline.load(cfg).run([drop], out=local_out)
    assert summary.new_documents == len(ARTICLES) and summary.claims > 0
    return root, drop, config_path, cfg, store_files(local_out)


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=50) as c, Client(c) as client:
        yield c, client


def test_dask_store_equals_the_local_store(setup, cluster):
    root, drop, config_path, cfg, local = setup
    c, client = cluster
    out = root / "dask-cli"
    result = CliRunner().invoke(app, ["run", str(drop), "--out", str(out), "--config", str(config_path),
                                      "--executor", "dask", "--scheduler", c.scheduler_address])
    assert result.exit_code == 0, result.output
    assert f"{len(ARTICLES)} new documents" in " ".join(result.output.split())
    assert store_files(out) == local

    # the library, on the same cluster: the workers keep the pipeline they loaded
    out2 = root / "dask-api"
    with DaskExecutor(client, cfg) as ex:
        summary = Pipeline.load(cfg, lazy=True).run([drop], out=out2, executor=ex)
    assert summary.new_documents == len(ARTICLES)
    assert store_files(out2) == local
    loaded = client.run(loaded_pipelines)
    assert len(loaded) == 2
    assert all(n <= 1 for n in loaded.values()) and sum(loaded.values()) >= 1, loaded


def test_dask_needs_a_scheduler(setup):
    root, drop, config_path, _, _ = setup
    result = CliRunner().invoke(app, ["run", str(drop), "--out", str(root / "x"), "--config", str(config_path),
                                      "--executor", "dask"])
    assert result.exit_code == 2
    assert "--scheduler" in result.output
