"""Provides every key binding of the TUI under a stable id ("home.quiz", "practice.hint"), the checks a
user's keymap goes through before the app applies it, and keys written as the screens print them."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from textual.binding import Binding
from textual.keys import KEY_NAME_REPLACEMENTS, Keys, format_key, key_to_character

__all__ = [
    "BINDINGS",
    "DEFAULT_KEYS",
    "SECTIONS",
    "STATES",
    "WHILE_TYPING",
    "Section",
    "bindings",
    "check_keymap",
    "key_label",
    "keys_label",
    "normalize_key",
    "textual_keymap",
]

MODIFIERS = ("ctrl", "alt", "shift", "meta", "super", "hyper")
NAMED_KEYS = frozenset(k.value for k in Keys if "+" not in k.value and not k.value.startswith("<")) - {"return", "ctrl-at"}

# Keys Textual keeps for itself in every screen: a binding moved onto one would never fire.
RESERVED = {"ctrl+q": "quit", "ctrl+c": "copy"}

_LENGTH = Binding.Group("Length")


@dataclass(frozen=True)
class Section:
    """The bindings of one screen or widget: a key can do one thing in a section, and different things in two."""

    name: str
    title: str
    bindings: tuple[Binding, ...]


def _choice(n: int) -> Binding:
    return Binding(str(n), f"choose({n})", f"Option {n}", show=False, tooltip=f"Choose option {n}", id=f"choice.{n}")


SECTIONS: tuple[Section, ...] = (
    Section(
        "app",
        "Everywhere",
        (
            Binding("question_mark", "help", "Help", id="app.help"),
            # A text box takes printable keys (Textual drops '?' and 'q' bindings while one has focus):
            # F1 stands in for '?' there.
            Binding("f1", "help_typing", "Help", tooltip="Help while typing in a text box", id="app.help-typing"),
            Binding("q", "request_quit", "Quit", id="app.quit"),
            Binding(
                "ctrl+p",
                "command_palette",
                "Palette",
                show=False,
                priority=True,
                tooltip="Command palette (screens, topics, themes)",
                id="app.palette",
            ),
        ),
    ),
    Section(
        "home",
        "Home",
        (
            Binding("s", "start('quiz')", "Quiz", id="home.quiz"),
            Binding("d", "start('drill')", "Drill", id="home.drill"),
            Binding("r", "start('review')", "Review", id="home.review"),
            Binding("b", "browse", "Browse", id="home.browse"),
            Binding(
                "w", "start('weak')", "Weak spots", show=False,
                tooltip="Practise your weak spots: lowest predicted recall, most frequent mistakes", id="home.weak",
            ),
            Binding("t", "stats", "Stats", show=False, tooltip="Your statistics: plots, weakest items, most frequent mistakes", id="home.stats"),
            Binding("o", "settings", "Settings", show=False, tooltip="Daily limits, desired retention, drill level, quiz length", id="home.settings"),
            Binding("a", "toggle_all", "All/none", show=False, tooltip="All topics or none (none = all)", id="home.all-none"),
            Binding("plus,equals_sign", "count(1)", "Longer quiz", group=_LENGTH, id="home.longer"),
            Binding("minus", "count(-1)", "Shorter quiz", group=_LENGTH, id="home.shorter"),
        ),
    ),
    Section(
        "topics",
        "Home: the topic list",
        (Binding("space", "select", "Pick", show=False, tooltip="Pick or unpick the highlighted topic", id="home.pick"),),
    ),
    Section(
        "practice",
        "Quiz, drill and review",
        (
            Binding("space,enter", "reveal", "Show answer", tooltip="Flashcard: show the answer", id="flashcard.reveal"),
            Binding("1", "grade(1)", "Again", tooltip="Flashcard shown: grade Again (forgotten)", id="flashcard.again"),
            Binding("2", "grade(2)", "Hard", tooltip="Flashcard shown: grade Hard", id="flashcard.hard"),
            Binding("3", "grade(3)", "Good", tooltip="Flashcard shown: grade Good", id="flashcard.good"),
            Binding("4", "grade(4)", "Easy", tooltip="Flashcard shown: grade Easy", id="flashcard.easy"),
            Binding("ctrl+t", "hint", "Hint", tooltip="Show a hint (a right answer counts half)", id="practice.hint"),
            # Enter alone in the answer box does the same; this one is there to be seen (and works while typing).
            Binding(
                "ctrl+n", "dont_know", "I don't know", tooltip="Show the worked solution; counts as Again", id="practice.dont-know"
            ),
            # u once the answer box has let go of the keyboard; Ctrl+Z while typing the next answer.
            Binding("u,ctrl+z", "undo", "Undo", tooltip="Take back the last answer or grade (its history and schedule)", id="practice.undo"),
            Binding("enter", "next", "Next", tooltip="The next question, after the feedback", id="practice.next"),
            Binding("escape", "leave", "Leave", tooltip="Leave; a quiz asks first", id="practice.leave"),
            # Ctrl keys: they work while an answer is typed. Neither is a grade (nothing recorded, undo leaves them).
            Binding(
                "ctrl+s", "suspend", "Suspend", show=False,
                tooltip="Suspend this card or computation: never asked again until unsuspended (in Browse or `quizapp unsuspend`)",
                id="practice.suspend",
            ),
            Binding("ctrl+g", "flag", "Flag", show=False, tooltip="Flag this card or computation for a closer look, or unflag it", id="practice.flag"),
        ),
    ),
    Section("choices", "Multiple choice", tuple(_choice(n) for n in range(1, 10))),
    Section(
        "results",
        "Results",
        (
            Binding("r", "retry", "Retry mistakes", tooltip="Practise the mistakes again", id="results.retry"),
            Binding("escape", "home", "Home", tooltip="Back to Home", id="results.home"),
        ),
    ),
    Section(
        "mistake",
        "One mistake",
        (
            Binding("n,right", "step(1)", "Next mistake", id="mistake.next"),
            Binding("p,left", "step(-1)", "Previous", id="mistake.previous"),
            Binding("escape", "back", "Back", tooltip="Back to the results", id="mistake.back"),
        ),
    ),
    Section(
        "browse",
        "Browse",
        (
            Binding("escape", "back", "Back", tooltip="Back to where Browse was opened", id="browse.back"),
            Binding("ctrl+f", "focus_search", "Search", tooltip="Back to the search box", id="browse.search"),
            Binding(
                "down", "to_results", "Results", show=False, tooltip="From the search box to the results", id="browse.results"
            ),
            Binding("ctrl+t", "scope('all')", "All topics", tooltip="Search every topic, not only the picked ones", id="browse.all"),
            Binding("ctrl+t", "scope('picked')", "Picked topics", tooltip="Search the picked topics only", id="browse.picked"),
            Binding("ctrl+s", "suspend", "Suspend", tooltip="Suspend the highlighted card (never asked), or unsuspend it", id="browse.suspend"),
            Binding("ctrl+g", "flag", "Flag", tooltip="Flag the highlighted card, or unflag it", id="browse.flag"),
        ),
    ),
    Section(
        "stats",
        "Statistics",
        (
            Binding("m", "drill_mistakes", "Drill my mistakes", tooltip="Drill the templates of your most frequent mistakes", id="stats.drill-mistakes"),
            Binding("f", "fit", "Fit FSRS", tooltip="Fit FSRS to your reviews; kept only when it predicts them better", id="stats.fit"),
            Binding("escape", "back", "Back", tooltip="Back to where Statistics was opened", id="stats.back"),
        ),
    ),
    Section(
        "settings",
        "Settings",
        (Binding("escape", "back", "Back", tooltip="Back; a value not yet saved is dropped", id="settings.back"),),
    ),
    Section(
        "confirm",
        "Yes/no questions",
        (
            Binding("y", "answer(True)", "Yes", id="confirm.yes"),
            Binding("n,escape", "answer(False)", "No", id="confirm.no"),
        ),
    ),
    Section(
        "help",
        "Help",
        (
            Binding("escape,q", "close", "Close", tooltip="Close this help", id="help.close"),
            # Priority: the focused help text has its own (hidden) PgDn and PgUp; these show in the footer.
            Binding("pagedown", "page(1)", "Page down", priority=True, tooltip="Scroll the help down a page", id="help.page-down"),
            Binding("pageup", "page(-1)", "Page up", priority=True, tooltip="Scroll the help up a page", id="help.page-up"),
        ),
    ),
)

BINDINGS: dict[str, Binding] = {b.id: b for section in SECTIONS for b in section.bindings if b.id}
"""Every binding by id."""

DEFAULT_KEYS: dict[str, str] = {binding_id: b.key for binding_id, b in BINDINGS.items()}
"""Every binding id with its default keys (comma-separated, as Textual names them)."""

_APP_WIDE = {"app.palette"}  # a priority binding: its key wins over every screen's

WHILE_TYPING = frozenset(
    {
        "app.help-typing",
        "app.palette",
        "practice.hint",
        "practice.dont-know",
        "practice.leave",
        "practice.suspend",
        "practice.flag",
        "browse.back",
        "browse.search",
        "browse.results",
        "browse.all",
        "browse.picked",
        "browse.suspend",
        "browse.flag",
        "settings.back",
    }
)
"""Bindings that work while the cursor is in an answer or search box: a printable key would type instead."""


STATES: dict[str, str] = {
    "practice.hint": "a computation asked",
    "practice.dont-know": "a computation asked",
    "flashcard.reveal": "a flashcard asked",
    "flashcard.again": "a flashcard shown",
    "flashcard.hard": "a flashcard shown",
    "flashcard.good": "a flashcard shown",
    "flashcard.easy": "a flashcard shown",
    "practice.next": "an answer given",
    "browse.all": "the picked topics searched",
    "browse.picked": "every topic searched",
}
"""Bindings that their screen enables in one state only (its check_action). Two of one section in different
states are never enabled together, so they may share a key: Enter shows a flashcard's answer and, once an
answer is in, goes on; Ctrl+T in Browse widens the search to every topic and narrows it back."""


def _may_share(ids: Sequence[str]) -> bool:
    """Can these bindings of one section sit on one key (each in a state of its own)?"""
    states = [STATES.get(i) for i in ids]
    return None not in states and len(set(states)) == len(states)


def bindings(name: str) -> list[Binding]:
    """The bindings of section ``name``, for a screen's or a widget's ``BINDINGS``."""
    return [b for section in SECTIONS if section.name == name for b in section.bindings]


def _character_key(character: str) -> str:
    """A typed character as Textual names its key: 'a' → 'a', '?' → 'question_mark', '+' → 'plus'."""
    if character.isalnum():
        return character
    try:
        name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return character
    return KEY_NAME_REPLACEMENTS.get(name, name)


def normalize_key(key: str) -> str:
    """One key as Textual names it: modifiers and named keys in lower case, 'Ctrl+T' → 'ctrl+t', '?' → 'question_mark'.

    A letter keeps its case without a modifier ('S' is Shift+S); with one, a terminal sends it as lower case.
    """
    key = key.strip()
    if len(key) == 1:
        return _character_key(key)
    *modifiers, base = key.split("+")
    modifiers = [m.strip().lower() for m in modifiers]
    base = base.strip()
    if len(base) == 1:
        base = _character_key(base.lower() if modifiers else base)
    else:
        base = base.lower()
    return "+".join([*modifiers, base])


def _key_problem(key: str) -> str | None:
    """Why ``key`` (normalised) cannot be bound, or None."""
    if not key:
        return "an empty key"
    *modifiers, base = key.split("+")
    if not base:
        return "write + as plus (ctrl+plus)"
    unknown = [m for m in modifiers if m not in MODIFIERS]
    if unknown:
        return f"{unknown[0]!r} is not a modifier (use {', '.join(MODIFIERS[:3])})"
    if len(base) == 1 or base in NAMED_KEYS:
        return None
    shown = format_key(base)  # a character's name: 'question_mark' → '?'
    if len(shown) == 1 and shown.isascii() and _character_key(shown) == base:
        return None
    return f"{base!r} is not a key name"


def _types_a_character(key: str) -> bool:
    """Would a text box take ``key`` as typing (a printable character without a modifier)?"""
    character = key_to_character(key)
    return character is not None and character.isprintable()


def _split(keys: str) -> list[str]:
    return [normalize_key(k) for k in keys.split(",")] if keys.strip() else []


def _clashes(keymap: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    """(key, ids) for every key that two bindings of one section would share once ``keymap`` is applied
    (bindings of different STATES may share one)."""
    found = []
    app_wide = {k: binding_id for binding_id in _APP_WIDE for k in keymap.get(binding_id, DEFAULT_KEYS[binding_id]).split(",")}
    for section in SECTIONS:
        owners: dict[str, list[str]] = {}
        for b in section.bindings:
            for k in keymap.get(b.id, b.key).split(","):  # type: ignore[arg-type]
                owners.setdefault(k, []).append(b.id)  # type: ignore[arg-type]
        for k, ids in owners.items():
            if k in app_wide and app_wide[k] not in ids:
                ids = [app_wide[k], *ids]
            if len(ids) > 1 and not _may_share(ids):
                found.append((k, ids))
    return found


def check_keymap(entries: Iterable[tuple[str, str]]) -> tuple[dict[str, str], list[str]]:
    """The user's (binding id, keys) entries that can be applied, normalised, and one line per entry left out.

    Left out: an unknown id, a key Textual has no name for, a printable key for a binding that must work
    while typing, a key Textual keeps (Ctrl+Q, Ctrl+C), and keys two bindings of one screen would share.
    """
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in entries:
        if binding_id not in BINDINGS:
            problems.append(f"{binding_id}: no such binding (Help lists every id)")
            continue
        normalised = _split(keys)
        bad = next(((k, why) for k in normalised if (why := _key_problem(k))), None)
        if not normalised or bad is not None:
            problems.append(f"{binding_id}: {bad[1] if bad else 'no key given'}")
            continue
        reserved = next((k for k in normalised if k in RESERVED), None)
        if reserved is not None:
            problems.append(f"{binding_id}: {key_label(reserved)} is kept for {RESERVED[reserved]}")
            continue
        if binding_id in WHILE_TYPING and (typed := next((k for k in normalised if _types_a_character(k)), None)):
            problems.append(f"{binding_id}: {key_label(typed)} would type into a text box there; use a key with Ctrl, or F1–F12")
            continue
        keymap[binding_id] = ",".join(dict.fromkeys(normalised))
    # A remapped key may land on another binding of the same screen: keep the defaults of the entries involved.
    while clashes := [(k, ids) for k, ids in _clashes(keymap) if any(i in keymap for i in ids)]:
        for k, ids in clashes:
            dropped = [i for i in ids if i in keymap]
            for i in dropped:
                del keymap[i]
            if dropped:
                keep = "keeps its default" if len(dropped) == 1 else "keep their defaults"
                problems.append(f"{' and '.join(ids)}: both on {key_label(k)}; {' and '.join(dropped)} {keep}")
    return keymap, problems


def textual_keymap(keymap: Mapping[str, str]) -> dict[str, str]:
    """What to hand Textual's ``App.set_keymap`` for a checked ``keymap``: it, plus every other binding of
    each section it touches at that binding's own keys.

    Textual moves a binding by dropping every binding on its old keys and on its new ones
    (``BindingsMap.apply_keymap``), which would take Enter from Next when Show answer moves; stating the
    neighbours' keys puts each of them back.
    """
    full = dict(keymap)
    for section in SECTIONS:
        ids = [b.id for b in section.bindings if b.id]
        if any(i in keymap for i in ids):
            for i in ids:
                full.setdefault(i, DEFAULT_KEYS[i])
    return full


_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "space": "Space",
    "tab": "Tab",
    "backspace": "Backspace",
    "delete": "Delete",
    "insert": "Insert",
    "home": "Home",
    "end": "End",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
}


def key_label(key: str) -> str:
    """A key as the app's text writes it: 'ctrl+t' → 'Ctrl+T', 'question_mark' → '?', 'escape' → 'Esc', 'f1' → 'F1'."""
    *modifiers, base = key.split("+")
    if base in _NAMES:
        name = _NAMES[base]
    elif base in NAMED_KEYS:
        name = base.upper() if base[0] == "f" and base[1:].isdigit() else base.capitalize()
    else:
        name = format_key(base)
        if modifiers and len(name) == 1:
            name = name.upper()
    return "+".join([*(m.capitalize() for m in modifiers), name])


def keys_label(keys: str | Sequence[str], *, sep: str = ", ") -> str:
    """Several keys (comma-separated, or a list) as the app writes them: 'n,right' → 'n, →'."""
    listed = keys.split(",") if isinstance(keys, str) else list(keys)
    return sep.join(key_label(k) for k in listed if k)
