"""Building the chat model from settings: OpenAI-compatible, Ollama, or any class by path."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage
from pydantic import ValidationError

from rag.answering.chat_model import LLMConfigError, make_chat_model, reply_text
from rag.settings import Settings


class RecordingChat:
    """Stands in for a third-party chat model class named by path."""

    def __init__(self, **kwargs):
        self.kwargs = kwargs


def settings(**llm) -> Settings:
    return Settings(writer="llm", llm={"model": "m"} | llm)


def test_openai_compatible_endpoint_gets_every_setting():
    chat = make_chat_model(settings(provider="openai", base_url="http://127.0.0.1:8080/v1", api_key="k",
                                    timeout_s=7, max_tokens=123))
    assert type(chat).__name__ == "ChatOpenAI"
    assert chat.model_name == "m" and chat.openai_api_base == "http://127.0.0.1:8080/v1"
    assert chat.openai_api_key.get_secret_value() == "k" and chat.temperature == 0
    assert chat.request_timeout == 7 and chat.max_tokens == 123 and chat.max_retries == 0


def test_ollama_gets_every_setting():
    chat = make_chat_model(settings(provider="ollama", base_url="http://127.0.0.1:11434", timeout_s=9, max_tokens=50))
    assert type(chat).__name__ == "ChatOllama"
    assert chat.model == "m" and chat.base_url == "http://127.0.0.1:11434" and chat.temperature == 0
    assert chat.num_predict == 50 and chat.client_kwargs == {"timeout": 9}


def test_any_class_by_path_with_options(monkeypatch):
    chat = make_chat_model(settings(provider=f"{__name__}:RecordingChat", base_url="http://x", api_key="k",
                                    options={"top_p": 0.5}))
    assert isinstance(chat, RecordingChat)
    assert chat.kwargs == {"model": "m", "temperature": 0.0, "timeout": 30.0, "max_tokens": 700, "base_url": "http://x",
                           "api_key": "k", "top_p": 0.5}
    with pytest.raises(LLMConfigError, match="cannot import"):
        make_chat_model(settings(provider="no_such_module:Chat"))


def test_settings_refuse_an_unusable_llm_configuration(monkeypatch):
    with pytest.raises(ValidationError, match="llm.model"):
        Settings(writer="llm")
    with pytest.raises(ValidationError, match="provider"):
        settings(provider="anthropic")
    monkeypatch.setenv("GUIDEQA_WRITER", "llm")
    monkeypatch.setenv("GUIDEQA_LLM__MODEL", "qwen")
    monkeypatch.setenv("GUIDEQA_LLM__PROVIDER", "ollama")
    monkeypatch.setenv("GUIDEQA_LLM__TIMEOUT_S", "4.5")
    monkeypatch.setenv("GUIDEQA_LLM__API_KEY", "secret")
    s = Settings()
    assert (s.writer, s.llm.model, s.llm.provider, s.llm.timeout_s) == ("llm", "qwen", "ollama", 4.5)
    assert "secret" not in s.model_dump_json()  # the key never lands in logs or eval reports


def test_reply_text_reads_string_and_block_content():
    assert reply_text(AIMessage(content="plain")) == "plain"
    assert reply_text(AIMessage(content=[{"type": "text", "text": "a"}, "b"])) == "ab"
    assert reply_text(None) == ""
