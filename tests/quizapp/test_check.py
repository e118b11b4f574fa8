"""`quizapp check`: problems as file:line, exit codes, the summary, and the shipped bank checking clean."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

from quizapp.content.check import run

DATA = Path(__file__).parent / "data"


def check(paths, **kwargs) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = run(list(paths), extra=[], bundled=False, out=out, **kwargs)
    return code, out.getvalue().splitlines()


def test_bad_deck_reports_each_problem_at_its_line(monkeypatch):
    monkeypatch.chdir(DATA)
    code, lines = check([Path("bad.md")], instances=20)
    assert code == 1
    problems, summary = lines[:-1], lines[-1]
    expected = [
        ("bad.md:6:", "duplicate id 'dup-card'"),
        ("bad.md:10:", "empty answer"),
        ("bad.md:15:", "bad YAML"),
        ("bad.md:21:", "unknown solver 'conv.output_volume'"),
        ("bad.md:31:", "'strides' is not a parameter of solver conv.output_size"),
        ("bad.md:42:", "drill 'never-holds' at every level: no combination of the 2 parameter combinations satisfies `where`"),
        ("bad.md:46:", "drill 'always-refused' at every level: no solvable parameters"),
        ("bad.md:62:", "duplicate drill id 'dup-drill'"),
    ]
    assert len(problems) == len(expected), "\n".join(problems)
    for line, (prefix, words) in zip(problems, expected):
        assert line.startswith(prefix + " "), line
        assert words in line, line
    assert summary.startswith("checked 1 deck: ")
    assert "8 errors" in summary


def test_good_deck_exits_zero_with_summary(monkeypatch):
    monkeypatch.chdir(DATA)
    code, lines = check([Path("small.md")], instances=30)
    assert code == 0, lines
    assert lines == [
        (
            "checked 1 deck: 10 cards (4 qa, 2 cloze, 1 definition, 1 formula, 1 list, 1 mcq), 4 drill templates, "
            "360 instances generated; 0 errors, 0 warnings"
        )
    ]


def test_rare_where_is_reported_with_its_census(tmp_path):
    deck = tmp_path / "rare.md"
    deck.write_text(
        textwrap.dedent(
            """\
            # Rare

            ```drill
            id: rare
            solver: linear.param_count
            params:
              n_in: {range: [1, 300]}
              n_out: {range: [1, 300]}
            where:
              - n_in == 7 and n_out == 9
            ask: "{n_in} -> {n_out}"
            ```
            """
        ),
        encoding="utf-8",
    )
    code, lines = check([deck], instances=5)
    assert code == 1
    assert lines[0].startswith(f"{deck}:10: drill 'rare' at every level: only 1 of 90000 parameter combinations satisfy `where`")


def test_duplicate_ids_across_decks(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.md").write_text(f"# T\n\nQ: Question {name} {{#same-id}}\nA: answer\n", encoding="utf-8")
    code, lines = check([tmp_path], instances=1)
    assert code == 1
    assert lines[0].startswith(f"{tmp_path / 'b.md'}:3: ") and "same-id" in lines[0]


def test_warnings_do_not_fail(tmp_path):
    deck = tmp_path / "w.md"
    deck.write_text("# T\n\nQ: Same?\nA: one\n\nQ: Same?\nA: two\n", encoding="utf-8")
    code, lines = check([deck], instances=1)
    assert code == 0
    assert lines[0].startswith(f"{deck}:6: warning: ")
    assert lines[-1].endswith("0 errors, 1 warning")


def test_cli_exit_code(monkeypatch):
    monkeypatch.chdir(DATA)
    bad = subprocess.run([sys.executable, "-m", "quizapp", "check", "--instances", "2", "bad.md"], capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and "bad.md:15: bad YAML" in bad.stdout
    good = subprocess.run([sys.executable, "-m", "quizapp", "check", "--instances", "2", "small.md"], capture_output=True, text=True, check=False)
    assert good.returncode == 0, good.stdout + good.stderr


def test_shipped_bank_checks_clean():
    out = io.StringIO()
    code = run([], extra=[], bundled=True, out=out)
    report = out.getvalue()
    assert code == 0, report
    assert "0 errors" in report.splitlines()[-1]
