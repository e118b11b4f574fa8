"""Provides the progress store: attempt history and FSRS state per card in SQLite (the only module that talks to the database).

Every write is committed at once in WAL mode, so a crash or a kill loses nothing already answered.
The schema is versioned with ``PRAGMA user_version`` and upgraded step by step; a database this
version cannot read (corrupt, locked, or written by a newer quizapp) raises :class:`StoreError`
and is never reset or overwritten.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Self

from quizapp.schedule import CardState, utc

__all__ = ["SCHEMA_VERSION", "Attempt", "Store", "StoreError", "TopicStats"]

SCHEMA_VERSION = 1

# Each entry upgrades the schema from version i to i + 1; applied in order inside one transaction.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            item_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            topic TEXT NOT NULL,
            deck TEXT NOT NULL,
            verdict TEXT NOT NULL,
            score REAL NOT NULL,
            rating INTEGER,
            hint_used INTEGER NOT NULL DEFAULT 0,
            answer_text TEXT NOT NULL DEFAULT '',
            elapsed_s REAL NOT NULL DEFAULT 0,
            at REAL NOT NULL
        )""",
        "CREATE INDEX attempts_at ON attempts (at)",
        "CREATE INDEX attempts_item ON attempts (item_id)",
        """CREATE TABLE card_state (
            item_id TEXT PRIMARY KEY,
            kind TEXT NOT NULL DEFAULT '',
            topic TEXT NOT NULL DEFAULT '',
            deck TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL,
            due REAL NOT NULL,
            updated REAL NOT NULL
        )""",
        "CREATE INDEX card_state_due ON card_state (due)",
    ),
)

RECENT_DAYS = 30


class StoreError(RuntimeError):
    """The progress database cannot be used; the message says why and what to do. The file is left as it was."""


@dataclass(frozen=True)
class Attempt:
    """One recorded answer."""

    id: int
    item_id: str
    kind: str
    topic: str
    deck: str
    verdict: str  # correct | partial | wrong
    score: float
    rating: int | None
    hint_used: bool
    answer_text: str
    elapsed_s: float
    at: datetime


@dataclass(frozen=True)
class TopicStats:
    """Progress in one topic: attempts in the recent window, their mean score, and cards due now."""

    deck: str
    topic: str
    answered: int = 0
    correct: int = 0
    score_sum: float = 0.0
    due: int = 0

    @property
    def accuracy(self) -> float | None:
        """Mean score of the recent attempts (partial answers count by their score); None when none."""
        return self.score_sum / self.answered if self.answered else None


def _ts(when: datetime) -> float:
    return utc(when).timestamp()


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def _verdict_name(verdict: object) -> str:
    name = str(getattr(verdict, "value", verdict)).lower()
    if name not in ("correct", "partial", "wrong"):
        raise ValueError(f"unknown verdict {verdict!r}")
    return name


class Store:
    """Progress kept in one SQLite file at ``path`` (see ``quizapp.paths.database_path``)."""

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 5.0) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we open transactions ourselves, so each write commits when we say.
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as err:
            raise StoreError(f"cannot open the progress database {self.path}: {err}") from err
        try:
            version = self._check_version()  # before anything writes: a file we cannot read stays as it is
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed answer survives a power cut too, not only a killed process.
            self._db.execute("PRAGMA synchronous=FULL")
            self._migrate(version)
        except sqlite3.Error as err:
            self._db.close()
            raise self._error(err) from err
        except BaseException:
            self._db.close()
            raise

    def _error(self, err: sqlite3.Error) -> StoreError:
        text = str(err)
        if "locked" in text or "busy" in text:
            return StoreError(
                f"the progress database {self.path} is locked by another program "
                f"(another quizapp running?); close it and try again"
            )
        if "malformed" in text or "not a database" in text or "corrupt" in text:
            return StoreError(
                f"the progress database {self.path} is damaged ({text}); it was left untouched. "
                f"Move it aside (or pass --data-dir) to start with fresh progress"
            )
        return StoreError(f"the progress database {self.path} cannot be used: {text}")

    def _check_version(self) -> int:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the progress database {self.path} was written by a newer quizapp "
                f"(schema {version}, this one reads up to {SCHEMA_VERSION}); upgrade quizapp"
            )
        return version

    def _migrate(self, version: int) -> None:
        """Apply the steps from ``version`` up to SCHEMA_VERSION in one transaction."""
        if version == SCHEMA_VERSION:
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            # Read again under the write lock: another quizapp may have migrated in the meantime.
            version = self._check_version()
            for step in _MIGRATIONS[version:]:
                for statement in step:
                    self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _write(self, sql: str, args: Sequence[Any]) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, args)  # autocommit (outside batch()): durable when this returns
        except sqlite3.Error as err:
            raise self._error(err) from err

    @contextmanager
    def batch(self) -> Iterator[Store]:
        """Group writes into one commit (one disk sync): all of them are kept, or none if an error escapes."""
        if self._db.in_transaction:
            yield self
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as err:
            raise self._error(err) from err
        try:
            yield self
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as err:
            raise self._error(err) from err

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as err:
            raise self._error(err) from err

    # --- attempts -------------------------------------------------------------------------------

    def record_attempt(
        self,
        item_id: str,
        *,
        kind: str,
        topic: str,
        deck: str,
        verdict: object,
        score: float | None = None,
        rating: int | None = None,
        hint_used: bool = False,
        answer_text: str = "",
        elapsed_s: float = 0.0,
        now: datetime,
    ) -> int:
        """Append one answer to the history and commit it; returns its row id.

        ``verdict`` is "correct" / "partial" / "wrong" (or answers.Verdict); ``score`` defaults to
        1 / 0.5 / 0 by verdict.
        """
        name = _verdict_name(verdict)
        if score is None:
            score = {"correct": 1.0, "partial": 0.5, "wrong": 0.0}[name]
        cursor = self._write(
            "INSERT INTO attempts (item_id, kind, topic, deck, verdict, score, rating, hint_used,"
            " answer_text, elapsed_s, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item_id,
                str(kind),
                topic,
                deck,
                name,
                float(score),
                None if rating is None else int(rating),
                int(bool(hint_used)),
                answer_text,
                float(elapsed_s),
                _ts(now),
            ),
        )
        return int(cursor.lastrowid or 0)

    def attempts(self, item_id: str | None = None, *, since: datetime | None = None) -> list[Attempt]:
        """Recorded answers, oldest first; only ``item_id``'s and only from ``since`` when given."""
        sql = "SELECT * FROM attempts WHERE 1=1"
        args: list[Any] = []
        if item_id is not None:
            sql += " AND item_id = ?"
            args.append(item_id)
        if since is not None:
            sql += " AND at >= ?"
            args.append(_ts(since))
        return [self._attempt(row) for row in self._read(sql + " ORDER BY at, id", args)]

    @staticmethod
    def _attempt(row: tuple[Any, ...]) -> Attempt:
        (id_, item_id, kind, topic, deck, verdict, score, rating, hint, text, elapsed, at) = row
        return Attempt(id_, item_id, kind, topic, deck, verdict, score, rating, bool(hint), text, elapsed, _dt(at))

    def mistakes(
        self, *, since: datetime | None = None, topics: Iterable[str] | None = None, limit: int = 50
    ) -> list[Attempt]:
        """Items whose latest answer (from ``since``) was not correct, most recent first, one per item."""
        sql = (
            "SELECT a.* FROM attempts a JOIN (SELECT item_id, MAX(id) AS last FROM attempts"
            " WHERE at >= ? GROUP BY item_id) l ON a.id = l.last WHERE a.verdict != 'correct'"
        )
        args: list[Any] = [_ts(since) if since is not None else 0.0]
        wanted = list(topics) if topics is not None else None
        if wanted is not None:
            sql += f" AND a.topic IN ({','.join('?' * len(wanted))})"
            args.extend(wanted)
        sql += " ORDER BY a.at DESC, a.id DESC LIMIT ?"
        args.append(int(limit))
        return [self._attempt(row) for row in self._read(sql, args)]

    # --- schedule state -------------------------------------------------------------------------

    def get_state(self, item_id: str) -> CardState | None:
        """The FSRS state saved for ``item_id``; None if it was never reviewed."""
        rows = self._read("SELECT state FROM card_state WHERE item_id = ?", (item_id,))
        if not rows:
            return None
        return CardState.from_dict(json.loads(rows[0][0]))

    def save_state(
        self, item_id: str, state: CardState, *, now: datetime, kind: str = "", topic: str = "", deck: str = ""
    ) -> None:
        """Replace ``item_id``'s FSRS state (stored as fsrs Card.to_dict JSON) and commit."""
        self._write(
            "INSERT INTO card_state (item_id, kind, topic, deck, state, due, updated) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (item_id) DO UPDATE SET kind = excluded.kind, topic = excluded.topic,"
            " deck = excluded.deck, state = excluded.state, due = excluded.due, updated = excluded.updated",
            (item_id, str(kind), topic, deck, json.dumps(state.to_dict()), _ts(state.due), _ts(now)),
        )

    def due_dates(self, item_ids: Iterable[str] | None = None) -> dict[str, datetime]:
        """When each reviewed item is due next (items never reviewed are absent)."""
        rows = self._read("SELECT item_id, due FROM card_state")
        wanted = set(item_ids) if item_ids is not None else None
        return {item: _dt(due) for item, due in rows if wanted is None or item in wanted}

    def due(self, card_ids: Iterable[str], now: datetime) -> list[str]:
        """The ids among ``card_ids`` with a saved state due at or before ``now``, most overdue first.

        Cards never reviewed are not listed (see :meth:`unseen`).
        """
        limit = _ts(now)
        dates = {item: due.timestamp() for item, due in self.due_dates(card_ids).items()}
        return sorted((item for item, due in dates.items() if due <= limit), key=lambda i: (dates[i], i))

    def unseen(self, card_ids: Iterable[str]) -> list[str]:
        """The ids among ``card_ids`` with no saved state, in the order given."""
        known = {row[0] for row in self._read("SELECT item_id FROM card_state")}
        return [item for item in card_ids if item not in known]

    def next_due(self, card_ids: Iterable[str]) -> datetime | None:
        """The earliest due date among ``card_ids``' saved states."""
        dates = self.due_dates(card_ids)
        return min(dates.values()) if dates else None

    # --- summaries ------------------------------------------------------------------------------

    def topic_stats(
        self, now: datetime, *, days: int = RECENT_DAYS, item_ids: Iterable[str] | None = None
    ) -> dict[tuple[str, str], TopicStats]:
        """Per (deck, topic): answers in the last ``days`` days with their mean score, and items due at ``now``.

        ``item_ids`` limits the due count to those items (e.g. the flashcards still in the bank).
        """
        since = _ts(now - timedelta(days=days))
        stats: dict[tuple[str, str], dict[str, Any]] = {}
        for deck, topic, answered, correct, score_sum in self._read(
            "SELECT deck, topic, COUNT(*), SUM(verdict = 'correct'), SUM(score) FROM attempts"
            " WHERE at >= ? GROUP BY deck, topic",
            (since,),
        ):
            stats[(deck, topic)] = {"answered": answered, "correct": int(correct or 0), "score_sum": float(score_sum or 0.0)}
        wanted = set(item_ids) if item_ids is not None else None
        for item_id, deck, topic in self._read("SELECT item_id, deck, topic FROM card_state WHERE due <= ?", (_ts(now),)):
            if wanted is None or item_id in wanted:
                entry = stats.setdefault((deck, topic), {})
                entry["due"] = entry.get("due", 0) + 1
        return {key: TopicStats(key[0], key[1], **values) for key, values in stats.items()}

    # --- lifetime -------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (every write is already committed)."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
