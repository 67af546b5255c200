"""`guideqa ask` and `guideqa chat` end to end through typer's runner, on the session's small real index."""

import json

from typer.testing import CliRunner

from rag.cli import app

runner = CliRunner()
PDPH = "What needle type reduces the risk of post-dural puncture headache?"


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

    from rag.cli.ask import render_answer
    from tests.rag.test_types import NEW, OLD, answer

    out = Console(record=True, width=250)
    render_answer(answer(NEW, OLD), out)
    text = out.export_text()
    assert "[1] Hand hygiene on wards. Example Society. Revised 2016 (first released 2009) · current release, reaffirmed" in text
    assert "Note: An older guideline (2012) [2] differs (opposite recommendation)." in text
    assert "Note: A newer guideline (2016) [1] differs" in text


def test_render_answer_prints_the_same_text_as_to_text_with_the_clis_extras():
    from rich.console import Console

    from rag.cli.ask import render_answer
    from rag.types import IndexInfo, WriterReport
    from tests.rag.test_types import NEW, OLD, answer

    a = answer(NEW, OLD).model_copy(update={
        "standalone_question": "q [about] hands", "abstention": "Nothing on [cats].", "timings_ms": {"total": 12.0},
        "index": IndexInfo(name="t", fingerprint="f"),
        "writer": WriterReport(name="llm", model="m", judge="j", llm_called=True, sentences=3, kept=2, removed_uncited=1)})
    out = Console(record=True, width=250)
    render_answer(a, out)
    lines = out.export_text().splitlines()
    assert lines[:2] == ["", "searched for: q [about] hands"]
    assert "Nothing on [cats]." in lines[3] and "Not directly addressed" in lines[2]  # in a box
    assert "  • Wash hands before each patient contact. [1] (Example Society, 2016)" in lines
    assert "  [2] Hand hygiene. Other Body. Released 2012 · current release.  (guideline; ngc-1)" in lines
    assert lines[-2:] == ["written by m; 2 of 3 sentences verified by j, 1 removed, 0 invalid citations dropped",
                          "12 ms · index t (f)"]
    plain = a.to_text().splitlines()
    assert plain[:2] == ["Nothing on [cats].", ""] and "- Wash hands before each patient contact. [1] (Example Society, 2016)" in plain


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
