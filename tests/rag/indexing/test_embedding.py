import numpy as np

from rag.indexing.embedding import cpu_has_amx, get_embedder, resolve_backend
from rag.settings import Settings
from tests.rag.indexing.test_onnx_encoder import TEXTS as SENTENCES

# More than one batch, so the bf16 path (not the short-list ONNX path) encodes them.
TEXTS = SENTENCES * 5


def test_auto_is_bf16_exactly_where_the_cpu_has_amx():
    assert resolve_backend("auto") == ("bf16" if cpu_has_amx() else "onnx-int8")
    for name in ("bf16", "torch", "onnx", "onnx-int8"):
        assert resolve_backend(name) == name


def test_bf16_documents_match_fp32_and_queries_run_on_onnx():
    fp32 = get_embedder(Settings(embedding={"backend": "torch"}))
    bf16 = get_embedder(Settings(embedding={"backend": "bf16", "batch_size": 4}))
    assert bf16.backend == "bf16" and bf16.id.endswith("|bf16") and bf16.onnx.path.name == "model.onnx"
    docs, ref = bf16.encode_documents(TEXTS), fp32.encode_documents(TEXTS)
    assert docs.shape == ref.shape and np.allclose(np.linalg.norm(docs, axis=1), 1, atol=1e-5)
    assert (docs * ref).sum(1).min() > 0.999  # bfloat16 products, fp32 accumulation: far closer than int8 (0.97+)
    query = bf16.encode_queries(TEXTS[:1])
    assert float(query[0] @ fp32.encode_queries(TEXTS[:1])[0]) > 0.9999  # ONNX fp32 is torch fp32


def test_bf16_sentence_vectors_pool_the_same_pass_as_fp32():
    fp32 = get_embedder(Settings(embedding={"backend": "torch"}))
    bf16 = get_embedder(Settings(embedding={"backend": "bf16", "batch_size": 4}))
    spans = [[(0, len(t) // 2), (len(t) // 2, len(t))] for t in TEXTS]
    (v1, s1), (v2, s2) = fp32.encode_documents_with_spans(TEXTS, spans), bf16.encode_documents_with_spans(TEXTS, spans)
    assert (v1 * v2).sum(1).min() > 0.999
    assert all(a.shape == b.shape == (2, 384) and (a * b).sum(1).min() > 0.998 for a, b in zip(s1, s2))


def test_bf16_opens_its_query_session_only_when_a_question_is_encoded():
    # A build encodes documents only; ONNX Runtime's session (about 150 MB) is not loaded for it.
    e = get_embedder(Settings(embedding={"backend": "bf16", "batch_size": 2}))
    e.encode_documents_with_spans(TEXTS, [[(0, 5)] for _ in TEXTS])
    e.encode_documents(TEXTS)
    assert e._onnx is None
    e.encode_queries(TEXTS[:1])
    assert e._onnx is not None
