"""Pilot tests for untrusted input in the app: deck text that looks like Rich markup on every screen that
shows it, settings files of the wrong shape, a data folder that cannot be made, and a drill ended from
the palette (its results are shown, not thrown away)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pilot_helpers import answer_the_rest_right, answer_wrongly, run_from_palette, text_of, type_answer
from textual.widgets import DataTable, OptionList

from quizapp.content.loader import load_bank
from quizapp.store import Store
from quizapp.tui.app import make_app
from quizapp.tui.screens.browse import BrowseScreen
from quizapp.tui.screens.drill import DrillScreen
from quizapp.tui.screens.home import HomeScreen
from quizapp.tui.screens.quiz import QuizScreen
from quizapp.tui.screens.results import MistakeScreen, ResultsScreen

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

TOPIC = "Bad [/] topic [blink]x"
MARKUP_DECK = f"""---
title: "[bold red]Deck[/] [blink]title"
---
# {TOPIC}

Q: What is [blink]this[/blink]? [/]
A: [link=https://example.com]a link[/link] [/]

Which one [/]?
- [x] [bold]one[/bold] [/]
- [ ] [/] two

```drill
id: markup-drill
solver: conv.output_size
params:
  size: [8, 16, 32]
  kernel: [3, 5]
  stride: [1, 2]
  padding: {{range: [0, 2]}}
ask: "[/] Size {{size}}, kernel {{kernel}}, stride {{stride}}, padding {{padding}} [blink]?"
answer: {{form: integer}}
```
"""


@pytest.fixture
def markup_bank(tmp_path):
    path = tmp_path / "markup.md"
    path.write_text(MARKUP_DECK, encoding="utf-8")
    bank = load_bank([path], bundled=False)
    assert not bank.all_problems(), bank.all_problems()
    assert [topic for _, topic, _, _ in bank.topics()] == [TOPIC]
    return bank


def _plain(renderable) -> str:
    return getattr(renderable, "plain", str(renderable))


async def test_markup_in_deck_text_shows_as_written_on_every_screen(markup_bank, tmp_path):
    with Store(tmp_path / "progress.sqlite3") as store:
        app = make_app(markup_bank, store=store, data_dir=tmp_path / "data", now=NOW, seed=3)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            picker = app.screen.query_one("#topics")
            assert TOPIC in _plain(picker.get_option_at_index(0).prompt)

            await pilot.press("s")  # a quiz of the three questions, each answered wrongly
            await pilot.pause()
            assert isinstance(app.screen, QuizScreen)
            for _ in range(app.screen.total):
                assert isinstance(app.screen, QuizScreen)
                await answer_wrongly(pilot, app)
            await answer_the_rest_right(pilot, app)  # the mistakes come back after their learning steps
            assert isinstance(app.screen, ResultsScreen)
            table = app.screen.query_one(DataTable)
            assert _plain(table.get_row_at(0)[0]) == TOPIC  # the cell shows the text, markup and all
            mistakes = app.screen.query_one("#mistakes", OptionList)
            assert TOPIC in _plain(mistakes.get_option_at_index(0).prompt)

            await pilot.press("enter")  # a mistake opens with its question as written
            await pilot.pause()
            assert isinstance(app.screen, MistakeScreen)
            for _ in app.screen.mistakes:
                assert "[/]" in text_of(app, "#question")
                await pilot.press("n")
                await pilot.pause()
            await pilot.press("escape", "escape")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)

            await pilot.press("b")  # Browse lists and shows the cards
            await pilot.pause()
            assert isinstance(app.screen, BrowseScreen)
            assert "[blink]this[/blink]" in text_of(app, "#card")
            await pilot.press("escape")
            await pilot.pause()

            await run_from_palette(pilot, "Topic: Bad")  # the palette shows the topic and its help
            assert app.selection == ((markup_bank.decks[0].id, TOPIC),)
            await run_from_palette(pilot, "Drill: markup")
            assert isinstance(app.screen, DrillScreen)
            assert "[/] Size" in text_of(app, "#question")
            await answer_wrongly(pilot, app)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ResultsScreen)
            assert _plain(app.screen.query_one(DataTable).get_row_at(0)[0]) == TOPIC
        assert app.return_code in (None, 0)


@pytest.mark.parametrize(
    ("settings", "warned"),
    [
        ({"selection": 5}, '"selection" should be a list'),
        ({"count": "ten", "theme": ["x"]}, '"count" should be a whole number'),
        ({"keymap": {"home.quiz": [[[[["deep"]]]]]}}, "is not a key or a list of keys"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("[]", "does not hold a JSON object"),
    ],
    ids=["selection-a-number", "count-and-theme-wrong", "keymap-nested", "nested-100k", "a-list"],
)
async def test_a_settings_file_of_the_wrong_shape_is_a_warning_and_the_app_starts(bank, tmp_path, settings, warned):
    data = tmp_path / "data"
    data.mkdir()
    text = settings if isinstance(settings, str) else json.dumps(settings)
    (data / "settings.json").write_text(text, encoding="utf-8")
    app = make_app(bank, data_dir=data, now=NOW)
    shown: list[str] = []
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert isinstance(app.screen, HomeScreen)
    assert any(warned in message for message in shown), shown


async def test_a_data_folder_that_cannot_be_made_ends_the_app_with_one_line(bank, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder")
    app = make_app(bank, data_dir=blocker / "data", now=NOW)
    said: list[str] = []
    exit_app = app.exit
    app.exit = lambda *args, message=None, **kwargs: (said.append(str(message)), exit_app(*args, message=message, **kwargs))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
    assert app.return_code == 1
    assert len(said) == 1 and said[0].startswith("quizapp: cannot use the data folder"), said
    assert "a file stands where a folder is needed" in said[0]
    assert blocker.read_text() == "a file, not a folder"


async def test_a_drill_ended_from_the_palette_shows_its_results_then_runs_the_command(new_app):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        drill = app.screen
        assert isinstance(drill, DrillScreen)
        await type_answer(pilot, "123456")
        await pilot.press("enter")
        await pilot.pause()
        assert len(drill.outcomes) == 1
        await run_from_palette(pilot, "Start drill")
        assert isinstance(app.screen, ResultsScreen)  # the answer given is shown, not thrown away
        assert app.screen.outcomes == drill.outcomes and not drill.running
        await pilot.press("escape")  # closing the results runs what was asked for
        await pilot.pause()
        assert isinstance(app.screen, DrillScreen) and app.screen is not drill and app.screen.running


async def test_a_drill_with_no_answers_ended_from_the_palette_runs_the_command_at_once(new_app):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await run_from_palette(pilot, "Home")
        assert isinstance(app.screen, HomeScreen)
