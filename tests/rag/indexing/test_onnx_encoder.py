import numpy as np
import pytest

from rag.indexing.embedding import EmbeddingError, get_embedder
from rag.settings import Settings

# Invented sentences of different lengths, so batches need padding.
TEXTS = [
    "Water the tomato plants every morning.",
    "Prune the roses in early spring, before the buds open, and feed them after the first flush of flowers.",
    "Bees visit lavender.",
    "A compost heap needs a mix of green kitchen scraps and brown material such as dry leaves or shredded card, "
    "turned every few weeks so that air reaches the middle and the heap does not begin to smell.",
]


@pytest.fixture(scope="module")
def vectors():
    out = {}
    for backend in ("torch", "onnx", "onnx-int8"):
        e = get_embedder(Settings(embedding={"backend": backend}))
        out[backend] = (e.encode_documents(TEXTS), e.encode_queries(TEXTS[:1]), e)
    return out


def test_onnx_fp32_gives_the_torch_vectors(vectors):
    torch_docs, torch_query, _ = vectors["torch"]
    docs, query, e = vectors["onnx"]
    assert docs.shape == torch_docs.shape == (len(TEXTS), 384) and docs.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs, axis=1), 1, atol=1e-5)
    assert (docs * torch_docs).sum(1).min() > 0.9999  # same model, same pooling, same order
    assert float(query[0] @ torch_query[0]) > 0.9999
    assert e.id.endswith("|onnx") and e.onnx.path.name == "model.onnx"


def test_int8_stays_close_to_fp32_and_keeps_the_ranking(vectors):
    fp32 = vectors["onnx"][0]
    int8, _, e = vectors["onnx-int8"]
    assert e.onnx.path.name == "model-int8.onnx" and e.onnx.path.stat().st_size < 40e6  # ~4x smaller than fp32
    assert (int8 * fp32).sum(1).min() > 0.97
    # Each text is still nearest to itself, and the ranking of the others barely moves.
    sims_fp32, sims_int8 = fp32 @ fp32.T, int8 @ int8.T
    assert (sims_int8.argmax(1) == np.arange(len(TEXTS))).all()
    assert np.abs(sims_fp32 - sims_int8).max() < 0.05


def test_the_export_is_made_once_and_reused(vectors, tmp_path):
    path = vectors["onnx"][2].onnx.path
    before = path.stat().st_mtime_ns
    again = get_embedder(Settings(embedding={"backend": "onnx", "batch_size": 7}))  # a new Embedder, same export
    assert again is not vectors["onnx"][2] and again.onnx.path == path and path.stat().st_mtime_ns == before


def test_a_corrupt_export_gives_a_clear_error(tmp_path):
    from rag.indexing.onnx_encoder import OnnxEncoder, OnnxExportError

    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"not an onnx graph")
    with pytest.raises(OnnxExportError, match="delete it to re-export"):
        OnnxEncoder(get_embedder(Settings()).model, bad)


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError):
        Settings(embedding={"backend": "tensorrt"})


def test_an_unloadable_model_names_the_backend_switch(tmp_path):
    with pytest.raises(EmbeddingError):
        get_embedder(Settings(embedding={"model": str(tmp_path / "missing-model")}))
