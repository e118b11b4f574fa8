"""Provides the progress store: attempt history and FSRS state per card in SQLite (the only module that talks to the database).

Every write is committed at once in WAL mode, so a crash or a kill loses nothing already answered.
The schema is versioned with ``PRAGMA user_version`` and upgraded step by step; a database this
version cannot read (corrupt, locked, written by a newer quizapp, or another program's SQLite file)
raises :class:`StoreError` and is never reset or overwritten: the file is checked before anything,
even the switch to WAL, is written. A hand-edited row of the wrong type is reported the same way.
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
from typing import TYPE_CHECKING, Any, Self

from quizapp.clock import utc

if TYPE_CHECKING:  # the scheduler (fsrs) loads when a schedule is first read: marks need none of it
    from quizapp.schedule import CardState

__all__ = ["SCHEMA_VERSION", "Attempt", "Mark", "Schedule", "Store", "StoreError", "TopicStats"]

SCHEMA_VERSION = 3

APPLICATION_ID = 0x51555A31
"""``PRAGMA application_id`` of a quizapp progress database ("QUZ1"), set from schema 2 on, so another
program's SQLite file is told apart from ours (schema-1 files carry 0 and are recognised by their tables)."""

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
    # 2: what statistics need per attempt (rating, hint, time to answer were there from 1).
    (
        "ALTER TABLE attempts ADD COLUMN seed INTEGER",
        "ALTER TABLE attempts ADD COLUMN level TEXT",
        "ALTER TABLE attempts ADD COLUMN misconception TEXT",
        # Statistics find an item's earlier answers and the answers that named a mistake without a scan.
        "DROP INDEX IF EXISTS attempts_item",
        "CREATE INDEX attempts_item_at ON attempts (item_id, at)",
        "CREATE INDEX attempts_misconception ON attempts (misconception) WHERE misconception IS NOT NULL",
        f"PRAGMA application_id = {APPLICATION_ID}",
    ),
    # 3: what the user set on an item by hand (suspended: never asked; flagged: marked to look at again).
    # A table of its own, not columns of card_state: an item never answered can be suspended too.
    (
        """CREATE TABLE marks (
            item_id TEXT PRIMARY KEY,
            suspended INTEGER NOT NULL DEFAULT 0,
            flagged INTEGER NOT NULL DEFAULT 0,
            updated REAL NOT NULL
        )""",
    ),
)

_COLUMNS = {
    "attempts": (
        "id", "item_id", "kind", "topic", "deck", "verdict", "score", "rating", "hint_used", "answer_text", "elapsed_s", "at",
    ),
    "card_state": ("item_id", "kind", "topic", "deck", "state", "due", "updated"),
}
"""The columns of schema 1, which every quizapp progress database has."""

_ATTEMPT_COLUMNS = (*_COLUMNS["attempts"], "seed", "level", "misconception")

_SELECT_ATTEMPT = f"SELECT {', '.join(_ATTEMPT_COLUMNS)} FROM attempts"

_LAST_DATE = 253402300799.0  # 9999-12-31 23:59:59 UTC, the last moment a datetime can hold
_NUMBER = "typeof({0}) IN ('integer', 'real')"
_TEXT = "typeof({0}) = 'text'"

# What each column must hold, as SQL: a hand-edited row that breaks one is reported as damaged, never
# read into a raw TypeError or OverflowError. SQLite keeps any value in any column, so this is checked.
_VALID_ATTEMPT = {
    "item_id": _TEXT,
    "kind": _TEXT,
    "topic": _TEXT,
    "deck": _TEXT,
    "verdict": "{0} IN ('correct', 'partial', 'wrong')",
    "score": _NUMBER + " AND {0} BETWEEN 0 AND 1",
    "rating": "{0} IS NULL OR (typeof({0}) = 'integer' AND {0} BETWEEN 1 AND 4)",
    "hint_used": "{0} IN (0, 1) AND typeof({0}) = 'integer'",
    "answer_text": _TEXT,
    "elapsed_s": _NUMBER + " AND {0} BETWEEN 0 AND 1e9",
    "at": _NUMBER + f" AND {{0}} BETWEEN 0 AND {_LAST_DATE}",
    "seed": "{0} IS NULL OR typeof({0}) = 'integer'",
    "level": "{0} IS NULL OR typeof({0}) = 'text'",
    "misconception": "{0} IS NULL OR typeof({0}) = 'text'",
}
_VALID_STATE = {
    "item_id": _TEXT,
    "kind": _TEXT,
    "topic": _TEXT,
    "deck": _TEXT,
    "state": _TEXT,
    "due": _NUMBER + f" AND {{0}} BETWEEN 0 AND {_LAST_DATE}",
    "updated": _NUMBER + f" AND {{0}} BETWEEN 0 AND {_LAST_DATE}",
}


_VALID_MARK = {
    "item_id": _TEXT,
    "suspended": "{0} IN (0, 1) AND typeof({0}) = 'integer'",
    "flagged": "{0} IN (0, 1) AND typeof({0}) = 'integer'",
    "updated": _NUMBER + f" AND {{0}} BETWEEN 0 AND {_LAST_DATE}",
}
_CHECKS = {"attempts": (_VALID_ATTEMPT, "id"), "card_state": (_VALID_STATE, "item_id"), "marks": (_VALID_MARK, "item_id")}
"""Each table's column checks and the key that names a damaged row."""


def _first_invalid(checks: dict[str, str], key: str) -> str:
    """SQL selecting (key, the first column that breaks its check) of the rows where one does."""
    cases = " ".join(f"WHEN NOT coalesce({rule.format(column)}, 0) THEN '{column}'" for column, rule in checks.items())
    return f"SELECT {key}, CASE {cases} END AS bad"

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
    seed: int | None = None
    """The drill's seed (with ``level``, it makes the same question again); None for a flashcard."""
    level: str | None = None
    misconception: str | None = None
    """The name of the typical mistake the answer matched (solvers.Misconception.name), if any."""


@dataclass(frozen=True)
class Schedule:
    """One item's saved FSRS state, with the labels kept beside it and when it was last changed."""

    item_id: str
    kind: str
    topic: str
    deck: str
    state: CardState
    updated: datetime


@dataclass(frozen=True)
class Mark:
    """What the user set on one item (a card id or a drill template id) by hand."""

    item_id: str
    suspended: bool = False
    """Never asked, in any mode, until unsuspended (its schedule and history are kept as they were)."""
    flagged: bool = False
    """Marked for a closer look: shown beside the item, changes nothing in its scheduling."""
    updated: datetime | None = None


# An answer was recalled when FSRS heard Hard, Good or Easy; an answer kept without a rating, when it was not wrong.
_RECALLED = "(coalesce(rating, CASE verdict WHEN 'wrong' THEN 1 ELSE 3 END) > 1)"


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

    fsrs_parameters: tuple[float, ...] | None = None
    """The FSRS weights answers recorded into this store are scheduled with (quizapp.progress); None for
    FSRS's defaults. Whoever opens the store sets them from the user's settings (quizapp.optimize)."""
    desired_retention: float | None = None
    """The recall those answers' next intervals aim at (settings.json ``desired_retention``); None for FSRS's 0.9."""

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
            self._check_ours(version)
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

    def _check_ours(self, version: int) -> None:
        """Refuse, before anything is written, a SQLite file that is not a quizapp progress database."""
        application_id = int(self._db.execute("PRAGMA application_id").fetchone()[0])
        tables = {name for (name,) in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if application_id in (0, APPLICATION_ID):
            if version == 0 and not tables:
                return  # a new (empty) file: ours to set up
            columns = {table: {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")} for table in _COLUMNS}
            if version > 0 and all(set(names) <= columns[table] for table, names in _COLUMNS.items()):
                return
        raise StoreError(
            f"{self.path} is not a quizapp progress database (another program's SQLite file?); it was left "
            f"untouched. Move it aside, or pass --data-dir to keep progress elsewhere"
        )

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

    def _damaged_row(self, table: str, key: object, column: str) -> StoreError:
        return StoreError(
            f"the progress database {self.path} has a damaged row (table {table}, row {key!r}: {column} holds a value "
            f"of the wrong type or range, edited by hand?); it was left untouched. Fix or delete that row"
        )

    def check_rows(self, table: str = "attempts", where: str = "1=1", args: Sequence[Any] = ()) -> None:
        """Raise StoreError naming the first row of ``table`` (matching ``where``) with a value of the wrong type.

        The readers below call it first, so what they then read needs no further checks.
        """
        checks, key = _CHECKS[table]
        rows = self._read(f"SELECT * FROM ({_first_invalid(checks, key)} FROM {table} WHERE {where}) WHERE bad IS NOT NULL LIMIT 1", args)
        if rows:
            raise self._damaged_row(table, rows[0][0], rows[0][1])

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
        seed: int | None = None,
        level: str | None = None,
        misconception: str | None = None,
        now: datetime,
    ) -> int:
        """Append one answer to the history and commit it; returns its row id.

        ``verdict`` is "correct" / "partial" / "wrong" (or answers.Verdict); ``score`` defaults to
        1 / 0.5 / 0 by verdict. ``seed`` and ``level`` say which drill question was asked,
        ``misconception`` the name of the typical mistake the answer matched.
        """
        name = _verdict_name(verdict)
        if score is None:
            score = {"correct": 1.0, "partial": 0.5, "wrong": 0.0}[name]
        # What reading checks (_VALID_ATTEMPT) is refused here too, so the store never writes a row it would call damaged.
        if not 0.0 <= float(score) <= 1.0:
            raise ValueError(f"score must be from 0 to 1, got {score!r}")
        if rating is not None and int(rating) not in (1, 2, 3, 4):
            raise ValueError(f"rating must be 1 to 4, got {rating!r}")
        if not 0.0 <= _ts(now) <= _LAST_DATE:
            raise ValueError(f"cannot record an answer dated {now!r}")
        elapsed_s = min(max(float(elapsed_s), 0.0), 1e9)
        cursor = self._write(
            "INSERT INTO attempts (item_id, kind, topic, deck, verdict, score, rating, hint_used,"
            " answer_text, elapsed_s, at, seed, level, misconception) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                None if seed is None else int(seed),
                None if level is None else str(level),
                None if misconception is None else str(misconception),
            ),
        )
        return int(cursor.lastrowid or 0)

    def attempts(self, item_id: str | None = None, *, since: datetime | None = None) -> list[Attempt]:
        """Recorded answers, oldest first; only ``item_id``'s and only from ``since`` when given."""
        where = "1=1"
        args: list[Any] = []
        if item_id is not None:
            where += " AND item_id = ?"
            args.append(item_id)
        if since is not None:
            where += " AND at >= ?"
            args.append(_ts(since))
        self.check_rows("attempts", where, args)
        return [self._attempt(row) for row in self._read(f"{_SELECT_ATTEMPT} WHERE {where} ORDER BY at, id", args)]

    @staticmethod
    def _attempt(row: tuple[Any, ...]) -> Attempt:
        (id_, item_id, kind, topic, deck, verdict, score, rating, hint, text, elapsed, at, seed, level, misconception) = row
        return Attempt(
            id_, item_id, kind, topic, deck, verdict, score, rating, bool(hint), text, elapsed, _dt(at), seed, level, misconception
        )

    def mistakes(
        self, *, since: datetime | None = None, topics: Iterable[str] | None = None, limit: int = 50
    ) -> list[Attempt]:
        """Items whose latest answer (from ``since``) was not correct, most recent first, one per item."""
        sql = (
            f"SELECT {', '.join('a.' + c for c in _ATTEMPT_COLUMNS)} FROM attempts a JOIN (SELECT item_id, MAX(id) AS last FROM attempts"
            " WHERE at >= ? GROUP BY item_id) l ON a.id = l.last WHERE a.verdict != 'correct'"
        )
        args: list[Any] = [_ts(since) if since is not None else 0.0]
        wanted = list(topics) if topics is not None else None
        if wanted is not None:
            sql += f" AND a.topic IN ({','.join('?' * len(wanted))})"
            args.extend(wanted)
        sql += " ORDER BY a.at DESC, a.id DESC LIMIT ?"
        args.append(int(limit))
        rows = self._read(sql, args)
        ids = [row[0] for row in rows]
        self.check_rows("attempts", f"id IN ({','.join('?' * len(ids))})", ids)  # the rows found, not the whole history
        return [self._attempt(row) for row in rows]

    # --- schedule state -------------------------------------------------------------------------

    def get_state(self, item_id: str) -> CardState | None:
        """The FSRS state saved for ``item_id``; None if it was never reviewed."""
        self.check_rows("card_state", "item_id = ?", (item_id,))
        rows = self._read("SELECT state FROM card_state WHERE item_id = ?", (item_id,))
        if not rows:
            return None
        return self.parse_state(item_id, rows[0][0])

    def parse_state(self, item_id: str, text: str) -> CardState:
        """A card_state row's ``state`` JSON -> CardState; StoreError when it was edited into something else."""
        from quizapp.schedule import CardState

        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise TypeError("not an object")
            state = CardState.from_dict(data)
            utc(state.due)  # a naive or odd datetime shows here, not later in a comparison
            return state
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError):
            raise self._damaged_row("card_state", item_id, "state") from None

    def save_state(
        self, item_id: str, state: CardState, *, now: datetime, kind: str = "", topic: str = "", deck: str = ""
    ) -> None:
        """Replace ``item_id``'s FSRS state (stored as fsrs Card.to_dict JSON) and commit."""
        self._upsert_state(Schedule(item_id, str(kind), topic, deck, state, now))

    def _upsert_state(self, schedule: Schedule, *, only_newer: bool = False) -> int:
        """Insert or replace one schedule (``only_newer``: only over an older one); 1 if a row changed, else 0."""
        s = schedule
        cursor = self._write(
            "INSERT INTO card_state (item_id, kind, topic, deck, state, due, updated) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (item_id) DO UPDATE SET kind = excluded.kind, topic = excluded.topic,"
            " deck = excluded.deck, state = excluded.state, due = excluded.due, updated = excluded.updated"
            + (" WHERE excluded.updated > card_state.updated" if only_newer else ""),
            (s.item_id, s.kind, s.topic, s.deck, json.dumps(s.state.to_dict()), _ts(s.state.due), _ts(s.updated)),
        )
        return max(0, cursor.rowcount)

    def schedule(self, item_id: str) -> Schedule | None:
        """``item_id``'s saved schedule row (state and labels), or None if it was never reviewed."""
        self.check_rows("card_state", "item_id = ?", (item_id,))
        rows = self._read("SELECT item_id, kind, topic, deck, state, updated FROM card_state WHERE item_id = ?", (item_id,))
        if not rows:
            return None
        item, kind, topic, deck, state, updated = rows[0]
        return Schedule(item, kind, topic, deck, self.parse_state(item, state), _dt(updated))

    def undo_attempt(self, attempt_id: int, item_id: str, previous: Schedule | None) -> None:
        """Take back one answer in one commit: delete attempt ``attempt_id`` and put ``item_id``'s schedule back
        as ``previous`` was (None: the item had none, so its row goes), as if the answer had never been given."""
        with self.batch():
            self._write("DELETE FROM attempts WHERE id = ?", (int(attempt_id),))
            if previous is None:
                self._write("DELETE FROM card_state WHERE item_id = ?", (item_id,))
            else:
                self._upsert_state(previous)

    def due_dates(self, item_ids: Iterable[str] | None = None) -> dict[str, datetime]:
        """When each reviewed item is due next (items never reviewed are absent)."""
        self.check_rows("card_state")
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
        self.check_rows("card_state")
        known = {row[0] for row in self._read("SELECT item_id FROM card_state")}
        return [item for item in card_ids if item not in known]

    def next_due(self, card_ids: Iterable[str]) -> datetime | None:
        """The earliest due date among ``card_ids``' saved states."""
        dates = self.due_dates(card_ids)
        return min(dates.values()) if dates else None

    def schedules(self) -> list[Schedule]:
        """Every saved FSRS state, by item id."""
        self.check_rows("card_state")
        rows = self._read("SELECT item_id, kind, topic, deck, state, updated FROM card_state ORDER BY item_id")
        return [Schedule(item, kind, topic, deck, self.parse_state(item, state), _dt(updated)) for item, kind, topic, deck, state, updated in rows]

    def merge(self, attempts: Iterable[Attempt], schedules: Iterable[Schedule]) -> tuple[int, int]:
        """Add a backup's history in one commit -> (attempts added, schedules added or replaced).

        An attempt already kept (same item, moment, kind, verdict, rating and answer text) is not added
        again, so merging the same backup twice adds nothing the second time; its ``id`` is ignored.
        A schedule replaces the saved one only when it was updated later (the more recent review wins).
        """
        added = replaced = 0
        with self.batch():
            for a in attempts:
                key = (a.item_id, _ts(a.at), a.kind, a.verdict, a.rating, a.answer_text)
                if self._read(
                    "SELECT 1 FROM attempts WHERE item_id = ? AND at = ? AND kind = ? AND verdict = ? AND rating IS ?"
                    " AND answer_text = ? LIMIT 1",
                    key,
                ):
                    continue
                self.record_attempt(
                    a.item_id, kind=a.kind, topic=a.topic, deck=a.deck, verdict=a.verdict, score=a.score, rating=a.rating,
                    hint_used=a.hint_used, answer_text=a.answer_text, elapsed_s=a.elapsed_s, seed=a.seed, level=a.level,
                    misconception=a.misconception, now=a.at,
                )
                added += 1
            for schedule in schedules:
                replaced += self._upsert_state(schedule, only_newer=True)
        return added, replaced

    # --- marks: suspended and flagged items -------------------------------------------------------

    def set_mark(self, item_id: str, *, suspended: bool | None = None, flagged: bool | None = None, now: datetime) -> Mark:
        """Suspend or unsuspend, flag or unflag ``item_id`` (None leaves that one as it is) and commit; returns the mark.

        Neither is an answer: no attempt is recorded and the FSRS schedule is not touched, so undo (which takes back
        answers) does not take a mark back; setting it again does. A mark with neither set is deleted.
        """
        with self.batch():
            old = self.marks([item_id]).get(item_id, Mark(item_id))
            mark = Mark(
                item_id,
                old.suspended if suspended is None else bool(suspended),
                old.flagged if flagged is None else bool(flagged),
                utc(now),
            )
            if mark.suspended or mark.flagged:
                self._write(
                    "INSERT INTO marks (item_id, suspended, flagged, updated) VALUES (?, ?, ?, ?) ON CONFLICT (item_id)"
                    " DO UPDATE SET suspended = excluded.suspended, flagged = excluded.flagged, updated = excluded.updated",
                    (item_id, int(mark.suspended), int(mark.flagged), _ts(now)),
                )
            else:
                self._write("DELETE FROM marks WHERE item_id = ?", (item_id,))
        return mark

    def marks(self, item_ids: Iterable[str] | None = None) -> dict[str, Mark]:
        """item id -> its mark, for the items marked (only among ``item_ids`` when given)."""
        self.check_rows("marks")
        rows = self._read("SELECT item_id, suspended, flagged, updated FROM marks")
        wanted = set(item_ids) if item_ids is not None else None
        return {
            item: Mark(item, bool(suspended), bool(flagged), _dt(updated))
            for item, suspended, flagged, updated in rows
            if wanted is None or item in wanted
        }

    def suspended(self) -> frozenset[str]:
        """The ids of the suspended items."""
        return frozenset(item for item, mark in self.marks().items() if mark.suspended)

    def flagged(self) -> frozenset[str]:
        """The ids of the flagged items."""
        return frozenset(item for item, mark in self.marks().items() if mark.flagged)

    # --- what statistics read (quizapp.stats); each checks only the rows it reads, so they stay fast ----------

    def count_attempts(self) -> int:
        """How many answers are kept."""
        return int(self._read("SELECT COUNT(*) FROM attempts")[0][0])

    def count_between(self, start: datetime, end: datetime) -> int:
        """Answers given from ``start`` up to (not including) ``end``: one range of the ``at`` index, no row read."""
        return int(self._read("SELECT COUNT(*) FROM attempts WHERE at >= ? AND at < ?", (_ts(start), _ts(end)))[0][0])

    def first_answers(self, start: datetime, end: datetime) -> dict[str, datetime]:
        """item id -> when it was first ever answered, for the items answered from ``start`` up to ``end``.

        An item first answered inside the window was new then; the others were reviews (quizapp.study's
        per-day limits). The (item_id, at) index answers this without reading the whole history.
        """
        args = (_ts(start), _ts(end))
        answered = "item_id IN (SELECT DISTINCT item_id FROM attempts WHERE at >= ? AND at < ?)"
        self.check_rows("attempts", answered, args)
        rows = self._read(f"SELECT item_id, MIN(at) FROM attempts WHERE {answered} GROUP BY item_id", args)
        return {item: _dt(first) for item, first in rows}

    def review_counts(self, *, since: datetime) -> dict[tuple[str, str], tuple[int, int]]:
        """(deck, topic) -> (answers from ``since`` to items answered before, how many were recalled).

        Recalled: graded Hard, Good or Easy (an answer kept without a grade: not wrong).
        """
        self.check_rows("attempts", "at >= ?", (_ts(since),))
        # The (item_id, at) index finds an earlier answer of the same item at once.
        rows = self._read(
            f"SELECT deck, topic, COUNT(*), SUM({_RECALLED}) FROM attempts a WHERE at >= ? AND EXISTS"
            " (SELECT 1 FROM attempts b WHERE b.item_id = a.item_id AND b.at <= a.at AND (b.at < a.at OR b.id < a.id))"
            " GROUP BY deck, topic",
            (_ts(since),),
        )
        return {(deck, topic): (n, int(recalled or 0)) for deck, topic, n, recalled in rows}

    def item_counts(self, item_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
        """item id -> (answers, answers not recalled) for ``item_ids`` that were answered."""
        wanted = list(item_ids)
        where = f"item_id IN ({','.join('?' * len(wanted))})"
        self.check_rows("attempts", where, wanted)
        rows = self._read(f"SELECT item_id, COUNT(*), SUM(NOT {_RECALLED}) FROM attempts WHERE {where} GROUP BY item_id", wanted)
        return {item: (n, int(lapses or 0)) for item, n, lapses in rows}

    def mean_answer_seconds(self, *, last: int = 200) -> float | None:
        """The mean time to answer of the ``last`` answers that were timed (None when none was)."""
        self.check_rows("attempts", "id IN (SELECT id FROM attempts ORDER BY id DESC LIMIT ?)", (int(last),))
        rows = self._read("SELECT AVG(elapsed_s) FROM (SELECT elapsed_s FROM attempts WHERE elapsed_s > 0 ORDER BY id DESC LIMIT ?)", (int(last),))
        return None if rows[0][0] is None else float(rows[0][0])

    def misconception_hits(self) -> list[tuple[str, str, int, int | None, str | None]]:
        """(misconception name, item id, times hit, seed and level of the latest such answer) per name and item."""
        self.check_rows("attempts", "misconception IS NOT NULL")
        # SQLite takes the bare seed and level from the row holding MAX(id): the latest answer of that group.
        rows = self._read(
            "SELECT misconception, item_id, COUNT(*), seed, level, MAX(id) FROM attempts WHERE misconception IS NOT NULL"
            " GROUP BY misconception, item_id"
        )
        return [(name, item, n, seed, level) for name, item, n, seed, level, _ in rows]

    # --- summaries ------------------------------------------------------------------------------

    def topic_stats(
        self, now: datetime, *, days: int = RECENT_DAYS, item_ids: Iterable[str] | None = None
    ) -> dict[tuple[str, str], TopicStats]:
        """Per (deck, topic): answers in the last ``days`` days with their mean score, and items due at ``now``.

        ``item_ids`` limits the due count to those items (e.g. the flashcards still in the bank).
        """
        since = _ts(now - timedelta(days=days))
        self.check_rows("attempts", "at >= ?", (since,))
        self.check_rows("card_state")
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
