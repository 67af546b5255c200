"""Installed package versions, stamped on index manifests, eval reports and benchmark results."""

from __future__ import annotations

import platform
from collections.abc import Sequence
from importlib import metadata

# What each record depends on: a number in it is only comparable with one made by the same versions.
INDEX_PACKAGES = ("guideqa", "sentence-transformers", "torch", "transformers", "faiss-cpu", "bm25s", "numpy")
EVAL_PACKAGES = ("guideqa", "ranx", "sentence-transformers", "faiss-cpu", "bm25s", "torch")
BUILD_BENCH_PACKAGES = ("guideqa", "sentence-transformers", "torch", "onnxruntime", "faiss-cpu", "bm25s",
                        "langchain-community", "langchain-text-splitters", "langchain-core")
SCALING_PACKAGES = ("faiss-cpu", "numpy")


def package_versions(packages: Sequence[str], python: bool = True) -> dict[str, str]:
    """Installed versions of `packages` ("not installed" when absent)."""
    out = {"python": platform.python_version()} if python else {}
    for pkg in packages:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out
