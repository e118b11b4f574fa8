"""The study core: learning steps in the session with fresh numbers, per-day limits across sessions and a day
boundary, burying siblings, undo restoring history and schedule exactly, the second try and "I don't know"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quizapp.answers import AnswerError
from quizapp.content.model import Bank, Card, CardKind, Deck, SourceRef
from quizapp.generate import DrillInstance
from quizapp.schedule import Rating, review
from quizapp.settings import StudySettings
from quizapp.store import Store
from quizapp.study import Outcome, Retry, StudySession, asked_again, day_counts, family, review_plan

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SRC = SourceRef("deck.md", 1)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def tick(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def card(i: int, **extra) -> Card:
    return Card(f"c{i}", "d", "T", extra.pop("kind", CardKind.QA), f"Question {i}?", f"Answer {i}.", SRC, **extra)


def bank_of(cards, templates=()) -> Bank:
    return Bank(decks=(Deck("d", "d", Path("d.md"), topics=("T",), cards=tuple(cards), templates=tuple(templates)),))


def conv_template(bank: Bank):
    return next(t for t in bank.templates() if t.id == "small-conv-out")


def wrong_answer(instance: DrillInstance) -> str:
    return str(int(instance.answer) + 1000)


# ------------------------------------------------------------------ learning steps


def test_a_card_graded_again_comes_back_after_its_step_in_the_same_session(store):
    clock = Clock()
    session = StudySession(store, [card(1), card(2), card(3)], clock=clock, seed=1)
    assert session.next().item.id == "c1"
    out = session.grade(Rating.Again)
    assert out.comes_back == NOW + timedelta(minutes=1)  # FSRS's first learning step
    clock.tick(seconds=20)
    assert session.next().item.id == "c2"  # the step has not passed: the queue goes on
    session.grade(Rating.Good)
    clock.tick(seconds=50)
    again = session.next()
    assert (again.item.id, again.again) == ("c1", True)  # due now: before c3
    session.grade(Rating.Good)
    assert session.next().item.id == "c3"
    assert session.grade(Rating.Good).comes_back is None  # a new card graded Good is not brought back today
    # c1 graded Good on its first step goes on to the 10-minute step, which the session asks ahead
    last = session.next()
    assert (last.item.id, last.again) == ("c1", True)
    assert session.grade(Rating.Good).comes_back is None  # graduated
    assert session.next() is None
    assert [a.item_id for a in store.attempts()] == ["c1", "c2", "c1", "c3", "c1"]


def test_a_learning_step_further_than_the_learn_ahead_limit_ends_the_session(store):
    clock = Clock()
    state, _ = review(None, Rating.Good, NOW - timedelta(days=30))
    state, _ = review(state, Rating.Good, NOW - timedelta(days=20))
    store.save_state("c1", state, now=NOW)
    session = StudySession(store, [card(1)], clock=clock, seed=1)
    session.next()
    out = session.grade(Rating.Again)
    assert out.comes_back == NOW + timedelta(minutes=10)  # relearning step
    clock.tick(minutes=-11)  # (a clock set back): 21 minutes to wait, more than the learn-ahead limit
    assert session.next() is None
    assert session.waiting == NOW + timedelta(minutes=10)


def test_a_computation_answered_wrong_comes_back_with_fresh_numbers(store, small):
    clock = Clock()
    template = conv_template(small)
    session = StudySession(store, [template], clock=clock, seed=5)
    first = session.next().item
    out = session.submit(wrong_answer(first))
    assert isinstance(out, Retry)  # a second try first
    out = session.submit(wrong_answer(first))
    assert isinstance(out, Outcome) and out.rating == Rating.Again
    assert out.comes_back is not None
    seen = {first.question}
    for _ in range(5):  # each time it comes back: numbers not asked before in this session
        clock.now = out.comes_back
        back = session.next()
        assert back.again and back.item.template_id == template.id
        assert back.item.question not in seen and back.item.params != first.params
        seen.add(back.item.question)
        out = session.dont_know()
        assert out.rating == Rating.Again
    assert len({a.seed for a in store.attempts()}) == 6  # six answers, each question's seed kept to ask it again


# ------------------------------------------------------------------ second try and "I don't know"


def test_the_first_try_decides_the_rating_of_a_second_try(store, small):
    session = StudySession(store, [conv_template(small)], clock=Clock(), seed=2)
    asked = session.next().item
    assert isinstance(session.submit(wrong_answer(asked)), Retry)
    out = session.submit(str(asked.answer))
    assert out.rating == Rating.Again and out.verdict == "wrong"
    assert out.result.verdict.value == "correct" and out.first.verdict.value == "wrong"
    [attempt] = store.attempts()
    assert (attempt.verdict, attempt.rating, attempt.answer_text) == ("wrong", 1, wrong_answer(asked))


def test_without_second_try_a_wrong_answer_is_recorded_at_once_and_an_unreadable_one_never(store, small):
    session = StudySession(store, [conv_template(small)], clock=Clock(), seed=2, settings=StudySettings(second_try=False))
    asked = session.next().item
    with pytest.raises(AnswerError):
        session.submit("seven-ish")
    assert store.attempts() == []
    out = session.submit(wrong_answer(asked))
    assert isinstance(out, Outcome) and out.verdict == "wrong"


def test_i_dont_know_counts_as_again_with_nothing_typed(store, small):
    session = StudySession(store, [conv_template(small)], clock=Clock(), seed=2)
    session.next()
    out = session.dont_know()
    assert (out.rating, out.verdict, out.score, out.result) == (Rating.Again, "wrong", 0.0, None)
    [attempt] = store.attempts()
    assert (attempt.rating, attempt.answer_text) == (1, "")


def test_a_right_answer_after_the_hint_is_hard_and_half_a_point(store, small):
    session = StudySession(store, [conv_template(small)], clock=Clock(), seed=2)
    asked = session.next().item
    assert session.hint() == asked.hint
    out = session.submit(str(asked.answer))
    assert (out.rating, out.score, out.hint_used) == (Rating.Hard, 0.5, True)


# ------------------------------------------------------------------ undo


def rows(store: Store):
    return store.attempts(), [(s.item_id, s.state.to_dict(), s.updated) for s in store.schedules()]


def test_undo_restores_history_and_schedule_exactly(store, small):
    clock = Clock()
    state, _ = review(None, Rating.Good, NOW - timedelta(days=3))
    store.save_state("c1", state, now=NOW - timedelta(days=3))
    session = StudySession(store, [card(1), card(2), conv_template(small)], clock=clock, seed=3)
    session.next()
    session.grade(Rating.Good)
    before = rows(store)
    clock.tick(seconds=30)
    asked = session.next()
    session.grade(Rating.Again)  # a mis-keyed grade on a new card
    assert rows(store) != before
    assert session.undo().item.id == asked.item.id
    assert rows(store) == before
    assert session.answered == 1 and session.ratings == {1: 0, 2: 0, 3: 1, 4: 0}
    assert session.next().item.id == "c2"  # asked again
    session.grade(Rating.Good)
    drill = session.next().item
    session.submit(str(drill.answer))
    for _ in range(3):  # the drill, c2, then c1
        assert session.undo() is not None
    assert session.undo() is None
    assert store.attempts() == [] and store.schedule("c1").state.to_dict() == state.to_dict()
    assert store.schedule("c1").updated == NOW - timedelta(days=3)
    assert store.schedule("c2") is None and store.schedule("small-conv-out") is None


def test_undo_takes_back_the_learning_step_it_caused(store):
    clock = Clock()
    session = StudySession(store, [card(1)], clock=clock, seed=1)
    session.next()
    session.grade(Rating.Again)
    assert session.waiting is not None
    session.undo()
    assert session.waiting is None
    session.grade(Rating.Good)
    assert session.next() is None


def test_the_grade_intervals_are_the_schedulers_own(store):
    session = StudySession(store, [card(1)], clock=Clock(), seed=1)
    session.next()
    intervals = session.intervals()
    assert intervals[Rating.Again] == timedelta(minutes=1)
    assert intervals[Rating.Good] == timedelta(minutes=10)
    assert intervals[Rating.Again] < intervals[Rating.Hard] <= intervals[Rating.Good] < intervals[Rating.Easy]
    assert store.attempts() == [] and store.schedules() == []  # a preview saves nothing


# ------------------------------------------------------------------ per-day limits


def study_all(store: Store, plan, clock: Clock, rating: Rating = Rating.Good) -> None:
    session = StudySession(store, plan.items, clock=clock, seed=1)
    while (ask := session.next()) is not None:
        session.grade(rating)
        clock.tick(seconds=5)
        assert ask is not None


def test_new_cards_per_day_hold_across_sessions_until_the_day_boundary(store):
    bank = bank_of([card(i) for i in range(10)])
    settings = StudySettings(new_per_day=3, day_start_hour=4)
    clock = Clock(datetime(2025, 3, 1, 22, 0, tzinfo=UTC))
    first = review_plan(bank, store, now=clock(), settings=settings, tz=UTC)
    assert [c.id for c in first.items] == ["c0", "c1", "c2"] and first.new_left_out == 7
    study_all(store, first, clock)
    clock.now = datetime(2025, 3, 2, 3, 59, tzinfo=UTC)  # after midnight, before 04:00: still the same day
    second = review_plan(bank, store, now=clock(), settings=settings, tz=UTC)
    assert second.new == 0 and second.today.new == 3
    clock.now = datetime(2025, 3, 2, 4, 0, tzinfo=UTC)
    third = review_plan(bank, store, now=clock(), settings=settings, tz=UTC)
    assert [c.id for c in third.items if c.id not in {"c0", "c1", "c2"}] == ["c3", "c4", "c5"]


def test_the_day_boundary_follows_the_local_zone(store):
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")  # UTC+1 in March
    settings = StudySettings(day_start_hour=4)
    store.record_attempt("c1", kind="qa", topic="T", deck="d", verdict="correct", now=datetime(2025, 3, 2, 2, 30, tzinfo=UTC))
    assert day_counts(store, datetime(2025, 3, 2, 2, 59, tzinfo=UTC), settings, paris).new == 1  # 03:59 in Paris
    assert day_counts(store, datetime(2025, 3, 2, 3, 0, tzinfo=UTC), settings, paris).new == 0  # 04:00: a new day


def test_the_review_cap_counts_items_reviewed_today_in_any_mode(store):
    bank = bank_of([card(i) for i in range(6)])
    for i in range(6):
        state, _ = review(None, Rating.Good, NOW - timedelta(days=10))
        store.save_state(f"c{i}", state, now=NOW - timedelta(days=10))
        store.record_attempt(f"c{i}", kind="qa", topic="T", deck="d", verdict="correct", now=NOW - timedelta(days=10))
    # two reviewed today already (say in a quiz): they count against the cap of 4
    for i in (4, 5):
        store.record_attempt(f"c{i}", kind="qa", topic="T", deck="d", verdict="correct", now=NOW - timedelta(hours=1))
    plan = review_plan(bank, store, now=NOW, settings=StudySettings(review_cap=4, day_start_hour=4), tz=UTC)
    assert (plan.today.reviews, plan.due, plan.over_cap) == (2, 2, 4)


# ------------------------------------------------------------------ siblings


def test_cards_of_one_note_section_and_clozes_of_one_paragraph_are_families(small):
    by_kind = {}
    for c in small.cards():
        by_kind.setdefault(family(c), []).append(c.kind.value)
    section = [kinds for key, kinds in by_kind.items() if key and key[0] == "section" and "definition" in kinds]
    assert section and {"definition", "list", "formula"} <= set(section[0])
    clozes = [kinds for key, kinds in by_kind.items() if key and key[0] == "cloze"]
    assert clozes == [["cloze", "cloze"]]
    assert family(next(c for c in small.cards() if c.id == "small-stride")) is None  # a written card stands alone


def test_a_review_day_asks_one_card_of_a_family_and_buries_the_rest(store, small):
    plan = review_plan(small, store, now=NOW, settings=StudySettings(day_start_hour=4), tz=UTC)
    families = [family(c) for c in plan.items if family(c) is not None]
    assert len(families) == len(set(families))
    assert plan.buried
    buried = {c.id: c for c in small.cards() if c.id in plan.buried}
    assert all(any(family(k) == family(b) for k in plan.items) for b in buried.values())
    # answer the planned cards (Easy: not due again for days): tomorrow the buried ones come
    clock = Clock()
    study_all(store, plan, clock, Rating.Easy)
    later = review_plan(small, store, now=NOW + timedelta(hours=1), settings=StudySettings(day_start_hour=4), tz=UTC)
    assert not set(plan.buried) & {c.id for c in later.items}
    tomorrow = review_plan(small, store, now=NOW + timedelta(days=1), settings=StudySettings(day_start_hour=4), tz=UTC)
    assert set(plan.buried) & {c.id for c in tomorrow.items}


def test_siblings_in_a_session_are_not_asked_back_to_back(store):
    a, b = card(1, family="s"), card(2, family="s")
    session = StudySession(store, [a, b, card(3)], clock=Clock(), seed=1)
    asked = []
    while (ask := session.next()) is not None:
        asked.append(ask.item.id)
        session.grade(Rating.Good)
    assert asked == ["c1", "c3", "c2"]


# ------------------------------------------------------------------ settings


def test_study_settings_are_read_leniently():
    # Read as the Settings screen reads what is typed (quizapp.settings.parse_field): "no" is a switch off.
    s = StudySettings.from_dict({"new_per_day": 5, "review_cap": "lots", "day_start_hour": 24, "second_try": "no"})
    assert (s.new_per_day, s.review_cap, s.day_start_hour, s.second_try) == (5, 200, 4, False)
    assert len(s.problems) == 2 and any('"review_cap"' in p and '"lots"' in p for p in s.problems)
    assert StudySettings.from_dict({"second_try": 3}).problems == ('"second_try" should be true or false, got 3: using true',)
    assert StudySettings.from_dict([1, 2]) == StudySettings()


def test_study_settings_load_from_the_data_folder(tmp_path):
    from quizapp.settings import load_study_settings

    (tmp_path / "settings.json").write_text('{"new_per_day": 7, "second_try": false, "count": 12}', encoding="utf-8")
    s = load_study_settings(tmp_path)
    assert (s.new_per_day, s.second_try, s.problems) == (7, False, ())
    (tmp_path / "settings.json").write_text("{not json", encoding="utf-8")
    broken = load_study_settings(tmp_path)
    assert broken.new_per_day == 20 and "not valid JSON" in broken.problems[0]


def test_a_failed_save_is_counted_and_the_session_goes_on(store, monkeypatch):
    from quizapp.store import StoreError

    def locked(*args, **kwargs):
        raise StoreError("locked")

    monkeypatch.setattr("quizapp.progress.record_answer", locked)
    clock = Clock()
    session = StudySession(store, [card(1), card(2)], clock=clock, seed=1)
    session.next()
    out = session.grade(Rating.Again)
    assert (out.recorded, out.error, out.verdict, out.score) == (None, "locked", "wrong", 0.0)
    assert out.comes_back == NOW + timedelta(minutes=1)  # still brought back, by the first step
    assert session.failed == 1 and not session.can_undo  # nothing was kept, nothing to take back
    assert session.next().item.id == "c2"


def test_retrying_mistakes_asks_each_computation_with_new_numbers(small):
    from quizapp.generate import generate

    shown = generate(conv_template(small), 11, "hard")
    plain = card(1)
    again = asked_again([plain, shown], small.templates(), seed=3)
    assert again[0] is plain
    fresh = again[1]
    assert (fresh.template_id, fresh.level) == (shown.template_id, "hard") and fresh.question != shown.question
    assert asked_again([shown], [], seed=3) == [shown]  # its template unknown: as it was
