import hashlib

import tiktoken

from rag.answering.tokens import _EXPECTED_SHA256, cache_path, count_tokens, seed_cache
from rag.settings import Settings


def test_seeded_cache_matches_tiktoken_expected_hash(tmp_path):
    assert seed_cache("cl100k_base", tmp_path)
    data = cache_path("cl100k_base", tmp_path).read_bytes()
    assert hashlib.sha256(data).hexdigest() == _EXPECTED_SHA256["cl100k_base"]


def test_count_tokens_offline(tmp_path, monkeypatch):
    # A fresh cache folder and no network: tiktoken must still load the encoding.
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    seed_cache("cl100k_base", tmp_path)
    enc = tiktoken.get_encoding("cl100k_base")
    assert enc.decode(enc.encode("pencil-point needle")) == "pencil-point needle"
    s = Settings(tokens={"cache_dir": tmp_path})
    assert count_tokens("hello world", s) == 2
    assert count_tokens("", s) == 0


def test_unknown_encoding_is_not_seeded(tmp_path):
    assert not seed_cache("r50k_base", tmp_path)
