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
    assert json.loads(path.read_text()) == {"selection": [["conv", "Convolutional layers"]], "count": 15, "theme": "nord"}


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
