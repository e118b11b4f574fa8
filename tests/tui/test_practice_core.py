"""The TUI quiz and drill as views of the study core (quizapp.study.StudySession), as the review is: u takes back the
last answer or grade (history and schedule restored, the question shown again), "I don't know" counts as Again and
shows the worked solution, a wrong computation comes back in the session with new numbers, a wrong but readable
answer gets a second try (the first decides; off in the settings), the grade keys show their intervals, the endless
drill stays endless, and the results say when the items are due next. Fixed clocks and seeds throughout."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from pilot_helpers import (
    answer_right,
    answer_the_rest_right,
    answer_wrong_for_good,
    card,
    feedback,
    text_of,
    type_answer,
    wrong_number,
)

from quizapp.generate import generate
from quizapp.tui.items import Question
from quizapp.tui.screens.drill import DrillScreen
from quizapp.tui.screens.quiz import QuizScreen
from quizapp.tui.screens.results import ResultsScreen

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)  # the clock new_app gives the app (see conftest)


def template(bank, template_id: str):
    return next(t for t in bank.templates() if t.id == template_id)


class Clock:
    """A clock the test moves on (the app reads it through make_app's ``now``)."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):
        return self.now


async def start_quiz(app, pilot, *questions: Question) -> QuizScreen:
    await pilot.pause()
    app.start_quiz(list(questions))
    await pilot.pause()
    assert isinstance(app.screen, QuizScreen)
    return app.screen


# --- undo ---------------------------------------------------------------------------------------------


async def test_u_in_a_quiz_takes_back_a_typed_answer_and_asks_the_same_question(new_app, bank, store):
    drill = generate(template(bank, "conv-output-size"), 5, "medium")
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await start_quiz(app, pilot, Question(drill=drill), Question(card=card(bank, "att-scale")))
        await type_answer(pilot, drill.answer_text)
        assert "✓ Correct" in feedback(app) and "u undoes this answer" in feedback(app)
        assert [a.item_id for a in store.attempts()] == ["conv-output-size"] and store.schedule("conv-output-size") is not None
        await pilot.press("u")
        await pilot.pause()
        assert store.attempts() == [] and store.schedule("conv-output-size") is None  # as if never answered
        assert screen.current.drill == drill and screen.phase == "asking" and screen.outcomes == []
        assert "question 1 of 2 · 0 right so far" in text_of(app, "#status")
        assert not feedback(app)  # the old feedback is gone, the answer box waits
        assert app.focused is screen.query_one("#answer-input")
        await type_answer(pilot, wrong_number(drill))  # answered anew: recorded once
        await pilot.press("enter")
        await pilot.pause()
        assert "✗ Wrong" in feedback(app)
        assert [(a.item_id, a.rating) for a in store.attempts()] == [("conv-output-size", 1)]


async def test_u_after_a_grade_restores_the_schedule_a_card_had(new_app, bank, store):
    flash = card(bank, "att-scale")
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await start_quiz(app, pilot, Question(card=flash), Question(card=card(bank, "conv-stride")))
        await pilot.press("space", "3")
        await pilot.pause()
        before = store.schedule(flash.id)  # Good once: the schedule to come back to
        assert before is not None and screen.current.card.id == "conv-stride"
        await pilot.press("space", "1")  # a mis-keyed Again on the second card
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        assert screen.current.card.id == "conv-stride" and store.schedule("conv-stride") is None
        assert store.schedule(flash.id) == before and [a.item_id for a in store.attempts()] == [flash.id]
        assert screen.phase == "asking" and "question 2 of 2" in text_of(app, "#status")


async def test_u_in_a_drill_restores_the_streak_and_the_history(new_app, store):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = app.screen
        await answer_right(pilot, app)
        first_wrong = screen.current.drill
        await answer_wrong_for_good(pilot, first_wrong)
        assert "streak 0" in text_of(app, "#status") and len(store.attempts()) == 2
        state = store.get_state("conv-output-size")
        await pilot.press("u")
        await pilot.pause()
        assert screen.session.drills.streak == 1 and "streak 1 · 1/1 right" in text_of(app, "#status")
        assert len(store.attempts()) == 1 and store.get_state("conv-output-size") != state
        assert screen.current.drill == first_wrong  # the same numbers: the answer was taken back, not seen


# --- I don't know (Enter alone: tests/tui/test_review_core.py, in a review and a drill) ----------------------


async def test_the_i_dont_know_key_works_while_typing_in_a_quiz(new_app, bank, store):
    drill = generate(template(bank, "attention-mha-params"), 3, "medium")
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await start_quiz(app, pilot, Question(drill=drill))
        assert "I don't know" in text_of(app, "#prompt")
        await pilot.press("1", "2", "ctrl+n")  # half typed, then given up
        await pilot.pause()
        assert screen.phase == "answered" and "(I don't know)" in feedback(app) and "Worked solution" in feedback(app)
        [attempt] = store.attempts()
        assert (attempt.item_id, attempt.rating) == ("attention-mha-params", 1)


# --- learning steps: a wrong computation comes back with new numbers --------------------------------------


async def test_a_wrong_drill_comes_back_after_its_step_with_new_numbers(new_app, store):
    clock = Clock()
    app = new_app(mode="drill", topics=["Convolutional"], now=clock)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = app.screen
        wrong = screen.current.drill
        await answer_wrong_for_good(pilot, wrong)
        await pilot.press("enter")
        await pilot.pause()
        assert not screen.session.current.again  # its step (1 minute) has not come: a new drill
        shown = {wrong.question, screen.current.drill.question}
        await answer_right(pilot, app)
        clock.now = NOW + timedelta(minutes=2)
        await answer_right(pilot, app)  # answered at the new time; the step is due for the next question
        back = screen.current.drill
        assert screen.session.current.again and "again, new numbers" in text_of(app, "#status")
        assert back.template_id == wrong.template_id and back.question not in shown | {screen.outcomes[-1].question.text}
        await answer_right(pilot, app)
        assert isinstance(app.screen, DrillScreen) and screen.running  # endless: it goes on
        assert [a.rating for a in store.attempts()] == [1, 3, 3, 3]


async def test_a_wrong_computation_in_a_quiz_comes_back_before_the_end_with_new_numbers(new_app, bank, store):
    drill = generate(template(bank, "conv-output-size"), 5, "medium")
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await start_quiz(app, pilot, Question(drill=drill))
        await answer_wrong_for_good(pilot, drill)
        assert "It comes back in 1 minute with new numbers" in feedback(app)
        await pilot.press("enter")
        await pilot.pause()
        back = screen.current.drill
        assert isinstance(app.screen, QuizScreen) and "again, after a mistake" in text_of(app, "#status")
        assert back.template_id == drill.template_id and back.question != drill.question
        assert await answer_the_rest_right(pilot, app) == 2  # Good twice: through the 1- and 10-minute steps
        assert isinstance(app.screen, ResultsScreen)
        assert "2 of 3 right" in text_of(app, "#results-score")
        assert "Next due: in 1 day · 1 of 1 within a day" in text_of(app, "#results-score")


# --- second try ----------------------------------------------------------------------------------------


async def test_a_wrong_drill_gets_a_second_try_and_the_first_decides(new_app, store):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = app.screen
        drill = screen.current.drill
        wrong = wrong_number(drill)
        await type_answer(pilot, wrong)
        assert f"{wrong} is not right: one more try" in text_of(app, "#answer-error")
        assert store.attempts() == [] and screen.phase == "asking" and not feedback(app)
        await type_answer(pilot, drill.answer_text)
        shown = feedback(app)
        assert "✗ Wrong" in shown and f"You answered   {wrong}\n" in shown
        assert f"Second try     {drill.answer_text}   (right, but the first try counts)" in shown
        [attempt] = store.attempts()
        assert (attempt.rating, attempt.answer_text) == (1, wrong)
        assert screen.session.drills.streak == 0 and "0/1 right" in text_of(app, "#status")


async def test_with_second_try_off_a_wrong_answer_is_final(new_app, tmp_path, store):
    path = tmp_path / "data" / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"second_try": False}))
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        drill = app.screen.current.drill
        await type_answer(pilot, wrong_number(drill))
        assert "✗ Wrong" in feedback(app) and app.screen.phase == "answered"
        assert [a.rating for a in store.attempts()] == [1]


# --- intervals, endless drill, next due ------------------------------------------------------------------


async def test_a_quiz_labels_the_grade_keys_with_their_intervals(new_app, bank):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await start_quiz(app, pilot, Question(card=card(bank, "att-scale")))
        await pilot.press("space")
        await pilot.pause()
        assert "1 Again · 1m" in feedback(app) and "3 Good · 10m" in feedback(app)  # a new card: FSRS's learning steps


async def test_the_drill_stays_endless_and_its_results_say_when_it_is_due(new_app, store):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.session.count is None
        for _ in range(12):
            await answer_right(pilot, app)
        assert isinstance(app.screen, DrillScreen) and screen.running and screen.phase == "asking"
        assert "level hard" in text_of(app, "#status")  # the numbers got harder with the streak
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert "12 of 12 right" in text_of(app, "#results-score")
        due = store.get_state("conv-output-size").due
        assert due > NOW and "Next due: in " in text_of(app, "#results-score")


async def test_the_step_is_said_from_the_time_of_the_answer_on_a_running_clock(new_app, store):
    ticks = iter(range(10**6))
    app = new_app(mode="drill", topics=["Convolutional"], now=lambda: NOW + timedelta(milliseconds=next(ticks)))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # I don't know: Again, back after the 1-minute step (not "now", a moment later)
        await pilot.pause()
        assert "It comes back in 1 minute with new numbers" in feedback(app)
