"""The vector sets measured: real chunk vectors, subsets of them, or grown with perturbed copies, and how clumped."""

from __future__ import annotations

import math
from typing import Literal, Optional

import numpy as np
from pydantic import BaseModel, Field

DIAGNOSTIC_SAMPLE = 200
NOISE_RULE = (
    "Gaussian noise per dimension, sigma chosen so that a copy's expected cosine to its source equals the "
    "median cosine between a real vector and its nearest real neighbour: sigma = sqrt((1/c^2 - 1) / d)."
)


class SizeInfo(BaseModel):
    """What the vectors at one size are, and how hard the synthetic part makes the search."""

    size: int
    vectors: Literal["real", "real+synthetic"]
    real: int
    synthetic: int
    cos_to_source_mean: Optional[float] = Field(default=None, description="Mean cosine of a synthetic vector to its source.")
    nearest_is_source: Optional[float] = Field(
        default=None, description="Share of sampled synthetic vectors whose nearest other vector is their own source."
    )
    nearest_same_source: Optional[float] = Field(
        default=None, description="Share whose nearest other vector is their source or another copy of it."
    )
    synthetic_share_top10: float = Field(description="Share of the queries' exact top-10 that is synthetic.")
    distinct_sources_top10: float = Field(description="Mean distinct source vectors among a query's exact top-10 (10 = no copy clumps).")


def _normalise(x: np.ndarray) -> np.ndarray:
    x /= np.linalg.norm(x, axis=1, keepdims=True).clip(min=1e-12)
    return x


def _nearest_other(index, x: np.ndarray, self_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best (score, row) for each x in `index`, skipping the row that is x itself."""
    scores, rows = index.search(x, 2)
    first_is_self = rows[:, 0] == self_rows
    return np.where(first_is_self, scores[:, 1], scores[:, 0]), np.where(first_is_self, rows[:, 1], rows[:, 0])


def noise_for(real: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    """(sigma, c): the noise level for synthetic copies, and the median real nearest-neighbour cosine c it matches.

    Why this rule: in 384 dimensions Gaussian noise is almost orthogonal to every data direction, so a copy's
    nearest vector stays its own source for any noise short of turning it into a random vector (measured on
    the default index: 99% at cosine 0.98 and still 98% at cosine 0.54). What the noise does control is how
    tightly copies clump around a query: with 5,000 vectors grown from 706 real ones, copies at cosine 0.995
    filled a query's exact top-10 with copies of 2.3 sources (82% synthetic), which makes every index look
    good; at the matched level below it held 6.1 distinct sources (40% synthetic). Matching the real neighbourhood scale (a copy sits as far from its source
    as a typical chunk from its nearest real neighbour, c = 0.83 on the default index, sigma ~ 0.034) keeps the
    copies from being tighter than the data itself; `SizeInfo` reports the clumping that remains.
    """
    import faiss

    sample = rng.choice(len(real), min(len(real), 1000), replace=False)
    flat = faiss.IndexFlatIP(real.shape[1])
    flat.add(real)
    scores, _ = _nearest_other(flat, real[sample], sample)
    c = float(np.clip(np.median(scores), 0.3, 0.995))
    return math.sqrt((1 / c**2 - 1) / real.shape[1]), c


def make_vectors(real: np.ndarray, size: int, sigma: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(vectors, source): `size` vectors and, for each, the real row it is (or is a copy of).

    Above the real count: every real vector plus perturbed, re-normalised copies of resampled real vectors.
    Below it: a seeded subset of real vectors. A copy scores about c times its source for any query (the noise
    is nearly orthogonal to the query), so exact top-10s lean towards real vectors; `SizeInfo` reports how much.
    """
    n_real, d = real.shape
    if size <= n_real:
        source = np.sort(rng.choice(n_real, size, replace=False))
        return np.ascontiguousarray(real[source]), source
    source = np.concatenate([np.arange(n_real), rng.choice(n_real, size - n_real)])
    out = np.empty((size, d), dtype=np.float32)
    out[:n_real] = real
    step = 50_000  # bounded temporaries at 200k x 384
    for start in range(n_real, size, step):
        stop = min(start + step, size)
        block = rng.standard_normal((stop - start, d), dtype=np.float32)
        block *= sigma
        block += real[source[start:stop]]
        out[start:stop] = _normalise(block)
    return out, source


def size_info(size: int, n_real: int, vectors: np.ndarray, source: np.ndarray, flat, top: np.ndarray, rng) -> SizeInfo:
    """How many vectors at this size are synthetic, and how much they clump in the queries' exact top-10 (`top`)."""
    kind = "real" if size <= n_real else "real+synthetic"
    synthetic = max(0, size - n_real)
    info = SizeInfo(
        size=size, vectors=kind, real=size - synthetic, synthetic=synthetic,
        synthetic_share_top10=round(float((top >= n_real).mean()) if synthetic else 0.0, 4),
        distinct_sources_top10=round(float(np.mean([len(set(source[r])) for r in top])), 2),
    )
    if synthetic:
        rows = n_real + rng.choice(synthetic, min(synthetic, DIAGNOSTIC_SAMPLE), replace=False)
        _, nearest = _nearest_other(flat, vectors[rows], rows)
        info.cos_to_source_mean = round(float((vectors[rows] * vectors[source[rows]]).sum(1).mean()), 4)
        info.nearest_is_source = round(float((nearest == source[rows]).mean()), 4)
        info.nearest_same_source = round(float((source[nearest] == source[rows]).mean()), 4)
    return info
