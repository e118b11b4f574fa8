"""Weak-spots mode in the TUI: `w` on Home and the palette's "Weak spots" open a session of the lowest predicted
recall and most frequent mistakes on the study core; with no history it says so and stays Home."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pilot_helpers import run_from_palette, text_of

from quizapp.schedule import Rating, review
from quizapp.tui.screens.home import HomeScreen
from quizapp.tui.screens.review import ReviewScreen

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)  # the clock new_app gives the app (see conftest)


def prepared(store) -> None:
    """conv-stride learnt 30 days ago, att-scale yesterday (so conv-stride's predicted recall is lower); the conv
    drill answered twice with a named mistake."""
    for item, days in (("conv-stride", 30), ("att-scale", 1)):
        store.save_state(item, review(None, Rating.Good, NOW - timedelta(days=days))[0], now=NOW - timedelta(days=days))
    for minutes in (20, 10):
        store.record_attempt(
            "conv-output-size", kind="drill", topic="Convolutional layers", deck="conv", verdict="wrong", rating=1,
            misconception="forgot_plus_one", seed=1, level="medium", now=NOW - timedelta(minutes=minutes),
        )


async def test_w_on_home_opens_the_weak_spots_lowest_recall_first(new_app, store):
    prepared(store)
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.mode_name == "Weak spots"
        assert [i.id for i in screen.session.items] == ["conv-stride", "conv-output-size", "att-scale"]
        assert screen.current.card.id == "conv-stride"
        assert text_of(app, "#status").startswith("Weak spots · card 1 of 3")
        await pilot.press("space", "3")
        await pilot.pause()
        assert screen.current.drill is not None and screen.current.drill.template_id == "conv-output-size"
        assert [a.item_id for a in store.attempts()][-1] == "conv-stride"


async def test_the_palette_starts_the_weak_spots_too(new_app, store):
    prepared(store)
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await run_from_palette(pilot, "Weak spots")
        assert isinstance(app.screen, ReviewScreen) and app.screen.mode_name == "Weak spots"


async def test_with_no_history_there_are_no_weak_spots_and_home_stays(new_app, store):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert any("No weak spots yet" in n.message for n in app._notifications)


async def test_review_weak_opens_the_app_on_the_weak_spots(new_app, store):
    prepared(store)
    app = new_app(mode="weak", count=1)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and [i.id for i in app.screen.session.items] == ["conv-stride"]
