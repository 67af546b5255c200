"""FileMeta, FileRejected and the report rows."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from rag.corpus.files.meta import FileMeta, FileRejected, Rejection


def test_blank_values_say_nothing_and_unknown_fields_are_errors():
    meta = FileMeta(title="  ", source=" WHO ", identifiers={"first_released": 2009})
    assert (meta.title, meta.source, meta.identifiers) == (None, "WHO", {"first_released": "2009"})
    with pytest.raises(ValidationError):
        FileMeta(titel="typo")
    with pytest.raises(ValidationError):
        FileMeta(kind="leaflet")


def test_rejection_carries_its_reason():
    exc = FileRejected("encrypted PDF: guideqa cannot read password-protected files")
    assert exc.reason == str(exc)
    assert Rejection(path="a.pdf", reason=exc.reason).model_dump() == {"path": "a.pdf", "reason": exc.reason}
