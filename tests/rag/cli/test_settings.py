"""`guideqa settings` lists every setting with its environment variable."""

from typer.testing import CliRunner

from rag.cli import app

runner = CliRunner()


def test_settings_lists_environment_variables():
    result = runner.invoke(app, ["settings"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    assert "GUIDEQA_RETRIEVAL__K" in result.stdout and "GUIDEQA_CORPUS__MIRROR" in result.stdout
    assert "GUIDEQA_WRITER " in result.stdout and "GUIDEQA_LLM__BASE_URL" in result.stdout
