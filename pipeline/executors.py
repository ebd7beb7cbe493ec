"""Executors: where the per-document stages (parse, extract, build claims) run.

``Pipeline.run`` streams the documents that need processing through an
executor's ``map_documents`` and gets back, in input order, one ``Processed``
per document: the document, its claims (subjects still surface forms), its
entity mentions and the acronyms it defines. Canonicalisation, reviews and
reconciliation then run once, here, over the gathered claims.

- ``LocalExecutor``: this process, ``nlp.pipe`` with the configured batch size
  and ``n_process``.
- ``DaskExecutor``: a Dask distributed cluster. Documents go to the workers in
  batches of ``batch_size`` (so that each batch is parsed exactly as ``nlp.pipe``
  batches it here, and the store comes out byte-identical); each worker process
  loads the pipeline once and keeps it; at most ``window`` batches are in flight,
  so the drop is never held whole, and results are taken back in input order.

    from pipeline import Pipeline
    from pipeline.executors import DaskExecutor

    pipe = Pipeline.load(lazy=True)            # the model is only needed on the workers
    with DaskExecutor("tcp://scheduler:8786", pipe.config) as ex:
        pipe.run(["corpus"], out="outputs", executor=ex)
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from .config import Config
from .ingest import Document

if TYPE_CHECKING:
    from distributed import Client, Future

    from .api import Pipeline

Claims = list[dict[str, Any]]
EntityMentions = list[list[str]]
Acronyms = dict[str, str]


class Processed(NamedTuple):
    """What the per-document stages give for one document."""

    document: Document
    claims: Claims
    entities: EntityMentions
    acronyms: Acronyms
    error: str | None = None  # why this document's stages failed: it becomes an error row, the batch goes on


class Executor(Protocol):
    def map_documents(self, docs: Iterable[Document]) -> Iterator[Processed]:
        """Process every document, yielding results in input order."""
        ...


def process_documents(pipe: Pipeline, docs: Iterable[Document], n_process: int | None = None
                      ) -> Iterator[Processed]:
    """The per-document stages in this process (both executors end here)."""
    from .api import extraction_entities

    for doc, extraction in pipe.process(docs, n_process=n_process):
        if isinstance(extraction, str):
            yield Processed(doc, [], [], {}, extraction)
            continue
        try:
            claims = pipe.claims_for(doc, extraction)
        except Exception as err:  # noqa: BLE001 - one document's failure is that document's error row
            yield Processed(doc, [], [], {}, failure("building claims", err))
            continue
        yield Processed(doc, claims, extraction_entities(extraction), extraction.acronyms)


def failure(stage: str, err: BaseException) -> str:
    """The reason an error row gives for a document whose per-document stages raised."""
    return f"{stage} failed: {type(err).__name__}: {err}"


class LocalExecutor:
    """``nlp.pipe`` in this process (with ``n_process`` worker processes when configured)."""

    def __init__(self, pipe: Pipeline, n_process: int | None = None) -> None:
        self.pipe = pipe
        self.n_process = n_process

    def map_documents(self, docs: Iterable[Document]) -> Iterator[Processed]:
        return process_documents(self.pipe, docs, self.n_process)


# --------------------------------------------------------------------------- dask

_PIPELINES: dict[str, Pipeline] = {}  # per worker process: config JSON -> pipeline, loaded once
_PIPELINES_LOCK = threading.Lock()


def worker_pipeline(config: Config) -> Pipeline:
    """This worker's pipeline for ``config``, loaded on first use and kept for the process's life."""
    from .api import Pipeline

    key = config.model_dump_json()
    with _PIPELINES_LOCK:
        pipe = _PIPELINES.get(key)
        if pipe is None:
            pipe = _PIPELINES[key] = Pipeline.load(config)
        return pipe


def loaded_pipelines() -> int:
    """How many pipelines this process has loaded (run on each worker to check they load once)."""
    return len(_PIPELINES)


def process_batch(config: Config, docs: list[Document]
                  ) -> list[tuple[Claims, EntityMentions, Acronyms, str | None]]:
    """Run on a worker: one batch of documents through the per-document stages, as plain data."""
    pipe = worker_pipeline(config)
    return [(p.claims, p.entities, p.acronyms, p.error) for p in process_documents(pipe, docs, n_process=1)]


class DaskExecutor:
    """The per-document stages on a Dask distributed cluster.

    ``scheduler`` is a scheduler address ("tcp://host:8786") or a ``distributed.Client``. Every
    worker needs this package (and the spaCy model) installed, and any rule file the config names
    outside the package at the same path."""

    def __init__(self, scheduler: str | Client, config: Config, batch_size: int | None = None,
                 window: int | None = None) -> None:
        from distributed import Client

        self._own_client = not isinstance(scheduler, Client)
        self.client: Client = Client(scheduler) if self._own_client else scheduler  # type: ignore[assignment]
        self.config = config
        self.batch_size = batch_size or config.batch_size
        self.window = window

    def _window(self) -> int:
        if self.window:
            return self.window
        workers = self.client.scheduler_info().get("workers", {})
        threads = sum(int(w.get("nthreads", 1)) for w in workers.values()) or 1
        return 2 * threads  # every worker busy, one batch each waiting behind it

    def map_documents(self, docs: Iterable[Document]) -> Iterator[Processed]:
        window = self._window()
        in_flight: deque[tuple[list[Document], Future]] = deque()
        it = iter(docs)
        while batch := list(islice(it, self.batch_size)):
            in_flight.append((batch, self.client.submit(process_batch, self.config, batch, pure=False)))
            while len(in_flight) >= window:
                yield from self._take(*in_flight.popleft())
        while in_flight:
            yield from self._take(*in_flight.popleft())

    @staticmethod
    def _take(batch: list[Document], future: Future) -> Iterator[Processed]:
        results = future.result()
        future.release()
        if len(results) != len(batch):
            raise RuntimeError(f"a worker returned {len(results)} results for {len(batch)} documents")
        for doc, (claims, entities, acronyms, error) in zip(batch, results, strict=True):
            yield Processed(doc, claims, entities, acronyms, error)

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
