"""Fixtures the study-core tests share: an empty progress store and the small test bank."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizapp.content.loader import load_bank
from quizapp.store import Store


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "p.sqlite3") as s:
        yield s


@pytest.fixture(scope="module")
def small():
    return load_bank([Path(__file__).parent / "data" / "small.md"], bundled=False)
