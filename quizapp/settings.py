"""Provides reading settings.json without any UI: the bounded, lenient file reader and the study settings (per-day limits,
day boundary, second try) that the study core, plain mode and the TUI share."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from quizapp.textsafe import short

__all__ = [
    "DAILY_MINUTES",
    "DAY_START",
    "DEFAULT_COUNT",
    "FIELDS",
    "LEVELS",
    "MAX_COUNT",
    "MAX_SETTINGS_BYTES",
    "NEW_PER_DAY",
    "REVIEW_CAP",
    "Field",
    "StudySettings",
    "json_short",
    "load_study_settings",
    "parse_date",
    "parse_field",
    "read_settings_file",
]

DAY_START = 4
"""The hour a new day of study begins (local time), as Anki's default."""
NEW_PER_DAY = 20
"""Cards never seen before that one day of study introduces at most, as Anki's default."""
REVIEW_CAP = 200
"""Reviews (of items answered on an earlier day) one day of study asks at most, as Anki's default."""
MAX_SETTINGS_BYTES = 256 * 1024
"""A settings file larger than this is not read (the app's own is a few hundred bytes)."""


DAILY_MINUTES = 30
"""The daily time budget of a review before the interview date, in minutes."""

DEFAULT_COUNT = 10
MAX_COUNT = 100
LEVELS = ("auto", "easy", "medium", "hard")
"""Drill levels: "auto" grows with the streak, the others are fixed."""


@dataclass(frozen=True)
class Field:
    """One study setting as settings.json and the Settings screen have it: its key, label, default and bounds."""

    key: str
    label: str
    default: int | float | bool | str
    low: float = 0
    high: float = 0
    help: str = ""

    @property
    def is_date(self) -> bool:
        """A day as YYYY-MM-DD, or empty for none (exam_date)."""
        return self.key.endswith("_date")

    def describe(self) -> str:
        """What a valid value is, for messages: "a whole number from 0 to 9999"."""
        if isinstance(self.default, bool):
            return "true or false"
        if self.is_date:
            return "a date as YYYY-MM-DD (empty: none)"
        if isinstance(self.default, str):
            return " or ".join(LEVELS)
        if isinstance(self.default, int):
            return f"a whole number from {self.low:g} to {self.high:g}"
        return f"a number from {self.low:g} to {self.high:g}"


FIELDS: tuple[Field, ...] = (
    Field("new_per_day", "New cards a day", NEW_PER_DAY, 0, 9999, "new cards a study day brings in, counted across sessions"),
    Field("review_cap", "Reviews a day at most", REVIEW_CAP, 0, 99999, "reviews a study day asks at most"),
    Field("desired_retention", "Desired retention", 0.9, 0.7, 0.99, "the recall FSRS schedules for: higher means more reviews"),
    Field("day_start_hour", "A day starts at (hour)", DAY_START, 0, 23, "local hour a new study day begins, as Anki's 4 o'clock"),
    Field("level", "Default drill level", "auto", help="auto grows with your streak; or easy, medium, hard"),
    Field("count", "Quiz length", DEFAULT_COUNT, 1, MAX_COUNT, "questions in a quiz"),
    Field("second_try", "Second try before the answer", True, help="a wrong but readable typed answer may be tried once more"),
    Field("exam_date", "Interview date", "", help="YYYY-MM-DD: review aims for high recall on that day (empty: none)"),
    Field("daily_minutes", "Minutes a day before it", DAILY_MINUTES, 1, 1440, "the daily time budget of the review before the interview"),
)
"""The study settings in the order the Settings screen lists them."""

_FIELDS = {f.key: f for f in FIELDS}


def parse_field(key: str, value: Any) -> int | float | bool | str:
    """``value`` (from JSON, or typed as text) as setting ``key`` holds it; ValueError saying what is allowed.

    Text is read leniently ("0,85" and "85%" for a retention; "on"/"off" for a switch); JSON's true is not 1.
    """
    field = _FIELDS[key]
    default = field.default
    wrong = ValueError(f"{field.label}: should be {field.describe()}, got {json_short(value)}")
    if isinstance(default, bool):
        if isinstance(value, str) and value.strip().lower() in ("true", "on", "yes", "1", "false", "off", "no", "0"):
            return value.strip().lower() in ("true", "on", "yes", "1")
        if isinstance(value, bool):
            return value
        raise wrong
    if field.is_date:
        if isinstance(value, str) and (not value.strip() or parse_date(value) is not None):
            return value.strip()
        raise wrong
    if isinstance(default, str):
        if isinstance(value, str) and value.strip().lower() in LEVELS:
            return value.strip().lower()
        raise wrong
    if isinstance(value, bool):
        raise wrong
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        percent = text.endswith("%")
        try:
            number: float = float(text.rstrip("%").strip()) if text.rstrip("%").strip() else float("nan")
        except ValueError:
            raise wrong from None
        if percent:
            number /= 100
    elif isinstance(value, (int, float)):
        number = value
    else:
        raise wrong
    if not field.low <= number <= field.high or not math.isfinite(number):  # range first: a huge JSON int is no float
        raise wrong
    if isinstance(default, int):
        if number != int(number):
            raise wrong
        number = int(number)
    return number


def parse_date(text: str) -> date | None:
    """``text`` as a day written YYYY-MM-DD (the ISO form, nothing else), or None when it is not one."""
    text = text.strip()
    if len(text) != 10:  # bounded before it is parsed; ISO 8601 week or ordinal forms are not asked for
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def json_short(value: Any, limit: int = 60) -> str:
    """``value`` as JSON, as the user wrote it, cut to about ``limit`` characters."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (RecursionError, ValueError):
        return "a value nested too deeply"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_settings_file(path: Path) -> tuple[Any, str | None]:
    """(what ``path`` holds as JSON, None) or (None, why it cannot be used). A missing file holds {}."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SETTINGS_BYTES + 1)
    except FileNotFoundError:
        return {}, None
    except OSError as err:
        return None, f"cannot read {path}: {err.strerror or err}; using the defaults"
    if len(raw) > MAX_SETTINGS_BYTES:
        return None, f"{path} is larger than {MAX_SETTINGS_BYTES // 1024} kB: using the defaults, the file is left as it is"
    try:
        return json.loads(raw.decode("utf-8")), None
    except (ValueError, RecursionError) as err:  # UnicodeDecodeError is a ValueError; deep nesting recurses
        reason = "nested too deeply" if isinstance(err, RecursionError) else short(str(err), 120)[1:-1]
        return None, f"{path} is not valid JSON ({reason}): using the defaults, the file is left as it is"


@dataclass(frozen=True)
class StudySettings:
    """How a day of study runs (settings.json keys of the same names)."""

    new_per_day: int = NEW_PER_DAY
    review_cap: int = REVIEW_CAP
    day_start_hour: int = DAY_START
    """The local hour a new day of study begins (0-23)."""
    second_try: bool = True
    """A typed answer that is wrong but readable may be tried once more before the answer is shown."""
    exam_date: str = ""
    """The interview day, YYYY-MM-DD, or empty (see quizapp.study.exam_plan)."""
    daily_minutes: int = DAILY_MINUTES
    """The review's daily time budget before the interview date."""
    problems: tuple[str, ...] = ()
    """What could not be read, one line each (each bad value falls back to its default)."""

    @classmethod
    def from_dict(cls, data: Any) -> StudySettings:
        """Lenient: a missing key is its default; a malformed one is its default and a line in ``problems``
        (each checked by :func:`parse_field`, as the Settings screen checks what is typed)."""
        if not isinstance(data, dict):
            return cls()
        problems: list[str] = []
        values: dict[str, Any] = {}
        for key in ("new_per_day", "review_cap", "day_start_hour", "second_try", "exam_date", "daily_minutes"):
            if key not in data:
                continue
            try:
                values[key] = parse_field(key, data[key])
            except ValueError:
                field = _FIELDS[key]
                problems.append(f'"{key}" should be {field.describe()}, got {json_short(data[key])}: using {json_short(field.default)}')
        return cls(**values, problems=tuple(problems))

    @property
    def exam(self) -> date | None:
        """The interview day, or None when none is set."""
        return parse_date(self.exam_date) if self.exam_date else None


def load_study_settings(data_dir: str | os.PathLike[str] | None = None) -> StudySettings:
    """The study settings in ``data_dir``'s settings.json; the defaults (and a problem line) when it cannot be read."""
    from quizapp.paths import settings_path

    try:
        path = settings_path(data_dir, create=False)
    except OSError as err:
        return StudySettings(problems=(f"cannot find the settings: {err}; using the defaults",))
    data, problem = read_settings_file(path)
    if problem is not None:
        return StudySettings(problems=(problem,))
    return StudySettings.from_dict(data)
