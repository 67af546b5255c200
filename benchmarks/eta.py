"""How far a progress bar's ETA is from the truth, replayed from the progress a build reported."""

from __future__ import annotations

import time
from collections import defaultdict

from pydantic import BaseModel, Field


class StageEta(BaseModel):
    seconds: float = Field(description="How long the stage ran.")
    checks: int = Field(description="Progress updates at or after `after_s` at which the ETA was checked.")
    max_error: float = Field(description="Largest |implied finish - real finish| / stage duration at those updates.")


class Recorder:
    """A build's `progress` callback that remembers (time, done, total) per stage."""

    def __init__(self) -> None:
        self.samples: dict[str, list[tuple[float, int, int]]] = defaultdict(list)

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.samples[stage].append((time.perf_counter(), done, total))


def eta_errors(samples: dict[str, list[tuple[float, int, int]]], after_s: float = 60.0,
               window_s: float = 30.0) -> dict[str, StageEta]:
    """The ETA error of every stage that ran longer than `after_s`, from `Recorder.samples`.

    At each update from `after_s` on, replay what rich's TimeRemainingColumn shows (speed over the last
    `window_s` seconds of updates, remaining = (total - done) / speed) and compare the finish time it
    implies with the stage's real end. The error is a share of the stage's duration: 0.2 means the ETA
    was off by a fifth of the stage.
    """
    out: dict[str, StageEta] = {}
    for stage, rows in samples.items():
        if len(rows) < 3:
            continue
        start, end = rows[0][0], rows[-1][0]
        duration = end - start
        if duration <= after_s:
            continue
        worst, checks = 0.0, 0
        for i, (t, done, total) in enumerate(rows):
            if t - start < after_s or done >= total:
                continue
            recent = [r for r in rows[: i + 1] if r[0] >= t - window_s]
            if len(recent) < 2 or recent[-1][0] == recent[0][0] or recent[-1][1] == recent[0][1]:
                continue
            speed = (recent[-1][1] - recent[0][1]) / (recent[-1][0] - recent[0][0])
            finish = t + (total - done) / speed
            worst = max(worst, abs(finish - end) / duration)
            checks += 1
        out[stage] = StageEta(seconds=round(duration, 1), checks=checks, max_error=round(worst, 3))
    return out


def describe(etas: dict[str, StageEta]) -> list[str]:
    return [f"  {stage} progress ETA after the first minute: off by at most {e.max_error:.0%} of the stage's "
            f"{e.seconds:.0f} s ({e.checks} updates checked)" for stage, e in etas.items()]
