"""The live-server load test of the query benchmark: every request answered, counts per level."""

from __future__ import annotations

import pytest

from tests.benchmarks.query.conftest import LEVELS, REQUESTS, ordered


def test_server_levels_answer_every_request(result):
    assert result.server is not None and result.server.startup_seconds > 0
    assert [lvl.concurrency for lvl in result.server.levels] == list(LEVELS)
    for level in result.server.levels:
        assert level.requests == REQUESTS and level.ok == REQUESTS and level.non_200 == 0
        assert level.statuses == {"200": REQUESTS}
        assert level.latency is not None and level.latency.n == REQUESTS and ordered(level.latency)
        assert level.requests_per_second == pytest.approx(REQUESTS / level.wall_seconds, rel=0.01)
    assert result.server.rss_bytes_ready and result.server.rss_bytes_peak >= result.server.rss_bytes_ready
