"""Serving a sharded index from Ray replica actors: the same answers, and answers while a replica is down."""

from __future__ import annotations

import os
import signal

import httpx
import pytest

from benchmarks.query.server import running_server
from rag.distributed.cluster import connected
from rag.distributed.serve import Replicas
from rag.pipeline import Pipeline
from tests.rag.distributed.conftest import cluster_settings, wait_until
from tests.rag.indexing.test_sharded import QUESTIONS

PDPH = QUESTIONS[0]


@pytest.fixture(scope="module")
def sharded(index_settings, built_index, real_docs, embedder, ray_address, tmp_path_factory):
    """The session's test index again as 2 shards (same cached vectors), with the cluster's address."""
    from rag.indexing.build import build_index

    s = cluster_settings(index_settings, ray_address, dir=tmp_path_factory.mktemp("served"), name="two", shards=2)
    build_index(real_docs, s, embedder=embedder)
    return s


def _texts(answer) -> list[list[str]]:
    return [[st.text for st in sec.statements] for sec in answer.sections]


def test_replicas_give_the_answers_one_process_gives_and_answer_while_one_is_down(sharded, pipeline):
    s = sharded.model_copy(deep=True)
    s.cluster.shard_timeout_s = 5.0
    with connected(s):
        replicas = Replicas(s)
        try:
            pipe = Pipeline(s, searchers_for=replicas.searchers)
            for q in QUESTIONS[:3]:
                a, b = pipeline.ask(q), pipe.ask(q)
                assert _texts(a) == _texts(b) and not b.degraded, q
            first, second = replicas.pids()
            os.kill(second, signal.SIGKILL)
            down = pipe.ask(PDPH)  # never raises: answered from the shard still up
            assert down.degraded == [f"{s.index.name}/shard-001"]
            assert down.sections and all(st.text for sec in down.sections for st in sec.statements)
            # Ray restarts the replica; answers are whole again.
            assert wait_until(lambda: not pipe.ask(PDPH).degraded), "the replica was not replaced"
            assert replicas.pids()[1] != second and replicas.pids()[0] == first
            assert _texts(pipe.ask(PDPH)) == _texts(pipeline.ask(PDPH))
        finally:
            replicas.stop()


def test_guideqa_serve_engine_ray_answers_over_http_while_a_replica_is_killed(sharded, tmp_path):
    import psutil

    s = sharded.model_copy(deep=True)
    s.api.conversations_db = tmp_path / "conversations.sqlite"
    args = ["--engine", "ray", "--address", s.cluster.address]
    with running_server(s, tmp_path / "server.log", args) as (base, proc, *_):
        ok = httpx.post(f"{base}/v1/answers", json={"question": PDPH}, timeout=60)
        assert ok.status_code == 200 and ok.json()["degraded"] == [] and ok.json()["references"]
        replicas = [p for p in psutil.process_iter(["cmdline"])
                    if " ".join(p.info["cmdline"] or []).startswith("ray::ShardReplica")]
        assert len(replicas) == 2, [p.info["cmdline"] for p in replicas]
        replicas[0].kill()
        answers = [httpx.post(f"{base}/v1/answers", json={"question": q}, timeout=60) for q in QUESTIONS[:3]]
        assert [r.status_code for r in answers] == [200, 200, 200]  # never a 500
        assert any(r.json()["degraded"] for r in answers)
        assert wait_until(lambda: not httpx.post(f"{base}/v1/answers", json={"question": PDPH}, timeout=60).json()["degraded"])
