"""A persistent on-disk cache of judge replies, so that a re-run makes no requests."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(os.environ.get("AHA_CACHE_DIR", Path.home() / ".cache" / "aha")) / "judge.sqlite"


def cache_key(model: str, template: str, prompt: str, completion: str, criterion: str, answer: str = "") -> str:
    """The key of one judgement: a hash of everything that can change the judge's reply."""
    blob = json.dumps([model, template, prompt, completion, criterion, answer], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


class JudgeCache:
    """Judge replies in SQLite, keyed by `cache_key`; safe across threads and processes."""

    def __init__(self, path: str | Path = DEFAULT_PATH):
        self.path = Path(path)
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, reply TEXT, usage TEXT)")
            self._local.db = db
        return db

    def get(self, key: str) -> tuple[str, dict[str, Any]] | None:
        """The cached reply and token usage for a key, or None."""
        row = self._db().execute("SELECT reply, usage FROM replies WHERE key = ?", (key,)).fetchone()
        return (row[0], json.loads(row[1] or "{}")) if row else None

    def put(self, key: str, reply: str, usage: dict[str, Any]) -> None:
        """Store a reply."""
        db = self._db()
        with db:
            db.execute("INSERT OR REPLACE INTO replies VALUES (?, ?, ?)", (key, reply, json.dumps(usage)))

    def __len__(self) -> int:
        return self._db().execute("SELECT COUNT(*) FROM replies").fetchone()[0]

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.path = state["path"]
        self._local = threading.local()
