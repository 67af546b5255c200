"""PubMed titles: the enrich step against a loopback E-utilities stub, its cache, and the PubMedQA loader reading it."""

from __future__ import annotations

import json
import logging
import math
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli import app
from rag.corpus.documents import iter_documents
from rag.corpus.enrich_pubmed import corpus_pmids, enrich_pubmed
from rag.corpus.eutils import (
    RATE_WITH_KEY,
    RATE_WITHOUT_KEY,
    EsummaryClient,
    RateLimiter,
    parse_summary,
)
from rag.corpus.pubmed_titles import CACHE_NAME, cache_path, read_titles
from rag.corpus.pubmedqa import load_pubmedqa, pubmedqa_options
from rag.corpus.records import LoadReport
from rag.settings import Settings
from rag.types import Citations, format_reference
from tests.rag.corpus.corpus_settings import PUBMEDQA_FILE, _settings
from tests.stubs.eutils_server import (
    EutilsStubConfig,
    StubState,
    expected_title,
    expected_year,
    running_eutils_stub,
)

Stub = Callable[..., tuple[str, StubState]]
runner = CliRunner()


@pytest.fixture
def stub() -> Iterator[Stub]:
    """Starts loopback E-utilities stubs (config as keyword arguments); all stop when the test ends."""
    with ExitStack() as stack:
        yield lambda **config: stack.enter_context(running_eutils_stub(EutilsStubConfig(**config)))


@pytest.fixture(scope="module")
def pmids(mirror: Path) -> list[str]:
    """Real PMIDs, read from the mirror at run time (their titles in the stub are made up)."""
    return list(json.loads((mirror / PUBMEDQA_FILE).read_text(encoding="utf-8")))[:12]


def settings_for(tmp_path: Path, url: str, titles: bool = False, **eutils: object) -> Settings:
    return _settings(tmp_path, pubmed_titles=titles, eutils={"base_url": url, "backoff_s": 0.01, **eutils})


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/entrez/eutils"  # nothing listens once it is closed


def test_batches_of_batch_size_fill_the_cache(tmp_path, stub, pmids):
    url, state = stub()
    ids = pmids[:7]
    report = enrich_pubmed(settings_for(tmp_path, url, batch_size=3), ids)
    assert len(state.requests) == math.ceil(len(ids) / 3) == report.requests == 3
    assert state.ids() == [ids[0:3], ids[3:6], ids[6:7]]
    for r in state.requests:
        assert r.method == "POST" and r.path == "/entrez/eutils/esummary.fcgi"
        assert {k: r.params[k] for k in ("db", "retmode", "tool")} == {"db": "pubmed", "retmode": "json", "tool": "guideqa"}
        assert "api_key" not in r.params and "email" not in r.params
    assert (report.fetched, report.cached, report.failed, report.error) == (7, 0, 0, None)
    cached = read_titles(tmp_path / "data" / CACHE_NAME)
    assert set(cached) == set(ids)
    p = ids[0]
    assert cached[p].title == expected_title(p) and cached[p].year == expected_year(p)
    assert cached[p].journal == f"Stub J {int(p) % 7}" and cached[p].journal_full == f"Stub journal of tests {int(p) % 7}"


def test_requests_keep_ncbis_rate(tmp_path, stub, pmids):
    url, state = stub()
    enrich_pubmed(settings_for(tmp_path / "a", url, batch_size=1), pmids[:4])
    gaps = [b.at - a.at for a, b in zip(state.requests, state.requests[1:])]
    assert len(gaps) == 3 and min(gaps) >= 1 / RATE_WITHOUT_KEY

    url, state = stub()
    keyed = settings_for(tmp_path / "b", url, batch_size=1, api_key="k3y", email="me@example.org", tool="mytool")
    enrich_pubmed(keyed, pmids[:4])
    gaps = [b.at - a.at for a, b in zip(state.requests, state.requests[1:])]
    assert len(gaps) == 3 and min(gaps) >= 1 / RATE_WITH_KEY
    with EsummaryClient(keyed.corpus.eutils) as client:
        assert client.limiter.interval == 1 / RATE_WITH_KEY  # a key allows the faster rate
    assert all(r.params["api_key"] == "k3y" and r.params["email"] == "me@example.org" and r.params["tool"] == "mytool"
               for r in state.requests)


def test_rate_limiter_counts_from_the_previous_reply():
    now, slept = [0.0], []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    limiter = RateLimiter(RATE_WITHOUT_KEY, clock=lambda: now[0], sleep=sleep)
    limiter.wait()
    assert slept == []  # the first request goes at once
    now[0] += 0.25  # it takes 0.25 s to reply
    limiter.done()
    now[0] += 0.1
    limiter.wait()
    assert slept == [pytest.approx(1 / RATE_WITHOUT_KEY - 0.1)]
    limiter.done()
    now[0] += 5
    limiter.wait()
    assert len(slept) == 1  # an idle client does not wait


def test_a_second_run_sends_no_request(tmp_path, stub, pmids):
    url, state = stub()
    s = settings_for(tmp_path, url, batch_size=5)
    first = enrich_pubmed(s, pmids[:6])
    assert first.fetched == 6 and len(state.requests) == 2
    second = enrich_pubmed(s, pmids[:6])
    assert (second.fetched, second.cached, second.requests) == (0, 6, 0) and len(state.requests) == 2
    third = enrich_pubmed(s, pmids[:8])  # only the new ones are asked for
    assert (third.fetched, third.cached) == (2, 6) and state.ids()[-1] == pmids[6:8]


@pytest.mark.parametrize("status,retry_after", [(429, "0"), (503, None)])
def test_429_and_5xx_are_retried(tmp_path, stub, pmids, status, retry_after):
    url, state = stub(fail_first=1, fail_status=status, retry_after=retry_after)
    report = enrich_pubmed(settings_for(tmp_path, url), pmids[:3])
    assert [r.status for r in state.requests] == [status, 200]
    assert state.ids() == [pmids[:3], pmids[:3]]
    assert (report.fetched, report.requests, report.error) == (3, 2, None)


def test_a_failing_server_stops_with_a_clear_error_and_keeps_what_was_fetched(tmp_path, stub, pmids):
    url, state = stub(fail_after=1)
    s = settings_for(tmp_path, url, batch_size=2, retries=2)
    report = enrich_pubmed(s, pmids[:6])
    assert report.error == "NCBI E-utilities replied HTTP 500; gave up after 3 attempts"
    assert (report.fetched, report.unfinished, report.failed) == (2, 4, 4)
    assert [r.status for r in state.requests] == [200, 500, 500, 500]
    assert set(read_titles(cache_path(s))) == set(pmids[:2])

    url, state = stub()  # the server is back: the rerun asks only for the rest
    again = enrich_pubmed(settings_for(tmp_path, url, batch_size=2), pmids[:6])
    assert (again.fetched, again.cached, again.error) == (4, 2, None) and state.ids() == [pmids[2:4], pmids[4:6]]


def test_records_ncbi_has_no_summary_for_are_reported_not_cached(tmp_path, stub, pmids):
    url, state = stub(missing=[pmids[1]])
    s = settings_for(tmp_path, url)
    report = enrich_pubmed(s, pmids[:3])
    assert (report.fetched, report.missing, report.failed) == (2, [pmids[1]], 1)
    assert set(read_titles(cache_path(s))) == {pmids[0], pmids[2]}
    enrich_pubmed(s, pmids[:3])
    assert state.ids()[-1] == [pmids[1]]  # asked again next time, nothing else


def test_no_network_is_a_clear_error(tmp_path, pmids):
    report = enrich_pubmed(settings_for(tmp_path, closed_port_url(), retries=1), pmids[:3])
    assert report.error.startswith("could not reach NCBI E-utilities at http://127.0.0.1:")
    assert report.error.endswith("(this command needs internet access); gave up after 2 attempts")
    assert (report.fetched, report.unfinished) == (0, 3)


def test_the_command_reports_counts_and_fails_without_a_traceback(tmp_path, stub, pmids, monkeypatch):
    monkeypatch.setenv("GUIDEQA_CORPUS__DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GUIDEQA_CORPUS__USER_DIRS", "[]")
    monkeypatch.setenv("GUIDEQA_CORPUS__EUTILS__BACKOFF_S", "0.01")
    monkeypatch.setenv("GUIDEQA_CORPUS__EUTILS__BASE_URL", stub()[0])
    env = {"COLUMNS": "300"}
    ok = runner.invoke(app, ["corpus", "enrich-pubmed", "--limit", "3"], env=env)
    assert ok.exit_code == 0, ok.output
    assert "fetched 3, already cached 0, failed 0 of 3" in ok.stdout and "GUIDEQA_CORPUS__PUBMED_TITLES=true" in ok.stdout
    assert set(read_titles(tmp_path / "data" / CACHE_NAME)) == set(pmids[:3])  # the corpus's first PMIDs

    monkeypatch.setenv("GUIDEQA_CORPUS__EUTILS__BASE_URL", closed_port_url())
    monkeypatch.setenv("GUIDEQA_CORPUS__EUTILS__RETRIES", "0")
    down = runner.invoke(app, ["corpus", "enrich-pubmed", "--limit", "5"], env=env)
    assert down.exit_code == 1 and isinstance(down.exception, SystemExit)
    assert "fetched 0, already cached 3, failed 2 of 5" in down.stdout
    assert "could not reach NCBI E-utilities" in down.stderr and "Traceback" not in down.output
    assert "run the command again to fetch the other 2" in " ".join(down.stderr.split())


def test_corpus_pmids_are_the_loaders_in_file_order(tmp_path, pmids):
    s = _settings(tmp_path)
    assert corpus_pmids(s)[:12] == pmids and len(corpus_pmids(s)) == 1000


def _load(options: dict) -> list:
    return list(load_pubmedqa(Settings().corpus.mirror / PUBMEDQA_FILE, {"license": "MIT", **options},
                              LoadReport(source="pubmedqa")))


def test_titles_off_leaves_documents_byte_identical(tmp_path, stub, pmids):
    url, _ = stub()
    s = settings_for(tmp_path, url)
    enrich_pubmed(s, pmids[:5])  # a filled cache is not used while the setting is off
    assert pubmedqa_options(s) == {}
    plain = [d.model_dump_json() for d in _load({})]
    assert [d.model_dump_json() for d in _load(pubmedqa_options(s))] == plain
    assert [d.model_dump_json() for d in iter_documents(s, sources=["pubmedqa"])] == plain
    assert all(json.loads(d)["title"].startswith("PubMed abstract ") for d in plain)


def test_titles_on_take_title_journal_and_year_from_the_cache(tmp_path, stub, pmids):
    url, state = stub()
    s = settings_for(tmp_path, url, titles=True)
    enrich_pubmed(s, pmids[:5])
    requests = len(state.requests)
    plain = {d.id: d for d in _load({})}
    docs = {d.id: d for d in _load(pubmedqa_options(s))}
    assert len(state.requests) == requests  # loading never asks NCBI
    assert docs.keys() == plain.keys()
    for p in pmids[:5]:
        doc, before = docs[f"pubmed:{p}"], plain[f"pubmed:{p}"]
        assert (doc.title, doc.source, doc.year) == (expected_title(p), f"Stub J {int(p) % 7}", expected_year(p))
        assert doc.identifiers == {"pmid": p, "journal": f"Stub journal of tests {int(p) % 7}"}
        assert doc.sections == before.sections and (doc.url, doc.license) == (before.url, before.license)
    for p in pmids[5:]:  # not cached: as before
        assert docs[f"pubmed:{p}"] == plain[f"pubmed:{p}"]
    ref = Citations()
    ref.cite(docs[f"pubmed:{pmids[0]}"], "c1")
    text = format_reference(ref.references[0])
    p = pmids[0]
    assert text.startswith(f"{expected_title(p)}. Stub J {int(p) % 7}, {expected_year(p)}. PMID {p}.")


def test_titles_on_without_a_cache_warns_and_changes_nothing(tmp_path, caplog):
    s = _settings(tmp_path, pubmed_titles=True)
    with caplog.at_level(logging.WARNING, logger="rag.corpus.pubmedqa"):
        docs = _load(pubmedqa_options(s))
    assert [d.model_dump_json() for d in docs] == [d.model_dump_json() for d in _load({})]
    assert "guideqa corpus enrich-pubmed" in caplog.text


def test_parse_summary_cleans_what_ncbi_sends():
    assert parse_summary("1", {"uid": "1", "error": "cannot get document summary"}) is None
    assert parse_summary("1", None) is None and parse_summary("1", {"title": " "}) is None
    got = parse_summary("1", {"title": "Effect of &lt;i&gt;E. coli&lt;/i&gt;  on   x.", "source": "BMJ",
                              "fulljournalname": "BMJ (Clinical research ed.)", "pubdate": "Winter 1998", "epubdate": "1997"})
    assert (got.title, got.journal, got.journal_full, got.year) == ("Effect of E. coli on x", "BMJ", "BMJ (Clinical research ed.)", 1998)
    book = parse_summary("2", {"title": "", "booktitle": "A book.", "fulljournalname": "", "epubdate": "2011 Jan"})
    assert (book.title, book.journal, book.year) == ("A book", "", 2011)
