"""Spaced-repetition review: which cards are due, the plain line-based review, and a review killed mid-way."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quizapp.content.model import Bank, Card, CardKind, Deck, SourceRef
from quizapp.paths import database_path
from quizapp.plain import GRADE_CHOICES
from quizapp.review import due_items, due_templates, humanize_delta, run_plain_review
from quizapp.schedule import Rating, review
from quizapp.store import Store
from quizapp.study import review_plan

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SRC = SourceRef("deck.md", 1)


def card(i: int, topic: str = "Conv", deck: str = "conv", **extra) -> Card:
    return Card(f"{deck}:{i}", deck, topic, extra.pop("kind", CardKind.QA), f"Question {i}?", f"Answer {i}.", SRC, **extra)


def make_bank(*decks: tuple[str, str, list[Card]]) -> Bank:
    return Bank(
        decks=tuple(
            Deck(deck_id, deck_id, Path(f"{deck_id}.md"), topics=(topic,), cards=tuple(cards)) for deck_id, topic, cards in decks
        )
    )


@pytest.fixture
def bank():
    return make_bank(("conv", "Conv", [card(i) for i in range(5)]), ("att", "Attention", [card(i, "Attention", "att") for i in range(3)]))


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "p.sqlite3") as s:
        yield s


def schedule(store, item_id: str, due_in: timedelta) -> None:
    """Give ``item_id`` a state due at NOW + due_in (a first Good review is due 10 minutes later)."""
    state, _ = review(None, Rating.Good, NOW + due_in - timedelta(minutes=10))
    store.save_state(item_id, state, now=NOW)


def test_due_cards_come_first_most_overdue_first_then_new_ones(bank, store):
    schedule(store, "conv:3", timedelta(hours=-1))
    schedule(store, "conv:1", timedelta(hours=-5))
    schedule(store, "conv:0", timedelta(hours=+2))  # not due yet
    ids = [c.id for c in due_items(bank, store, now=NOW)]
    assert ids == ["conv:1", "conv:3", "conv:2", "conv:4", "att:0", "att:1", "att:2"]


def test_new_cards_are_capped_per_session(bank, store):
    schedule(store, "att:1", timedelta(minutes=-1))
    ids = [c.id for c in due_items(bank, store, now=NOW, new_limit=2)]
    assert ids == ["att:1", "conv:0", "conv:1"]
    assert [c.id for c in due_items(bank, store, now=NOW, new_limit=0)] == ["att:1"]


def test_due_items_follow_the_topic_filter(bank, store):
    assert {c.topic for c in due_items(bank, store, topics=["attention"], now=NOW)} == {"Attention"}


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=-5), "now"),
        (timedelta(seconds=59), "now"),
        (timedelta(minutes=1), "in 1 minute"),
        (timedelta(minutes=10, seconds=30), "in 10 minutes"),
        (timedelta(hours=1), "in 1 hour"),
        (timedelta(hours=23, minutes=59), "in 23 hours"),
        (timedelta(days=8), "in 8 days"),
    ],
)
def test_humanize_delta(delta, text):
    assert humanize_delta(NOW + delta, NOW) == text


def run(bank, tmp_path, keys: str, **kwargs) -> tuple[int, str]:
    out = io.StringIO()
    code = run_plain_review(bank, data_dir=tmp_path / "data", stdin=io.StringIO(keys), stdout=out, now=NOW, **kwargs)
    return code, out.getvalue()


def stored(tmp_path) -> Store:
    return Store(database_path(tmp_path / "data"))


def test_plain_review_reveals_grades_and_records(bank, tmp_path):
    code, out = run(bank, tmp_path, "\n3\n\n1\n", topics=["Conv"], count=2)
    assert code == 0
    assert "[1/2] Conv" in out and "Question 0?" in out and "Answer 0." in out
    assert "Next review in 10 minutes." in out  # Good on a new card
    assert "it comes back in 1 minute in this session" in out  # Again on a new card
    assert "Reviewed 2 of 2: recalled 1, forgot 1" in out
    with stored(tmp_path) as store:
        attempts = store.attempts()
        assert [(a.item_id, a.rating, a.verdict) for a in attempts] == [("conv:0", 3, "correct"), ("conv:1", 1, "wrong")]
        assert store.get_state("conv:0").due == NOW + timedelta(minutes=10)
        assert store.get_state("conv:1").due == NOW + timedelta(minutes=1)
        assert store.get_state("conv:2") is None


def test_plain_review_asks_again_for_an_unreadable_grade_saying_what_is_accepted(bank, tmp_path):
    _, out = run(bank, tmp_path, "\n5\nmaybe\ngood\n", count=1)
    assert out.count(GRADE_CHOICES) == 2
    with stored(tmp_path) as store:
        assert [a.rating for a in store.attempts()] == [3]


def test_plain_review_stops_on_eof_with_a_score_line(bank, tmp_path):
    code, out = run(bank, tmp_path, "\n4\n\n")  # EOF while the second card waits for its grade
    assert code == 0
    assert out.rstrip().endswith("(Again 0, Hard 0, Good 0, Easy 1).")
    assert "Reviewed 1 of 8" in out
    with stored(tmp_path) as store:
        assert len(store.attempts()) == 1


def test_plain_review_shows_multiple_choice_with_the_right_option(tmp_path):
    mcq = card(1, kind=CardKind.MCQ, options=("Red", "Green", "Blue"), correct=2, note="Because.")
    _, out = run(make_bank(("conv", "Conv", [mcq])), tmp_path, "\n3\n")
    assert "  1. Red\n  2. Green\n  3. Blue" in out
    assert "Answer: 3. Blue" in out and "Why: Because." in out


def test_nothing_due_says_when_the_next_card_is(bank, tmp_path):
    with stored(tmp_path) as store:
        for c in bank.cards():
            schedule(store, c.id, timedelta(hours=3))
    code, out = run(bank, tmp_path, "")
    assert code == 0
    assert out.strip() == "Nothing to review. The next one is due in 3 hours."


def test_review_with_no_matching_cards_exits_1_like_quiz_and_drill(bank, tmp_path, capsys):
    code, out = run(bank, tmp_path, "", topics=["no such topic"])
    assert code == 1 and out == ""
    assert capsys.readouterr().err == "quizapp: no cards or drills match topic 'no such topic'; topics: Conv, Attention\n"


def test_a_damaged_database_is_reported_not_replaced(bank, tmp_path, capsys):
    path = database_path(tmp_path / "data")
    path.write_bytes(b"not a database " * 200)
    code, out = run(bank, tmp_path, "\n3\n")
    assert code == 1 and out == ""
    assert "damaged" in capsys.readouterr().err
    assert path.read_bytes() == b"not a database " * 200


def test_graded_cards_survive_a_killed_review(tmp_path):
    data = tmp_path / "data"
    script = textwrap.dedent(
        f"""
        import sys
        from datetime import datetime, timezone
        from pathlib import Path
        from quizapp.content.model import Bank, Card, CardKind, Deck, SourceRef
        from quizapp.review import run_plain_review
        cards = tuple(Card(f"c{{i}}", "d", "T", CardKind.QA, f"Q{{i}}?", f"A{{i}}.", SourceRef("d.md", 1)) for i in range(4))
        bank = Bank(decks=(Deck("d", "d", Path("d.md"), topics=("T",), cards=cards),))
        run_plain_review(bank, data_dir={str(data)!r}, now=datetime(2025, 3, 1, tzinfo=timezone.utc))
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-u", "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    try:
        proc.stdin.write("\n3\n\n2\n")
        proc.stdin.flush()
        seen = ""
        while seen.count("Next review") < 2:  # both grades recorded; the third card is waiting
            line = proc.stdout.readline()
            assert line, f"review ended early: {seen}"
            seen += line
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdin.close()
        proc.stdout.close()
    with Store(database_path(data)) as store:
        assert [(a.item_id, a.rating) for a in store.attempts()] == [("c0", 3), ("c1", 2)]
        assert store.get_state("c0") is not None and store.get_state("c1") is not None
        assert store.get_state("c2") is None


def test_due_templates_are_the_answered_computations_that_are_due(store):
    from quizapp.content.loader import load_bank

    bank = load_bank([Path(__file__).parents[1] / "tui" / "data"], bundled=False)
    assert due_templates(bank, store, now=NOW) == []  # never answered: left to the drill mode
    schedule(store, "conv-output-size", timedelta(minutes=-1))
    schedule(store, "attention-mha-params", timedelta(days=2))
    assert [t.id for t in due_templates(bank, store, now=NOW)] == ["conv-output-size"]
    assert due_templates(bank, store, topics=["attention"], now=NOW) == []


# ---------------------------------------------------------------- due computations in the plain review


@pytest.fixture
def small_bank():
    from quizapp.content.loader import load_bank

    return load_bank([Path(__file__).parent / "data" / "small.md"], bundled=False)


def due_small(tmp_path) -> None:
    """small.md's stride card and its conv output-size template due; the He template not yet."""
    with stored(tmp_path) as store:
        schedule(store, "small-stride", timedelta(hours=-2))
        schedule(store, "small-conv-out", timedelta(hours=-1))
        schedule(store, "small-he", timedelta(days=2))


def test_plain_review_asks_the_due_computations_as_the_tui_does(small_bank, tmp_path):
    due_small(tmp_path)
    code, out = run(small_bank, tmp_path, "\n3\n-1\n-1\n", count=2, seed=3)  # wrong twice: the second try too
    assert code == 0
    assert "Review: 1 card and 1 computation (2 due, 0 new)." in out
    assert "[1/2] Convolutions\nWhat does stride mean?" in out
    assert "[2/2] Convolutions · computation\nInput " in out and "What is the output width? (integer)" in out
    assert "not right: one more try" in out
    assert "✗ wrong (the second try: ✗ wrong; the first try counts): the answer is " in out and "worked solution:" in out
    assert out.count("Next review in") == 1 and out.count("it comes back in") == 1
    assert "Reviewed 2 of 2: recalled 1, forgot 1" in out
    with stored(tmp_path) as store:
        attempts = store.attempts()
        assert [(a.item_id, a.kind, a.rating, a.verdict, a.answer_text) for a in attempts] == [
            ("small-stride", "qa", 3, "correct", "Good"),
            ("small-conv-out", "drill", 1, "wrong", "-1"),
        ]
        assert store.get_state("small-conv-out").due > NOW  # rescheduled
        assert store.get_state("small-he").due == NOW + timedelta(days=2)  # not due: not asked


def test_plain_review_puts_due_cards_then_due_computations_then_new_cards(small_bank, tmp_path):
    due_small(tmp_path)
    code, out = run(small_bank, tmp_path, "", seed=3)
    assert code == 0
    with stored(tmp_path) as store:
        plan = review_plan(small_bank, store, now=NOW)
    n_new = plan.new
    assert n_new == len(small_bank.cards()) - 1 - len(plan.buried)  # one card of each family a day
    assert f"Review: {n_new + 1} cards and 1 computation (2 due, {n_new} new)." in out
    assert f"Waiting for tomorrow: {len(plan.buried)} siblings of cards asked today." in out
    assert f"[1/{n_new + 2}] Convolutions\nWhat does stride mean?" in out  # EOF while it waits


def test_a_right_answer_to_a_due_computation_is_graded_good_and_the_seed_fixes_the_numbers(small_bank, tmp_path):
    import re

    due_small(tmp_path / "first")
    _, first = run(small_bank, tmp_path / "first", "\n3\n-1\n", count=2, seed=3)
    answer = re.search(r"the answer is (\S+) ", first).group(1)
    due_small(tmp_path / "second")
    code, second = run(small_bank, tmp_path / "second", f"\n3\n{answer}\n", count=2, seed=3)
    assert code == 0
    question = first.split("· computation\n", 1)[1].splitlines()[0]
    assert f"· computation\n{question}\n" in second  # the same seed asks the same numbers
    assert f"✓ correct: the answer is {answer} " in second
    with stored(tmp_path / "second") as store:
        assert [(a.item_id, a.rating, a.verdict) for a in store.attempts()][-1] == ("small-conv-out", 3, "correct")


def test_nothing_due_counts_computations_for_the_next_due_time(small_bank, tmp_path):
    with stored(tmp_path) as store:
        for c in small_bank.cards():
            schedule(store, c.id, timedelta(days=3))
        schedule(store, "small-conv-out", timedelta(hours=5))
    code, out = run(small_bank, tmp_path, "")
    assert code == 0
    assert out.strip() == "Nothing to review. The next one is due in 5 hours."


def test_new_cards_per_day_hold_across_two_plain_reviews(bank, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "settings.json").write_text('{"new_per_day": 3}', encoding="utf-8")
    code, out = run(bank, tmp_path, "\n3\n" * 3)
    assert code == 0 and "(0 due, 3 new)" in out and "Reviewed 3 of 3" in out
    later = io.StringIO()
    run_plain_review(bank, data_dir=tmp_path / "data", stdin=io.StringIO(""), stdout=later, now=NOW + timedelta(hours=1))
    assert "(3 due, 0 new)" in later.getvalue()  # the same three, due after their step; no new ones today


def test_a_card_graded_again_comes_back_in_the_same_plain_review(bank, tmp_path):
    code, out = run(bank, tmp_path, "\n1\n\n3\n", topics=["Attention"], count=1)
    assert code == 0
    assert "it comes back in 1 minute in this session" in out
    assert "[again] Attention\nQuestion 0?" in out
    assert "Reviewed 1 of 1: recalled 1, forgot 1 (Again 1, Hard 0, Good 1, Easy 0)." in out
    with stored(tmp_path) as store:
        assert [(a.item_id, a.rating) for a in store.attempts()] == [("att:0", 1), ("att:0", 3)]


def test_a_bad_study_setting_is_named_and_its_default_used(bank, tmp_path, capsys):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "settings.json").write_text('{"new_per_day": -4}', encoding="utf-8")
    code, out = run(bank, tmp_path, "")
    assert code == 0 and "(0 due, 8 new)" in out
    assert capsys.readouterr().err == 'quizapp: settings.json: "new_per_day" should be a whole number from 0 to 9999, got -4: using 20\n'
