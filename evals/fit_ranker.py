"""Fit the sentence ranker's weights (settings.answer.rank) on the answer-quality set's tuning half.

Every candidate sentence of every labelled turn is a row of `rag.answering.rank.FEATURES`;
its label is whether it states one of the turn's key facts. The weights maximise
the listwise likelihood that the best-scored sentence of a turn is a labelled one
(softmax over the turn's candidates of cosine + features . weights), with an L2
penalty. Plain numpy gradient descent from zero: the same data give the same weights.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel

from evals.answer_quality import QualityConversation
from rag.answering.rank import FEATURES, feature_matrix
from rag.pipeline import Pipeline
from rag.types import Turn


class TurnData(BaseModel, arbitrary_types_allowed=True):
    id: str
    cos: np.ndarray
    x: np.ndarray
    y: np.ndarray


def collect(pipeline: Pipeline, conversations: Sequence[QualityConversation]) -> tuple[list[TurnData], int]:
    """(turns with at least one labelled candidate, turns whose key facts no candidate states)."""
    out: list[TurnData] = []
    unreachable = 0
    indexed = pipeline.index.document_ids
    for conv in conversations:
        history: list[Turn] = []
        for i, turn in enumerate(conv.turns, 1):
            ev = pipeline.gather(turn.question, history)
            history.append(Turn(question=turn.question, standalone_question=ev.standalone))
            if not (set(turn.gold_doc_ids) & indexed and turn.key_facts and ev.candidates):
                continue
            patterns = [re.compile(p, re.I) for p in turn.key_facts]
            y = np.array([any(p.search(c.text) for p in patterns) for c in ev.candidates], dtype=bool)
            if not y.any():
                unreachable += 1
                continue
            titles = pipeline.index.titles(c.hit.chunk.doc_id for c in ev.candidates)
            x = feature_matrix(ev.candidates, ev.focus, titles)
            cos = np.array([c.relevance for c in ev.candidates], dtype=np.float32)
            out.append(TurnData(id=f"{conv.id}#{i}", cos=cos, x=x, y=y))
    return out, unreachable


def _loss_grad(w: np.ndarray, log_t: float, turns: Sequence[TurnData], l2: float) -> tuple[float, np.ndarray, float]:
    t = np.exp(log_t)
    loss, gw, gt = 0.0, np.zeros_like(w), 0.0
    for d in turns:
        s = d.cos + d.x @ w
        z = t * s
        z = z - z.max()
        p = np.exp(z) / np.exp(z).sum()
        q = np.where(d.y, p, 0.0)
        q = q / q.sum()
        loss -= np.log(np.exp(z)[d.y].sum() / np.exp(z).sum())
        # d(-log P(pos))/dz = p - q
        diff = p - q
        gw += t * (d.x.T @ diff)
        gt += float(diff @ s) * t
    n = max(len(turns), 1)
    return loss / n + l2 * float(w @ w), gw / n + 2 * l2 * w, gt / n


def fit(turns: Sequence[TurnData], l2: float = 0.01, steps: int = 3000, lr: float = 0.05) -> tuple[dict[str, float], float]:
    """(weights by feature name, softmax temperature)."""
    w = np.zeros(len(FEATURES))
    log_t = np.log(20.0)
    m_w, v_w, m_t, v_t = np.zeros_like(w), np.zeros_like(w), 0.0, 0.0
    for step in range(1, steps + 1):  # Adam: the features differ in scale
        _, gw, gt = _loss_grad(w, log_t, turns, l2)
        m_w, v_w = 0.9 * m_w + 0.1 * gw, 0.999 * v_w + 0.001 * gw**2
        m_t, v_t = 0.9 * m_t + 0.1 * gt, 0.999 * v_t + 0.001 * gt**2
        w -= lr * (m_w / (1 - 0.9**step)) / (np.sqrt(v_w / (1 - 0.999**step)) + 1e-8)
        log_t -= lr * (m_t / (1 - 0.9**step)) / (np.sqrt(v_t / (1 - 0.999**step)) + 1e-8)
    return {name: round(float(v), 4) for name, v in zip(FEATURES, w)}, float(np.exp(log_t))


def top1(turns: Sequence[TurnData], weights: dict[str, float]) -> float:
    """Share of turns whose best-scored candidate states a key fact."""
    w = np.array([weights.get(n, 0.0) for n in FEATURES])
    return round(float(np.mean([d.y[int(np.argmax(d.cos + d.x @ w))] for d in turns])) if turns else 0.0, 4)


def run_fit(pipeline: Pipeline, settings, split: str, l2: float, console) -> dict[str, float]:
    """`guideqa eval fit-ranker`: fit, print current against fitted, and the weights as environment variables."""
    from rich.table import Table

    from evals.answer_quality import load_answer_quality

    turns, unreachable = collect(pipeline, load_answer_quality(split=split))
    weights, temperature = fit(turns, l2=l2)
    current = {n: getattr(settings.answer.rank, n) for n in FEATURES}
    console.print(f"{len(turns)} labelled turns ({unreachable} whose key facts no candidate states); temperature {temperature:.1f}")
    table = Table("feature", "current", "fitted", title="best-scored sentence states a key fact: "
                  f"cosine only {top1(turns, {})}, current {top1(turns, current)}, fitted {top1(turns, weights)}")
    for name in FEATURES:
        table.add_row(name, str(current[name]), str(weights[name]))
    console.print(table)
    for name, value in weights.items():
        print(f"GUIDEQA_ANSWER__RANK__{name.upper()}={value}")
    return weights
