"""Provides the TUI's remembered settings (topic selection, quiz length, theme) in a JSON file written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_COUNT", "Settings", "load_settings", "save_settings"]

DEFAULT_COUNT = 10
MAX_COUNT = 100


@dataclass(frozen=True)
class Settings:
    """What the app remembers between runs."""

    selection: tuple[tuple[str, str], ...] = ()
    """Picked topics as (deck id, topic); empty means every topic."""
    count: int = DEFAULT_COUNT
    theme: str = ""

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {"selection": [list(pair) for pair in self.selection], "count": self.count, "theme": self.theme}

    @classmethod
    def from_dict(cls, data: Any) -> Settings:
        """Lenient: anything malformed falls back to its default rather than failing the app's start."""
        if not isinstance(data, dict):
            return cls()
        selection = tuple(
            (pair[0], pair[1])
            for pair in data.get("selection") or ()
            if isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        )
        count = data.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_COUNT:
            count = DEFAULT_COUNT
        theme = data.get("theme")
        return cls(selection=selection, count=count, theme=theme if isinstance(theme, str) else "")


def load_settings(path: Path) -> Settings:
    """The settings in ``path``; defaults when it is missing or unreadable."""
    try:
        return Settings.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return Settings()


def save_settings(path: Path, settings: Settings) -> None:
    """Write ``settings`` to ``path`` atomically: a temporary file in the same folder, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(settings.to_dict(), handle, ensure_ascii=False, indent=2)
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
