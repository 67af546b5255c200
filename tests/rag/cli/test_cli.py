"""The CLI end to end through typer's runner, on the session's small real index."""

import json

import pytest
from typer.testing import CliRunner

from rag.cli import app

runner = CliRunner()
PDPH = "What needle type reduces the risk of post-dural puncture headache?"


@pytest.fixture
def env(index_settings, built_index, monkeypatch):
    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(index_settings.index.dir))
    monkeypatch.setenv("GUIDEQA_INDEX__NAME", "test")
    return index_settings


def test_ask_json_has_the_stable_fields(env):
    result = runner.invoke(app, ["ask", PDPH, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"question", "standalone_question", "sections", "references", "abstained", "disclaimer", "timings_ms", "index"}
    assert set(data["references"][0]) >= {"n", "doc_id", "kind", "title", "source", "year", "url", "pmid", "grade",
                                          "first_released", "status"}
    ref = next(r for r in data["references"] if r["doc_id"] == "ngc-10908")
    assert (ref["year"], ref["first_released"], ref["status"]) == (2016, 2016, "current release, updates an earlier version")
    assert set(data["sections"][0]) == {"title", "kind", "statements"}
    assert data["index"]["name"] == "test"


def test_ask_prints_sections_references_and_disclaimer(env):
    result = runner.invoke(app, ["ask", PDPH], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "From the Guidelines" in result.stdout and "References" in result.stdout
    assert "[1]" in result.stdout and "not medical advice" in result.stdout
    assert "Released 2016 · current release, updates an earlier version." in result.stdout  # ngc-10908


def test_render_answer_shows_status_and_notes():
    from rich.console import Console

    from rag.cli import render_answer
    from tests.rag.test_types import NEW, OLD, answer

    out = Console(record=True, width=250)
    render_answer(answer(NEW, OLD), out)
    text = out.export_text()
    assert "[1] Hand hygiene on wards. Example Society. Revised 2016 (first released 2009) · current release, reaffirmed" in text
    assert "Note: An older guideline (2012) [2] differs (opposite recommendation)." in text
    assert "Note: A newer guideline (2016) [1] differs" in text


def test_ask_kind_filter(env):
    result = runner.invoke(app, ["ask", PDPH, "--json", "--kind", "research"])
    data = json.loads(result.stdout)
    assert {r["kind"] for r in data["references"]} <= {"research"}


def test_ask_bad_input_gets_a_clear_error(env):
    result = runner.invoke(app, ["ask", "   "])
    assert result.exit_code == 2 and "empty" in result.stderr
    result = runner.invoke(app, ["ask", PDPH, "--kind", "poem"])
    assert result.exit_code != 0 and "invalid filter" in result.stderr
    result = runner.invoke(app, ["ask", PDPH, "--index", "missing"])
    assert result.exit_code == 1 and "guideqa index build --name missing" in result.stderr


def test_chat_follow_up(env):
    result = runner.invoke(app, ["chat"], input=f"{PDPH}\nwhat about for cesarean delivery?\n\n", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "searched for:" in result.stdout and "cesarean" in result.stdout


def test_settings_lists_environment_variables():
    result = runner.invoke(app, ["settings"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    assert "GUIDEQA_RETRIEVAL__K" in result.stdout and "GUIDEQA_CORPUS__MIRROR" in result.stdout
    assert "GUIDEQA_WRITER " in result.stdout and "GUIDEQA_LLM__BASE_URL" in result.stdout


def test_index_build_and_info(env, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(tmp_path))
    docs = tmp_path / "userdocs"
    docs.mkdir()
    (docs / "note.md").write_text("---\ntitle: Shed care\nsource: Test Society\nyear: 2020\n---\n# Oiling\nOil the hinges of the shed door twice a year to stop squeaking.\n")
    monkeypatch.setenv("GUIDEQA_CORPUS__USER_DIRS", json.dumps([str(docs)]))
    result = runner.invoke(app, ["index", "build", "--name", "mine", "--sources", "user"])
    assert result.exit_code == 0, result.output
    assert "index 'mine' built" in result.stdout
    info = runner.invoke(app, ["index", "info", "--name", "mine"])
    manifest = json.loads(info.stdout)
    assert manifest["documents"] == 1 and manifest["sources"]["user"]["documents"] == 1
    again = runner.invoke(app, ["index", "build", "--name", "mine", "--sources", "user"])
    assert "already up to date" in again.stdout
    cold = runner.invoke(app, ["index", "build", "--name", "mine", "--sources", "user", "--no-cache"])
    assert cold.exit_code == 0 and "index 'mine' built" in cold.stdout and "embedded: 1" in " ".join(cold.stdout.split())
    warm = runner.invoke(app, ["index", "build", "--name", "mine", "--sources", "user", "--force"])
    assert "reused from the cache: 1, embedded: 0" in " ".join(warm.stdout.split())


def test_index_build_rejects_an_unknown_preset(env):
    result = runner.invoke(app, ["index", "build", "--name", "x", "--preset", "nope"])
    assert result.exit_code != 0 and "no preset named 'nope'" in result.output
