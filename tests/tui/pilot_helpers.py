"""Provides small helpers the Pilot tests share: reading a widget's text, typing an answer."""

from __future__ import annotations


def text_of(app, selector: str) -> str:
    """The plain text a Static shows."""
    return str(app.screen.query_one(selector).render())


def feedback(app) -> str:
    return text_of(app, "#feedback-text")


async def type_answer(pilot, text: str) -> None:
    await pilot.press(*text, "enter")
    await pilot.pause()


def card(bank, card_id: str):
    return next(c for c in bank.cards() if c.id == card_id)


async def run_from_palette(pilot, title: str, *then: str) -> None:
    """Open the command palette, type ``title``, run the first hit, then press the keys ``then``."""
    await pilot.press("ctrl+p", *title)
    await pilot.pause(0.3)  # the palette searches in a worker
    await pilot.press("enter", *then)
    await pilot.pause()


def record_history(store, bank, now) -> dict:
    """A small history before ``now`` (fixed datetimes), through the store's own API, and what it should show:

    answers on the day of ``now`` (3), the day before (2) and four days before (5): a streak of 2 days;
    conv-stride answered Good then Again (a review not recalled: Convolutional layers 0%), att-scale
    Good twice (Attention 100%); conv-stride due an hour ago, conv-sharing due tomorrow, att-scale in
    five days; the conv drill answered three times with the same typical mistake.
    """
    from datetime import timedelta

    from quizapp.generate import generate
    from quizapp.schedule import review

    day = timedelta(days=1)
    template = next(t for t in bank.templates() if t.id == "conv-output-size")
    mistake = generate(template, 5, "hard").misconceptions[0]
    conv, att = "Convolutional layers", "Attention"
    answers = [
        # (item, kind, topic, deck, rating, misconception, when)
        ("conv-stride", "basic", conv, "conv", 3, None, now - 4 * day),
        ("att-scale", "basic", att, "attention", 3, None, now - 4 * day),
        ("conv-output-size", "drill", conv, "conv", 1, mistake.name, now - 4 * day),
        ("conv-output-size", "drill", conv, "conv", 1, mistake.name, now - 4 * day + timedelta(minutes=5)),
        ("conv-sharing", "basic", conv, "conv", 3, None, now - 4 * day),
        ("conv-stride", "basic", conv, "conv", 1, None, now - day),
        ("att-scale", "basic", att, "attention", 3, None, now - day),
        ("conv-output-size", "drill", conv, "conv", 1, mistake.name, now - timedelta(hours=2)),
        ("conv-same", "basic", conv, "conv", 3, None, now - timedelta(hours=1)),
        ("att-scores", "basic", att, "attention", 4, None, now - timedelta(hours=1)),
    ]
    for item, kind, topic, deck, rating, misconception, when in answers:
        store.record_attempt(
            item, kind=kind, topic=topic, deck=deck, verdict="wrong" if rating == 1 else "correct", rating=rating,
            seed=5 if kind == "drill" else None, level="hard" if kind == "drill" else None,
            misconception=misconception, now=when,
        )
    for item, topic, deck, due in (
        ("conv-stride", conv, "conv", now - timedelta(hours=1)),
        ("conv-sharing", conv, "conv", now + day),
        ("att-scale", att, "attention", now + 5 * day),
    ):
        state, _ = review(None, 3, now - 4 * day)
        state.due = due
        store.save_state(item, state, now=now - 4 * day, kind="basic", topic=topic, deck=deck)
    return {"streak": 2, "due_now": 1, "tomorrow": 1, "mistake": mistake, "answers": len(answers)}


def wrong_number(drill) -> str:
    """A readable answer that is neither right nor one of the known misconceptions."""
    taken = {drill.answer, *(m.value for m in drill.misconceptions)}
    return str(next(n for n in range(10_000, 20_000) if n not in taken))


async def answer_wrong_for_good(pilot, drill) -> None:
    """Type a wrong answer to ``drill``, then Enter alone at its second try (I don't know): the first try stands."""
    await type_answer(pilot, wrong_number(drill))
    await pilot.press("enter")
    await pilot.pause()


async def answer_right(pilot, app) -> None:
    """Answer the question on screen rightly (a flashcard: Good), whatever its kind, and move on."""
    q = app.screen.current
    if q.kind == "drill":
        await type_answer(pilot, q.drill.answer_text)
        await pilot.press("enter")
    elif q.kind == "mcq":
        await pilot.press(str(q.card.correct + 1), "enter")
    else:
        await pilot.press("space", "3")
    await pilot.pause()


async def answer_the_rest_right(pilot, app, limit: int = 50) -> int:
    """Answer rightly what the session still asks (the learning steps of earlier mistakes come back until they
    graduate); how many that took."""
    from quizapp.tui.screens.practice import PracticeScreen

    asked = 0
    while isinstance(app.screen, PracticeScreen) and app.screen.running:
        assert asked < limit, "the session should end"
        await answer_right(pilot, app)
        asked += 1
    return asked


async def answer_wrongly(pilot, app) -> None:
    """Answer the question on screen wrongly, whatever its kind (a computation at both tries), and move on."""
    q = app.screen.current
    if q.kind == "drill":
        await answer_wrong_for_good(pilot, q.drill)
        await pilot.press("enter")
    elif q.kind == "mcq":
        await pilot.press(str((q.card.correct + 1) % len(q.card.options) + 1), "enter")
    else:
        await pilot.press("space", "1")
    await pilot.pause()
