"""Snapshot tests with the fixed bank, seed and clock: Home, a drill question, its feedback at 80×24; the
statistics of a prepared history at 100×32.

Regenerate on purpose only: `pytest tests/tui/test_snapshots.py --snapshot-update`, then look at
the SVGs in __snapshots__ before committing them.
"""

from __future__ import annotations

SIZE = (80, 24)


def test_home(snap_compare, new_app):
    assert snap_compare(new_app(), terminal_size=SIZE)


def test_drill_question(snap_compare, new_app):
    assert snap_compare(new_app(mode="drill", topics=["Convolutional"]), terminal_size=SIZE)


def test_feedback_with_a_common_mistake(snap_compare, new_app):
    async def answer_with_a_known_mistake(pilot) -> None:
        await pilot.pause()  # the drill is the app's first screen: its question comes once it has mounted
        drill = pilot.app.screen.current.drill
        await pilot.press(*str(drill.misconceptions[0].value), "enter")
        await pilot.pause()
        await pilot.press("enter")  # Enter alone at the second try: I don't know (the first try stands)
        await pilot.pause()

    app = new_app(mode="drill", topics=["Convolutional"])
    assert snap_compare(app, terminal_size=SIZE, run_before=answer_with_a_known_mistake)


def test_stats_screen(snap_compare, new_app, store, bank):
    from datetime import UTC

    from tests.tui.conftest import NOW
    from tests.tui.pilot_helpers import record_history

    record_history(store, bank, NOW)
    app = new_app()
    app.tz = UTC  # study days counted in UTC whatever the machine's zone

    async def open_stats(pilot) -> None:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 32), run_before=open_stats)
