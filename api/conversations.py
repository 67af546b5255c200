"""Conversations in SQLite: they survive restarts and are shared safely by threads and workers."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel

from rag.types import Answer, Turn

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS turns (
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  turn INTEGER NOT NULL, question TEXT NOT NULL, standalone_question TEXT NOT NULL,
  answer TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (conversation_id, turn)
);
"""


class StoredTurn(BaseModel):
    """A turn as stored: the question and the internal Answer given to it."""

    turn: int
    question: str
    answer: Answer
    created_at: str


class ConversationNotFound(KeyError):
    """No conversation with that id (never created, or deleted)."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ConversationStore:
    """Conversations and their turns in one SQLite file.

    Each thread keeps one connection (opening one per call cost about a tenth of an
    answer's server time under load), WAL journaling lets readers run beside a writer,
    and a turn is appended inside BEGIN IMMEDIATE so two requests on one conversation
    can never take the same turn number.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        con = self._con()
        con.execute("PRAGMA journal_mode=WAL")
        con.executescript(_SCHEMA)

    def _con(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            con.execute("PRAGMA foreign_keys=ON")
            # WAL + NORMAL: no fsync per answer; a crash of the process loses nothing, a power cut at most the last turns.
            con.execute("PRAGMA synchronous=NORMAL")
            self._local.con = con
        return con

    @contextmanager
    def _write(self):
        """A write transaction that takes the lock up front, so concurrent appends cannot interleave."""
        con = self._con()
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    @staticmethod
    def _require(con: sqlite3.Connection, cid: str) -> None:
        if con.execute("SELECT 1 FROM conversations WHERE id = ?", (cid,)).fetchone() is None:
            raise ConversationNotFound(cid)

    @staticmethod
    def _insert_turn(con: sqlite3.Connection, cid: str, n: int, answer: Answer) -> None:
        con.execute("INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?)",
                    (cid, n, answer.question, answer.standalone_question, answer.model_dump_json(), _now()))

    def start(self, answer: Answer) -> str:
        """A new conversation holding `answer` as turn 1, in one transaction."""
        cid = uuid.uuid4().hex
        with self._write() as con:
            con.execute("INSERT INTO conversations VALUES (?, ?)", (cid, _now()))
            self._insert_turn(con, cid, 1, answer)
        return cid

    def exists(self, cid: str) -> bool:
        return self._con().execute("SELECT 1 FROM conversations WHERE id = ?", (cid,)).fetchone() is not None

    def _turn_rows(self, cid: str, columns: str) -> list[tuple]:
        """`columns` of the conversation's turns, oldest first; ConversationNotFound when there is no such conversation."""
        con = self._con()
        self._require(con, cid)
        return con.execute(f"SELECT {columns} FROM turns WHERE conversation_id = ? ORDER BY turn", (cid,)).fetchall()

    def history(self, cid: str) -> list[Turn]:
        """What follow-up rewriting needs; read from columns, without parsing stored answers."""
        return [Turn(question=q, standalone_question=sq) for q, sq in self._turn_rows(cid, "question, standalone_question")]

    def turns(self, cid: str) -> list[StoredTurn]:
        """Every turn with its stored answer, oldest first."""
        rows = self._turn_rows(cid, "turn, question, answer, created_at")
        return [StoredTurn(turn=r[0], question=r[1], answer=Answer.model_validate_json(r[2]), created_at=r[3]) for r in rows]

    def append(self, cid: str, answer: Answer) -> int:
        with self._write() as con:
            self._require(con, cid)
            (n,) = con.execute("SELECT COALESCE(MAX(turn), 0) + 1 FROM turns WHERE conversation_id = ?", (cid,)).fetchone()
            self._insert_turn(con, cid, n, answer)
        return n

    def delete(self, cid: str) -> None:
        if self._con().execute("DELETE FROM conversations WHERE id = ?", (cid,)).rowcount == 0:
            raise ConversationNotFound(cid)
