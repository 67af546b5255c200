"""Each build in its own Python process: the parent's launcher and the child's entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.index_build.baseline import BaselineBuild, build_baseline
from benchmarks.index_build.guideqa import GuideqaBuild, build_guideqa
from benchmarks.index_build.job import BenchError, WorkerJob


def isolated_settings(settings, work: Path, backend: str | None):
    """A copy of `settings` whose index and embedding cache live in `work`, so the build is cold and leaves nothing behind.

    The exported ONNX models are an install-time artefact, not a per-build cost: the
    worker's cache links to the real onnx/ folder so they are exported at most once.
    """
    s = settings.model_copy(deep=True)
    real_onnx = Path(settings.embedding.cache_dir) / "onnx"
    real_onnx.mkdir(parents=True, exist_ok=True)
    cache = work / "cache"
    cache.mkdir()
    (cache / "onnx").symlink_to(real_onnx.resolve(), target_is_directory=True)
    s.embedding.cache_dir = cache
    s.index.dir = work / "indexes"
    if backend is not None:
        s.embedding.backend = backend
    return s


def run_worker(side: str, settings, preset: str, limit_docs: int | None, backend: str | None = None,
               add_docs: int = 0) -> GuideqaBuild | BaselineBuild:
    """One build in a fresh `python -m benchmarks.index_build.worker JOB RESULT`.

    Its own process, so its timings and peak memory are its own and not the parent's or another build's.
    """
    with tempfile.TemporaryDirectory(prefix=f"guideqa-bench-{side}-") as tmp:
        work = Path(tmp)
        job = WorkerJob(side=side, settings_json=isolated_settings(settings, work, backend).model_dump_json(),
                        preset=preset, limit_docs=limit_docs, work_dir=str(work), add_docs=add_docs)
        job_file, result_file = work / "job.json", work / "result.json"
        job_file.write_text(job.model_dump_json(), encoding="utf-8")
        env = dict(os.environ)
        repo = str(Path(__file__).resolve().parents[2])  # importable even when not installed
        env["PYTHONPATH"] = repo + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        proc = subprocess.run([sys.executable, "-m", "benchmarks.index_build.worker", str(job_file), str(result_file)],
                              env=env, capture_output=True, text=True)
        if proc.returncode != 0 or not result_file.exists():
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
            raise BenchError(f"the {side} build worker failed (exit {proc.returncode}):\n{tail}")
        model = GuideqaBuild if side == "guideqa" else BaselineBuild
        return model.model_validate_json(result_file.read_text(encoding="utf-8"))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m benchmarks.index_build.worker JOB.json RESULT.json", file=sys.stderr)
        return 2
    job = WorkerJob.model_validate_json(Path(argv[0]).read_text(encoding="utf-8"))
    result = build_guideqa(job) if job.side == "guideqa" else build_baseline(job)
    Path(argv[1]).write_text(result.model_dump_json(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
