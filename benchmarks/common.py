"""Helpers shared by the benchmarks: process memory, latency percentiles, machine, JSON output, settings."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel

Note = Callable[[str], None]  # where a benchmark sends its progress messages


def rss_bytes(pid: int | None = None) -> int | None:
    """Resident set size of process `pid` (default: this one); None once it has exited."""
    import psutil

    try:
        return int(psutil.Process(pid).memory_info().rss)
    except psutil.Error:
        return None


def settled_rss_bytes() -> int | None:
    """This process's RSS after collecting garbage and handing freed heap back to the OS, so that a later
    delta is the new allocations, not the allocator's memory of earlier ones."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
    return rss_bytes()


def peak_rss_bytes(pid: int | None = None) -> int | None:
    """Peak resident set size of process `pid` (default: this one) so far: VmHWM in /proc/<pid>/status.

    psutil reports no peak on Linux (its peak_* fields are Windows-only), hence /proc. Not getrusage's
    ru_maxrss: on Linux that high-water mark survives exec, so a worker started from a large parent
    (a test runner holding the model) reports the parent's peak. VmHWM belongs to the process's own
    address space, which exec replaces. Without /proc: ru_maxrss for this process, None for another.
    """
    try:
        with open(f"/proc/{pid or 'self'}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # reported in kB
    except OSError:
        pass
    if pid is not None:
        return None
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, kB elsewhere


def folder_bytes(path: Path) -> int:
    """Bytes of every file under `path` (symlinks followed at the top only)."""
    root = Path(path).resolve()
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


class LatencyStats(BaseModel):
    """Percentiles of a list of durations, in milliseconds."""

    n: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    min_ms: float
    max_ms: float

    @classmethod
    def of(cls, durations_ms: Sequence[float]) -> "LatencyStats":
        import numpy as np

        if not durations_ms:
            raise ValueError("no durations to summarise")
        a = np.asarray(durations_ms, dtype=float)
        p50, p95, p99 = np.percentile(a, [50, 95, 99])  # linear interpolation, so p50 <= p95 <= p99
        return cls(n=len(a), p50_ms=round(float(p50), 3), p95_ms=round(float(p95), 3), p99_ms=round(float(p99), 3),
                   mean_ms=round(float(a.mean()), 3), min_ms=round(float(a.min()), 3), max_ms=round(float(a.max()), 3))


class Machine(BaseModel):
    """Where the numbers were taken; latency means little without it."""

    python: str
    platform: str
    cpu_count: int | None
    load_average: tuple[float, float, float] | None
    started_at: str

    @classmethod
    def now(cls) -> "Machine":
        try:
            load = tuple(round(x, 2) for x in os.getloadavg())
        except OSError:
            load = None
        return cls(python=sys.version.split()[0], platform=platform.platform(), cpu_count=os.cpu_count(),
                   load_average=load, started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))


def write_json(model: BaseModel, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(model.model_dump_json(indent=2), encoding="utf-8")
    return path


def settings_or_exit(err):
    """The Settings from the environment; bad GUIDEQA_* variables end the command with a clear error (exit 1)."""
    import typer
    from rich.markup import escape

    from rag.settings import Settings

    try:
        return Settings()
    except Exception as exc:
        err.print(f"[bold red]error:[/] invalid settings: {escape(str(exc))}")
        raise typer.Exit(1) from None
