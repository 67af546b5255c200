"""What one build worker is asked to build, and the documents it reads."""

from __future__ import annotations

import time
from typing import Literal

from pydantic import BaseModel, ConfigDict


class BenchError(RuntimeError):
    """A benchmark cannot run or a worker failed; the message says why."""


class WorkerJob(BaseModel):
    """What one worker process builds; written to a JSON file by the parent."""

    model_config = ConfigDict(extra="forbid")
    side: Literal["guideqa", "baseline"]
    settings_json: str
    preset: str
    limit_docs: int | None
    work_dir: str
    add_docs: int = 0


def load_documents(settings, preset: str, limit: int | None) -> tuple[list, float]:
    """The first `limit` documents of `preset` and the seconds reading them took."""
    import itertools

    from rag.corpus.documents import iter_documents

    started = time.perf_counter()
    docs = list(itertools.islice(iter_documents(settings, preset=preset), limit))  # lazy: stops after `limit`
    seconds = time.perf_counter() - started
    if not docs:
        raise BenchError(f"preset {preset!r} yielded no documents (guideqa corpus fetch?)")
    return docs, seconds
