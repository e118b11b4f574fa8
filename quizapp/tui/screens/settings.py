"""Provides SettingsScreen: the study settings (new cards and reviews a day, desired retention, the hour a day
starts, drill level, quiz length, second try), each checked and saved to settings.json as it is changed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Select, Static, Switch

from quizapp.tui import keys
from quizapp.tui.settings import FIELDS, LEVELS, parse_field

if TYPE_CHECKING:
    from quizapp.tui.app import QuizApp

__all__ = ["SettingsScreen"]


def _shown(value: Any) -> str:
    """A setting's value as the form shows it: 0.9, 20, auto."""
    return f"{value:g}" if isinstance(value, float) else str(value)


class SettingsScreen(Screen[None]):
    """One row a setting: a typed value is saved on Enter or when the cursor leaves it, a bad one is refused."""

    CSS_PATH = Path(__file__).with_name("settings.tcss")

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("settings")

    app: QuizApp  # type: ignore[assignment]

    def compose(self) -> ComposeResult:
        settings = self.app.settings
        yield Static(
            Content.assemble(("Settings", "bold"), (f"   saved in {self.app.settings_path}", "$text-muted")), id="settings-title"
        )
        with VerticalScroll(id="settings-form"):
            for field in FIELDS:
                value = getattr(settings, field.key)
                with Horizontal(classes="setting"):
                    yield Static(field.label, classes="setting-label", markup=False)
                    if isinstance(field.default, bool):
                        yield Switch(value=value, id=f"set-{field.key}")
                    elif field.key == "level":
                        yield Select([(level, level) for level in LEVELS], value=value, allow_blank=False, id=f"set-{field.key}", compact=True)
                    else:
                        yield Input(_shown(value), id=f"set-{field.key}", compact=True, select_on_focus=False)
                    yield Static(field.help, classes="setting-help", markup=False)
        yield Static("", id="settings-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        if self.app.settings.damaged:
            self._say(
                f"{self.app.settings_path.name} could not be read: changes hold for this run and are not saved "
                "(the file is left as you wrote it).",
                error=True,
            )
        else:
            k = self.app.key_label
            self._say(f"Enter (or moving on) saves a typed value; {k('settings.back')} goes back.")
        self.query_one(f"#set-{FIELDS[0].key}").focus()

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#settings-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def _commit(self, key: str, raw: object) -> bool:
        """Check ``raw`` for setting ``key``; save it when it is valid and new. False (and a message) when it is refused."""
        try:
            value = parse_field(key, raw)
        except ValueError as err:
            self._say(f"Not saved: {err}", error=True)
            return False
        if value != getattr(self.app.settings, key):
            self.app.change_settings(**{key: value})
            label = next(f.label for f in FIELDS if f.key == key)
            saved = "kept for this run" if self.app.settings.damaged else "saved"
            self._say(f"{label}: {_shown(value)}, {saved}.")
        return True

    def _commit_input(self, field_input: Input) -> bool:
        key = (field_input.id or "").removeprefix("set-")
        ok = self._commit(key, field_input.value)
        field_input.set_class(not ok, "-invalid")
        if ok:
            field_input.value = _shown(getattr(self.app.settings, key))  # as read: "0,85" shows as 0.85
        return ok

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._commit_input(event.input):
            self.focus_next()

    @on(Input.Blurred)
    def _left(self, event: Input.Blurred) -> None:
        if self.is_attached and self.app.screen is self:
            self._commit_input(event.input)

    @on(Switch.Changed)
    def _switched(self, event: Switch.Changed) -> None:
        event.stop()
        self._commit((event.switch.id or "").removeprefix("set-"), event.value)

    @on(Select.Changed)
    def _selected(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is not Select.BLANK:
            self._commit((event.select.id or "").removeprefix("set-"), event.value)

    def action_back(self) -> None:
        """Back, saving the value being typed if it is valid (a refused one is dropped)."""
        focused = self.focused
        if isinstance(focused, Input):
            self._commit_input(focused)
        self.app.pop_screen()
