"""Opened on a quiz or a drill, the app shows the first question before it opens the progress
database; the database still opens at once after, answers are still recorded, and a damaged one
still stops the app with exit code 1."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.widgets import Input

from quizapp.paths import database_path
from quizapp.store import Store
from quizapp.tui.app import make_app
from quizapp.tui.screens.drill import DrillScreen
from quizapp.tui.screens.home import HomeScreen

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("mode", ["drill", "quiz", None])
async def test_a_damaged_database_stops_a_session_opened_from_the_command_line(bank, tmp_path, mode):
    path = database_path(tmp_path / "data")
    path.write_bytes(b"not a database " * 100)
    app = make_app(bank, mode=mode, data_dir=tmp_path / "data", now=NOW, seed=1)
    async with app.run_test() as pilot:
        await pilot.pause()
    assert app.return_code == 1
    assert path.read_bytes() == b"not a database " * 100


async def test_the_database_opens_after_the_first_question_and_records_answers(bank, tmp_path):
    app = make_app(bank, mode="drill", data_dir=tmp_path / "data", now=NOW, seed=1)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DrillScreen)
        assert app._store is not None, "opened once the first screen was up"
        drill = app.screen.current.drill
        app.screen.query_one("#answer-input", Input).value = drill.answer_text
        await pilot.press("enter")
        await pilot.pause()
        template_id = drill.template_id
    assert app.return_code in (None, 0)
    with Store(database_path(tmp_path / "data")) as store:
        assert store.get_state(template_id) is not None


async def test_leaving_a_drill_opened_directly_builds_home(bank, tmp_path):
    app = make_app(bank, mode="drill", data_dir=tmp_path / "data", now=NOW, seed=1)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DrillScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        # The drill was the app's first screen: it stays below Home, finished, and quitting need not ask.
        assert [type(s).__name__ for s in app.screen_stack] == ["DrillScreen", "HomeScreen"]
        assert not app.running_practice()


async def test_the_garbage_collector_paused_by_the_command_line_resumes_with_the_first_question(bank, tmp_path):
    import gc

    app = make_app(bank, mode="drill", data_dir=tmp_path / "data", now=NOW, seed=1, resume_gc=True)
    frozen = gc.get_freeze_count()
    gc.disable()  # as quizapp.cli leaves it while the app starts
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            assert app.screen.current is not None
            assert gc.isenabled()
            assert gc.get_freeze_count() > frozen  # what starting made is left out of collections
    finally:
        gc.unfreeze()
        gc.enable()


async def test_an_app_not_told_to_resume_the_collector_leaves_it_alone(bank, tmp_path):
    import gc

    app = make_app(bank, mode="drill", data_dir=tmp_path / "data", now=NOW, seed=1)
    frozen = gc.get_freeze_count()
    gc.disable()  # someone else's choice (timeit does this): the app does not override it
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            assert app.screen.current is not None
            assert not gc.isenabled()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.enable()
