"""Pilot tests for what a newcomer's review found: a stale parse error, multiple-choice feedback by number
only, Enter on a flashcard, look-alike mistakes, palette words, Browse and the Home selection, Help's
scrolling, and Home's topic box on a tall terminal."""

from __future__ import annotations

import json

from pilot_helpers import answer_the_rest_right, answer_wrong_for_good, card, feedback, text_of, type_answer, wrong_number
from textual.command import CommandList, CommandPalette
from textual.widgets import Footer, Input, OptionList

from quizapp.tui.items import Question
from quizapp.tui.screens import browse
from quizapp.tui.screens.browse import BrowseScreen
from quizapp.tui.screens.drill import DrillScreen
from quizapp.tui.screens.help import HelpScreen
from quizapp.tui.screens.home import HomeScreen
from quizapp.tui.screens.results import MistakeScreen, ResultsScreen
from quizapp.tui.widgets.topic_picker import TopicPicker

SIZE = (100, 32)










def footer_keys(app) -> dict[str, str]:
    """The footer's description → key display."""
    return {key.description: key.key_display for key in app.screen.query_one(Footer).query("FooterKey")}


def write_settings(tmp_path, data) -> None:
    folder = tmp_path / "data"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.json").write_text(json.dumps(data))


def option_texts(option_list: OptionList) -> list[str]:
    return [str(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count)]


# --- 1. an accepted answer clears the "could not read" line ------------------------------------------


async def test_an_accepted_answer_clears_the_could_not_read_line(new_app):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_answer(pilot, "abc")
        error = app.screen.query_one("#answer-error")
        assert "Could not read 'abc'" in str(error.render()) and error.display
        assert app.screen.phase == "asking"
        await pilot.press("backspace", "backspace", "backspace")
        await type_answer(pilot, app.screen.current.drill.answer_text)
        assert app.screen.phase == "answered"
        assert ("✓ Correct" in feedback(app)) or ("✗ Wrong" in feedback(app))
        assert not error.display and str(error.render()) == ""


# --- 2. multiple-choice feedback names the options --------------------------------------------------


async def test_multiple_choice_feedback_names_the_chosen_and_the_correct_option(new_app, bank):
    mcq = card(bank, "conv-formula-mcq")
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.start_quiz([Question(card=mcq)])
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        shown = feedback(app)
        assert f"You chose      3. {mcq.options[2]}" in shown
        assert f"Correct answer 2. {mcq.options[1]}" in shown


async def test_a_long_option_is_cut_in_the_feedback_only_while_the_options_are_on_screen(new_app, bank):
    from dataclasses import replace

    long = "A linear layer applied to the channel vector of every pixel, with the same weights at every position"
    mcq = replace(card(bank, "conv-formula-mcq"), options=("Short", long), correct=0)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.start_quiz([Question(card=mcq)])
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        chosen = next(line for line in feedback(app).splitlines() if line.startswith("You chose"))
        assert chosen.startswith("You chose      2. A linear layer") and chosen.endswith("…") and len(chosen) < 90
        assert "Correct answer 1. Short" in feedback(app)
        await pilot.press("enter")
        await pilot.pause()
        await answer_the_rest_right(pilot, app)  # the mistake comes back after its learning step
        assert isinstance(app.screen, ResultsScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MistakeScreen)
        assert f"You chose      2. {long}" in feedback(app).replace("\n", " ")


# --- 3. Enter reveals a flashcard -------------------------------------------------------------------


async def test_enter_reveals_a_flashcard_like_space(new_app, store):
    app = new_app(mode="review", topics=["Attention"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = app.screen.current.card
        assert "Space or Enter" in text_of(app, "#prompt")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.phase == "revealed" and first.answer in feedback(app)
        await pilot.press("enter")  # revealed: Enter does not skip the grade
        await pilot.pause()
        assert app.screen.phase == "revealed" and store.attempts() == []
        await pilot.press("3")
        await pilot.pause()
        assert store.attempts()[0].rating == 3
        await pilot.press("space")
        await pilot.pause()
        assert app.screen.phase == "revealed"


async def test_enter_after_an_answer_still_goes_on_and_shows_next_in_the_footer(new_app, bank):
    cards = [card(bank, "conv-formula-mcq"), card(bank, "att-scale")]
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.start_quiz([Question(card=c) for c in cards])
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        assert "Next" in footer_keys(app) and "Show answer" not in footer_keys(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.current.card.id == "att-scale" and app.screen.phase == "asking"
        assert footer_keys(app).get("Show answer") == "space" and "Next" not in footer_keys(app)


async def test_remapping_reveal_keeps_enter_for_next(new_app, bank, tmp_path):
    write_settings(tmp_path, {"keymap": {"flashcard.reveal": "r"}})
    cards = [card(bank, "conv-formula-mcq"), card(bank, "att-scale")]
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.start_quiz([Question(card=c) for c in cards])
        await pilot.pause()
        await pilot.press("2", "enter")  # answer, then Next
        await pilot.pause()
        assert app.screen.current.card.id == "att-scale"
        assert "press r to see it" in text_of(app, "#prompt")
        await pilot.press("enter", "space")
        await pilot.pause()
        assert app.screen.phase == "asking"
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.phase == "revealed"


async def test_remapping_next_keeps_enter_for_reveal(new_app, bank, tmp_path):
    write_settings(tmp_path, {"keymap": {"practice.next": "n"}})
    cards = [card(bank, "conv-formula-mcq"), card(bank, "att-scale")]
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.start_quiz([Question(card=c) for c in cards])
        await pilot.pause()
        await pilot.press("2", "enter")
        await pilot.pause()
        assert app.screen.current.card.id == "conv-formula-mcq"  # Enter is not Next any more
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.current.card.id == "att-scale"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.phase == "revealed"


async def test_the_shared_enter_key_raises_no_keymap_warning(new_app, tmp_path):
    write_settings(tmp_path, {"keymap": {"flashcard.reveal": "r", "home.longer": "ctrl+l"}})
    app = new_app()
    seen: list[str] = []
    app.notify = lambda message, **kwargs: seen.append(message)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.start_review()
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
    assert seen == []


# --- 4. mistakes that tell themselves apart -----------------------------------------------------------


async def test_each_drill_mistake_shows_its_numbers_and_both_answers(new_app):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        drills = []
        for _ in range(3):
            drill = app.screen.current.drill
            drills.append(drill)
            await answer_wrong_for_good(pilot, drill)
            await pilot.press("enter")
            await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        lines = option_texts(app.screen.query_one("#mistakes", OptionList))
        assert len(lines) == 3
        for line, drill in zip(lines, drills, strict=True):
            head, detail = line.split("\n")
            assert head.startswith("Convolutional layers")
            assert head.endswith(f"you: {wrong_number(drill)} · correct: {drill.answer_text}")
            p = drill.params
            assert detail.strip().startswith(
                f"size {p['size']} · kernel {p['kernel']} · stride {p['stride']} · padding {p['padding']}"
            )
            assert max(len(part) for part in line.split("\n")) <= 80 - 4
        assert len({line.split("\n")[1] for line in lines}) == len({tuple(d.params.items()) for d in drills})


async def test_card_mistakes_show_the_choice_or_the_grade(new_app, bank):
    mcq, flash = card(bank, "conv-formula-mcq"), card(bank, "att-scale")
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.start_quiz([Question(card=mcq), Question(card=flash)])
        await pilot.pause()
        await pilot.press("4", "enter", "space", "1")
        await pilot.pause()
        await answer_the_rest_right(pilot, app)  # both come back after their learning steps
        assert isinstance(app.screen, ResultsScreen)
        lines = option_texts(app.screen.query_one("#mistakes", OptionList))
        assert lines[0].split("\n")[0].endswith("you: 4 · correct: 2")
        assert lines[0].split("\n")[1].strip() == mcq.question
        assert lines[1].split("\n")[0].endswith("graded Again")


# --- 5. the command palette finds words ---------------------------------------------------------------


async def palette_hits(pilot, query: str) -> list[str]:
    await pilot.press("ctrl+p", *query)
    await pilot.pause(0.4)
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    commands = palette.query_one(CommandList)
    return [str(commands.get_option_at_index(i).hit.text) for i in range(commands.option_count)]


async def test_the_palette_finds_a_drill_by_the_words_of_its_id(new_app):
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        hits = await palette_hits(pilot, "conv out")
        assert hits[0] == "Drill: conv output size (conv-output-size)"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DrillScreen)
        assert app.screen.current.drill.template_id == "conv-output-size"


async def test_the_palette_finds_words_in_any_order_and_by_topic(new_app):
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Drill: conv output size (conv-output-size)" in await palette_hits(pilot, "output conv")
        await pilot.press("escape")
        await pilot.pause()
        # The drill's topic is Convolutional layers: its words find the drill too.
        hits = await palette_hits(pilot, "convolutional")
        assert "Topic: Convolutional layers" in hits and "Drill: conv output size (conv-output-size)" in hits
        assert not any("attention" in hit for hit in hits)
        await pilot.press("escape")
        await pilot.pause()
        hits = await palette_hits(pilot, "conv-output")
        assert hits[0] == "Drill: conv output size (conv-output-size)" and "Drill: conv-output-size" not in hits


# --- 6. Browse follows the Home selection, and shows every match -----------------------------------------


async def test_browse_shows_the_picked_topics_and_a_key_for_all(new_app):
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("space", "b")  # pick Attention (4 cards), then browse
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        assert {c.topic for c in screen.results} == {"Attention"}
        assert text_of(app, "#browse-count").startswith("4 of 4 cards in the picked topic")
        assert footer_keys(app)["All topics"] == "^t"
        await pilot.press(*"stride")  # a conv word: nothing in Attention
        await pilot.pause()
        assert screen.results == []
        assert text_of(app, "#card") == "No card matches in the picked topics; Ctrl+T finds 2 in all topics."
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert {c.id for c in screen.results} == {"conv-stride", "conv-same"}
        assert text_of(app, "#browse-count").startswith("2 of 9 cards in all topics")
        assert footer_keys(app)["Picked topics"] == "^t"
        assert isinstance(app.focused, Input)  # the toggle leaves the cursor in the search box
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert screen.results == []


async def test_browse_without_a_selection_searches_everything_and_has_no_toggle(new_app):
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        assert len(app.screen.results) == 9
        assert text_of(app, "#browse-count").startswith("9 of 9 cards in all topics")
        assert "All topics" not in footer_keys(app) and "Picked topics" not in footer_keys(app)


async def test_browse_says_when_it_shows_fewer_than_match(new_app, monkeypatch):
    monkeypatch.setattr(browse, "MAX_RESULTS", 3)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        assert app.screen.query_one("#results", OptionList).option_count == 3
        assert "3 of 9 matches shown — refine the search" in text_of(app, "#browse-count")


# --- 7. Help scrolls visibly ---------------------------------------------------------------------------


async def test_help_says_there_is_more_and_pages_with_pgdn(new_app):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        scroll = app.screen.query_one("#help-scroll")
        more = app.screen.query_one("#help-more")
        assert scroll.max_scroll_y > 0 and scroll.show_vertical_scrollbar
        assert "more below" in str(more.render()) and more.region.area > 0
        assert footer_keys(app).get("Page down") == "pgdn"
        await pilot.press("pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert "end of help" in str(more.render())
        assert "Page up" in footer_keys(app)


async def test_help_fits_80x24_with_its_scroll_line(new_app):
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        screen = app.screen
        box, more = screen.query_one("#help-box"), screen.query_one("#help-more")
        assert screen.region.contains_region(box.region)
        assert box.region.contains_region(more.region) and more.region.height == 1
        assert "more below" in str(more.render())


# --- 8. Home's topic box is as tall as its topics --------------------------------------------------------


async def test_home_topic_box_fits_its_topics_on_a_tall_terminal(new_app):
    app = new_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        picker = screen.query_one(TopicPicker)
        assert picker.max_scroll_y == 0
        assert picker.region.height <= picker.option_count + 2  # the rows and a border
        summary, due, modes = screen.query_one("#summary"), screen.query_one("#due"), screen.query_one("#modes")
        assert summary.region.y == picker.region.bottom and due.region.y == summary.region.bottom
        assert modes.region.y == due.region.bottom


async def test_home_topic_box_scrolls_when_the_topics_do_not_fit(store, tmp_path):
    from datetime import UTC, datetime

    from quizapp.content.loader import load_bank
    from quizapp.tui.app import make_app

    app = make_app(load_bank([], bundled=True), store=store, data_dir=tmp_path / "data", now=datetime(2025, 3, 1, tzinfo=UTC))
    async with app.run_test(size=(80, 60)) as pilot:
        await pilot.pause()
        picker = app.screen.query_one(TopicPicker)
        assert picker.max_scroll_y == 0  # a tall terminal shows every bundled topic
        # 80×24 no longer holds the bundled topics (the optimiser, normalisation and transformer decks
        # added 11), and 80×18 is smaller than we support: the list gives way, the actions stay
        for height in (24, 18):
            await pilot.resize_terminal(80, height)
            await pilot.pause()
            assert picker.max_scroll_y > 0
            for button in app.screen.query("#modes Button"):
                assert app.screen.region.contains_region(button.region)


async def test_closing_help_gives_the_answer_box_its_focus_back(new_app):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1", "f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "2")
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.value == "12"


async def test_a_flashcard_asked_first_leaves_nothing_focused(new_app):
    # A hidden option list or answer box with the focus would take the flashcard's Enter and digits.
    app = new_app(mode="review", topics=["Attention"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.current.kind == "flashcard" and app.focused is None
