"""Build folders under indexes/.builds: which process made each, which no index name uses, and clearing up
after killed builds. A leaf module: rag.indexing.build calls `clean_stale` before each build.

Build folders are named <name>-<UTC stamp>-<pid>[.partial] (rag.indexing.build.build_index). The pid says which
process owns a folder, so a folder no index name points at can go once that process is gone; a folder
whose process still runs (a concurrent build, perhaps about to swap its link in) is never touched.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import psutil

log = logging.getLogger(__name__)

BUILDS = ".builds"
BUILD_NAME = re.compile(r"^(?P<name>.+)-(?P<stamp>\d{8}T\d{6}\.\d{6})-(?P<pid>\d+)(?P<partial>\.partial)?$")
CLOCK_SLACK_S = 2.0  # process start times are known to about a second


def owner_alive(folder: str) -> bool | None:
    """Whether the process that made build folder `folder` still runs; None when the name is not a build's."""
    m = BUILD_NAME.match(folder)
    if m is None:
        return None
    pid = int(m["pid"])
    if not psutil.pid_exists(pid):
        return False
    try:
        proc = psutil.Process(pid)
        made = datetime.strptime(m["stamp"], "%Y%m%dT%H%M%S.%f").replace(tzinfo=timezone.utc).timestamp()
        # A zombie was killed and not yet reaped; a process started after the folder only reuses the pid.
        return proc.status() != psutil.STATUS_ZOMBIE and proc.create_time() <= made + CLOCK_SLACK_S
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True  # someone else's live process: leave its folder alone


def disk_size(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_blocks * 512
            except OSError:
                pass  # removed while we walked
    return total


def links(index_dir: Path) -> dict[str, Path]:
    """Index names and the real paths of the folders they point at."""
    if not index_dir.is_dir():
        return {}
    return {p.name: Path(os.path.realpath(p)) for p in sorted(index_dir.iterdir()) if p.is_symlink() and not p.name.startswith(".")}


def leftovers(index_dir: Path) -> list[Path]:
    """Folders under .builds that no index name points at."""
    builds = index_dir / BUILDS
    if not builds.is_dir():
        return []
    used = set(links(index_dir).values())
    folders = (Path(os.path.realpath(f)) for f in sorted(builds.iterdir()) if f.is_dir() and not f.is_symlink())
    return [f for f in folders if f not in used]


def swap_link(link: Path, target: Path) -> None:
    """Point `link` at `target` in one step (os.replace), so readers never see a missing or half-made folder."""
    tmp = link.with_name(f".{link.name}.swap-{os.getpid()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(target, link.parent))
    os.replace(tmp, link)


def clean_stale(index_dir: Path, replaced: str | None = None) -> list[Path]:
    """Remove unlinked build folders whose process is gone (killed builds' partials, orphaned builds), and,
    when `replaced` names an index this process just swapped to a new build, the older builds of it made here."""
    me = str(os.getpid())
    removed = []
    for folder in leftovers(index_dir):
        m = BUILD_NAME.match(folder.name)
        ours = m is not None and m["name"] == replaced and m["pid"] == me and not m["partial"]
        if ours or owner_alive(folder.name) is False:
            shutil.rmtree(folder, ignore_errors=True)
            log.info("removed unused build folder %s", folder)
            removed.append(folder)
    return removed
