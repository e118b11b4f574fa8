"""What the TUI saves for statistics: the misconception an answer matched, with the drill's seed and level,
and the fitted FSRS parameters surviving the app's own settings writes."""

from __future__ import annotations

import json

from pilot_helpers import type_answer

from quizapp.paths import settings_path
from quizapp.tui.settings import Settings, save_settings


async def test_a_drill_answered_with_a_typical_mistake_records_its_name(new_app, store):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        drill = app.screen.current.drill
        mistake = drill.misconceptions[0]
        await type_answer(pilot, str(mistake.value))
        await pilot.press("enter")  # Enter alone at the second try: the first try stands
        await pilot.pause()
    [attempt] = store.attempts()
    assert (attempt.item_id, attempt.seed, attempt.level, attempt.misconception) == ("conv-output-size", drill.seed, drill.level, mistake.name)


def test_the_apps_settings_writes_keep_the_fitted_parameters(tmp_path):
    from quizapp.optimize import load_parameters, save_parameters

    weights = [0.3, 1.2, 2.3, 8.2, 6.4, 0.8, 3.0, 0.01, 1.8, 0.16, 0.8, 1.5, 0.06, 0.26, 1.6, 0.6, 1.8, 0.5, 0.09, 0.06, 0.15]
    save_parameters(tmp_path, weights)
    save_settings(settings_path(tmp_path), Settings(count=15, theme="nord"))
    assert json.loads(settings_path(tmp_path).read_text(encoding="utf-8"))["count"] == 15
    assert load_parameters(tmp_path) == tuple(weights)
