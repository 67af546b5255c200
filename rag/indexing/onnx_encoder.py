"""Run a sentence-transformers encoder with ONNX Runtime, exported once from the local weights.

Why a direct torch.onnx export and not sentence-transformers' own `backend="onnx"`:
that path needs optimum-onnx, which caps transformers below 4.58 and so would pin
sentence-transformers back to 5.x. The export below takes a couple of seconds, runs
offline, and keeps the current releases.

The exported graph is the transformer plus the model's pooling (mean or CLS); vectors
are L2-normalised afterwards, as sentence-transformers does with `normalize_embeddings`.
The int8 variant is ONNX Runtime's dynamic quantization with per-channel weight scales:
per-tensor scales lost too much here (cosine to fp32 0.95 vs 0.993 per-channel).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

EXPORT_VERSION = 2  # bump when the exported graph changes, so old exports are not reused
OPSET = 17
_LOCK = threading.Lock()


class OnnxExportError(RuntimeError):
    pass


def _model_stamp(st_model, model_path: str) -> str:
    """Identify the weights cheaply: file names, sizes and mtimes of the model folder (or the name for hub ids)."""
    h = hashlib.sha256(f"v{EXPORT_VERSION}:{model_path}".encode())
    root = Path(model_path)
    if root.is_dir():
        for f in sorted(p for p in root.rglob("*") if p.is_file()):
            st = f.stat()
            h.update(f"{f.relative_to(root)}:{st.st_size}:{int(st.st_mtime)}".encode())
    return h.hexdigest()[:16]


def _pooling_mode(st_model) -> str:
    for module in st_model:
        config = module.get_config_dict() if hasattr(module, "get_config_dict") else {}
        if "pooling_mode" in config:
            mode = config["pooling_mode"]
            if mode not in ("mean", "cls"):
                raise OnnxExportError(f"ONNX export supports mean or CLS pooling, not {mode!r}; use embedding.backend=torch")
            return mode
    return "mean"


def _export(st_model, path: Path) -> None:
    import torch

    transformer = st_model[0].auto_model
    mode = _pooling_mode(st_model)

    class Pooled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            if mode == "cls":
                pooled = hidden[:, 0]
            else:
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            # Token vectors too: sentence vectors are pooled from them at build time, for free.
            return pooled, hidden

    # Eager attention exports to plain ops that ONNX Runtime fuses on load; SDPA does not export cleanly.
    if hasattr(transformer, "set_attn_implementation"):
        transformer.set_attn_implementation("eager")
    else:  # pragma: no cover - older transformers
        transformer.config._attn_implementation = "eager"
    sample = st_model.tokenizer(["a b c", "d"], padding=True, return_tensors="pt")
    if "token_type_ids" not in sample:
        sample["token_type_ids"] = torch.zeros_like(sample["input_ids"])
    names = ["input_ids", "attention_mask", "token_type_ids"]
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about shape-dependent branches in the attention mask code
        torch.onnx.export(
            Pooled().eval(), tuple(sample[n] for n in names), str(tmp),
            input_names=names, output_names=["embedding", "token_embeddings"], opset_version=OPSET, dynamo=False,
            dynamic_axes={n: {0: "batch", 1: "tokens"} for n in names}
            | {"embedding": {0: "batch"}, "token_embeddings": {0: "batch", 1: "tokens"}},
        )
    os.replace(tmp, path)


def _quantize(source: Path, path: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    quantize_dynamic(str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
    os.replace(tmp, path)


def exported_model(st_model, model_path: str, cache_dir: Path, int8: bool) -> Path:
    """The ONNX file for this model (exported, and quantized, on first use; atomic, so concurrent builds are safe)."""
    folder = Path(cache_dir) / "onnx" / f"{Path(model_path).name}-{_model_stamp(st_model, model_path)}"
    fp32, q8 = folder / "model.onnx", folder / "model-int8.onnx"
    with _LOCK:
        folder.mkdir(parents=True, exist_ok=True)
        if not fp32.exists():
            log.info("exporting %s to ONNX (once) in %s", model_path, folder)
            _export(st_model, fp32)
            (folder / "source.json").write_text(json.dumps({"model": model_path, "export_version": EXPORT_VERSION}), encoding="utf-8")
        if int8 and not q8.exists():
            _quantize(fp32, q8)
    return q8 if int8 else fp32


class OnnxEncoder:
    """Pooled, normalised sentence vectors from an exported model; session.run is thread-safe."""

    def __init__(self, st_model, onnx_path: Path, threads: int = 0):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle worker threads sleep instead of spinning: on 2 cores a spinning pool steals the CPU
        # that the web server's other threads need between requests.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise OnnxExportError(f"cannot load {onnx_path} (delete it to re-export): {exc}") from exc
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = st_model.tokenizer
        self.max_length = int(st_model.max_seq_length)
        self.path = onnx_path

    def encode(self, texts: Sequence[str], batch_size: int, spans: Sequence[Sequence[tuple[int, int]]] | None = None):
        """Normalised vectors of `texts`; with `spans`, also each text's span vectors (mean of the span's tokens)."""
        order = np.argsort([-len(t) for t in texts], kind="stable")  # similar lengths share a batch: less padding
        vectors = np.empty((len(texts), 0), dtype=np.float32)
        span_vectors: list[np.ndarray] = [np.empty(0)] * len(texts)
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            enc = self.tokenizer([texts[r] for r in rows], padding=True, truncation=True, max_length=self.max_length,
                                 return_tensors="np", return_offsets_mapping=spans is not None)
            feed = {k: enc[k].astype(np.int64) for k in ("input_ids", "attention_mask") if k in self.inputs}
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = enc.get("token_type_ids", np.zeros_like(enc["input_ids"])).astype(np.int64)
            pooled, tokens = self.session.run(None, feed)
            if vectors.shape[1] == 0:
                vectors = np.empty((len(texts), pooled.shape[1]), dtype=np.float32)
            vectors[rows] = pooled
            if spans is not None:
                for i, r in enumerate(rows):
                    span_vectors[r] = pool_spans(tokens[i], enc["offset_mapping"][i], enc["attention_mask"][i], spans[r])
        vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        return (vectors, span_vectors) if spans is not None else vectors


def pool_spans(tokens: np.ndarray, offsets: np.ndarray, mask: np.ndarray, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """Mean of the token vectors inside each character span, normalised (late pooling from one forward pass)."""
    out = np.zeros((len(spans), tokens.shape[-1]), dtype=np.float32)
    real = (mask > 0) & (offsets[:, 1] > offsets[:, 0])  # no padding, no [CLS]/[SEP]
    for j, (a, b) in enumerate(spans):
        inside = real & (offsets[:, 0] >= a) & (offsets[:, 1] <= b)
        if not inside.any():  # span cut off by truncation: fall back to the whole text
            inside = real
        v = tokens[inside].mean(0)
        out[j] = v / max(float(np.linalg.norm(v)), 1e-12)
    return out
