"""A local OpenAI-compatible chat server with scripted or evidence-copying replies.

It lets tests and evals run the LLM writer's real path (ChatOpenAI -> HTTP ->
parse -> verify) with no hosted service and no model:

- `script`: replies from a list, in order (the last one repeats);
- `echo`: a reply assembled from the prompt's own evidence passages: from the
  few passages that share most words with the question, the best-matching
  sentence of each, copied and cited, under the writer's headings.
  `faults` add what verification must catch: `unsupported` (a sentence its
  citation does not support), `bogus` (a citation to a passage number the
  prompt never had) and `uncited` (a sentence with no citation).

Rewrite prompts get the rule-like "earlier topic + latest message"; judge
prompts get "yes". `delay_s` makes every reply late, for timeout tests.

    python -m tests.stubs.llm_server --port 8399 --mode echo --fault unsupported --fault bogus
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

from fastapi import FastAPI
from pydantic import BaseModel, Field

from rag.answering.prompts import EVIDENCE_CLOSE, EVIDENCE_OPEN, KIND_LABELS

Fault = Literal["unsupported", "bogus", "uncited"]
# Deliberately off-topic, so no medical passage can support it.
UNSUPPORTED_SENTENCE = "The moon is made of green cheese"
UNCITED_SENTENCE = "This sentence cites nothing at all."


class StubConfig(BaseModel):
    mode: Literal["echo", "script"] = "echo"
    script: list[str] = Field(default_factory=list)
    faults: list[Fault] = Field(default_factory=list)
    delay_s: float = 0.0
    model: str = "guideqa-stub"
    max_sentences: int = 4


class ChatRequest(BaseModel):
    model: str = ""
    messages: list[dict[str, Any]]
    model_config = {"extra": "allow"}


def _text(message: dict[str, Any]) -> str:
    content = message.get("content") or ""
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def evidence_passages(prompt: str) -> list[tuple[int, str, str]]:
    """(n, kind, text) of each numbered passage in a writer prompt."""
    if EVIDENCE_OPEN not in prompt:
        return []
    block = prompt.split(EVIDENCE_OPEN, 1)[1].split(EVIDENCE_CLOSE, 1)[0]
    labels = {label: kind for kind, label in KIND_LABELS.items()}
    out: list[tuple[int, str, str]] = []
    kind, current, lines = "guideline", None, []
    for line in block.splitlines():
        if line.strip() in labels:
            kind = labels[line.strip()]
            continue
        m = re.match(r"^\[(\d+)\] ", line)
        if m:
            if current:
                out.append((current[0], current[1], "\n".join(lines).strip()))
            current, lines = (int(m.group(1)), kind), []
        elif current:
            lines.append(line)
    if current:
        out.append((current[0], current[1], "\n".join(lines).strip()))
    return out


def echo_reply(prompt: str, faults: Sequence[Fault] = (), max_sentences: int = 4) -> str:
    """A well-formed answer copied from the passages, plus the requested faults."""
    from rag.text import split_sentences

    question = re.search(r"^Question: (.+)$", prompt, flags=re.M)
    asked = set(re.findall(r"[a-z]{3,}", question.group(1).lower())) if question else set()

    def overlap(sentence: str) -> int:
        return len(asked & set(re.findall(r"[a-z]{3,}", sentence.lower())))

    best: list[tuple[int, int, str, str]] = []  # (overlap, n, kind, sentence)
    for n, kind, text in evidence_passages(prompt):
        # Each passage's sentence sharing most words with the question (the first, on a tie).
        options = [s for s in split_sentences(text) if len(s.split()) >= 6 and s.endswith(".")]
        if options:
            sentence = max(options, key=overlap)
            best.append((overlap(sentence), n, kind, sentence))
    # The passages that match the question best, written in prompt order.
    chosen = sorted(sorted(best, key=lambda b: -b[0])[:max_sentences], key=lambda b: b[1])
    picked = [(n, kind, sentence) for _, n, kind, sentence in chosen]
    if not picked:
        return "NOT ADDRESSED"
    guideline = [p for p in picked if p[1] == "guideline"]
    research = [p for p in picked if p[1] != "guideline"]
    lines: list[str] = []
    total = len(picked) + 10
    if guideline:
        n, _, sentence = guideline[0]
        bogus = f"[{total}]" if "bogus" in faults else ""
        lines += ["BOTTOM LINE:", f"{sentence} [{n}]{bogus}"]
        if len(guideline) > 1:
            lines.append("KEY CONSIDERATIONS:")
            lines += [f"- {s} [{n}]" for n, _, s in guideline[1:]]
    if research:
        lines.append("RESEARCH FINDINGS:")
        lines += [f"- {s} [{n}]" for n, _, s in research]
        if "bogus" in faults and not guideline:
            lines[-1] += f"[{total}]"
    if "unsupported" in faults:
        lines.append(f"- {UNSUPPORTED_SENTENCE} [{picked[0][0]}].")
    if "uncited" in faults:
        lines.append(f"- {UNCITED_SENTENCE}")
    return "\n".join(lines)


def rewrite_reply(prompt: str) -> str:
    """Earlier topic + latest message, as a careful rewriter would for a short follow-up."""
    latest = re.search(r"Latest message:\s*(.+)", prompt)
    earlier = re.findall(r"^\d+\. (.+?)(?: \(searched as: (.+)\))?$", prompt, flags=re.M)
    message = latest.group(1).strip() if latest else ""
    if not earlier:
        return message
    question, searched = earlier[-1]
    topic = (searched or question).rstrip(" ?.")
    return f"{topic}: {message}"


def create_app(config: StubConfig) -> FastAPI:
    app = FastAPI(title="guideqa LLM stub")
    state = {"calls": 0, "requests": []}
    lock = threading.Lock()

    @app.get("/v1/models")
    def models() -> dict:
        return {"object": "list", "data": [{"id": config.model, "object": "model", "owned_by": "guideqa"}]}

    @app.get("/stub/requests")
    def requests() -> list:
        return state["requests"]

    @app.post("/v1/chat/completions")
    def chat(body: ChatRequest) -> dict:
        # The last user message holds the question and evidence (the system prompt names the markers too).
        users = [m for m in body.messages if m.get("role") == "user"]
        prompt = _text(users[-1]) if users else "\n".join(_text(m) for m in body.messages)
        with lock:
            i = state["calls"]
            state["calls"] += 1
            state["requests"].append(body.model_dump())
        if config.delay_s:
            time.sleep(config.delay_s)
        if config.mode == "script":
            content = config.script[min(i, len(config.script) - 1)] if config.script else ""
        elif "Latest message:" in prompt:
            content = rewrite_reply(prompt)
        elif "Reply with one word: yes or no." in prompt:
            content = "yes"
        else:
            content = echo_reply(prompt, config.faults, config.max_sentences)
        words = len(prompt.split())
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion", "created": int(time.time()),
            "model": body.model or config.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": words, "completion_tokens": len(content.split()),
                      "total_tokens": words + len(content.split())},
        }

    return app


@contextmanager
def running_stub(config: StubConfig | None = None, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve the stub on a free loopback port in a background thread; yields its /v1 base URL."""
    import socket

    import uvicorn

    with socket.socket() as sock:
        sock.bind((host, 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(config or StubConfig()), host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the LLM stub did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def load_script(path: str) -> list[str]:
    """A JSON list of reply strings, or JSONL with one string per line."""
    text = open(path, encoding="utf-8").read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = [json.loads(line) for line in text.splitlines() if line.strip()]
    if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
        raise ValueError(f"{path}: expected a JSON list of strings")
    return data


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the stub on a loopback port until interrupted (see the module docstring)."""
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m tests.stubs.llm_server",
                                     description="A local OpenAI-compatible stub LLM for tests and evals (no model, no network).")
    parser.add_argument("--port", type=int, default=8399, help="Loopback port to listen on.")
    parser.add_argument("--mode", default="echo", help="'echo' (copy sentences from the prompt's passages) or 'script'.")
    parser.add_argument("--script", help="JSON list of replies, served in order (mode script).")
    parser.add_argument("--fault", action="append", default=[], help="echo faults: unsupported, bogus, uncited (repeatable).")
    parser.add_argument("--delay-s", type=float, default=0.0, help="Seconds to wait before every reply.")
    args = parser.parse_args(argv)
    try:
        config = StubConfig(mode=args.mode, script=load_script(args.script) if args.script else [], faults=args.fault,
                            delay_s=args.delay_s)
    except (ValueError, OSError) as exc:
        parser.exit(2, f"error: {exc}\n")
    print(f"stub LLM on http://127.0.0.1:{args.port}/v1 (GUIDEQA_LLM__BASE_URL), model {config.model!r}")
    uvicorn.run(create_app(config), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
