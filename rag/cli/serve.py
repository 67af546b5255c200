"""`guideqa serve` (the HTTP API and web page) and `guideqa llm-serve` (the offline LLM)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from rag.cli.common import IndexOpt, console, fail, load_pipeline, load_settings


def serve(
    host: Annotated[Optional[str], typer.Option(help="Address to bind (default: settings.api.host, 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default: settings.api.port, 8000).")] = None,
    index: IndexOpt = None,
    engine: Annotated[str, typer.Option("--engine", help="Where a sharded index's shards are searched: 'local' (this process) or 'ray' (one replica actor per shard, restarted when it dies).")] = "local",
    address: Annotated[Optional[str], typer.Option("--address", help="With --engine ray: the cluster, 'auto' or ray://HOST:PORT (default: a local Ray).")] = None,
) -> None:
    """Serve the HTTP API and the web page with uvicorn. The index and model load once, before the server starts."""
    import contextlib

    import uvicorn

    from api.app import create_app

    s = load_settings(index)
    if engine not in ("local", "ray"):
        fail(f"--engine must be 'local' or 'ray', not {engine!r}")
    if address is not None:
        s.cluster.address = address
    with contextlib.ExitStack() as stack:
        searchers_for = None
        if engine == "ray":
            from rag.distributed.cluster import ClusterError, connected
            from rag.distributed.serve import Replicas

            try:
                stack.enter_context(connected(s))
            except ClusterError as exc:
                fail(str(exc))
            replicas = Replicas(s)
            stack.callback(replicas.stop)
            searchers_for = replicas.searchers
        pipe = load_pipeline(s, searchers_for)  # fails here, with the reason, if the index or model cannot load
        pipe.warm()  # the guideline titles the ranker reads, encoded before the first answer
        host = host or s.api.host
        port = port or s.api.port
        shards = pipe.index.manifest.shards
        where = (f", {len(shards)} shards on {'Ray replicas' if engine == 'ray' else 'this process'}" if shards else
                 (" (one folder: searched in this process)" if engine == "ray" else ""))
        console.print(f"guideqa serving index {pipe.index.info.name!r}{where} on http://{host}:{port}/  (API docs: /docs)")
        uvicorn.run(create_app(s, pipeline=pipe), host=host, port=port, log_level="warning")


def llm_serve(
    port: Annotated[int, typer.Option(help="Loopback port for the OpenAI-compatible server.")] = 8080,
    n_ctx: Annotated[int, typer.Option("--n-ctx", help="Context window in model tokens.")] = 8192,
) -> None:
    """Serve the offline LLM (SmolLM2-135M-Instruct on llama.cpp) for GUIDEQA_WRITER=llm; `make llm` installs it."""
    import subprocess

    from rag.answering.local_llm import MODEL_ALIAS, LocalLLMError, server_command

    try:
        cmd = server_command(port, n_ctx=n_ctx)
    except LocalLLMError as exc:
        fail(str(exc), code=1)
    console.print(f"serving {MODEL_ALIAS} on http://127.0.0.1:{port}/v1 - in another shell:\n"
                  f"  GUIDEQA_WRITER=llm GUIDEQA_LLM__BASE_URL=http://127.0.0.1:{port}/v1 "
                  f"GUIDEQA_LLM__MODEL={MODEL_ALIAS} .venv/bin/guideqa ask \"...\"")
    raise typer.Exit(subprocess.call(cmd))
