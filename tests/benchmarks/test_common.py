"""Shared benchmark helpers: resident and peak memory of this process and of another one."""

from __future__ import annotations

import subprocess
import sys


def test_peak_rss_of_a_worker_is_its_own_not_its_parents():
    # getrusage's ru_maxrss keeps the parent's peak across exec; the worker must not report it.
    ballast = b"\x01" * (400 * 1024 * 1024)  # written pages, so they are resident
    code = "from benchmarks.common import peak_rss_bytes; print(peak_rss_bytes())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert 0 < int(out) < 200 * 1024 * 1024
    del ballast


def test_another_process_memory_is_read_by_pid_and_none_once_it_exits():
    from benchmarks.common import peak_rss_bytes, rss_bytes

    # The child holds 100 MiB of written pages, then waits for its stdin to close.
    code = "import sys; b = b'\\x01' * (100 * 1024 * 1024); print(flush=True); sys.stdin.read()"
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        proc.stdout.readline()
        rss, peak = rss_bytes(proc.pid), peak_rss_bytes(proc.pid)
        assert 100 * 1024 * 1024 < rss <= peak
        assert rss_bytes() > 0  # and this process by default
    finally:
        proc.stdin.close()
        proc.wait()
    assert rss_bytes(proc.pid) is None and peak_rss_bytes(proc.pid) is None
