"""The TUI's plain parts: remembered settings, bank selection, value formatting, results table, card search."""

from __future__ import annotations

import json

import pytest

from quizapp.tui.items import Outcome, Question, format_value, restrict, topic_keys
from quizapp.tui.screens.browse import search_cards
from quizapp.tui.screens.practice import elapsed_text
from quizapp.tui.screens.results import topic_table
from quizapp.tui.settings import DEFAULT_COUNT, Settings, load_settings, save_settings


def test_settings_round_trip_atomically(tmp_path):
    path = tmp_path / "deep" / "settings.json"
    settings = Settings(selection=(("conv", "Convolutional layers"),), count=15, theme="nord")
    save_settings(path, settings)
    assert load_settings(path) == settings
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json"]
    assert json.loads(path.read_text()) == {
        "selection": [["conv", "Convolutional layers"]],
        "count": 15,
        "theme": "nord",
        # The study settings are written out with their defaults, so a user sees what can be set.
        "new_per_day": 20,
        "review_cap": 200,
        "desired_retention": 0.9,
        "day_start_hour": 4,
        "level": "auto",
        "second_try": True,
        "exam_date": "",
        "daily_minutes": 30,
    }


@pytest.mark.parametrize(
    "text",
    ["", "not json", "[1, 2]", '{"count": "ten"}', '{"count": 0}', '{"count": true}', '{"selection": [["a"]]}'],
)
def test_unreadable_settings_fall_back_to_defaults(tmp_path, text):
    path = tmp_path / "settings.json"
    path.write_text(text)
    loaded = load_settings(path)
    assert loaded.count == DEFAULT_COUNT and loaded.selection == ()


def test_missing_settings_are_the_defaults(tmp_path):
    assert load_settings(tmp_path / "none.json") == Settings()


def test_restrict_by_exact_topic(bank):
    part = restrict(bank, keys=[("conv", "Convolutional layers")])
    assert topic_keys(part) == [("conv", "Convolutional layers")]
    assert {c.topic for c in part.cards()} == {"Convolutional layers"}
    assert [t.id for t in part.templates()] == ["conv-output-size"]
    assert restrict(bank) is bank


def test_restrict_by_cli_filter_matches_like_the_bank(bank):
    part = restrict(bank, filters=["attention"])
    assert [c.id for c in part.cards()] == [c.id for c in bank.cards(["attention"])]
    assert [t.id for t in part.templates()] == [t.id for t in bank.templates(["attention"])]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (16, "16"),
        (16.0, "16"),
        (0.08838834764831845, "0.0883883"),
        ((16, 16, 3), "16×16×3"),
        ([0.1, 0.25], "[0.1, 0.25]"),
        ([[1.0, 2.0], [3.0, 4.5]], "[[1, 2], [3, 4.5]]"),
        (True, "true"),
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text


@pytest.mark.parametrize(("seconds", "text"), [(0, "0:00"), (59.9, "0:59"), (61, "1:01"), (3600 + 62, "1:01:02")])
def test_elapsed_text(seconds, text):
    assert elapsed_text(seconds) == text


def test_topic_table_counts_answers_rights_and_mean_score(bank):
    cards = {c.id: c for c in bank.cards()}

    def outcome(card_id, verdict, score):
        return Outcome(Question(card=cards[card_id]), verdict, score, 3, "")

    rows = topic_table(
        [
            outcome("conv-stride", "correct", 1.0),
            outcome("att-scale", "wrong", 0.0),
            outcome("conv-same", "correct", 0.5),
            outcome("conv-sharing", "wrong", 0.0),
        ]
    )
    assert rows == [("Convolutional layers", 3, 2, 0.5), ("Attention", 1, 0, 0.0)]


def test_search_needs_every_word_in_any_order(bank):
    cards = bank.cards()
    assert {c.id for c in search_cards(cards, "KERNEL stride")} == {"conv-stride"}
    assert {c.id for c in search_cards(cards, "stride kernel")} == {"conv-stride"}
    assert search_cards(cards, "") == cards
    assert search_cards(cards, "no-such-word") == []


def test_settings_read_the_keymap_as_written(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"keymap": {"practice.hint": "f2", "home.quiz": ["s", "ctrl+s"]}}))
    loaded = load_settings(path)
    assert loaded.keymap == (("practice.hint", "f2"), ("home.quiz", "s,ctrl+s"))
    assert loaded.problems == () and not loaded.damaged


@pytest.mark.parametrize(
    ("keymap", "problem"),
    [
        ({"home.quiz": 5}, "home.quiz: 5 is not a key or a list of keys"),
        ({"home.quiz": ""}, 'home.quiz: "" is not a key or a list of keys'),
        ({"home.quiz": []}, "home.quiz: [] is not a key or a list of keys"),
        ({"home.quiz": ["s", 1]}, 'home.quiz: ["s", 1] is not a key or a list of keys'),
        ({"home.quiz": ["s,d"]}, 'home.quiz: ["s,d"] is not a key or a list of keys'),
        ({"home.quiz": None}, "home.quiz: null is not a key or a list of keys"),
    ],
)
def test_malformed_keymap_entries_are_named_and_the_rest_is_kept(tmp_path, keymap, problem):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"count": 12, "keymap": {**keymap, "app.help": "f2"}}))
    loaded = load_settings(path)
    assert loaded.problems == (problem,)
    assert loaded.keymap == (("app.help", "f2"),) and loaded.count == 12


def test_a_keymap_that_is_not_an_object_is_a_problem(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"keymap": ["practice.hint", "f2"]}))
    loaded = load_settings(path)
    assert loaded.keymap == () and len(loaded.problems) == 1 and '"keymap" should map binding ids' in loaded.problems[0]


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '"a string"'])
def test_a_damaged_settings_file_is_reported_and_marked(tmp_path, text):
    path = tmp_path / "settings.json"
    path.write_text(text)
    loaded = load_settings(path)
    assert loaded.damaged and len(loaded.problems) == 1
    assert (loaded.count, loaded.selection, loaded.keymap) == (DEFAULT_COUNT, (), ())


def test_saving_keeps_the_keymap_and_unknown_keys_as_written(tmp_path):
    path = tmp_path / "settings.json"
    written = {"keymap": {"practice.hint": "f2", "bogus.id": 5}, "future": {"x": 1}, "count": 3}
    path.write_text(json.dumps(written))
    save_settings(path, load_settings(path).with_(count=20, theme="nord"))
    saved = json.loads(path.read_text())
    assert saved["keymap"] == written["keymap"] and saved["future"] == {"x": 1}
    assert (saved["count"], saved["theme"]) == (20, "nord")


async def test_the_palette_describes_a_drill_without_its_placeholders(new_app):
    from quizapp.tui.commands import QuizCommands

    app = new_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        found = {command.title: command.help for command in QuizCommands(app.screen)._commands()}
    about = found["Drill: attention mha params (attention-mha-params)"]
    assert about == "Attention: A multi-head attention layer with d_model = … and … he…"
    assert "{" not in about and len(about) <= 66 and "……" not in about


@pytest.mark.parametrize(
    ("question", "end"),
    [
        ("A square input of 64×64, stride 2, padding 1. What is the output height? (integer)", "What is the output height?"),
        ("How many FLOPs does this take? (A number such as 1.23e9 is fine.) (3 significant figures)", "How many FLOPs does this take?"),
        ("Start at (x, y) = [0, 1]. Give (x, y) after step 2. (vector, 3 significant figures each)", "Give (x, y) after step 2."),
        ("What is the stride?", "What is the stride?"),
        ("A 3.5 value", "A 3.5 value"),
    ],
)
def test_question_end_is_the_last_sentence_without_its_brackets(question, end):
    from quizapp.tui.screens.results import question_end

    assert question_end(question) == end


def test_a_mistake_line_fits_its_width_and_keeps_the_answers_whole(bank):
    from quizapp.generate import generate
    from quizapp.tui.screens.results import mistake_prompt

    template = next(t for t in bank.templates() if t.id == "conv-output-size")
    drill = generate(template, 5, "medium")
    outcome = Outcome(Question(drill=drill), "wrong", 0.0, 1, "31")
    for width in (40, 72, 100):
        head, detail = str(mistake_prompt(outcome, width)).split("\n")
        assert len(head) == width and head.endswith(f"you: 31 · correct: {drill.answer_text}")
        assert len(detail) <= width and detail.startswith(f"  size {drill.params['size']} · kernel")


@pytest.mark.parametrize(
    ("key", "value", "read"),
    [
        ("desired_retention", "0.85", 0.85),
        ("desired_retention", "0,85", 0.85),
        ("desired_retention", " 85% ", 0.85),
        ("desired_retention", 0.7, 0.7),
        ("desired_retention", 0.99, 0.99),
        ("new_per_day", "0", 0),
        ("new_per_day", 9999, 9999),
        ("new_per_day", 20.0, 20),
        ("day_start_hour", "23", 23),
        ("review_cap", "1e3", 1000),
        ("level", " Hard ", "hard"),
        ("level", "auto", "auto"),
        ("second_try", "off", False),
        ("second_try", True, True),
        ("count", "100", 100),
    ],
)
def test_every_spelling_of_a_study_setting(key, value, read):
    from quizapp.tui.settings import parse_field

    assert parse_field(key, value) == read
    assert type(parse_field(key, value)) is type(read)


@pytest.mark.parametrize(
    ("key", "value", "why"),
    [
        ("desired_retention", "0.69", "a number from 0.7 to 0.99"),
        ("desired_retention", "1", "a number from 0.7 to 0.99"),
        ("desired_retention", "nan", "a number from 0.7 to 0.99"),
        ("desired_retention", "", "a number from 0.7 to 0.99"),
        ("desired_retention", True, "a number from 0.7 to 0.99"),
        ("new_per_day", "-1", "a whole number from 0 to 9999"),
        ("new_per_day", "2.5", "a whole number from 0 to 9999"),
        ("new_per_day", "inf", "a whole number from 0 to 9999"),
        ("new_per_day", 10**400, "a whole number from 0 to 9999"),
        ("new_per_day", [20], "a whole number from 0 to 9999"),
        ("day_start_hour", "24", "a whole number from 0 to 23"),
        ("count", "0", "a whole number from 1 to 100"),
        ("level", "expert", "auto or easy or medium or hard"),
        ("level", 1, "auto or easy or medium or hard"),
        ("second_try", "maybe", "true or false"),
        ("second_try", 1, "true or false"),
    ],
)
def test_a_bad_study_setting_is_refused_saying_what_is_allowed(key, value, why):
    from quizapp.tui.settings import parse_field

    with pytest.raises(ValueError, match=why):
        parse_field(key, value)


def test_a_bad_study_setting_in_the_file_falls_back_to_its_default_with_a_problem(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"desired_retention": 2, "new_per_day": 30, "level": "expert", "second_try": False}))
    loaded = load_settings(path)
    assert (loaded.desired_retention, loaded.new_per_day, loaded.level, loaded.second_try) == (0.9, 30, "auto", False)
    assert loaded.fixed_level is None
    assert [p.split(" should")[0] for p in loaded.problems] == ['"desired_retention"', '"level"']


def test_next_due_line_says_the_first_due_and_how_many_within_a_day():
    from datetime import UTC, datetime, timedelta

    from quizapp.tui.screens.practice import next_due_line

    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    assert next_due_line([], now) == ""
    assert next_due_line([now + timedelta(days=3), now + timedelta(minutes=10)], now) == "Next due: in 10 minutes · 1 of 2 within a day"
    assert next_due_line([now + timedelta(seconds=50)], now) == "Next due: in less than a minute · 1 of 1 within a day"
    assert next_due_line([now - timedelta(hours=1), now + timedelta(days=1, hours=1)], now) == "Next due: now · 1 of 2 within a day"
