"""Provides `quizapp import PATH ...`: decks for quizapp or other tools, read, checked and copied into the user's deck folder.

Every command loads that folder (``decks`` in the data folder, see quizapp.paths.user_content_dir)
besides the shipped bank, so an imported deck appears in every session. A file is copied as it is
(an Obsidian note stays an Obsidian note), under its own name, atomically (a temporary file in the
same folder, then a rename); a folder's decks keep their place under the folder's name. A file is
read first as the app will read it: its problems are printed as ``file:line: message``, and a file
from which no card can be read is not copied.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["run"]

PROBLEMS_SHOWN = 10
"""Problems printed for each imported file (`quizapp check FILE` lists them all)."""


def _say(message: str) -> None:
    from quizapp.textsafe import printable

    print(printable(message), file=sys.stderr)


def _sources(paths: Sequence[Path]) -> tuple[list[tuple[Path, Path]], int]:
    """(each deck file with the path it takes in the deck folder, exit status so far: 2 for a missing path)."""
    from quizapp.content.loader import DECK_SUFFIXES, _deck_files

    found: list[tuple[Path, Path]] = []
    status = 0
    for path in paths:
        if path.is_dir():
            name = path.resolve().name or "decks"
            found += [(f, Path(name) / f.relative_to(path)) for f in _deck_files(path)]
        elif path.is_file():
            if path.suffix.lower() not in DECK_SUFFIXES:
                _say(f"quizapp import: {path}: not a deck: expected a .md, .txt, .tsv, .apkg or .colpkg file")
                status = max(status, 1)
                continue
            found.append((path, Path(path.name)))
        else:
            _say(f"quizapp import: {path}: no such file or folder")
            status = 2
    return found, status


def run(paths: Sequence[Path], *, data_dir: str | os.PathLike[str] | None = None) -> int:
    """`quizapp import`: 0 when every file was copied, 1 when some file had no cards, 2 for a missing path
    or a deck folder that cannot be written."""
    from quizapp.content.loader import load_deck
    from quizapp.export import write_atomic
    from quizapp.paths import user_content_dir

    target = user_content_dir(data_dir)
    sources, status = _sources(paths)
    if not sources and not status:
        _say("quizapp import: no decks found (.md, .apkg, .colpkg, .tsv, or .txt with Anki's header lines)")
        return 1
    for source, place in sources:
        deck = load_deck(source)
        for problem in deck.problems[:PROBLEMS_SHOWN]:
            _say(f"quizapp import: {problem}")
        if len(deck.problems) > PROBLEMS_SHOWN:
            _say(f"quizapp import: … and {len(deck.problems) - PROBLEMS_SHOWN:,} more (`quizapp check {source}` lists them all)")
        if not deck.cards and not deck.templates:
            _say(f"quizapp import: {source}: no cards could be read from it; not imported")
            status = max(status, 1)
            continue
        destination = target / place
        existed = destination.exists()
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(destination, source)
        except OSError as exc:
            _say(f"quizapp import: cannot write {destination}: {exc.strerror or exc}")
            return 2
        what = f"{len(deck.cards):,} card{'s' if len(deck.cards) != 1 else ''}"
        if deck.templates:
            what += f" and {len(deck.templates):,} drill template{'s' if len(deck.templates) != 1 else ''}"
        print(f"{'updated' if existed else 'imported'} {source}: {what} in {len(deck.topics)} topic{'s' if len(deck.topics) != 1 else ''} -> {destination}")
    return status
