"""Suspend and flag in the TUI: Ctrl+S and Ctrl+G on a question (review on the study core, and the drill) and in
Browse, with Browse's mark column; suspending is not a grade."""

from __future__ import annotations

from datetime import UTC, datetime

from pilot_helpers import text_of
from textual.widgets import OptionList

from quizapp.tui.screens.browse import BrowseScreen
from quizapp.tui.screens.drill import DrillScreen
from quizapp.tui.screens.review import ReviewScreen

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


async def test_ctrl_s_in_a_review_suspends_the_card_asked_without_an_answer(new_app, store):
    app = new_app(mode="review", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        first = screen.current.card
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.suspended() == {first.id} and store.attempts() == []  # not a grade
        assert screen.current is not None and screen.current.card.id != first.id
        await pilot.press("u")  # undo has no answer to take back: the suspension stays
        await pilot.pause()
        assert store.suspended() == {first.id}


async def test_ctrl_g_flags_the_card_asked_and_the_next_review_marks_it(new_app, store):
    app = new_app(mode="review", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        first = app.screen.current.card
        assert "⚑ flagged" not in text_of(app, "#question")
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert store.flagged() == {first.id} and app.screen.current.card.id == first.id  # the question stays
    again = new_app(mode="review", topics=["Convolutional"])
    async with again.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert again.screen.current.card.id == first.id and "⚑ flagged" in text_of(again, "#question")


async def test_ctrl_s_in_a_drill_suspends_its_template_and_draws_from_the_others(new_app, store, bank):
    app = new_app(mode="drill")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        gone = screen.current.drill.template_id
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.suspended() == {gone} and store.attempts() == []
        assert gone not in {t.id for t in screen.session.drills.templates}
        assert screen.current.drill.template_id != gone


async def test_browse_suspends_and_flags_the_highlighted_card_with_a_mark_column(new_app, store):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        await pilot.press(*"softmax", "down")
        await pilot.pause()
        results = app.screen.query_one("#results", OptionList)
        card = screen.results[results.highlighted]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.suspended() == {card.id}
        assert str(results.get_option_at_index(results.highlighted).prompt).startswith("⊘ ")
        assert "Suspended: never asked" in text_of(app, "#card") and card.id in text_of(app, "#card")
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert store.flagged() == {card.id}
        assert str(results.get_option_at_index(results.highlighted).prompt).startswith("⊘⚑")
        await pilot.press("ctrl+s", "ctrl+g")  # both taken off again
        await pilot.pause()
        assert store.marks() == {} and str(results.get_option_at_index(results.highlighted).prompt).startswith("  ")
        assert store.attempts() == []


async def test_browse_shows_marks_set_elsewhere_when_it_opens(new_app, store, bank):
    card = bank.cards()[0]
    store.set_mark(card.id, flagged=True, now=NOW)
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        results = app.screen.query_one("#results", OptionList)
        index = app.screen.results.index(card)
        assert str(results.get_option_at_index(index).prompt).startswith("⚑ ")


async def test_a_marked_multiple_choice_card_shows_its_options_and_its_marks(new_app, store, bank):
    card = next(c for c in bank.cards() if c.options)
    store.set_mark(card.id, suspended=True, flagged=True, now=NOW)
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        app.screen._show(card)
        await pilot.pause()
        shown = text_of(app, "#card")
        assert "✓" in shown and "⊘ Suspended" in shown and "⚑ Flagged" in shown
