import numpy as np
import pytest

from rag.indexing.build import build_index
from rag.indexing.errors import GuideIndexError
from rag.indexing.store import load_index
from tests.rag.indexing.small_corpus import _docs, _settings


def test_rebuild_is_skipped_when_nothing_changed_and_forced_otherwise(index_settings, embedder, tmp_path):
    s = _settings(index_settings, tmp_path)
    _, m1, rebuilt1 = build_index(_docs(), s, embedder=embedder)
    _, m2, rebuilt2 = build_index(_docs(), s, embedder=embedder)
    _, m3, rebuilt3 = build_index(_docs(), s, embedder=embedder, force=True)
    assert (rebuilt1, rebuilt2, rebuilt3) == (True, False, True)
    assert m1.fingerprint == m2.fingerprint == m3.fingerprint
    _, m4, _ = build_index(_docs(4), s, embedder=embedder)
    assert m4.fingerprint != m1.fingerprint
    # Only the serving build is kept.
    assert len(list((tmp_path / ".builds").iterdir())) == 1


def test_killed_build_leaves_the_old_index_serving(index_settings, embedder, tmp_path):
    s = _settings(index_settings, tmp_path)
    build_index(_docs(), s, embedder=embedder)
    before = load_index(s).manifest

    def die(stage, done, total):
        if stage == "embed":
            raise KeyboardInterrupt  # what a Ctrl-C or kill mid-build looks like to Python

    with pytest.raises(KeyboardInterrupt):
        build_index(_docs(5), s, embedder=embedder, progress=die)
    after = load_index(s)
    assert after.manifest == before and after.size == before.chunks
    assert not list((tmp_path / ".builds").glob("*.partial"))


def test_the_manifest_keeps_the_abbreviations_the_documents_define(index_settings, embedder, tmp_path):
    docs = _docs(3)
    for doc in docs[:2]:
        doc.sections[0].text += " Follow the raised bed planting (RBP) plan."
    _, m, _ = build_index(docs, _settings(index_settings, tmp_path), embedder=embedder)
    assert m.abbreviations == {"RBP": "raised bed planting"}
    assert "abbreviations" in m.stage_seconds


def test_empty_corpus_is_refused(index_settings, tmp_path):
    with pytest.raises(GuideIndexError, match="no documents"):
        build_index([], _settings(index_settings, tmp_path))


def test_sentence_vectors_are_stored_for_every_quotable_sentence(index_settings, built_index, embedder):
    from rag.text import quotable_spans

    ix = load_index(index_settings)
    assert ix.manifest.sentences == ix.sentences.shape[0] > ix.size  # several sentences per chunk
    assert ix.sentences.dtype == np.float16
    chunk = next(c for c in ix.chunks(list(range(ix.size))) if len(quotable_spans(c.text)) >= 2)
    stored = ix.sentence_vectors([chunk.id])[chunk.id]
    assert list(stored) == quotable_spans(chunk.text)
    # The default pools each sentence from its chunk's pass: near the sentence encoded alone (it also carries the
    # chunk's topic), and nearer its own sentence than the chunk's other sentences are on average.
    fresh = embedder.encode_documents([chunk.text[a:b] for a, b in stored])
    sims = np.array(list(stored.values()), dtype=np.float32) @ fresh.T
    assert np.allclose(np.linalg.norm(np.array(list(stored.values()), dtype=np.float32), axis=1), 1, atol=0.01)
    assert sims.diagonal().min() > 0.5 and sims.diagonal().mean() > sims.mean() - 1e-6


def test_encoded_sentence_vectors_are_each_sentence_on_its_own(index_settings, embedder, tmp_path, monkeypatch):
    from rag.indexing.chunking import embed_prefix
    from rag.pipeline import Pipeline
    from rag.text import quotable_spans

    pooled_settings = _settings(index_settings, tmp_path / "pooled", embedding={"sentence_vectors": "pooled"})
    s = _settings(index_settings, tmp_path / "encoded", embedding={"sentence_vectors": "encoded"})
    docs = _docs()
    _, pooled, _ = build_index(docs, pooled_settings, embedder=embedder)
    path, manifest, _ = build_index(docs, s, embedder=embedder)
    assert manifest.sentence_vectors == "encoded" and pooled.sentence_vectors == "pooled"
    assert manifest.fingerprint != pooled.fingerprint  # a different index, so a rebuild is not skipped
    ix = load_index(s)
    chunk = ix.chunks([0])[0]
    stored = ix.sentence_vectors([chunk.id])[chunk.id]
    spans = quotable_spans(chunk.text)
    assert list(stored) == spans and len(spans) == 2
    fresh = embedder.encode_documents([chunk.text[a:b] for a, b in spans])
    for vec, again in zip(stored.values(), fresh):
        assert float(vec @ again) > 0.98  # the same vector, float16 and int8 batch effects aside
    pooled_vec = load_index(pooled_settings).sentence_vectors([chunk.id])[chunk.id][spans[0]]
    # Pooled vectors are the chunk's own forward pass, averaged over each sentence's tokens.
    prefix = embed_prefix(ix.document(chunk.doc_id).title, chunk.section, s.chunking.prefix)
    _, passes = embedder.encode_documents_with_spans([prefix + chunk.text], [[(a + len(prefix), b + len(prefix)) for a, b in spans]])
    assert float(pooled_vec @ passes[0][0]) > 0.98
    assert float(pooled_vec @ fresh[0]) < float(stored[spans[0]] @ fresh[0]) - 0.05  # and not the pooled one
    # Answers over it encode only the question: nothing to re-encode.
    pipe = Pipeline(s)
    encoded: list[int] = []
    real = pipe.embedder.encode_documents
    monkeypatch.setattr(pipe.embedder, "encode_documents", lambda texts, **kw: encoded.append(len(texts)) or real(texts, **kw))
    answer = pipe.ask("When should the roses in row 1 be pruned?")
    assert answer.references and encoded == []


def test_progress_counts_characters_to_cut_and_word_pieces_to_encode(index_settings, embedder, tmp_path):
    # Counted in work, not items, so an ETA holds when long guidelines and short abstracts mix.
    s = _settings(index_settings, tmp_path)
    docs = _docs(4)
    seen: dict[str, list[tuple[int, int]]] = {}
    _, manifest, _ = build_index(docs, s, embedder=embedder, use_cache=False,
                                 progress=lambda stage, done, total: seen.setdefault(stage, []).append((done, total)))
    chars = sum(len(sec.text) for d in docs for sec in d.sections)
    assert seen["chunk"][-1] == (chars, chars)
    pieces = [done for done, _ in seen["embed"]]
    assert pieces == sorted(pieces) and seen["embed"][-1][0] == seen["embed"][-1][1]
    assert seen["embed"][-1][1] == sum(c.n_tokens for c in load_index(s).chunks(range(manifest.chunks)))
