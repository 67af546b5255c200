"""How one guideqa build compares with the LangChain baseline's."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from benchmarks.index_build.baseline import BaselineBuild
from benchmarks.index_build.guideqa import GuideqaBuild


class Comparison(BaseModel):
    """How one guideqa build compares with the baseline (ratios > 1 favour guideqa)."""

    model_config = ConfigDict(extra="forbid")
    backend: str
    speedup: float = Field(description="baseline build_seconds / guideqa build_seconds.")
    end_to_end_speedup: float = Field(description="The same ratio with document and model loading included.")
    ms_per_chunk_guideqa: float
    ms_per_chunk_baseline: float
    ms_per_1k_tokens_guideqa: float
    ms_per_1k_tokens_baseline: float
    tokens_per_second_ratio: float = Field(description="guideqa tokens/s / baseline tokens/s.")
    peak_rss_ratio: float = Field(description="guideqa peak RSS / baseline peak RSS.")


def compare(ours: GuideqaBuild, base: BaselineBuild) -> Comparison:
    ours_total = ours.load_seconds + ours.model_load_seconds + ours.build_seconds
    base_total = base.load_seconds + base.model_load_seconds + base.build_seconds
    return Comparison(
        backend=ours.backend,
        speedup=base.build_seconds / ours.build_seconds,
        end_to_end_speedup=base_total / ours_total,
        ms_per_chunk_guideqa=1000 * ours.build_seconds / ours.chunks,
        ms_per_chunk_baseline=1000 * base.build_seconds / base.chunks,
        ms_per_1k_tokens_guideqa=1e6 * ours.build_seconds / ours.tokens,
        ms_per_1k_tokens_baseline=1e6 * base.build_seconds / base.tokens,
        tokens_per_second_ratio=ours.tokens_per_second / base.tokens_per_second,
        peak_rss_ratio=ours.peak_rss_mb / base.peak_rss_mb,
    )
