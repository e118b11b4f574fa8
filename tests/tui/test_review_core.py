"""The TUI review as a view of the study core: grade keys labelled with their intervals, u undoing the last grade
(history and schedule restored), a card graded Again coming back in the same review."""

from __future__ import annotations

from pilot_helpers import feedback, text_of

from quizapp.tui.screens.review import ReviewScreen


async def test_grades_show_their_intervals_and_u_takes_the_last_grade_back(new_app, store):
    app = new_app(mode="review", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        first = screen.current.card
        await pilot.press("space")
        await pilot.pause()
        shown = feedback(app)
        assert "1 Again · 1m" in shown and "3 Good · 10m" in shown  # a new card, FSRS's learning steps
        await pilot.press("1")
        await pilot.pause()
        assert [a.item_id for a in store.attempts()] == [first.id]
        assert screen.current.card.id != first.id
        await pilot.press("u")
        await pilot.pause()
        assert store.attempts() == [] and store.schedule(first.id) is None  # as if never graded
        assert screen.current.card.id == first.id and "card 1 of" in text_of(app, "#status")
        await pilot.press("u")
        await pilot.pause()
        assert screen.current.card.id == first.id  # nothing more to undo: the same card waits


async def test_a_card_graded_again_comes_back_in_the_same_review(new_app, store):
    app = new_app(mode="review", topics=["Convolutional"], count=1)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = app.screen
        first = screen.current.card
        await pilot.press("space", "1")
        await pilot.pause()
        assert screen.current is not None and screen.current.card.id == first.id  # the step is asked ahead at the end
        assert "again" in text_of(app, "#status")
        await pilot.press("space", "3")
        await pilot.pause()
        assert [(a.item_id, a.rating) for a in store.attempts()] == [(first.id, 1), (first.id, 3)]
