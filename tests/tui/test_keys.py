"""Binding ids and the keymap: the registry matches the screens, a user's keymap is checked entry by entry,
and keys are named in text as the app prints them."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.dom import DOMNode

import quizapp.tui.screens
import quizapp.tui.widgets
from quizapp.tui import keys
from quizapp.tui.app import QuizApp
from quizapp.tui.keys import check_keymap, key_label, normalize_key


def _classes_with_bindings() -> list[type[DOMNode]]:
    found: list[type[DOMNode]] = [QuizApp]
    for package in (quizapp.tui.screens, quizapp.tui.widgets):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__ and issubclass(cls, DOMNode) and "BINDINGS" in cls.__dict__:
                    found.append(cls)
    return found


def test_every_binding_of_the_app_has_a_registered_id_and_every_registered_id_is_bound():
    used: dict[str, set[str]] = {}
    for cls in _classes_with_bindings():
        for binding in cls.__dict__["BINDINGS"]:
            assert binding.id is not None, f"{cls.__name__}: {binding.key} -> {binding.action} has no id"
            assert binding.id in keys.BINDINGS, f"{cls.__name__}: {binding.id} is not in quizapp.tui.keys"
            registered = keys.BINDINGS[binding.id]
            assert (binding.key, binding.action) == (registered.key, registered.action), binding.id
            used.setdefault(binding.id, set()).add(cls.__name__)
    assert set(used) == set(keys.BINDINGS)


def test_binding_ids_are_systematic_and_unique():
    ids = [b.id for section in keys.SECTIONS for b in section.bindings]
    assert len(ids) == len(set(ids))
    for binding_id in ids:
        assert re.fullmatch(r"[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*", binding_id), binding_id
    assert {"home.quiz", "practice.hint", "flashcard.good", "choice.1", "app.palette"} <= set(ids)


def test_the_default_keys_do_not_clash_within_a_screen():
    assert keys._clashes({}) == []
    assert check_keymap([]) == ({}, [])


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("s", "s"),
        ("S", "S"),  # Shift+S: a different key from s
        ("Ctrl+T", "ctrl+t"),
        ("ctrl+S", "ctrl+s"),
        ("?", "question_mark"),
        ("+", "plus"),
        ("-", "minus"),
        (" F2 ", "f2"),
        ("Escape", "escape"),
        ("alt+Enter", "alt+enter"),
    ],
)
def test_normalize_key(written, key):
    assert normalize_key(written) == key


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("ctrl+t", "Ctrl+T"),
        ("question_mark", "?"),
        ("escape", "Esc"),
        ("space", "Space"),
        ("enter", "Enter"),
        ("f1", "F1"),
        ("plus", "+"),
        ("minus", "-"),
        ("s", "s"),
        ("down", "↓"),
        ("alt+full_stop", "Alt+."),
    ],
)
def test_key_label(key, label):
    assert key_label(key) == label


def test_accepted_entries_are_normalised():
    keymap, problems = check_keymap(
        [("practice.hint", "Ctrl+O"), ("home.quiz", "s,ctrl+s"), ("app.help", "F2"), ("home.longer", "+")]
    )
    assert problems == []
    assert keymap == {"practice.hint": "ctrl+o", "home.quiz": "s,ctrl+s", "app.help": "f2", "home.longer": "plus"}


def test_two_bindings_may_swap_keys():
    keymap, problems = check_keymap([("practice.hint", "enter"), ("practice.next", "ctrl+t")])
    assert problems == [] and keymap == {"practice.hint": "enter", "practice.next": "ctrl+t"}


def test_the_same_key_on_two_screens_is_fine():
    keymap, problems = check_keymap([("home.quiz", "x"), ("results.retry", "x")])
    assert problems == [] and keymap == {"home.quiz": "x", "results.retry": "x"}


def test_a_flashcard_grade_may_take_a_key_an_option_uses():
    # Options are the multiple-choice widget's keys, grades the screen's: no clash.
    assert check_keymap([("flashcard.good", "5")]) == ({"flashcard.good": "5"}, [])
    assert check_keymap([("flashcard.good", "1")]) == (
        {},
        ["flashcard.again and flashcard.good: both on 1; flashcard.good keeps its default"],
    )


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (("practice.hnt", "f2"), "practice.hnt: no such binding (Help lists every id)"),
        (("home.quiz", "cmd+s"), "home.quiz: 'cmd' is not a modifier (use ctrl, alt, shift)"),
        (("home.quiz", "banana"), "home.quiz: 'banana' is not a key name"),
        (("home.quiz", "ctrl++"), "home.quiz: write + as plus (ctrl+plus)"),
        (("home.quiz", ","), "home.quiz: an empty key"),
        (("home.quiz", "ctrl+q"), "home.quiz: Ctrl+Q is kept for quit"),
        (("app.palette", "p"), "app.palette: p would type into a text box there; use a key with Ctrl, or F1–F12"),
        (("practice.hint", "h"), "practice.hint: h would type into a text box there; use a key with Ctrl, or F1–F12"),
        (("browse.back", "space"), "browse.back: Space would type into a text box there; use a key with Ctrl, or F1–F12"),
        (("home.drill", "s"), "home.quiz and home.drill: both on s; home.drill keeps its default"),
        (("results.home", "ctrl+p"), "app.palette and results.home: both on Ctrl+P; results.home keeps its default"),
    ],
)
def test_entries_that_cannot_apply_are_left_out_with_a_reason(entry, problem):
    keymap, problems = check_keymap([entry, ("app.help", "f2")])
    assert problems == [problem]
    assert keymap == {"app.help": "f2"}  # the good entry still applies


def test_a_clash_between_two_remapped_bindings_keeps_both_defaults():
    keymap, problems = check_keymap([("home.quiz", "x"), ("home.drill", "x")])
    assert keymap == {}
    assert problems == ["home.quiz and home.drill: both on x; home.quiz and home.drill keep their defaults"]


def test_dropping_an_entry_never_leaves_a_clash():
    # home.quiz's move is refused (Ctrl+Q is Textual's), so it keeps s, and home.drill cannot take s.
    keymap, problems = check_keymap([("home.quiz", "ctrl+q"), ("home.drill", "s")])
    assert keymap == {}
    assert len(problems) == 2
    assert keys._clashes(keymap) == []


_ids = st.sampled_from(sorted(keys.BINDINGS)) | st.text(max_size=12)
_keys = st.sampled_from(["s", "x", "1", "?", "+", "ctrl+t", "f2", "enter", "escape", "space", "ctrl+p", "q", "down"]) | st.text(
    max_size=8
)


@given(st.lists(st.tuples(_ids, st.lists(_keys, min_size=1, max_size=3).map(",".join)), max_size=8))
def test_any_keymap_is_checked_without_error_and_what_applies_is_consistent(entries):
    keymap, problems = check_keymap(entries)
    assert set(keymap) <= set(keys.BINDINGS)
    assert keys._clashes(keymap) == []
    for binding_id, bound in keymap.items():
        for key in bound.split(","):
            assert keys._key_problem(key) is None and key not in keys.RESERVED
            if binding_id in keys.WHILE_TYPING:
                assert not keys._types_a_character(key)
    # Every entry either applies or is named in a problem.
    for binding_id, _bound in entries:
        assert binding_id in keymap or any(binding_id in p for p in problems)


def test_bindings_in_different_states_may_share_a_key_and_others_may_not():
    assert keys.DEFAULT_KEYS["flashcard.reveal"] == "space,enter"  # Enter: Show answer, then Next
    assert check_keymap([("practice.next", "space")]) == ({"practice.next": "space"}, [])
    assert check_keymap([("flashcard.good", "enter")]) == ({"flashcard.good": "enter"}, [])  # shown vs asked vs answered
    assert check_keymap([("practice.leave", "enter")])[1] == [
        "flashcard.reveal and practice.next and practice.leave: both on Enter; practice.leave keeps its default"
    ]
    assert check_keymap([("browse.all", "ctrl+o"), ("browse.picked", "ctrl+o")]) == (
        {"browse.all": "ctrl+o", "browse.picked": "ctrl+o"},
        [],
    )


def test_every_state_names_a_binding_and_its_section_shares_no_unlisted_key():
    assert set(keys.STATES) <= set(keys.BINDINGS)
    for section in keys.SECTIONS:
        owners: dict[str, list[str]] = {}
        for b in section.bindings:
            for k in b.key.split(","):
                owners.setdefault(k, []).append(b.id)
        for k, ids in owners.items():
            if len(ids) > 1:
                assert all(i in keys.STATES for i in ids), (section.name, k, ids)


def test_textual_keymap_restates_the_neighbours_of_a_moved_binding():
    full = keys.textual_keymap({"flashcard.reveal": "r"})
    assert full["flashcard.reveal"] == "r" and full["practice.next"] == "enter"
    assert {i for i in full} == {b.id for b in keys.bindings("practice")}
    assert keys.textual_keymap({}) == {}


async def test_the_practice_screen_enables_each_stateful_binding_only_in_its_state(new_app, bank):
    from quizapp.tui.items import Question

    def enabled(screen) -> set[str]:
        found = set()
        for binding_id in keys.STATES:
            if not binding_id.startswith(("practice.", "flashcard.")):
                continue
            name, _, args = keys.BINDINGS[binding_id].action.partition("(")
            params = tuple(int(a) for a in args.rstrip(")").split(",") if a)
            if screen.check_action(name, params):
                found.add(binding_id)
        return found

    def in_state(state: str) -> set[str]:
        return {i for i, s in keys.STATES.items() if s == state}

    cards = {c.id: c for c in bank.cards()}
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert enabled(screen) == in_state("a computation asked")
        await pilot.press(*screen.current.drill.answer_text, "enter")
        await pilot.pause()
        assert enabled(screen) == in_state("an answer given")
        app.start_quiz([Question(card=cards["att-scale"])])
        await pilot.pause()
        screen = app.screen
        assert enabled(screen) == in_state("a flashcard asked")
        await pilot.press("enter")
        await pilot.pause()
        assert enabled(screen) == in_state("a flashcard shown")
