"""`guideqa index build|info` end to end through typer's runner."""

import json

from typer.testing import CliRunner

from rag.cli import app

runner = CliRunner()


def test_index_build_and_info(env, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(tmp_path))
    docs = tmp_path / "userdocs"
    docs.mkdir()
    (docs / "note.md").write_text("---\ntitle: Shed care\nsource: Test Society\nyear: 2020\n---\n# Oiling\nOil the hinges of the shed door twice a year to stop squeaking, as the shed maintenance plan (SMP) says.\n")
    monkeypatch.setenv("GUIDEQA_CORPUS__USER_DIRS", json.dumps([str(docs)]))
    result = runner.invoke(app, ["index", "build", "--name", "mine", "--sources", "user"])
    assert result.exit_code == 0, result.output
    assert "index 'mine' built" in result.stdout
    info = runner.invoke(app, ["index", "info", "--name", "mine"])
    manifest = json.loads(info.stdout)
    assert manifest["documents"] == 1 and manifest["sources"]["user"]["documents"] == 1
    assert manifest["abbreviations"] == 1  # counted; the table is one flag away
    table = json.loads(runner.invoke(app, ["index", "info", "--name", "mine", "--abbreviations"]).stdout)
    assert table == {"SMP": "shed maintenance plan"}
    again = runner.invoke(app, ["index", "build", "--name", "mine", "--sources", "user"])
    assert "already up to date" in again.stdout
    cold = runner.invoke(app, ["index", "build", "--name", "mine", "--sources", "user", "--no-cache"])
    assert cold.exit_code == 0 and "index 'mine' built" in cold.stdout and "embedded: 1" in " ".join(cold.stdout.split())
    warm = runner.invoke(app, ["index", "build", "--name", "mine", "--sources", "user", "--force"])
    assert "reused from the cache: 1, embedded: 0" in " ".join(warm.stdout.split())


def test_index_build_rejects_an_unknown_preset(env):
    result = runner.invoke(app, ["index", "build", "--name", "x", "--preset", "nope"])
    assert result.exit_code != 0 and "no preset named 'nope'" in result.output


def test_a_rebuild_keeps_documents_added_with_corpus_add(env, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(tmp_path))
    docs = tmp_path / "userdocs"
    docs.mkdir()
    (docs / "note.md").write_text("---\ntitle: Shed care\nsource: Test Society\nyear: 2020\n---\n# Oiling\nOil the hinges of the shed door twice a year.\n")
    monkeypatch.setenv("GUIDEQA_CORPUS__USER_DIRS", json.dumps([str(docs)]))
    assert runner.invoke(app, ["index", "build", "--name", "mine", "--sources", "user"]).exit_code == 0
    extra = tmp_path / "bike.md"
    extra.write_text("# Bikes\nOil the bicycle chain every month.\n")
    assert runner.invoke(app, ["corpus", "add", str(extra), "--index", "mine"]).exit_code == 0
    info = json.loads(runner.invoke(app, ["index", "info", "--name", "mine"]).stdout)
    assert info["documents"] == 2 and info["updates"]["added_in_delta"] == 1
    rebuilt = runner.invoke(app, ["index", "build", "--name", "mine", "--sources", "user"])
    assert rebuilt.exit_code == 0 and "1 added documents kept" in " ".join(rebuilt.stdout.split())
    after = json.loads(runner.invoke(app, ["index", "info", "--name", "mine"]).stdout)
    assert after["documents"] == 2 and after["updates"]["added_in_delta"] == 0
    assert after["updates"]["build_documents"] == 2 and after["fingerprint"] == after["updates"]["build_fingerprint"]
    listed = json.loads(runner.invoke(app, ["corpus", "list", "--index", "mine", "--json"]).stdout)
    assert [e["added_by_user"] for e in listed] == [False, True]
