"""Provides `quizapp progress export FILE` and `quizapp progress import FILE`: the whole history and schedule as versioned JSON.

The file is one object::

    {"format": "quizapp-progress", "version": 1, "quizapp": "0.1.0",
     "attempts": [{"item_id": ..., "at": 1736155800.0, ...}, ...],
     "schedules": [{"item_id": ..., "state": {fsrs Card.to_dict}, "updated": ...}, ...]}

Moments are seconds since 1970 UTC (a float round-trips exactly through JSON, so the same attempt is
recognised when it is imported again). An import is untrusted input: the file is bounded in size,
each field is checked for type and range and named in the message (``FILE: attempts[3].score:
...``), and nothing is written unless the whole file is valid. Importing merges (see Store.merge):
attempts already kept are skipped, so importing one file twice adds nothing the second time.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from quizapp import __version__
from quizapp.schedule import CardState, State
from quizapp.store import Attempt, Schedule, Store, StoreError
from quizapp.textsafe import short

__all__ = ["FORMAT", "MAX_BYTES", "VERSION", "BackupError", "dump", "export_progress", "import_progress", "load", "run"]

FORMAT = "quizapp-progress"
VERSION = 1
MAX_BYTES = 64 * 1024 * 1024
"""The largest backup read: about 220,000 answers (100,000 make 28 MB, read into about 150 MB of memory).
A larger file is refused before it is parsed."""
MAX_TEXT = 10_000
"""The longest text field (an id, a topic, a typed answer) an import accepts."""
_LAST_DATE = 253402300799.0  # 9999-12-31 23:59:59 UTC
_LEVELS = ("easy", "medium", "hard")


class BackupError(ValueError):
    """A backup file that cannot be read or imported; the message starts with the file's name."""


_ATTEMPT_FIELDS = tuple(f.name for f in dataclasses.fields(Attempt) if f.name != "id")


def _attempt_dict(a: Attempt) -> dict[str, Any]:
    """Every field but the row id (another database numbers its rows itself); ``at`` as seconds since 1970."""
    data = {name: getattr(a, name) for name in _ATTEMPT_FIELDS}  # not dataclasses.asdict: it deep-copies, 10× slower
    data["at"] = a.at.timestamp()
    return data


def _schedule_dict(s: Schedule) -> dict[str, Any]:
    return {"item_id": s.item_id, "kind": s.kind, "topic": s.topic, "deck": s.deck, "state": s.state.to_dict(), "updated": s.updated.timestamp()}


def dump(attempts: list[Attempt], schedules: list[Schedule]) -> str:
    """The backup text: one attempt or schedule a line, so a diff or a grep of the file reads well."""

    def rows(items: list[dict[str, Any]]) -> str:
        return "[\n" + ",\n".join(json.dumps(item, ensure_ascii=False, allow_nan=False) for item in items) + ("\n" if items else "") + "]"

    head = json.dumps({"format": FORMAT, "version": VERSION, "quizapp": __version__})[:-1]
    return (
        f'{head},\n"attempts": {rows([_attempt_dict(a) for a in attempts])},\n'
        f'"schedules": {rows([_schedule_dict(s) for s in schedules])}}}\n'
    )


# --- reading an untrusted file --------------------------------------------------------------------


class _Field:
    """Checks of one JSON object's fields, each failure naming where it is: ``attempts[3].score``."""

    def __init__(self, where: str, data: object) -> None:
        if not isinstance(data, dict):
            raise BackupError(f"{where}: expected an object, got {short(data)}")
        self.where, self.data = where, data

    def get(self, key: str, check: Callable[[Any], bool], expected: str, *, optional: bool = False) -> Any:
        """The value at ``key`` when ``check`` accepts it (or it is null and ``optional``); every key must be there."""
        if key not in self.data:
            raise BackupError(f"{self.where}: {key} is missing")
        value = self.data[key]
        if (value is None and optional) or check(value):
            return value
        raise BackupError(f"{self.where}.{key}: expected {expected}, got {short(value)}")

    def text(self, key: str, *, optional: bool = False) -> str:
        return self.get(key, lambda v: isinstance(v, str) and len(v) <= MAX_TEXT, f"a text of at most {MAX_TEXT:,} characters", optional=optional)

    def number(self, key: str, low: float, high: float, *, optional: bool = False) -> float:
        def ok(v: Any) -> bool:
            return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and low <= v <= high

        value = self.get(key, ok, f"a number from {low:g} to {high:g}", optional=optional)
        return None if value is None else float(value)

    def whole(self, key: str, low: int, high: int, *, optional: bool = False) -> int | None:
        def ok(v: Any) -> bool:
            return isinstance(v, int) and not isinstance(v, bool) and low <= v <= high

        return self.get(key, ok, f"a whole number from {low:,} to {high:,}", optional=optional)

    def moment(self, key: str) -> datetime:
        return datetime.fromtimestamp(self.number(key, 0, _LAST_DATE), tz=UTC)


def _read_attempt(where: str, data: object) -> Attempt:
    f = _Field(where, data)
    return Attempt(
        id=0,
        item_id=f.text("item_id"),
        kind=f.text("kind"),
        topic=f.text("topic"),
        deck=f.text("deck"),
        verdict=f.get("verdict", lambda v: v in ("correct", "partial", "wrong"), "correct, partial or wrong"),
        score=f.number("score", 0, 1),
        rating=f.whole("rating", 1, 4, optional=True),
        hint_used=f.get("hint_used", lambda v: isinstance(v, bool), "true or false"),
        answer_text=f.text("answer_text"),
        elapsed_s=f.number("elapsed_s", 0, 1e9),
        at=f.moment("at"),
        seed=f.whole("seed", -(2**63), 2**63 - 1, optional=True),
        level=f.get("level", lambda v: v in _LEVELS, " or ".join(_LEVELS), optional=True),
        misconception=f.text("misconception", optional=True),
    )


def _read_state(where: str, data: object) -> CardState:
    f = _Field(where, data)
    f.whole("card_id", -(2**63), 2**63 - 1)
    f.get("state", lambda v: type(v) is int and v in {int(s) for s in State}, "1, 2 or 3 (Learning, Review, Relearning)")
    f.whole("step", 0, 1000, optional=True)
    f.number("stability", 0, 1e12, optional=True)
    f.number("difficulty", 0, 100, optional=True)
    for key, optional in (("due", False), ("last_review", True)):
        when = f.text(key, optional=optional)
        if when is not None:
            try:
                parsed = datetime.fromisoformat(when)
            except ValueError:
                raise BackupError(f"{where}.{key}: expected a date and time (ISO 8601), got {short(when)}") from None
            if parsed.tzinfo is None or not 0 <= parsed.timestamp() <= _LAST_DATE:
                raise BackupError(f"{where}.{key}: expected a date from 1970 on with its time zone, got {short(when)}")
    return CardState.from_dict(data)  # type: ignore[arg-type]


def _read_schedule(where: str, data: object) -> Schedule:
    f = _Field(where, data)
    return Schedule(
        item_id=f.text("item_id"),
        kind=f.text("kind"),
        topic=f.text("topic"),
        deck=f.text("deck"),
        state=_read_state(f"{where}.state", f.get("state", lambda v: True, "")),
        updated=f.moment("updated"),
    )


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def load(path: Path) -> tuple[list[Attempt], list[Schedule]]:
    """Read and check a backup file -> (attempts, schedules); BackupError ``FILE: what is wrong`` otherwise."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)  # read to the bound, not to the file's claimed size: a FIFO has none
    except OSError as err:
        raise BackupError(f"{path}: cannot read it: {err.strerror or err}") from None
    if len(raw) > MAX_BYTES:
        raise BackupError(f"{path}: larger than {MAX_BYTES // 2**20} MB; not a quizapp progress backup")
    try:
        doc = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError as err:
        raise BackupError(f"{path}: not UTF-8 text (byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise BackupError(f"{path}:{err.lineno}:{err.colno}: not valid JSON: {err.msg}") from None
    except (ValueError, RecursionError) as err:  # NaN, a number of thousands of digits, nesting past Python's limit
        raise BackupError(f"{path}: not a progress backup: {short(str(err), 80)[1:-1]}") from None
    try:
        return _read_doc(doc)
    except BackupError as err:
        raise BackupError(f"{path}: {err}") from None


def _read_doc(doc: object) -> tuple[list[Attempt], list[Schedule]]:
    if not isinstance(doc, Mapping) or doc.get("format") != FORMAT:
        raise BackupError(f'not a quizapp progress backup (expected an object with "format": "{FORMAT}")')
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BackupError(f"version: expected a whole number, got {short(version)}")
    if version > VERSION:
        raise BackupError(f"written by a newer quizapp (backup version {version}, this one reads up to {VERSION}); upgrade quizapp")
    lists = {}
    for key in ("attempts", "schedules"):
        if not isinstance(doc.get(key), list):
            raise BackupError(f"{key}: expected a list, got {short(doc.get(key))}")
        lists[key] = doc[key]
    attempts = [_read_attempt(f"attempts[{i}]", item) for i, item in enumerate(lists["attempts"])]
    schedules = [_read_schedule(f"schedules[{i}]", item) for i, item in enumerate(lists["schedules"])]
    return attempts, schedules


# --- the commands ---------------------------------------------------------------------------------


def export_progress(store: Store, path: Path) -> tuple[int, int]:
    """Write every attempt and schedule of ``store`` to ``path`` (atomically) -> (attempts, schedules)."""
    from quizapp.export import write_atomic

    attempts, schedules = store.attempts(), store.schedules()
    write_atomic(path, dump(attempts, schedules).encode("utf-8"))
    return len(attempts), len(schedules)


def import_progress(store: Store, path: Path) -> tuple[int, int, int, int]:
    """Merge the backup at ``path`` into ``store`` in one commit -> (attempts added, in the file, schedules
    added or replaced, in the file). Nothing is written when the file is not valid as a whole."""
    attempts, schedules = load(path)
    added, replaced = store.merge(attempts, schedules)
    return added, len(attempts), replaced, len(schedules)


def run(action: str, path: Path, *, data_dir: str | Path | None = None) -> int:
    """`quizapp progress export|import FILE`: exit status 0, or 1 after a one-line message on stderr."""
    from quizapp.paths import data_dir_error, database_path
    from quizapp.textsafe import error

    try:
        store = Store(database_path(data_dir))
    except StoreError as err:
        error(f"quizapp: {err}")
        return 1
    except OSError as err:
        error(f"quizapp: {data_dir_error(err, data_dir)}")
        return 1
    try:
        if action == "export":
            n_attempts, n_schedules = export_progress(store, path)
            print(f"wrote {path}: {n_attempts:,} answers and {n_schedules:,} schedules")
        else:
            added, total, replaced, n_schedules = import_progress(store, path)
            print(
                f"imported {path}: {added:,} of {total:,} answers added ({total - added:,} already kept), "
                f"{replaced:,} of {n_schedules:,} schedules added or brought up to date"
            )
    except (BackupError, StoreError) as err:
        error(f"quizapp: {err}")
        return 1
    except OSError as err:
        error(f"quizapp: {path}: cannot write it: {err.strerror or err}")
        return 1
    finally:
        store.close()
    return 0
