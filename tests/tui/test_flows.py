"""Pilot tests for every flow of the TUI, on the fixed test bank with a fixed clock and seed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pilot_helpers import (
    answer_right,
    answer_wrong_for_good,
    answer_wrongly,
    card,
    feedback,
    run_from_palette,
    text_of,
    type_answer,
    wrong_number,
)
from textual.widgets import DataTable, Input, OptionList

from quizapp.store import Store
from quizapp.tui.app import make_app
from quizapp.tui.items import Question
from quizapp.tui.screens.browse import BrowseScreen
from quizapp.tui.screens.confirm import ConfirmScreen
from quizapp.tui.screens.drill import DrillScreen
from quizapp.tui.screens.help import HelpScreen
from quizapp.tui.screens.home import HomeScreen
from quizapp.tui.screens.quiz import QuizScreen
from quizapp.tui.screens.results import MistakeScreen, ResultsScreen
from quizapp.tui.screens.review import ReviewScreen
from quizapp.tui.widgets.topic_picker import TopicPicker

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)  # the clock new_app gives the app (see conftest)
DATA = Path(__file__).parent / "data"


# --- Home ------------------------------------------------------------------------------------------


async def test_home_lists_every_topic_with_counts(new_app):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        rows = {row.topic: (row.cards, row.templates, row.due, row.accuracy) for row in app.screen.rows}
        assert rows == {"Attention": (4, 1, 0, None), "Convolutional layers": (5, 1, 0, None)}
        assert "All topics (none picked): 9 cards, 2 drills" in text_of(app, "#summary")
        assert text_of(app, "#due").startswith("0 due now · 0 tomorrow")


async def test_home_shows_due_counts_and_recent_accuracy(new_app, store):
    for verdict, score in (("correct", 1.0), ("wrong", 0.0)):
        store.record_attempt("conv-stride", kind="qa", topic="Convolutional layers", deck="conv",
                             verdict=verdict, score=score, now=NOW - timedelta(days=1))
    from quizapp.schedule import Rating, review

    state, _ = review(None, Rating.Again, NOW - timedelta(hours=1))
    store.save_state("conv-stride", state, now=NOW, kind="qa", topic="Convolutional layers", deck="conv")
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        conv = next(r for r in app.screen.rows if r.topic == "Convolutional layers")
        assert (conv.due, conv.accuracy) == (1, 0.5)


async def test_home_as_the_first_screen_fills_in_progress_once_the_database_opens(bank, tmp_path):
    # Without a store handed in, the app opens the database after Home's first frame; the due
    # counts and accuracy then appear on the rows.
    from quizapp.paths import database_path
    from quizapp.schedule import Rating, review

    with Store(database_path(tmp_path / "data")) as store:
        store.record_attempt("conv-stride", kind="qa", topic="Convolutional layers", deck="conv",
                             verdict="wrong", score=0.0, now=NOW - timedelta(days=1))
        state, _ = review(None, Rating.Again, NOW - timedelta(hours=1))
        store.save_state("conv-stride", state, now=NOW, kind="qa", topic="Convolutional layers", deck="conv")
    app = make_app(bank, data_dir=tmp_path / "data", now=NOW, seed=7)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and len(app.screen_stack) == 1
        assert app._store is not None
        conv = next(r for r in app.screen.rows if r.topic == "Convolutional layers")
        assert (conv.due, conv.accuracy) == (1, 0.0)
        assert text_of(app, "#due").startswith("1 due now · 0 tomorrow")


async def test_selection_and_length_are_remembered(new_app, tmp_path):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("down", "space", "plus", "plus", "minus")  # pick the second topic, length 11
        await pilot.pause()
        assert app.selection == (("conv", "Convolutional layers"),)
        assert app.count == 11
        assert "1 topic picked: 5 cards, 1 drills" in text_of(app, "#summary")
    saved = json.loads((tmp_path / "data" / "settings.json").read_text())
    assert saved["selection"] == [["conv", "Convolutional layers"]] and saved["count"] == 11
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["settings.json"]  # no temporary file left

    again = new_app()
    async with again.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert again.screen.query_one(TopicPicker).selected == [("conv", "Convolutional layers")]
        assert again.count == 11


def picker_lines(app) -> list[str]:
    """The topic list as text, one line per topic (what a screen capture or a monochrome terminal shows)."""
    picker = app.screen.query_one(TopicPicker)
    return [picker.render_line(y).text.rstrip() for y in range(picker.option_count)]


async def test_picked_topics_read_as_text_and_none_picked_reads_as_all(new_app):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        lines = picker_lines(app)
        assert [line[:14] for line in lines] == ["[ ] Attention ", "[ ] Convolutio"]
        assert text_of(app, "#summary").startswith("All topics (none picked): 9 cards")
        await pilot.press("down", "space")
        await pilot.pause()
        assert [line[:4] for line in picker_lines(app)] == ["[ ] ", "[✓] "]
        assert text_of(app, "#summary").startswith("1 topic picked: 5 cards")
        await pilot.press("a")  # something picked: a picks none
        await pilot.pause()
        assert [line[:4] for line in picker_lines(app)] == ["[ ] ", "[ ] "]
        assert app.selection == ()
        await pilot.press("a")  # nothing picked: a picks all
        await pilot.pause()
        assert [line[:4] for line in picker_lines(app)] == ["[✓] ", "[✓] "]
        assert text_of(app, "#summary").startswith("2 topics picked: 9 cards")
        # The column header sits over the columns on screen.
        header = app.screen.query_one("#topic-header")
        picker = app.screen.query_one(TopicPicker)
        assert (
            header.content_region.x + text_of(app, "#topic-header").index("Topic")
            == picker.scrollable_content_region.x + lines[0].index("Attention")
        )


async def test_theme_choice_is_remembered(new_app, tmp_path):
    app = new_app()
    async with app.run_test() as pilot:
        app.theme = "textual-light"
        await pilot.pause()
    assert json.loads((tmp_path / "data" / "settings.json").read_text())["theme"] == "textual-light"
    again = new_app()
    async with again.run_test() as pilot:
        await pilot.pause()
        assert again.theme == "textual-light"


async def test_home_starts_each_mode_with_its_key(new_app):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        for key, screen in (("s", QuizScreen), ("d", DrillScreen), ("r", ReviewScreen), ("b", BrowseScreen)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen), key
            app.pop_screen()
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)


# --- Drill: typed answers ----------------------------------------------------------------------------


async def test_answer_right(new_app, store):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        drill = screen.current.drill
        assert drill.template_id == "conv-output-size"
        assert isinstance(app.focused, Input)
        await type_answer(pilot, drill.answer_text)
        shown = feedback(app)
        assert "✓ Correct" in shown
        assert f"Correct answer {drill.answer_text}" in shown
        assert drill.steps[-1] in shown  # the worked solution
        assert screen.session.drills.streak == 1 and "streak 1" in text_of(app, "#status")
        [attempt] = store.attempts()
        assert (attempt.item_id, attempt.kind, attempt.verdict, attempt.rating) == ("conv-output-size", "drill", "correct", 3)
        assert attempt.answer_text == drill.answer_text
        assert store.get_state("conv-output-size") is not None  # scheduled per template
        await pilot.press("enter")
        await pilot.pause()
        assert screen.current.drill is not drill and screen.phase == "asking"


async def test_answer_wrong_with_a_misconception_shown(new_app, store):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        drill = app.screen.current.drill
        assert drill.misconceptions, "the fixed seed should ask a drill with a known wrong answer"
        mistake = drill.misconceptions[0]
        await type_answer(pilot, str(mistake.value))
        assert "one more try" in text_of(app, "#answer-error") and store.attempts() == []
        await pilot.press("enter")  # Enter alone at the second try: I don't know, and the first try stands
        await pilot.pause()
        shown = feedback(app)
        assert "✗ Wrong" in shown
        assert f"You answered   {mistake.value}" in shown
        assert "⚠ Common mistake:" in shown and mistake.explanation[1:] in shown
        assert f"Correct answer {drill.answer_text}" in shown
        [attempt] = store.attempts()
        assert (attempt.verdict, attempt.rating, attempt.score) == ("wrong", 1, 0.0)
        assert app.screen.session.drills.streak == 0


async def test_a_wrong_answer_without_a_known_mistake_has_no_mistake_line(new_app):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await answer_wrong_for_good(pilot, app.screen.current.drill)
        assert "✗ Wrong" in feedback(app) and "Common mistake" not in feedback(app)


async def test_unreadable_answer_asks_again_and_records_nothing(new_app, store):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await type_answer(pilot, "twelve")
        assert "Could not read" in text_of(app, "#answer-error")
        assert app.screen.phase == "asking" and store.attempts() == []
        app.screen.query_one("#answer-input", Input).value = ""
        await type_answer(pilot, app.screen.current.drill.answer_text)
        assert "✓ Correct" in feedback(app)


async def test_hint_shows_the_first_step_and_costs(new_app, store):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        drill = app.screen.current.drill
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert f"Hint: {drill.hint or drill.steps[0]}" in feedback(app)
        assert isinstance(app.focused, Input)  # typing goes on at once
        await type_answer(pilot, drill.answer_text)
        assert "with the hint" in feedback(app)
        [attempt] = store.attempts()
        assert (attempt.hint_used, attempt.score, attempt.rating) == (True, 0.5, 2)  # Hard, half a point
        assert app.screen.session.drills.streak == 0  # a hinted answer does not climb


async def test_drill_ends_on_results_with_escape(new_app):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await type_answer(pilot, app.screen.current.drill.answer_text)
        await pilot.press("enter")
        await pilot.pause()
        await type_answer(pilot, wrong_number(app.screen.current.drill))  # Escape at its second try: the first stands
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert "1 of 2 right" in text_of(app, "#results-score")


async def test_drill_with_a_count_stops_there(new_app):
    app = new_app(mode="drill", topics=["Convolutional"], count=1)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await type_answer(pilot, app.screen.current.drill.answer_text)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)


# --- Flashcards and multiple choice -------------------------------------------------------------------


async def test_reveal_and_self_grade_a_flashcard(new_app, store):
    app = new_app(mode="review", topics=["Attention"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        first = screen.current.card
        assert first.id == "att-scale"  # new cards in bank order
        assert first.answer not in feedback(app)
        await pilot.press("3")  # grades do nothing before the answer is shown
        await pilot.pause()
        assert store.attempts() == []
        await pilot.press("space")
        await pilot.pause()
        assert first.answer in feedback(app) and first.note in feedback(app)
        await pilot.press("3")
        await pilot.pause()
        [attempt] = store.attempts()
        assert (attempt.item_id, attempt.rating, attempt.verdict) == ("att-scale", 3, "correct")
        assert store.get_state("att-scale").due == NOW + timedelta(minutes=10)
        assert screen.current.card.id == "att-scores"


async def test_review_asks_a_due_computation_again(new_app, store):
    from quizapp.schedule import Rating, review

    state, _ = review(None, Rating.Again, NOW - timedelta(hours=1))
    store.save_state("conv-output-size", state, now=NOW, kind="drill", topic="Convolutional layers", deck="conv")
    app = new_app(mode="review", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = app.screen
        items = screen.session.items  # the study core's plan: the due template, then new cards
        assert items[0].id == "conv-output-size" and screen.current.drill.template_id == "conv-output-size"
        assert [Question.of(c).kind for c in items[1:]] == ["flashcard", "flashcard", "flashcard", "flashcard", "mcq"]  # bank order
        assert "(1 due, 5 new)" in text_of(app, "#status")
        assert next(r for r in app.topic_rows() if r.topic == "Convolutional layers").due == 1
        await type_answer(pilot, screen.current.drill.answer_text)
        assert "✓ Correct" in feedback(app)
        assert store.get_state("conv-output-size").due > NOW


async def test_multiple_choice_by_number_key(new_app, bank, store):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        app.start_quiz([Question(card=card(bank, "conv-formula-mcq"))])
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        assert "✓ Correct" in feedback(app) and "Why:" in feedback(app)
        assert store.attempts()[0].verdict == "correct"


async def test_multiple_choice_by_arrows_and_enter(new_app, bank, store):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        app.start_quiz([Question(card=card(bank, "conv-formula-mcq"))])
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # option 3: wrong
        await pilot.pause()
        shown = feedback(app)
        assert "✗ Wrong" in shown and "You chose      3." in shown and "Correct answer 2." in shown
        assert (store.attempts()[0].verdict, store.attempts()[0].rating) == ("wrong", 1)
        await pilot.press("1")  # answered: further numbers change nothing
        await pilot.pause()
        assert len(store.attempts()) == 1


# --- Quiz, results, mistakes ---------------------------------------------------------------------------


async def test_finish_a_quiz_and_open_a_mistake(new_app, store):
    app = new_app(mode="quiz", count=4)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizScreen) and screen.total == 4
        assert "question 1 of 4" in text_of(app, "#status")
        first = []
        for _ in range(4):
            first.append(screen.current)
            await answer_wrongly(pilot, app)
        assert {q.kind for q in first} >= {"drill", "flashcard"}
        # Each comes back after its learning step (asked ahead once the four are done) until two right answers.
        assert isinstance(app.screen, QuizScreen) and "again, after a mistake" in text_of(app, "#status")
        while isinstance(app.screen, QuizScreen):
            await answer_right(pilot, app)
        assert isinstance(app.screen, ResultsScreen)
        n = len(store.attempts())
        assert n > 4 and f"{n - 4} of {n} right" in text_of(app, "#results-score")
        assert "Next due: in " in text_of(app, "#results-score")
        table = app.screen.query_one(DataTable)
        assert table.row_count == len({q.topic for q in first})
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MistakeScreen)
        assert app.screen.mistakes[0].question.text in text_of(app, "#question")
        assert "✗ Wrong" in feedback(app)
        await pilot.press("n")
        await pilot.pause()
        assert "Mistake 2 of 4" in text_of(app, "#status")
        await pilot.press("escape", "r")  # back to the results, then practise the mistakes again
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen) and app.screen.total == 4


async def test_quit_mid_quiz_asks_first(new_app, bank):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        app.start_quiz([Question(card=card(bank, "conv-stride")), Question(card=card(bank, "att-scale"))])
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen) and app.is_running
        await pilot.press("escape")  # leaving the quiz asks too
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


async def test_leaving_a_quiz_goes_home(new_app, bank):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        app.start_quiz([Question(card=card(bank, "conv-stride"))])
        await pilot.pause()
        await pilot.press("escape", "y")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_a_mode_opened_from_the_command_line_goes_back_to_home(new_app):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert [type(s).__name__ for s in app.screen_stack] == ["DrillScreen"]  # the first screen; Home waits until needed
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.selection == (("conv", "Convolutional layers"),)  # --topic shows as the picked topics
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DrillScreen)


async def test_q_on_home_quits_at_once(new_app):
    app = new_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


# --- Layout, browse, help, palette, errors ------------------------------------------------------------


def inside(widget, screen) -> bool:
    region = widget.region
    return region.area > 0 and screen.region.contains_region(region)


@pytest.mark.parametrize("mode", ["drill", "quiz"])
async def test_80x24_shows_the_question_and_the_input(new_app, mode):
    app = new_app(mode=mode, topics=["Convolutional"] if mode == "drill" else None)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        if mode == "quiz":  # move on to the first computed question
            while app.screen.current.kind != "drill":
                await answer_wrongly(pilot, app)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        screen = app.screen
        question = screen.query_one("#question")
        scroll = screen.query_one("#question-scroll")
        answer = screen.query_one("#answer-input")
        assert inside(question, screen) and inside(answer, screen)
        assert scroll.max_scroll_y == 0  # the whole question fits: nothing hidden
        assert answer.region.y > question.region.bottom - 1
        await answer_wrong_for_good(pilot, screen.current.drill)
        steps = screen.query_one("#feedback")
        assert inside(steps, screen) and inside(question, screen)


async def test_browse_searches_cards_by_text(new_app):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        assert "9 of 9 cards" in text_of(app, "#browse-count")
        await pilot.press(*"softmax")
        await pilot.pause()
        assert {c.id for c in screen.results} == {"att-scale", "att-shift-mcq"}
        assert "2 of 9 cards" in text_of(app, "#browse-count")
        await pilot.press("down", "down")
        await pilot.pause()
        assert isinstance(app.focused, OptionList)
        assert "✓ 1. The softmax" in text_of(app, "#card")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_help_opens_on_question_mark_and_lists_this_screens_keys(new_app):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = text_of(app, "#help-keys")
        assert "Quiz" in keys and "Drill" in keys and "Browse" in keys
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_help_opens_with_f1_while_typing(new_app):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Hint" in text_of(app, "#help-keys")


async def test_command_palette_picks_a_topic(new_app):
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await run_from_palette(pilot, "Topic: Attention")
        assert isinstance(app.screen, HomeScreen)
        assert app.selection == (("attention", "Attention"),)
        assert app.screen.query_one(TopicPicker).selected == [("attention", "Attention")]


async def test_the_palette_asks_before_a_topic_ends_a_quiz_under_way(new_app):
    app = new_app(mode="quiz", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        await run_from_palette(pilot, "Topic: Attention")
        assert isinstance(app.screen, ConfirmScreen)  # the question Escape asks in a quiz
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is quiz and quiz.running and app.selection == (("conv", "Convolutional layers"),)
        await run_from_palette(pilot, "Topic: Attention", "y")
        assert isinstance(app.screen, HomeScreen) and not quiz.running
        assert app.selection == (("attention", "Attention"),)


async def test_the_palette_leaves_a_drill_without_asking(new_app):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await run_from_palette(pilot, "Home")
        assert isinstance(app.screen, HomeScreen)


async def test_a_damaged_database_stops_the_app_with_a_clear_message(bank, tmp_path):
    from quizapp.paths import database_path

    path = database_path(tmp_path / "data")
    path.write_bytes(b"not a database " * 100)
    app = make_app(bank, data_dir=tmp_path / "data", now=NOW)
    async with app.run_test() as pilot:
        await pilot.pause()
    assert app.return_code == 1
    assert path.read_bytes() == b"not a database " * 100


def test_first_screen_needs_no_sympy(tmp_path):
    import subprocess
    import sys

    code = f"""
import asyncio, sys
from quizapp.content.loader import load_bank
from quizapp.tui.app import make_app

async def main():
    app = make_app(load_bank([{str(DATA)!r}], bundled=False), data_dir={str(tmp_path)!r})
    async with app.run_test() as pilot:
        await pilot.pause()
        print(type(app.screen).__name__, "sympy" in sys.modules)
asyncio.run(main())
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["HomeScreen", "False"]


async def test_home_fits_80x24_with_the_whole_bank(store, tmp_path):
    """The summary stays one line and every button shows, at the smallest size we support."""
    from quizapp.content.loader import load_bank

    big = load_bank([], bundled=True)
    app = make_app(big, store=store, data_dir=tmp_path / "data", now=NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#summary").size.height == 1
        assert "All topics (none picked)" in text_of(app, "#summary")
        for button in screen.query("#modes Button"):
            assert inside(button, screen), button.id


async def test_a_long_option_wraps_under_its_own_text_and_keeps_its_place_when_marked(new_app, bank):
    from dataclasses import replace

    from quizapp.tui.widgets.mcq_options import McqOptions

    long = "A linear layer applied to the channel vector of every pixel, with the same weights at every position"
    mcq = replace(card(bank, "conv-formula-mcq"), options=("Short", long), correct=1)
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.start_quiz([Question(card=mcq)])
        await pilot.pause()
        options = app.screen.query_one(McqOptions)

        def lines() -> list[str]:
            return [options.render_line(y).text.rstrip() for y in range(3)]

        before = lines()
        assert before[0].lstrip().startswith("1. Short")
        first, second = before[1], before[2]
        assert first.lstrip().startswith("2. A linear layer")
        assert second.strip() and second.index(second.strip()) == first.index("A linear")  # a hanging indent
        await pilot.press("2")
        await pilot.pause()
        after = lines()
        assert "✓ 2. A linear layer" in after[1]
        assert after[1].index("A linear") == first.index("A linear")  # the mark did not move the text
