"""NCBI E-utilities esummary client for PubMed: batched, held to NCBI's request rate, retrying 429 and 5xx replies."""

from __future__ import annotations

import html
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx

from rag.corpus.manifest import CorpusError
from rag.corpus.pubmed_titles import ArticleSummary
from rag.settings import EutilsSettings

log = logging.getLogger(__name__)

# NCBI's published limits: 3 requests/s per IP without an API key, 10/s with one.
RATE_WITHOUT_KEY = 3.0
RATE_WITH_KEY = 10.0
_MAX_RETRY_AFTER_S = 60.0
_INLINE_TAGS = re.compile(r"</?(?:i|b|u|em|strong|sup|sub|sc)\s*/?>", re.I)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


class EutilsError(CorpusError):
    """E-utilities could not be reached or kept failing; the message says which and what to do."""


class RateLimiter:
    """Keeps requests at least 1/rate seconds apart as the server sees them (clock and sleep injectable for tests).

    NCBI counts arrivals, and a request arrives somewhere between its start and its reply: spacing starts alone let
    a slow first request arrive close to a fast second one. So the next request waits 1/rate after the last reply.
    """

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval = 1.0 / rate
        self.clock, self.sleep = clock, sleep
        self._next = float("-inf")

    def wait(self) -> None:
        """Before a request: sleep until 1/rate after the previous one's reply (or failure)."""
        delay = self._next - self.clock()
        if delay > 0:
            self.sleep(delay)

    def done(self) -> None:
        """After a request's reply (or failure)."""
        self._next = self.clock() + self.interval


def _clean(text: Any) -> str:
    # esummary escapes the markup it keeps in titles ("&lt;i&gt;"): unescape, then drop inline tags.
    return " ".join(_INLINE_TAGS.sub("", html.unescape(str(text or ""))).split())


def parse_summary(pmid: str, record: Any) -> ArticleSummary | None:
    """One esummary record as an ArticleSummary; None when NCBI returned an error or no title for it."""
    if not isinstance(record, dict) or record.get("error"):
        return None
    title = _clean(record.get("title")) or _clean(record.get("booktitle"))  # books carry the title in booktitle
    if not title:
        return None
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1]  # PubMed titles end with a period; references add their own
    year = None
    for field in ("pubdate", "epubdate", "sortpubdate"):
        m = _YEAR.search(str(record.get(field) or ""))
        if m:
            year = int(m.group(1))
            break
    full = _clean(record.get("fulljournalname"))
    return ArticleSummary(pmid=pmid, title=title, journal=_clean(record.get("source")) or full, journal_full=full,
                          year=year)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    try:
        return min(max(float(value), 0.0), _MAX_RETRY_AFTER_S) if value else None
    except ValueError:
        return None  # an HTTP date: use our own backoff


class EsummaryClient:
    """Summaries of PubMed PMIDs, batch_size per POST, at most NCBI's rate, with retries and backoff."""

    def __init__(self, settings: EutilsSettings, transport: httpx.BaseTransport | None = None):
        self.settings = settings
        self.url = settings.base_url.rstrip("/") + "/esummary.fcgi"
        self.limiter = RateLimiter(RATE_WITH_KEY if settings.api_key else RATE_WITHOUT_KEY)
        self.requests = 0  # HTTP requests sent, retries included
        self.http = httpx.Client(timeout=settings.timeout_s, transport=transport,
                                 headers={"User-Agent": f"{settings.tool} (guideqa; esummary)"})

    def __enter__(self) -> EsummaryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def _params(self, pmids: Sequence[str]) -> dict[str, str]:
        # NCBI asks every client to name itself (tool) and give a contact address (email).
        params = {"db": "pubmed", "retmode": "json", "id": ",".join(pmids), "tool": self.settings.tool}
        if self.settings.email:
            params["email"] = self.settings.email
        if self.settings.api_key:
            params["api_key"] = self.settings.api_key.get_secret_value()
        return params

    def summaries(self, pmids: Sequence[str]) -> Iterator[tuple[list[str], dict[str, ArticleSummary]]]:
        """(the batch's PMIDs, the summaries NCBI returned for them) for each batch, in order.

        Raises EutilsError when a batch still fails after the retries; batches already yielded stay yielded.
        """
        size = self.settings.batch_size
        for i in range(0, len(pmids), size):
            batch = list(pmids[i:i + size])
            result = self._request(batch)
            found = {p: s for p in batch if (s := parse_summary(p, result.get(p))) is not None}
            yield batch, found

    def _request(self, batch: list[str]) -> dict[str, Any]:
        attempts = self.settings.retries + 1
        problem, pause = "", 0.0
        for attempt in range(attempts):
            if attempt:
                time.sleep(pause)
            self.limiter.wait()
            self.requests += 1
            try:
                response = self.http.post(self.url, data=self._params(batch))
            except httpx.TransportError as exc:
                self.limiter.done()
                problem = f"could not reach NCBI E-utilities at {self.settings.base_url} ({type(exc).__name__}: {exc})"
                log.warning("%s; attempt %d of %d", problem, attempt + 1, attempts)
                pause = self._backoff(attempt, None)
                continue
            self.limiter.done()
            pause = self._backoff(attempt, response)
            if response.status_code == 429 or response.status_code >= 500:
                problem = f"NCBI E-utilities replied HTTP {response.status_code}"
                log.warning("%s; attempt %d of %d", problem, attempt + 1, attempts)
                continue
            if response.status_code >= 400:
                raise EutilsError(f"NCBI E-utilities rejected the request: HTTP {response.status_code} "
                                  f"{self._redact(response.text[:200].strip())!r} ({self.url})")
            try:
                body = response.json()
            except ValueError:
                problem = "NCBI E-utilities replied with something that is not JSON"  # happens when it is overloaded
                continue
            if isinstance(body, dict) and isinstance(body.get("result"), dict):
                return body["result"]
            error = body.get("error") if isinstance(body, dict) else None
            if isinstance(error, str) and "rate limit" in error.lower():
                problem = f"NCBI E-utilities: {error}"  # a rate-limit error sometimes comes with HTTP 200
                continue
            raise EutilsError(f"NCBI E-utilities returned no result: {self._redact(str(error or body)[:200])}")
        hint = " (this command needs internet access)" if problem.startswith("could not reach") else ""
        raise EutilsError(f"{problem}{hint}; gave up after {attempts} attempt{'s' if attempts > 1 else ''}")

    def _redact(self, text: str) -> str:
        # NCBI echoes the API key in some error bodies; messages end up on screens and in logs.
        key = self.settings.api_key.get_secret_value() if self.settings.api_key else ""
        return text.replace(key, "***") if key else text

    def _backoff(self, attempt: int, response: httpx.Response | None) -> float:
        """Seconds before the next attempt: the server's Retry-After when it sent one, else exponential backoff."""
        asked = _retry_after(response) if response is not None else None
        return asked if asked is not None else self.settings.backoff_s * 2 ** attempt
