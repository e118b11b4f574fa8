"""The TUI review as a view of the study core: grade keys labelled with their intervals, u undoing the last grade
(history and schedule restored), a card graded Again coming back in the same review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pilot_helpers import answer_the_rest_right, answer_wrong_for_good, feedback, text_of, type_answer

from quizapp.tui.screens.results import ResultsScreen
from quizapp.tui.screens.review import ReviewScreen

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)  # the clock new_app gives the app (see conftest)


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


def due_computation(store) -> None:
    from quizapp.schedule import Rating, review

    state, _ = review(None, Rating.Again, NOW - timedelta(hours=1))
    store.save_state("conv-output-size", state, now=NOW, kind="drill", topic="Convolutional layers", deck="conv")


@pytest.mark.parametrize("mode", ["review", "drill"])
async def test_enter_alone_on_a_computation_is_i_dont_know(new_app, store, mode):
    due_computation(store)  # a review asks it because it is due; a drill asks it anyway
    app = new_app(mode=mode, topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        drill = app.screen.current.drill
        await pilot.press("enter")
        await pilot.pause()
        shown = feedback(app)
        assert "You answered   (I don't know)" in shown and f"Correct answer {drill.answer_text}" in shown
        assert "Worked solution" in shown and all(step in shown for step in drill.steps)
        assert "It comes back in 1 minute with new numbers" in shown  # its learning step
        [attempt] = store.attempts()
        assert (attempt.item_id, attempt.rating, attempt.verdict, attempt.answer_text) == ("conv-output-size", 1, "wrong", "")


async def test_a_wrong_typed_answer_gets_a_second_try_and_the_first_decides(new_app, store):
    due_computation(store)
    app = new_app(mode="review", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        drill = app.screen.current.drill
        wrong = str(int(drill.answer) + 1000)
        await type_answer(pilot, wrong)
        assert "one more try" in text_of(app, "#answer-error") and store.attempts() == []
        await type_answer(pilot, drill.answer_text)
        assert "Wrong" in feedback(app) and f"You answered   {wrong}\nSecond try     {drill.answer_text}   (right" in feedback(app)
        [attempt] = store.attempts()
        assert (attempt.rating, attempt.verdict, attempt.answer_text) == (1, "wrong", wrong)
        await pilot.press("u")  # undo the typed answer: asked again, nothing kept
        await pilot.pause()
        assert store.attempts() == [] and app.screen.current.drill == drill


async def test_retry_mistakes_asks_a_computation_with_new_numbers(new_app, bank):
    from quizapp.generate import generate
    from quizapp.tui.items import Question

    template = next(t for t in bank.templates() if t.id == "conv-output-size")
    shown = generate(template, 5, "medium")
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        app.start_quiz([Question(drill=shown)])
        await pilot.pause()
        await answer_wrong_for_good(pilot, shown)
        await pilot.press("enter")
        await pilot.pause()
        await answer_the_rest_right(pilot, app)  # it comes back after its learning step until it graduates
        assert isinstance(app.screen, ResultsScreen)
        await pilot.press("r")
        await pilot.pause()
        asked = app.screen.current.drill
        assert asked.template_id == shown.template_id and asked.question != shown.question
