"""A loaded index that follows its name: reopened when its build or its updates change.

Changes are seen through the two symlinks (indexes/<name> and indexes/.updates/<name>), read at most once per
`index.reload_check_s` seconds: two readlink calls. New updates reopen only the small delta against the loaded
build; a new build is loaded in full. If reopening fails the previous state keeps serving and the next check
tries again.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from rag.indexing.delta import updates_root
from rag.indexing.errors import GuideIndexError
from rag.indexing.view import IndexView, SearchersFor, open_index
from rag.settings import Settings

log = logging.getLogger(__name__)


def _target(link: Path) -> str | None:
    try:
        return os.readlink(link)
    except OSError:
        return None


class LiveIndex:
    """`current()` is the index as it serves now; safe to call from several threads."""

    def __init__(self, settings: Settings, name: str | None = None, searchers_for: SearchersFor | None = None):
        self.settings = settings
        self.name = name or settings.index.name
        self.searchers_for = searchers_for  # a sharded build's shards searched elsewhere (rag.distributed.serve)
        self.check_s = settings.index.reload_check_s
        self._lock = threading.Lock()
        self._stamp = self._read_stamp()  # before opening: a change made while we open is seen at the next check
        self.view: IndexView = open_index(settings, self.name, searchers_for=searchers_for)
        self._checked = time.monotonic()

    def _read_stamp(self) -> tuple[str | None, str | None]:
        folder = self.settings.index.dir
        return _target(folder / self.name), _target(updates_root(folder) / self.name)

    def current(self) -> IndexView:
        if time.monotonic() - self._checked < self.check_s:
            return self.view
        if self._lock.acquire(blocking=False):  # another thread checking already: serve what is loaded
            try:
                self._checked = time.monotonic()
                self._reopen_if_changed()
            finally:
                self._lock.release()
        return self.view

    def refresh(self) -> bool:
        """Check now (after an add or remove made in this process); whether anything was reopened."""
        with self._lock:
            self._checked = time.monotonic()
            return self._reopen_if_changed()

    def _reopen_if_changed(self) -> bool:
        stamp = self._read_stamp()
        if stamp == self._stamp:
            return False
        try:
            build = self.view.build if stamp[0] == self._stamp[0] else None  # same build: only the delta is new
            view = open_index(self.settings, self.name, build, self.searchers_for)
        except (GuideIndexError, OSError) as exc:
            log.warning("index %r changed but could not be reopened (%s); still serving the previous state", self.name, exc)
            return False
        self.view, self._stamp = view, stamp
        log.info("index %r reopened: %s", self.name, view.info.fingerprint)
        return True
