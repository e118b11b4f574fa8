"""Provides the remembered settings (topic selection, quiz length, theme, the study settings: new cards and
reviews a day, desired retention, the hour a day starts, drill level, second try) and the user's key
remapping, in one JSON file written atomically.

Headless (no textual or rich): the study core reads the same file through :func:`load_settings`.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from quizapp.settings import (
    DAILY_MINUTES,
    DEFAULT_COUNT,
    FIELDS,
    LEVELS,
    MAX_COUNT,
    MAX_SETTINGS_BYTES,
    Field,
    parse_field,
    read_settings_file,
)
from quizapp.settings import json_short as _json_short

__all__ = [
    "DEFAULT_COUNT",
    "FIELDS",
    "LEVELS",
    "MAX_COUNT",
    "MAX_SETTINGS_BYTES",
    "Field",
    "Settings",
    "load_settings",
    "parse_field",
    "save_settings",
]


@dataclass(frozen=True)
class Settings:
    """What the app remembers between runs, and the keymap the user wrote."""

    selection: tuple[tuple[str, str], ...] = ()
    """Picked topics as (deck id, topic); empty means every topic."""
    count: int = DEFAULT_COUNT
    theme: str = ""
    new_per_day: int = 20
    review_cap: int = 200
    desired_retention: float = 0.9
    day_start_hour: int = 4
    level: str = "auto"
    """The default drill level: "auto" (grows with the streak), or a fixed one."""
    second_try: bool = True
    exam_date: str = ""
    """The interview day, YYYY-MM-DD, or empty (quizapp.settings)."""
    daily_minutes: int = DAILY_MINUTES
    keymap: tuple[tuple[str, str], ...] = ()
    """The file's "keymap" as (binding id, comma-separated keys), in file order; quizapp.tui.keys checks them."""
    problems: tuple[str, ...] = ()
    """What could not be read from the file, one line each (the app shows them as a warning)."""
    damaged: bool = False
    """The file exists but is not a JSON object: it is left as the user wrote it, never overwritten."""

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def fixed_level(self) -> str | None:
        """The drill level to hold, or None to let it grow with the streak."""
        return None if self.level == "auto" else self.level

    def to_dict(self) -> dict[str, Any]:
        """What the app writes; the keymap is the user's and stays in the file as they wrote it."""
        return {
            "selection": [list(pair) for pair in self.selection],
            "theme": self.theme,
            **{f.key: getattr(self, f.key) for f in FIELDS},
        }

    @classmethod
    def from_dict(cls, data: Any) -> Settings:
        """Lenient: anything malformed falls back to its default rather than failing the app's start."""
        if not isinstance(data, dict):
            return cls(problems=("settings.json does not hold a JSON object: using the defaults",), damaged=True)
        problems: list[str] = []
        raw = data.get("selection", [])
        if not isinstance(raw, list):
            problems.append(f'"selection" should be a list of [deck id, topic] pairs, got {_json_short(raw)}: nothing picked')
            raw = []
        selection = tuple(
            (pair[0], pair[1])
            for pair in raw
            if isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        )
        values: dict[str, Any] = {}
        for field in FIELDS:
            if field.key not in data:
                continue
            try:
                values[field.key] = parse_field(field.key, data[field.key])
            except ValueError:
                problems.append(f'"{field.key}" should be {field.describe()}, got {_json_short(data[field.key])}: using {_json_short(field.default)}')
        theme = data.get("theme", "")
        if not isinstance(theme, str):
            problems.append(f'"theme" should be a theme\'s name, got {_json_short(theme)}: using the default')
            theme = ""
        keymap, keymap_problems = _read_keymap(data.get("keymap"))
        return cls(selection=selection, theme=theme, keymap=keymap, problems=(*problems, *keymap_problems), **values)


def _read_keymap(raw: Any) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """The well-formed entries of "keymap" (an id with a key string, or a list of keys) and a line per other entry."""
    if raw is None:
        return (), ()
    if not isinstance(raw, dict):
        return (), ('"keymap" should map binding ids to keys, like {"practice.hint": "f2"}',)
    entries: list[tuple[str, str]] = []
    problems: list[str] = []
    for binding_id, keys in raw.items():
        if isinstance(keys, str) and keys.strip():
            entries.append((binding_id, keys))
        elif isinstance(keys, list) and keys and all(isinstance(k, str) and k.strip() and "," not in k for k in keys):
            entries.append((binding_id, ",".join(keys)))
        else:
            problems.append(f"{binding_id[:60]}: {_json_short(keys)} is not a key or a list of keys")
    return tuple(entries), tuple(problems)


def load_settings(path: Path) -> Settings:
    """The settings in ``path``: defaults when it is missing; defaults and a problem when it is unreadable
    (the reading itself is the core's, quizapp.settings.read_settings_file)."""
    data, problem = read_settings_file(path)
    if problem is not None:
        return Settings(problems=(problem,), damaged=True)
    return Settings.from_dict(data)


def save_settings(path: Path, settings: Settings) -> None:
    """Write ``settings`` to ``path`` atomically: a temporary file in the same folder, then a rename.

    Whatever else the file holds (the keymap, keys a newer version wrote) is kept as it was.
    """
    try:
        existing = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        existing = {}
    data = {**(existing if isinstance(existing, dict) else {}), **settings.to_dict()}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
