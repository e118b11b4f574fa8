"""Pilot tests for a user's keymap in settings.json: applied at start, shown in the footer, prompts and Help,
and anything wrong in it reported once without stopping the app."""

from __future__ import annotations

import json

from textual.command import CommandPalette
from textual.widgets import Button, Footer

from quizapp.tui.items import Question
from quizapp.tui.screens.help import HelpScreen
from quizapp.tui.screens.home import HomeScreen
from quizapp.tui.screens.quiz import QuizScreen
from quizapp.tui.screens.review import ReviewScreen

SIZE = (100, 32)


def write_settings(tmp_path, data) -> None:
    folder = tmp_path / "data"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.json").write_text(json.dumps(data) if not isinstance(data, str) else data)


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def footer_keys(app) -> dict[str, str]:
    """The footer's description → key display (the keys a user reads at the bottom)."""
    footer = app.screen.query_one(Footer)
    return {key.description: key.key_display for key in footer.query("FooterKey")}


def record_notifications(app) -> list[tuple[str, str, str]]:
    seen: list[tuple[str, str, str]] = []

    def notify(message, *, title="", severity="information", timeout=None, markup=True):
        seen.append((message, title, severity))

    app.notify = notify
    return seen


async def test_a_remapped_hint_works_and_every_text_names_the_new_key(new_app, tmp_path):
    write_settings(tmp_path, {"keymap": {"practice.hint": "f2"}})
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        drill = app.screen.current.drill
        assert "F2 shows a hint." in text_of(app, "#prompt")
        assert footer_keys(app)["Hint"] == "f2"
        await pilot.press("ctrl+t")  # the old key does nothing now
        await pilot.pause()
        assert not app.screen.hint_used
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen.hint_used
        assert f"Hint: {drill.hint or drill.steps[0]}" in text_of(app, "#feedback-text")


async def test_remapped_grades_leave_the_option_keys_alone(new_app, bank, tmp_path, store):
    write_settings(tmp_path, {"keymap": {"flashcard.hard": "h", "flashcard.again": ["a", "0"]}})
    cards = {c.id: c for c in bank.cards()}
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.start_quiz([Question(card=cards["att-scale"]), Question(card=cards["conv-formula-mcq"])])
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        shown = text_of(app, "#feedback-text")
        assert all(f"{key} {grade} · " in shown for key, grade in zip("ah34", ("Again", "Hard", "Good", "Easy"), strict=True))
        await pilot.press("2")  # no longer a grade
        await pilot.pause()
        assert store.attempts() == []
        await pilot.press("h")
        await pilot.pause()
        assert store.attempts()[0].rating == 2
        # The next card is multiple choice: 2, the key Hard gave up, still picks option 2 (the right one).
        assert app.screen.current.kind == "mcq"
        await pilot.press("2")
        await pilot.pause()
        assert "✓ Correct" in text_of(app, "#feedback-text")


async def test_remapped_home_keys_label_the_buttons_and_start_the_mode(new_app, tmp_path):
    write_settings(tmp_path, {"keymap": {"home.quiz": "x", "home.longer": "]", "home.shorter": "["}})
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert str(app.screen.query_one("#quiz", Button).label) == "Quiz (x)"
        assert "]/[ quiz length" in text_of(app, "#home-hint")
        await pilot.press("]", "]", "[")
        await pilot.pause()
        assert app.count == 11
        await pilot.press("s")  # the old key is free now
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)


async def test_a_remapped_palette_key_opens_the_palette(new_app, tmp_path):
    write_settings(tmp_path, {"keymap": {"app.palette": "ctrl+k"}})
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert not isinstance(app.screen, CommandPalette)
        await pilot.press("ctrl+k")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_a_bad_keymap_warns_once_and_the_rest_applies(new_app, tmp_path):
    write_settings(
        tmp_path,
        {"keymap": {"practice.hnt": "f2", "home.quiz": 5, "home.drill": "s", "home.review": "v"}, "count": 12},
    )
    app = new_app()
    seen = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and app.count == 12
        [(message, title, severity)] = seen
        assert (title, severity) == ("Left out of settings.json", "warning")
        assert message.splitlines() == [
            "home.quiz: 5 is not a key or a list of keys",
            "practice.hnt: no such binding (Help lists every id)",
            "home.quiz and home.drill: both on s; home.drill keeps its default",
        ]
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)


async def test_a_damaged_settings_file_is_reported_and_never_overwritten(new_app, tmp_path):
    write_settings(tmp_path, '{"keymap": {"practice.hint": "f2",}}')
    app = new_app()
    seen = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "is not valid JSON" in seen[0][0]
        await pilot.press("space", "plus")  # a selection and a length the app would save
        await pilot.pause()
        assert app.count == 11
    assert (tmp_path / "data" / "settings.json").read_text() == '{"keymap": {"practice.hint": "f2",}}'


async def test_help_lists_every_binding_id_with_its_keys_and_where_to_remap(new_app, tmp_path):
    from quizapp.tui import keys

    write_settings(tmp_path, {"keymap": {"practice.hint": "f2", "nope": "x"}})
    app = new_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        lines = text_of(app, "#help-keymap").splitlines()
        for binding_id in keys.BINDINGS:
            assert any(line.split()[:1] == [binding_id] for line in lines), binding_id
        hint = next(line for line in lines if line.split()[:1] == ["practice.hint"])
        assert hint.split()[1:3] == ["F2", "*"]
        longer = next(line for line in lines if line.split()[:1] == ["home.longer"])
        assert "+, =" in longer
        shown = text_of(app, "#help-keymap")
        assert str(tmp_path / "data" / "settings.json") in shown.replace("\n", "")
        assert "nope: no such binding" in shown
        assert "F2 shows a hint" in text_of(app, "#help-guide")


async def test_help_lists_the_quit_key_of_the_screen_below(new_app):
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        keys_below = text_of(app, "#help-keys")
        assert "q  Quit" in keys_below and "?  Help" in keys_below
