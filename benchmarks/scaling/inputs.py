"""The scaling benchmark's inputs from a guideqa index: its chunk vectors and a seeded sample of questions."""

from __future__ import annotations

import random


def load_index_vectors(settings, name: str):
    """(vectors, manifest) of indexes/<name>/dense.faiss, refusing an index the configured embedder did not build
    (its query vectors would not be comparable). Real vectors and real questions: recall is measured on the
    data the product serves, not on random vectors."""
    import faiss

    from rag.indexing.embedding import resolve_backend
    from rag.indexing.errors import GuideIndexError
    from rag.indexing.layout import DENSE
    from rag.indexing.manifest import read_manifest

    path = settings.index.dir / name
    if not path.exists():
        raise GuideIndexError(f"no index named {name!r} in {settings.index.dir}; build it with: guideqa index build --name {name}")
    manifest = read_manifest(path.resolve())
    if manifest.model != settings.embedding.model:
        raise GuideIndexError(f"index {name!r} was built with model {manifest.model!r}; set GUIDEQA_EMBEDDING__MODEL={manifest.model}")
    if manifest.backend != resolve_backend(settings.embedding.backend):
        raise GuideIndexError(f"index {name!r} was built with the {manifest.backend!r} encoder backend; "
                              f"set GUIDEQA_EMBEDDING__BACKEND={manifest.backend}")
    try:
        dense = faiss.read_index(str(path.resolve() / DENSE))
    except Exception as exc:
        raise GuideIndexError(f"index {name!r}: cannot read {DENSE} ({exc}); rebuild it") from exc
    return dense.reconstruct_n(0, dense.ntotal), manifest


def sample_questions(settings, n: int, seed: int) -> list[str]:
    """A seeded sample of PubMedQA questions (the same `n` and seed give the same questions)."""
    from evals.datasets import pubmedqa

    questions = [q.question for q in pubmedqa(settings)]
    return random.Random(seed).sample(questions, min(n, len(questions)))
