"""Provides reading settings.json without any UI: the bounded, lenient file reader and the study settings (per-day limits,
day boundary, second try) that the study core, plain mode and the TUI share."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizapp.textsafe import short

__all__ = [
    "DAY_START",
    "MAX_SETTINGS_BYTES",
    "NEW_PER_DAY",
    "REVIEW_CAP",
    "StudySettings",
    "json_short",
    "load_study_settings",
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


def _whole(data: dict, key: str, default: int, low: int, high: int, problems: list[str]) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        problems.append(f'"{key}" should be a whole number from {low} to {high}, got {json_short(value)}: using {default}')
        return default
    return value


@dataclass(frozen=True)
class StudySettings:
    """How a day of study runs (settings.json keys of the same names)."""

    new_per_day: int = NEW_PER_DAY
    review_cap: int = REVIEW_CAP
    day_start_hour: int = DAY_START
    """The local hour a new day of study begins (0-23)."""
    second_try: bool = True
    """A typed answer that is wrong but readable may be tried once more before the answer is shown."""
    problems: tuple[str, ...] = ()
    """What could not be read, one line each (each bad value falls back to its default)."""

    @classmethod
    def from_dict(cls, data: Any) -> StudySettings:
        """Lenient: a missing key is its default; a malformed one is its default and a line in ``problems``."""
        if not isinstance(data, dict):
            return cls()
        problems: list[str] = []
        new_per_day = _whole(data, "new_per_day", NEW_PER_DAY, 0, 9999, problems)
        review_cap = _whole(data, "review_cap", REVIEW_CAP, 0, 99999, problems)
        day_start_hour = _whole(data, "day_start_hour", DAY_START, 0, 23, problems)
        second_try = data.get("second_try", True)
        if not isinstance(second_try, bool):
            problems.append(f'"second_try" should be true or false, got {json_short(second_try)}: using true')
            second_try = True
        return cls(new_per_day, review_cap, day_start_hour, second_try, tuple(problems))


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
