"""Suspending and flagging from the command line (`quizapp suspend ID`, ...) and with s and f at a plain-mode prompt."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from quizapp.cli import main
from quizapp.content.loader import load_bank
from quizapp.paths import database_path
from quizapp.plain import run_drill
from quizapp.review import run_plain_review
from quizapp.store import Store

SMALL = Path(__file__).parent / "data" / "small.md"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
LINEAR_CARD = "small:65efa1d8e6"  # the only card of topic "Linear layers" in small.md


def cli(tmp_path, *argv):
    return main(["--no-bundled", "--content", str(SMALL), "--data-dir", str(tmp_path / "data"), *argv])


def marks(tmp_path):
    with Store(database_path(tmp_path / "data")) as store:
        return store.suspended(), store.flagged()


def test_suspend_unsuspend_flag_and_list_by_id(tmp_path, capsys):
    assert cli(tmp_path, "suspend", "small-stride", "small-conv-out") == 0
    out = capsys.readouterr().out
    assert "small-stride  Convolutions · " in out and "small-conv-out  Convolutions · computation: " in out
    assert cli(tmp_path, "flag", "small-he") == 0
    assert marks(tmp_path) == ({"small-stride", "small-conv-out"}, {"small-he"})
    capsys.readouterr()
    assert cli(tmp_path, "suspend") == 0  # no id: the list
    assert capsys.readouterr().out.splitlines()[-1] == "2 suspended"
    assert cli(tmp_path, "unsuspend", "small-stride") == 0 and cli(tmp_path, "unflag", "small-he") == 0
    assert marks(tmp_path) == ({"small-conv-out"}, set())


def test_an_unknown_id_is_refused_and_the_others_are_still_marked(tmp_path, capsys):
    assert cli(tmp_path, "suspend", "nope", "small-stride") == 1
    assert "no card or drill template has the id 'nope'" in capsys.readouterr().err
    assert marks(tmp_path) == ({"small-stride"}, set())


def test_an_item_whose_deck_is_gone_can_still_be_unsuspended(tmp_path, capsys):
    with Store(database_path(tmp_path / "data")) as store:
        store.set_mark("gone-card", suspended=True, now=NOW)
    assert cli(tmp_path, "suspend") == 0
    assert "gone-card  (not in the loaded decks)" in capsys.readouterr().out
    assert cli(tmp_path, "unsuspend", "gone-card") == 0
    assert marks(tmp_path) == (set(), set())


def test_s_at_a_plain_drill_prompt_suspends_that_template_for_the_rest_of_the_session_and_after(tmp_path):
    bank = load_bank([SMALL], bundled=False)
    out = io.StringIO()
    answers = "s\n" + "\n" * 6  # suspend the first, then "I don't know" to the rest
    status = run_drill(
        bank, topics=["Attention"], count=3, seed=5, level=None, data_dir=tmp_path / "data", stdin=io.StringIO(answers), stdout=out, now=NOW
    )
    assert status == 0
    with Store(database_path(tmp_path / "data")) as store:
        (gone,) = store.suspended()
        asked = {a.item_id for a in store.attempts()}
    assert f"suspended {gone}: it is not asked again until `quizapp unsuspend {gone}`" in out.getvalue()
    assert asked and gone not in asked and asked <= {"small-shapes", "small-he"}


def test_f_at_a_plain_review_prompt_flags_the_card_and_asks_it_again(tmp_path):
    bank = load_bank([SMALL], bundled=False)
    out = io.StringIO()
    status = run_plain_review(
        bank, topics=["Linear layers"], seed=1, data_dir=tmp_path / "data", stdin=io.StringIO("f\n\n3\n"), stdout=out, now=NOW
    )
    assert status == 0
    text = out.getvalue()
    assert "  flagged (`quizapp flag` lists what you flagged)" in text
    assert text.count("⚑ flagged") == 1  # the header of the question asked again
    with Store(database_path(tmp_path / "data")) as store:
        assert store.flagged() == {LINEAR_CARD} and [a.item_id for a in store.attempts()] == [LINEAR_CARD]
