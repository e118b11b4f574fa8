"""What the TUI saves for statistics: the misconception an answer matched, with the drill's seed and level,
and the fitted FSRS parameters surviving the app's own settings writes."""

from __future__ import annotations

import json

from quizapp.answers import check
from quizapp.generate import generate
from quizapp.paths import settings_path
from quizapp.store import Store
from quizapp.tui.items import Outcome, Question, record_outcome
from quizapp.tui.settings import Settings, save_settings


def test_a_drill_answered_with_a_typical_mistake_records_its_name(bank, tmp_path):
    from datetime import UTC, datetime

    template = next(t for t in bank.templates() if t.id == "conv-output-size")
    drill = generate(template, 5, "hard")
    mistake = drill.misconceptions[0]
    typed = str(mistake.value)
    result = check(typed, drill.answer, drill.tolerance, misconceptions=drill.misconceptions, form=drill.form)
    assert result.misconception == mistake
    outcome = Outcome(Question(drill=drill), "wrong", 0.0, 1, typed, result=result)
    with Store(tmp_path / "p.sqlite3") as store:
        record_outcome(store, outcome, now=datetime(2025, 3, 1, tzinfo=UTC))
        [attempt] = store.attempts()
    assert (attempt.item_id, attempt.seed, attempt.level, attempt.misconception) == ("conv-output-size", 5, "hard", mistake.name)


def test_the_apps_settings_writes_keep_the_fitted_parameters(tmp_path):
    from quizapp.optimize import load_parameters, save_parameters

    weights = [0.3, 1.2, 2.3, 8.2, 6.4, 0.8, 3.0, 0.01, 1.8, 0.16, 0.8, 1.5, 0.06, 0.26, 1.6, 0.6, 1.8, 0.5, 0.09, 0.06, 0.15]
    save_parameters(tmp_path, weights)
    save_settings(settings_path(tmp_path), Settings(count=15, theme="nord"))
    assert json.loads(settings_path(tmp_path).read_text(encoding="utf-8"))["count"] == 15
    assert load_parameters(tmp_path) == tuple(weights)
