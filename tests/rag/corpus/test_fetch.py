"""Fetching: copies from the mirror, checksum checks, derived files and downloads."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from pathlib import Path

import pytest

from rag.corpus.documents import iter_documents
from rag.corpus.fetch import fetch
from rag.corpus.manifest import CorpusError, corpus_file, load_manifest
from rag.settings import Settings
from tests.rag.corpus.corpus_settings import NGC_FILE, PUBMEDQA_FILE, _settings


def test_fetch_copies_from_mirror_then_reports_present(tmp_path: Path, mirror: Path) -> None:
    settings = _settings(tmp_path)
    first = fetch(settings, ["pubmedqa"])
    assert [(r.path, r.status) for r in first] == [
        ("pubmedqa/ori_pqal.json", "copied from mirror"),
        ("pubmedqa/test_ground_truth.json", "copied from mirror"),
    ]
    copied = settings.corpus.data_dir / PUBMEDQA_FILE
    assert copied.read_bytes() == (mirror / PUBMEDQA_FILE).read_bytes()
    assert corpus_file(settings, PUBMEDQA_FILE) == copied  # loaders now read the fetched copy
    assert [r.status for r in fetch(settings, ["pubmedqa"])] == ["present", "present"]
    # A damaged copy is replaced.
    copied.write_bytes(b"{}")
    assert [r.status for r in fetch(settings, ["pubmedqa"])] == ["copied from mirror", "present"]
    assert hashlib.sha256(copied.read_bytes()).hexdigest() == first[0].sha256


def _manifest_copy(tmp_path: Path, edit) -> Path:
    text = edit(Settings().corpus.manifest.read_text(encoding="utf-8"))
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_fetch_checksum_mismatch_leaves_no_file(tmp_path: Path, mirror: Path) -> None:
    real = load_manifest(Settings()).sources["pubmedqa"].files[1].sha256
    manifest = _manifest_copy(tmp_path, lambda t: t.replace(real, "0" * 64))
    settings = _settings(tmp_path, manifest=manifest)
    with pytest.raises(CorpusError, match=f"expected sha256 {'0' * 64}, got {real}"):
        fetch(settings, ["pubmedqa"])
    folder = settings.corpus.data_dir / "pubmedqa"
    assert sorted(p.name for p in folder.iterdir()) == ["ori_pqal.json"]  # the good file, no partial one


def test_fetch_derived_file_without_mirror(tmp_path: Path) -> None:
    settings = _settings(tmp_path, mirror=None)
    with pytest.raises(CorpusError, match="derived file.*only available from the corpus mirror"):
        fetch(settings, ["ngc"])
    assert not (settings.corpus.data_dir / NGC_FILE).exists()


def test_fetch_downloads_from_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    served = tmp_path / "served"
    served.mkdir()
    payload = json.dumps({"1": {"CONTEXTS": ["Invented."], "LABELS": ["X"], "LONG_ANSWER": "Invented."}}).encode()
    (served / "tiny.json").write_bytes(payload)
    digest = hashlib.sha256(payload).hexdigest()

    quiet = type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *a: None})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: quiet(*a, directory=str(served)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        manifest = tmp_path / "sources.toml"
        manifest.write_text(
            '[source.tiny]\ntitle = "Tiny"\nkind = "research"\nloader = "pubmedqa"\n'
            f'[[source.tiny.files]]\npath = "tiny/ori_pqal.json"\nurl = "{url}/tiny.json"\nsha256 = "{digest}"\n'
            f'[source.gone]\ntitle = "Gone"\nkind = "research"\nloader = "pubmedqa"\n'
            f'[[source.gone.files]]\npath = "gone/ori_pqal.json"\nurl = "{url}/missing.json"\nsha256 = "{digest}"\n',
            encoding="utf-8",
        )
        settings = _settings(tmp_path, manifest=manifest, mirror=None)
        seen: list[int] = []
        results = fetch(settings, ["tiny"], progress=lambda path, done, total: seen.append(done))
        assert [(r.path, r.status, r.size) for r in results] == [("tiny/ori_pqal.json", "downloaded", len(payload))]
        assert seen and seen[-1] == len(payload)
        assert [d.id for d in iter_documents(settings, sources=["tiny"])] == ["pubmed:1"]
        with pytest.raises(CorpusError, match="404"):
            fetch(settings, ["gone"])
        assert not (settings.corpus.data_dir / "gone").exists() or not any((settings.corpus.data_dir / "gone").iterdir())
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
