"""Sidecar metadata files and the precedence merge."""

from __future__ import annotations

import pytest

from rag.corpus.files.meta import FileMeta, FileRejected
from rag.corpus.files.sidecar import is_sidecar, merge, read_sidecar, sidecar_for


def test_sidecar_is_the_whole_file_name_plus_yaml_yml_or_json(tmp_path):
    doc = tmp_path / "guide.pdf"
    doc.write_bytes(b"%PDF")
    assert sidecar_for(doc) is None
    (tmp_path / "guide.yaml").write_text("title: not mine\n")  # the stem alone is not this file's sidecar
    assert sidecar_for(doc) is None
    side = tmp_path / "guide.pdf.yml"
    side.write_text("title: Mine\n")
    assert sidecar_for(doc) == side and is_sidecar(side) and not is_sidecar(doc)
    assert read_sidecar(side) == FileMeta(title="Mine")


@pytest.mark.parametrize("text, reason", [
    ("- a list\n", "must hold a mapping"), ("year: soon\n", "year: Input should be a valid integer"),
    ("title: [unclosed\n", "cannot be read"),
])
def test_bad_sidecars_say_what_is_wrong(tmp_path, text, reason):
    side = tmp_path / "g.txt.yaml"
    side.write_text(text)
    with pytest.raises(FileRejected, match=reason):
        read_sidecar(side)


def test_merge_takes_each_field_from_the_highest_layer_that_gives_it():
    top = FileMeta(title="Override", identifiers={"status": "withdrawn"})
    middle = FileMeta(title="Sidecar", year=2018, identifiers={"status": "current", "first_released": "2009"})
    bottom = FileMeta(title="File", source="Body", year=2016)
    merged = merge(top, None, middle, bottom)
    assert (merged.title, merged.source, merged.year) == ("Override", "Body", 2018)
    assert merged.identifiers == {"status": "withdrawn", "first_released": "2009"}
    assert merge() == FileMeta()
