"""A loopback stub of NCBI E-utilities' esummary (db=pubmed, JSON) with made-up titles and failures to order.

It answers `POST|GET /esummary.fcgi` like NCBI does, with fake titles, journals and years derived from each PMID
(never real article data), and records every request with its arrival time so tests can check batching, rate
limiting and retries. Failures: the first `fail_first` requests get `fail_status` (429 by default, with
`retry_after`), every request after the first `fail_after` answered ones gets `fail_after_status`, and PMIDs in
`missing` get NCBI's per-record error.

    python -m tests.stubs.eutils_server --port 8398 --fail-first 1
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import BaseModel, Field


class EutilsStubConfig(BaseModel):
    fail_first: int = Field(default=0, description="The first N requests fail with fail_status.")
    fail_status: int = 429
    retry_after: str | None = Field(default=None, description="Retry-After header sent with fail_status.")
    fail_after: int | None = Field(default=None, description="After N answered requests, every request fails.")
    fail_after_status: int = 500
    missing: list[str] = Field(default_factory=list, description="PMIDs NCBI 'cannot get document summary' for.")


def fake_summary(pmid: str) -> dict[str, Any]:
    """A made-up esummary record: escaped markup and a final period, as NCBI writes titles."""
    n = int(pmid)
    return {
        "uid": pmid,
        "pubdate": f"{1990 + n % 30} Mar 4",
        "epubdate": "",
        "source": f"Stub J {n % 7}",
        "title": f"Stub title {pmid}: &lt;i&gt;made&lt;/i&gt; up &amp; fake.",
        "fulljournalname": f"Stub journal of tests {n % 7}",
        "sortpubdate": f"{1990 + n % 30}/03/04 00:00",
    }


def expected_year(pmid: str) -> int:
    return 1990 + int(pmid) % 30


def expected_title(pmid: str) -> str:
    return f"Stub title {pmid}: made up & fake"


@dataclass
class StubRequest:
    at: float  # time.monotonic() on arrival
    method: str
    path: str
    params: dict[str, str]
    status: int = 200


@dataclass
class StubState:
    requests: list[StubRequest] = field(default_factory=list)
    answered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ids(self) -> list[list[str]]:
        """The PMIDs each request asked for, in arrival order."""
        return [r.params.get("id", "").split(",") for r in self.requests]


def _handler(config: EutilsStubConfig, state: StubState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            self._serve("")

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            self._serve(self.rfile.read(length).decode("utf-8"))

        def _serve(self, body: str) -> None:
            url = urlsplit(self.path)
            params = {k: v[-1] for k, v in (parse_qs(url.query) | parse_qs(body)).items()}
            with state.lock:
                req = StubRequest(at=time.monotonic(), method=self.command, path=url.path, params=params)
                state.requests.append(req)
                failing = len(state.requests) <= config.fail_first
                broken = config.fail_after is not None and state.answered >= config.fail_after
                if not (failing or broken) and url.path.endswith("/esummary.fcgi"):
                    state.answered += 1
            if not url.path.endswith("/esummary.fcgi"):
                return self._reply(req, 404, {"error": "unknown path"})
            if failing:
                headers = {"Retry-After": config.retry_after} if config.retry_after is not None else {}
                return self._reply(req, config.fail_status, {"error": "API rate limit exceeded"}, headers)
            if broken:
                return self._reply(req, config.fail_after_status, {"error": "internal server error"})
            if params.get("db") != "pubmed" or params.get("retmode") != "json":
                return self._reply(req, 400, {"error": "this stub serves db=pubmed&retmode=json only"})
            uids = [u for u in params.get("id", "").split(",") if u]
            result: dict[str, Any] = {"uids": uids}
            for uid in uids:
                ok = uid.isdigit() and uid not in config.missing
                result[uid] = fake_summary(uid) if ok else {"uid": uid, "error": "cannot get document summary"}
            self._reply(req, 200, {"header": {"type": "esummary", "version": "0.3"}, "result": result})

        def _reply(self, req: StubRequest, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            req.status = status
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def running_eutils_stub(config: EutilsStubConfig | None = None, host: str = "127.0.0.1") -> Iterator[tuple[str, StubState]]:
    """Serve the stub on a free loopback port in a background thread; yields (its base URL, its request log)."""
    state = StubState()
    server = ThreadingHTTPServer((host, 0), _handler(config or EutilsStubConfig(), state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/entrez/eutils", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the stub on a loopback port until interrupted (see the module docstring)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.stubs.eutils_server",
                                     description="A local stub of NCBI E-utilities esummary (fake titles, no network).")
    parser.add_argument("--port", type=int, default=8398, help="Loopback port to listen on.")
    parser.add_argument("--fail-first", type=int, default=0, help="The first N requests get --fail-status.")
    parser.add_argument("--fail-status", type=int, default=429, help="Status of those failures (429 or 5xx).")
    parser.add_argument("--fail-after", type=int, default=None, help="Fail every request after N answered ones.")
    args = parser.parse_args(argv)
    config = EutilsStubConfig(fail_first=args.fail_first, fail_status=args.fail_status, fail_after=args.fail_after)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), _handler(config, StubState()))
    print(f"stub E-utilities on http://127.0.0.1:{args.port}/entrez/eutils (GUIDEQA_CORPUS__EUTILS__BASE_URL)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
