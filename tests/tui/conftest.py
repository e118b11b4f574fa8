"""Shared pieces for the TUI tests: the small fixed bank in tests/tui/data, a store, a fixed clock and seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from quizapp.content.loader import load_bank
from quizapp.store import Store
from quizapp.tui.app import QuizApp, make_app

DATA = Path(__file__).parent / "data"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SEED = 7


@pytest.fixture(scope="session")
def bank():
    bank = load_bank([DATA], bundled=False)
    assert not bank.all_problems(), bank.all_problems()
    return bank


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "progress.sqlite3") as s:
        yield s


@pytest.fixture
def new_app(bank, store, tmp_path):
    """make_app with the test bank, this test's store and data folder, a fixed clock (or the ``now`` given) and seed."""

    def build(**kwargs) -> QuizApp:
        kwargs.setdefault("seed", SEED)
        kwargs.setdefault("now", NOW)
        return make_app(bank, store=store, data_dir=tmp_path / "data", **kwargs)

    return build
