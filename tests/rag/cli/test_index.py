"""`guideqa index build|info` end to end through typer's runner."""

import json

from typer.testing import CliRunner

from rag.cli import app

runner = CliRunner()


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
