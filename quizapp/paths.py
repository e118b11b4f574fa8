"""Provides the one seam for user files: the data directory, the cache directory and the shipped question bank.

Paths are computed when called, never at import time, so tests can point them elsewhere with
``QUIZAPP_DATA_DIR`` or ``--data-dir``, and ``QUIZAPP_CACHE_DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "bundled_content_dir",
    "cache_dir",
    "data_dir",
    "data_dir_error",
    "database_path",
    "settings_path",
    "user_content_dir",
]


def data_dir(override: str | os.PathLike[str] | None = None, *, create: bool = True) -> Path:
    """Where progress and settings live: ``override``, else $QUIZAPP_DATA_DIR, else the platform's user data dir.

    Created unless ``create`` is False (a reader that finds nothing there needs no folder); OSError when it
    cannot be made, and :func:`data_dir_error` says why.
    """
    if override:
        path = Path(override)
    elif os.environ.get("QUIZAPP_DATA_DIR"):
        path = Path(os.environ["QUIZAPP_DATA_DIR"])
    else:
        from platformdirs import user_data_path

        path = user_data_path("quizapp", appauthor=False)
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def user_content_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The user's own decks (``quizapp import`` copies them here; every command loads them): ``decks`` in
    the data folder. Not created here."""
    return data_dir(override, create=False) / "decks"


def cache_dir() -> Path:
    """Where the parsed bank is cached: $QUIZAPP_CACHE_DIR, else the platform's user cache dir.

    Not created here: a cache that is only read needs no folder, and writing creates it.
    """
    if os.environ.get("QUIZAPP_CACHE_DIR"):
        return Path(os.environ["QUIZAPP_CACHE_DIR"])
    from platformdirs import user_cache_path

    return user_cache_path("quizapp", appauthor=False)


def database_path(override: str | os.PathLike[str] | None = None) -> Path:
    """The SQLite file holding review history and schedule state."""
    return data_dir(override) / "progress.sqlite3"


def settings_path(override: str | os.PathLike[str] | None = None, *, create: bool = True) -> Path:
    """The JSON file holding UI settings (last topic selection, quiz length)."""
    return data_dir(override, create=create) / "settings.json"


def bundled_content_dir() -> Path:
    """The shipped bank: inside the installed wheel (``quizapp/_bank``) or the source tree's ``content/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_bank", here.parent / "content"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the shipped question bank is missing (looked in quizapp/_bank and content/)")


def data_dir_error(err: OSError, override: str | os.PathLike[str] | None = None) -> str:
    """Why :func:`data_dir` failed, in one line for the user: the folder and what stands in the way."""
    where = err.filename or override or "the data folder"
    if isinstance(err, (FileExistsError, NotADirectoryError)):
        reason = "a file stands where a folder is needed"
    elif isinstance(err, PermissionError):
        reason = "permission denied"
    else:
        reason = err.strerror or str(err)
    return f"cannot use the data folder {where} for progress and settings: {reason} (choose another with --data-dir DIR)"
