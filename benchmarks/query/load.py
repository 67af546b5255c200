"""The HTTP load test: `POST /v1/answers` against a live `guideqa serve` at several concurrency levels."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from benchmarks.common import LatencyStats, Note, peak_rss_bytes, rss_bytes
from benchmarks.query.server import running_server

REQUEST_TIMEOUT_S = 300.0


class ServerLevel(BaseModel):
    concurrency: int
    warmup_requests: int = Field(description="Untimed requests sent first (opens connections and worker threads).")
    requests: int
    ok: int
    non_200: int = Field(description="Responses with another status plus requests that failed outright.")
    statuses: dict[str, int] = Field(description="Count per HTTP status (or exception name).")
    latency: LatencyStats | None = Field(description="Client-side latency of the 200 responses.")
    wall_seconds: float
    requests_per_second: float = Field(description="200 responses per second of wall time.")


class ServerResult(BaseModel):
    command: list[str]
    startup_seconds: float = Field(description="From process start to the first 200 from /readyz.")
    rss_bytes_ready: int | None = Field(description="Server process RSS once ready.")
    rss_bytes_peak: int | None = Field(description="Server process peak RSS (VmHWM) after the load.")
    levels: list[ServerLevel]


async def _load(base: str, questions: Sequence[str], requests: int, concurrency: int, headers: dict[str, str],
                warmup: int) -> ServerLevel:
    import asyncio

    import httpx

    sem = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    # TCP_NODELAY, as browsers set it, so the client never adds Nagle delays of its own.
    import socket

    transport = httpx.AsyncHTTPTransport(limits=limits, socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S, transport=transport, headers=headers) as client:

        async def one(question: str) -> tuple[str, float]:
            async with sem:
                t0 = time.perf_counter()
                try:
                    response = await client.post("/v1/answers", json={"question": question})
                    status = str(response.status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                return status, (time.perf_counter() - t0) * 1000

        # Warm-up opens the connections and the server's worker threads; not counted.
        await asyncio.gather(*(one(questions[i % len(questions)]) for i in range(warmup)))
        t0 = time.perf_counter()
        results = await asyncio.gather(*(one(questions[i % len(questions)]) for i in range(requests)))
        wall = time.perf_counter() - t0
    statuses: dict[str, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    ok_ms = [ms for status, ms in results if status == "200"]
    return ServerLevel(
        concurrency=concurrency,
        warmup_requests=warmup,
        requests=requests,
        ok=len(ok_ms),
        non_200=requests - len(ok_ms),
        statuses=statuses,
        latency=LatencyStats.of(ok_ms) if ok_ms else None,
        wall_seconds=round(wall, 3),
        requests_per_second=round(len(ok_ms) / wall, 3) if wall > 0 else 0.0,
    )


def bench_server(settings, questions: Sequence[str], requests: int, concurrency: Sequence[int], note: Note) -> ServerResult:
    """A real `guideqa serve` subprocess under `POST /v1/answers` load, one concurrency level after another."""
    import asyncio

    headers = {"X-API-Key": settings.api.api_keys[0]} if settings.api.api_keys else {}
    with tempfile.TemporaryDirectory(prefix="guideqa-bench-") as tmp:
        server_settings = settings.model_copy(deep=True)
        # Benchmark conversations go to a throwaway database, not the real one.
        server_settings.api.conversations_db = Path(tmp) / "conversations.sqlite"
        with running_server(server_settings, Path(tmp) / "server.log") as (base, proc, command, startup):
            note(f"server ready in {startup:.1f} s at {base}")
            rss_ready = rss_bytes(proc.pid)
            levels = []
            for c in concurrency:
                note(f"server: {requests} requests at concurrency {c}")
                levels.append(asyncio.run(_load(base, questions, requests, c, headers, warmup=c)))
            rss_peak = peak_rss_bytes(proc.pid)
    return ServerResult(command=command, startup_seconds=round(startup, 2), rss_bytes_ready=rss_ready,
                        rss_bytes_peak=rss_peak, levels=levels)
