"""The whole build benchmark: one worker per guideqa backend, then the baseline, one at a time."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from benchmarks.common import Machine
from benchmarks.index_build.baseline import BaselineBuild
from benchmarks.index_build.comparison import Comparison, compare
from benchmarks.index_build.guideqa import GuideqaBuild
from benchmarks.index_build.job import BenchError
from benchmarks.index_build.worker import run_worker


class BuildBenchmark(BaseModel):
    model_config = ConfigDict(extra="forbid")
    preset: str
    limit_docs: int | None = Field(description="Only the first N documents of the preset, in corpus order.")
    model: str
    chunking: dict
    batch_size: int
    machine: Machine
    versions: dict[str, str]
    guideqa: list[GuideqaBuild]
    baseline: BaselineBuild | None
    comparisons: list[Comparison]


def run_benchmark(
    settings,
    *,
    preset: str = "default",
    limit_docs: int | None = None,
    backends: list[str] | None = None,
    skip_baseline: bool = False,
    add_docs: int = 10,
    note=lambda message: None,
) -> BuildBenchmark:
    """Build once per guideqa backend, then the baseline, each in its own process, one at a time.

    Both sides start from the same documents (the first N of a corpus preset) and end with an index
    on disk. Each process loads its documents and its model itself; those times are reported apart
    from the build time, which is what the speed-up compares.

    Example:
        >>> report = run_benchmark(Settings(), limit_docs=20)  # doctest: +SKIP
        >>> report.comparisons[0].speedup
    """
    from rag.corpus.manifest import load_manifest
    from rag.indexing.embedding import resolve_backend
    from rag.versions import BUILD_BENCH_PACKAGES, package_versions

    presets = load_manifest(settings).indexes
    if preset not in presets:
        raise BenchError(f"no preset named {preset!r} in {settings.corpus.manifest}; choose one of: {', '.join(presets)}")
    backends = backends or [resolve_backend(settings.embedding.backend)]
    machine = Machine.now()  # load average before our own work: other jobs skew the numbers
    ours = []
    for backend in backends:
        note(f"guideqa build ({backend})")
        ours.append(run_worker("guideqa", settings, preset, limit_docs, backend, add_docs))
    base = None
    if not skip_baseline:
        note("LangChain baseline build")
        base = run_worker("baseline", settings, preset, limit_docs)
    return BuildBenchmark(
        preset=preset,
        limit_docs=limit_docs,
        model=settings.embedding.model,
        chunking=settings.chunking.model_dump(mode="json"),
        batch_size=settings.embedding.batch_size,
        machine=machine,
        versions=package_versions(BUILD_BENCH_PACKAGES, python=False),
        guideqa=ours,
        baseline=base,
        comparisons=[compare(o, base) for o in ours] if base else [],
    )
