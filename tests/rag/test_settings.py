import pytest
from pydantic import BaseModel, ValidationError

from rag.settings import Settings, get_settings


def test_nested_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("GUIDEQA_RETRIEVAL__K", "20")
    monkeypatch.setenv("GUIDEQA_CORPUS__MIRROR", str(tmp_path))
    monkeypatch.setenv("GUIDEQA_EMBEDDING__MODEL", "some/other-model")
    s = Settings()
    assert s.retrieval.k == 20
    assert s.corpus.mirror == tmp_path
    assert s.embedding.model == "some/other-model"


def test_misspelled_option_is_rejected():
    with pytest.raises(ValidationError):
        Settings(retrieval={"kk": 3})
    with pytest.raises(ValidationError):
        Settings(retreival={"k": 3})


def test_invalid_value_is_rejected(monkeypatch):
    monkeypatch.setenv("GUIDEQA_RETRIEVAL__K", "0")
    with pytest.raises(ValidationError):
        Settings()


def test_every_field_is_documented():
    for section in Settings.model_fields.values():
        assert section.description
        if isinstance(section.annotation, type) and issubclass(section.annotation, BaseModel):
            for name, field in section.annotation.model_fields.items():
                assert field.description, name


def test_get_settings_normalises_inputs(tmp_path):
    s = Settings(retrieval={"k": 5})
    assert get_settings(s) is s
    assert get_settings({"retrieval": {"k": 6}}).retrieval.k == 6
    path = tmp_path / "preset.json"
    path.write_text('{"retrieval": {"k": 7}}')
    assert get_settings(path).retrieval.k == 7


def test_related_threshold_cannot_exceed_abstain_threshold():
    with pytest.raises(ValidationError):
        Settings(answer={"abstain_threshold": 0.3, "related_threshold": 0.4})
