"""The Statistics and Settings screens: opened from Home and the palette, drawn from a prepared history,
deck text never read as markup, the mistakes drilled, FSRS fitted in a thread, settings checked and kept."""

from __future__ import annotations

import json
from datetime import UTC

from rich.text import Text
from textual.widgets import DataTable, Input, OptionList, Select, Switch
from textual_plotext import PlotextPlot

from quizapp.tui.screens.home import HomeScreen
from quizapp.tui.screens.settings import SettingsScreen
from quizapp.tui.screens.stats import Plot, StatsScreen
from tests.tui.conftest import NOW
from tests.tui.pilot_helpers import record_history, run_from_palette, text_of


def _plot_text(app, selector: str) -> str:
    plot = app.screen.query_one(selector, PlotextPlot)
    return str(plot.render())


async def _open_stats(app, pilot) -> StatsScreen:
    app.tz = UTC
    await pilot.pause()
    await pilot.press("t")
    await pilot.pause()
    assert isinstance(app.screen, StatsScreen)
    return app.screen


# --- statistics -----------------------------------------------------------------------------------


async def test_home_shows_what_is_due_now_and_tomorrow(new_app, store, bank):
    record_history(store, bank, NOW)
    app = new_app()
    app.tz = UTC
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert text_of(app, "#due").startswith("1 due now · 1 tomorrow")
        await pilot.press("down", "space")  # pick Convolutional layers only: both are there
        await pilot.pause()
        assert text_of(app, "#due").startswith("1 due now · 1 tomorrow")
        await pilot.press("up", "space", "down", "space")  # Attention only: att-scale is due in five days
        await pilot.pause()
        assert text_of(app, "#due").startswith("0 due now · 0 tomorrow")


async def test_the_stats_screen_shows_the_prepared_history(new_app, store, bank):
    expected = record_history(store, bank, NOW)
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await _open_stats(app, pilot)
        summary = text_of(app, "#stats-summary")
        assert f"{expected['answers']} answers" in summary
        assert "streak 2 days" in summary and "due 1 now · 1 tomorrow" in summary
        # Real plots: a bar where answers were given, axes labelled with the days.
        per_day = _plot_text(app, "#per-day")
        assert "Mar 1" in per_day and any(block in per_day for block in "█▄▌▐")
        assert "Mar 1" in _plot_text(app, "#forecast")
        retention = _plot_text(app, "#retention")
        assert "Convolutional layers 0%" in retention and "Attention 100%" in retention
        table = screen.query_one("#weakest", DataTable)
        assert table.row_count == 3  # the three scheduled items
        items = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert "Why are attention scores divided by √d_k?" in items and "What does the stride of a convolution contr…" in items
        mistakes = screen.query_one("#stats-mistakes", OptionList)
        assert mistakes.option_count == 1
        shown = str(mistakes.get_option_at_index(0).prompt)
        mistake = expected["mistake"]
        assert "3×" in shown and mistake.name.replace("_", " ") in shown and mistake.explanation in shown
        assert "conv-output-size ×3" in shown


async def test_the_mistakes_key_drills_exactly_their_templates(new_app, store, bank):
    record_history(store, bank, NOW)
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await _open_stats(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        from quizapp.tui.screens.drill import DrillScreen

        assert isinstance(app.screen, DrillScreen)
        assert [t.id for t in app.screen.session.drills.templates] == ["conv-output-size"]


async def test_without_mistakes_the_drill_key_is_off_and_the_screen_says_so(new_app):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await _open_stats(app, pilot)
        assert screen.check_action("drill_mistakes", ()) is False
        assert "none named yet" in text_of(app, "#mistakes-label")
        assert "nothing scheduled yet" in text_of(app, "#weakest-label")
        assert "0 answers" in text_of(app, "#stats-summary")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_stats_and_settings_open_from_the_palette(new_app):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await run_from_palette(pilot, "Statistics")
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("escape")
        await run_from_palette(pilot, "Settings")
        assert isinstance(app.screen, SettingsScreen)


async def test_fitting_fsrs_on_too_few_reviews_says_so_and_keeps_the_defaults(new_app, store, bank, tmp_path):
    record_history(store, bank, NOW)
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await _open_stats(app, pilot)
        await pilot.press("f")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.fitting
        assert "not enough reviews" in text_of(app, "#fsrs")
        assert app.store.fsrs_parameters is None
        assert not (tmp_path / "data" / "settings.json").exists() or "fsrs_parameters" not in json.loads(
            (tmp_path / "data" / "settings.json").read_text()
        )


async def test_deck_text_on_the_stats_screen_is_never_markup(store, tmp_path):
    from quizapp.content.loader import load_bank
    from quizapp.tui.app import make_app

    deck = tmp_path / "bad.md"
    deck.write_text(
        "---\nid: bad\ntitle: Bad\n---\n\n# Bad [/] topic [b]x\n\n"
        "Q: What is [red]this[/red]? {#bad-q}\nA: [/] not markup either\n",
        encoding="utf-8",
    )
    bank = load_bank([deck], bundled=False)
    [topic] = [t for _, t, *_ in bank.topics()]
    assert topic == "Bad [/] topic [b]x"
    from datetime import timedelta

    from quizapp.schedule import review

    for days, rating in ((3, 3), (1, 1)):
        store.record_attempt("bad-q", kind="basic", topic=topic, deck="bad", verdict="correct" if rating > 1 else "wrong",
                             rating=rating, now=NOW - timedelta(days=days))
    state, _ = review(None, 3, NOW - timedelta(days=3))
    store.save_state("bad-q", state, now=NOW - timedelta(days=3), kind="basic", topic=topic, deck="bad")
    app = make_app(bank, store=store, data_dir=tmp_path / "data", now=NOW, seed=1)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_stats(app, pilot)
        assert f"{topic} 0%" in _plot_text(app, "#retention")
        row = screen.query_one("#weakest", DataTable).get_row_at(0)
        assert isinstance(row[1], Text) and str(row[1]) == "What is [red]this[/red]?"
        assert str(row[2]) == topic


async def test_the_stats_screen_scrolls_at_80_by_24(new_app, store, bank):
    record_history(store, bank, NOW)
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_stats(app, pilot)
        body = screen.query_one("#stats-body")
        assert body.max_scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y and "FSRS" in text_of(app, "#fsrs")


# --- settings -------------------------------------------------------------------------------------


async def _open_settings(app, pilot) -> SettingsScreen:
    await pilot.pause()
    await pilot.press("o")
    await pilot.pause()
    assert isinstance(app.screen, SettingsScreen)
    return app.screen


async def _type_into(pilot, screen, key: str, text: str) -> None:
    field = screen.query_one(f"#set-{key}", Input)
    field.focus()
    field.value = ""
    await pilot.press(*text, "enter")
    await pilot.pause()


async def test_a_changed_setting_is_saved_and_read_back(new_app, tmp_path):
    path = tmp_path / "data" / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"keymap": {"practice.hint": "f2"}, "future": [1, 2], "count": 12}))
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await _open_settings(app, pilot)
        assert screen.query_one("#set-count", Input).value == "12"
        await _type_into(pilot, screen, "desired_retention", "0,85")
        assert "Desired retention: 0.85, saved." in text_of(app, "#settings-message")
        assert screen.query_one("#set-desired_retention", Input).value == "0.85"
        await _type_into(pilot, screen, "new_per_day", "35")
        await _type_into(pilot, screen, "count", "25")
        screen.query_one("#set-second_try", Switch).value = False
        screen.query_one("#set-level", Select).value = "hard"
        await pilot.pause()
        assert app.store.desired_retention == 0.85  # the next answers are scheduled for it
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "quiz length 25" in text_of(app, "#summary")
    saved = json.loads(path.read_text())
    assert saved["keymap"] == {"practice.hint": "f2"} and saved["future"] == [1, 2]
    assert (saved["desired_retention"], saved["new_per_day"], saved["count"], saved["second_try"], saved["level"]) == (
        0.85, 35, 25, False, "hard"
    )
    again = new_app()  # a new run reads them back
    async with again.run_test(size=(100, 32)) as pilot:
        screen = await _open_settings(again, pilot)
        assert screen.query_one("#set-new_per_day", Input).value == "35"
        assert screen.query_one("#set-second_try", Switch).value is False
        assert again.settings.fixed_level == "hard" and again.count == 25


async def test_the_default_level_holds_a_drill_at_it(new_app, tmp_path):
    path = tmp_path / "data" / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"level": "easy"}))
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert app.screen.session.drills.level == "easy" and app.screen.session.drills.fixed_level == "easy"


async def test_a_bad_value_is_refused_with_a_message_and_not_saved(new_app, tmp_path):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await _open_settings(app, pilot)
        for key, text, why in (
            ("desired_retention", "1.5", "a number from 0.7 to 0.99"),
            ("day_start_hour", "24", "a whole number from 0 to 23"),
            ("review_cap", "2.5", "a whole number from 0 to 99999"),
            ("new_per_day", "lots", "a whole number from 0 to 9999"),
        ):
            await _type_into(pilot, screen, key, text)
            message = text_of(app, "#settings-message")
            assert message.startswith("Not saved:") and why in message, message
            assert screen.query_one(f"#set-{key}", Input).has_class("-invalid")
            assert app.focused is screen.query_one(f"#set-{key}", Input)  # stays to be corrected
        assert app.settings.desired_retention == 0.9 and app.settings.day_start_hour == 4
        await pilot.press("escape")
        await pilot.pause()
    path = tmp_path / "data" / "settings.json"
    assert not path.exists() or "desired_retention" not in json.loads(path.read_text()) or json.loads(
        path.read_text()
    )["desired_retention"] == 0.9


async def test_a_fit_that_predicts_better_is_kept_and_schedules_from_then_on(new_app, store, tmp_path):
    import pytest

    pytest.importorskip("fsrs_rs_python")
    from quizapp.optimize import load_parameters
    from tests.quizapp.test_optimize import load_history

    load_history(store, "forgetful")  # made to be fitted better than the defaults (see test_optimize)
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await _open_stats(app, pilot)
        assert "default parameters" in text_of(app, "#fsrs")
        await pilot.press("f")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "better, so they are saved in settings.json" in text_of(app, "#fsrs")
        saved = load_parameters(tmp_path / "data")
        assert saved is not None and app.store.fsrs_parameters == saved
        assert screen.stats is not None and screen.stats.fitted  # predicted recall now uses them


async def test_opened_again_the_stats_screen_shows_the_answers_given_since(new_app, store, bank):
    record_history(store, bank, NOW)
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        first = await _open_stats(app, pilot)
        assert "10 answers" in text_of(app, "#stats-summary")
        per_day = first.query_one("#per-day", Plot)
        drawn, before = per_day.render(), per_day.figure
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("t")  # nothing answered since: the same figure, not built again
        await pilot.pause()
        assert per_day.render() is drawn
        await pilot.press("escape")
        await pilot.pause()
        store.record_attempt("att-scores", kind="basic", topic="Attention", deck="attention", verdict="correct", rating=3, now=NOW)
        await pilot.press("t")
        await pilot.pause()
        assert app.screen is first  # kept, not built again
        assert "11 answers" in text_of(app, "#stats-summary")
        assert per_day.figure == first.stats.per_day
        assert sum(n for _, n in per_day.figure) == sum(n for _, n in before) + 1  # the new answer's bar
        assert per_day.render() is not drawn
        assert first.query_one("#weakest", DataTable).row_count == 3  # refilled, not appended to
        assert len(first.query_one("#weakest", DataTable).columns) == 5
