"""Suspended and flagged items in the study core: never asked in any mode, marked when asked, not a grade."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_study import NOW, Clock, bank_of, card, conv_template, wrong_answer

from quizapp.schedule import Rating, review
from quizapp.session import DrillSession
from quizapp.study import StudySession, review_plan


def ids(session: StudySession) -> list[str]:
    """Every question the session asks, each graded Good (a computation: answered right)."""
    asked = []
    while (ask := session.next()) is not None:
        asked.append(ask.item_id)
        if ask.kind == "drill":
            session.submit(ask.item.answer_text)
        else:
            session.grade(Rating.Good)
    return asked


def test_a_suspended_card_or_template_is_left_out_of_the_review_plan(store, small):
    template = conv_template(small)
    bank = bank_of([card(1), card(2), card(3)], [template])
    store.save_state(template.id, review(None, Rating.Good, NOW - timedelta(days=10))[0], now=NOW)  # due; the cards new
    before = review_plan(bank, store, now=NOW)
    assert {i.id for i in before.items} == {"c1", "c2", "c3", template.id}
    store.set_mark("c2", suspended=True, now=NOW)
    store.set_mark(template.id, suspended=True, now=NOW)
    store.set_mark("c3", flagged=True, now=NOW)  # a flag leaves it in
    after = review_plan(bank, store, now=NOW)
    assert [i.id for i in after.items] == ["c1", "c3"] and after.due == 0


def test_a_session_skips_items_suspended_before_it_and_marks_flagged_ones(store):
    store.set_mark("c2", suspended=True, now=NOW)
    store.set_mark("c3", flagged=True, now=NOW)
    session = StudySession(store, [card(1), card(2), card(3)], clock=Clock(), seed=1)
    first = session.next()
    assert (first.item_id, first.flagged) == ("c1", False)
    session.grade(Rating.Good)
    third = session.next()
    assert (third.item_id, third.flagged) == ("c3", True)


def test_suspending_the_current_question_takes_it_away_unanswered_and_for_good(store):
    clock = Clock()
    session = StudySession(store, [card(1), card(2)], clock=clock, seed=1)
    session.next()
    session.grade(Rating.Again)  # c1 will come back after its step ...
    assert session.next().item_id == "c2"
    session.grade(Rating.Good)
    clock.tick(minutes=2)
    assert session.next().item_id == "c1"
    assert session.suspend() == "c1"  # ... but is suspended when it does
    assert session.current is None and session.next() is None
    assert [a.item_id for a in store.attempts()] == ["c1", "c2"]  # no answer recorded for suspending
    assert store.suspended() == {"c1"}
    later = StudySession(store, [card(1), card(2)], clock=clock, seed=1)  # and not in the next session either
    assert later.next().item_id == "c2"


def test_flag_toggles_and_keeps_the_question_asked(store):
    session = StudySession(store, [card(1)], clock=Clock(), seed=1)
    session.next()
    assert session.flag() is True and session.current.flagged and store.flagged() == {"c1"}
    assert session.flag() is False and not session.current.flagged and store.flagged() == frozenset()
    assert session.grade(Rating.Good).ask.item_id == "c1" and len(store.attempts()) == 1


def test_undo_takes_back_the_answer_of_an_item_suspended_since_without_asking_it(store):
    session = StudySession(store, [card(1), card(2), card(3)], clock=Clock(), seed=1)
    session.next()
    session.grade(Rating.Good)  # c1
    session.next()
    store.set_mark("c1", suspended=True, now=NOW)  # e.g. from Browse in another window
    session.suspended.add("c1")
    assert session.undo().item_id == "c1"
    assert store.attempts() == [] and store.get_state("c1") is None  # the answer is taken back
    assert session.next().item_id == "c2"  # c1 is not asked again


def test_a_computation_suspended_in_a_drill_session_is_never_drawn_again(store, small):
    templates = small.templates()
    assert len(templates) >= 2
    drills = DrillSession(templates, seed=3)
    session = StudySession(store, clock=Clock(), seed=3, drills=drills, count=40)
    gone = session.next().item.template_id
    assert session.suspend() == gone
    asked = ids(session)
    assert len(asked) == 40 and gone not in asked


def test_a_drill_session_whose_templates_are_all_suspended_asks_nothing(store, small):
    for template in small.templates():
        store.set_mark(template.id, suspended=True, now=NOW)
    session = StudySession(store, clock=Clock(), seed=3, drills=DrillSession(small.templates(), seed=3), count=5)
    assert session.next() is None


def test_a_template_suspended_while_it_waits_for_its_learning_step_does_not_come_back(store, small):
    clock = Clock()
    template = conv_template(small)
    session = StudySession(store, [template, card(1)], clock=clock, seed=5, settings=None)
    first = session.next().item
    session.submit(wrong_answer(first))
    assert session.submit(wrong_answer(first)).comes_back is not None
    assert session.next().item_id == "c1"
    store.set_mark(template.id, suspended=True, now=NOW)
    session.suspended.add(template.id)
    session.grade(Rating.Good)
    clock.tick(minutes=15)
    assert session.next() is None


@pytest.mark.parametrize("action", ["suspend", "flag"])
def test_suspend_and_flag_need_a_question(store, action):
    session = StudySession(store, [card(1)], clock=Clock(), seed=1)
    with pytest.raises(RuntimeError):
        getattr(session, action)()


def test_an_item_on_screen_but_already_answered_can_be_suspended_and_flagged_by_id(store):
    clock = Clock()
    session = StudySession(store, [card(1), card(2)], clock=clock, seed=1)
    session.next()
    session.grade(Rating.Again)  # c1 answered (and due back after its step); its feedback still on screen
    assert session.flag("c1") is True and store.flagged() == {"c1"}
    assert session.suspend("c1") == "c1" and session.current is None
    assert session.next().item_id == "c2"
    session.grade(Rating.Good)
    clock.tick(minutes=5)
    assert session.next() is None  # c1's learning step never comes
    assert session.put_away == 0  # c1 was answered before it was suspended
