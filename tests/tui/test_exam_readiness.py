"""The interview date in the TUI: typed on the Settings screen (checked, saved), and the Statistics screen's
readiness per topic on that day (hidden without one)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pilot_helpers import text_of
from test_stats_settings import _open_settings, _open_stats, _type_into
from textual.widgets import Input

from quizapp.schedule import Rating, retrievability, review

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)  # the clock new_app gives the app (see conftest)


async def test_the_interview_date_is_typed_checked_and_saved(new_app, tmp_path):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await _open_settings(app, pilot)
        assert screen.query_one("#set-exam_date", Input).value == ""
        await _type_into(pilot, screen, "exam_date", "next friday")
        assert "should be a date as YYYY-MM-DD" in text_of(app, "#settings-message")
        await _type_into(pilot, screen, "exam_date", "2025-03-09")
        assert "Interview date: 2025-03-09, saved." in text_of(app, "#settings-message")
        await _type_into(pilot, screen, "daily_minutes", "45")
    saved = json.loads((tmp_path / "data" / "settings.json").read_text())
    assert (saved["exam_date"], saved["daily_minutes"]) == ("2025-03-09", 45)


async def test_the_stats_screen_shows_each_topics_readiness_on_the_day(new_app, store, tmp_path):
    state, _ = review(None, Rating.Easy, NOW)
    store.save_state("conv-stride", state, now=NOW)
    exam_at = datetime(2025, 3, 9, 4, 0, tzinfo=UTC)  # the interview's study day begins at 04:00
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "settings.json").write_text(json.dumps({"exam_date": "2025-03-09"}))
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await _open_stats(app, pilot)
        shown = text_of(app, "#readiness")
    conv_items = 6  # the Convolutional layers topic of tests/tui/data: 5 cards and 1 drill template
    expected = f"{100 * retrievability(state, exam_at) / conv_items:.0f}%"
    assert "Readiness on 2025-03-09 (8 days away)" in shown
    assert f"{expected}  1 of 6 items answered" in shown and "0%  0 of " in shown  # Attention: nothing answered


async def test_without_an_interview_date_there_is_no_readiness(new_app):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await _open_stats(app, pilot)
        assert not screen.query_one("#readiness").display




async def test_exam_on_the_command_line_holds_for_the_run(new_app, store):
    state, _ = review(None, Rating.Easy, NOW)  # due after 2025-03-09 04:00, recall then about 0.91: at risk
    store.save_state("conv-stride", state, now=NOW)
    app = new_app(mode="review", topics=["Convolutional"], exam="2025-03-09")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert "conv-stride" in [i.id for i in app.screen.session.items]
    plain = new_app(mode="review", topics=["Convolutional"])
    async with plain.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert "conv-stride" not in [i.id for i in plain.screen.session.items]
