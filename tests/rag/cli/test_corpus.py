"""`guideqa corpus add|remove|list` end to end through typer's runner, on a private copy of the session's index."""

import json

import pytest
from typer.testing import CliRunner

from rag.cli import app
from tests.rag.indexing.updates_helpers import copy_index

runner = CliRunner()
SHED = "---\ntitle: Shed care\nsource: Shed Society\nyear: 2021\n---\n# Oiling\nOil the hinges of the shed door twice a year to stop squeaking.\n"


@pytest.fixture
def cli_index(index_settings, built_index, tmp_path, monkeypatch):
    s = copy_index(index_settings, tmp_path / "indexes")
    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(s.index.dir))
    monkeypatch.setenv("GUIDEQA_INDEX__NAME", "u")
    return s


def _run(*args: str):
    return runner.invoke(app, ["corpus", *args])


def _added(index: str = "u") -> list[dict]:
    result = _run("list", "--index", index, "--json", "--added")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_add_list_and_remove_a_file(cli_index, tmp_path):
    note = tmp_path / "shed.md"
    note.write_text(SHED)
    info_before = json.loads(runner.invoke(app, ["index", "info", "--name", "u"]).stdout)
    result = _run("add", str(note), "--index", "u")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "added" in text and "shed.md → file:" in text and "“Shed care” (1 chunks)" in text and "1 added, 0 replaced" in text
    [entry] = _added()
    assert entry["title"] == "Shed care" and entry["added_by_user"] and entry["chunks"] == 1
    info = json.loads(runner.invoke(app, ["index", "info", "--name", "u"]).stdout)
    assert info["documents"] == info_before["documents"] + 1 and info["fingerprint"] != info_before["fingerprint"]
    assert info["updates"]["added_documents"] == 1
    # The same file again replaces it.
    again = _run("add", str(note))
    assert again.exit_code == 0 and "replaced" in again.stdout and len(_added()) == 1
    removed = _run("remove", entry["id"], "--index", "u")
    assert removed.exit_code == 0 and f"removed {entry['id']}" in removed.stdout
    assert _added() == []
    info_after = json.loads(runner.invoke(app, ["index", "info", "--name", "u"]).stdout)
    assert info_after["fingerprint"] == info_before["fingerprint"]


def test_removing_an_unknown_id_fails_and_names_it(cli_index):
    result = _run("remove", "file:0000", "ngc-10908")
    assert result.exit_code == 1 and "file:0000" in result.output and "nothing was removed" in " ".join(result.output.split())
    assert any(e["id"] == "ngc-10908" for e in json.loads(_run("list", "--json").stdout))
    assert _run("remove", "ngc-10908").exit_code == 0
    assert not any(e["id"] == "ngc-10908" for e in json.loads(_run("list", "--json").stdout))


def test_nothing_readable_is_a_failure_with_reasons(cli_index, tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_text("")
    result = _run("add", str(empty), str(tmp_path / "missing.pdf"))
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "rejected" in out and "empty.md" in out and "missing.pdf" in out and "nothing was added" in out


def test_a_folder_and_metadata_options(cli_index, tmp_path):
    folder = tmp_path / "notes"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.md").write_text("# Bikes\nOil the bicycle chain every month.\n")
    (folder / "sub" / "b.txt").write_text("Check the tyre pressure of the bicycle every week.\n")
    (folder / "ignored.csv").write_text("a,b\n")
    result = _run("add", str(folder), "--kind", "research", "--source", "Bike Club", "--year", "2019", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert len(out["files"]) == 2 and out["rejected"] == [] and out["report"]["added"]
    entries = _added()
    assert {e["kind"] for e in entries} == {"research"} and {e["source"] for e in entries} == {"Bike Club"}
    assert {e["year"] for e in entries} == {2019}
    bad = _run("add", str(folder), "--kind", "poem")
    assert bad.exit_code != 0 and "kind" in bad.output
