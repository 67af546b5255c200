"""The LangChain chat model behind the LLM writer, built from settings.llm."""

from __future__ import annotations

import concurrent.futures
import importlib

from rag.settings import Settings


class LLMConfigError(ValueError):
    pass


def make_chat_model(settings: Settings):
    """A LangChain chat model: ChatOpenAI (OpenAI-compatible), ChatOllama, or any class named 'module:Class'."""
    c = settings.llm
    if not c.model:
        raise LLMConfigError("no LLM model configured (GUIDEQA_LLM__MODEL)")
    key = c.api_key.get_secret_value() if c.api_key else None
    if c.provider == "openai":
        from langchain_openai import ChatOpenAI

        # Local OpenAI-compatible servers ignore the key, but the client insists on one.
        return ChatOpenAI(model=c.model, base_url=c.base_url, api_key=key or "not-needed", temperature=c.temperature,
                          timeout=c.timeout_s, max_retries=c.max_retries, max_tokens=c.max_tokens, **c.options)
    if c.provider == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(model=c.model, base_url=c.base_url, temperature=c.temperature, num_predict=c.max_tokens,
                          client_kwargs={"timeout": c.timeout_s}, **c.options)
    module_name, _, class_name = c.provider.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise LLMConfigError(f"cannot import chat model class {c.provider!r}: {exc}") from exc
    kwargs = {"model": c.model, "temperature": c.temperature, "timeout": c.timeout_s, "max_tokens": c.max_tokens}
    if c.base_url:
        kwargs["base_url"] = c.base_url
    if key:
        kwargs["api_key"] = key
    return cls(**(kwargs | c.options))


def reply_text(message) -> str:
    """The text of a chat model's reply (content may be a string or a list of content blocks)."""
    content = getattr(message, "content", message)
    if isinstance(content, list):
        return "".join(part if isinstance(part, str) else str(part.get("text", "")) for part in content)
    return str(content or "")


# LLM calls run here so a wall-clock timeout holds even for chat models that ignore their own.
_CALLS = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="guideqa-llm")


class LLMTimeout(TimeoutError):
    pass


def invoke_with_timeout(chat, messages, timeout_s: float) -> str:
    future = _CALLS.submit(chat.invoke, messages)
    try:
        return reply_text(future.result(timeout=timeout_s))
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise LLMTimeout(f"no reply within {timeout_s:g} s") from None
