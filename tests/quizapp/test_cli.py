"""The command line: options before or after the command, `solve` after global options, missing decks, unknown topics."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from quizapp import cli
from quizapp.cli import build_parser, main
from quizapp.paths import database_path
from quizapp.store import Store

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small.md"


@pytest.fixture(autouse=True)
def _no_tui(monkeypatch):
    """Opening the TUI from these tests is a bug: make it loud."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"make_app reached with {args} {kwargs}")

    monkeypatch.setattr("quizapp.tui.app.make_app", refuse)


# ---------------------------------------------------------------- solve after global options


@pytest.mark.parametrize(
    "before",
    [[], ["--data-dir", "DATA"], ["--content", str(SMALL)], ["--no-bundled", "--content", str(SMALL), "--data-dir", "DATA"]],
)
def test_solve_list_after_global_options(before, tmp_path, capsys):
    argv = [str(tmp_path / "d") if a == "DATA" else a for a in before]
    assert main([*argv, "solve", "--list"]) == 0
    assert "conv.output_size" in capsys.readouterr().out


@pytest.mark.parametrize("before", [[], ["--content", str(SMALL)], ["--data-dir", "DATA"], ["--no-bundled"]])
def test_solve_with_solver_parameters_after_global_options(before, tmp_path, capsys):
    argv = [str(tmp_path / "d") if a == "DATA" else a for a in before]
    assert main([*argv, "solve", "conv.output_size", "--size", "8", "--kernel", "3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["value"] == 6  # (8 - 3)/1 + 1


def test_solver_help_and_errors_reach_solve_after_global_options(capsys):
    assert main(["--no-bundled", "solve", "conv.pool_output_size", "--help"]) == 0
    assert "--kernel" in capsys.readouterr().out
    assert main(["--no-bundled", "solve", "conv.pool_output_size", "--size", "7"]) == 2


def test_unknown_options_of_other_commands_are_still_refused(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--no-bundled", "topics", "--size", "8"])
    assert exc.value.code == 2
    assert "unrecognized arguments: --size 8" in capsys.readouterr().err


def test_no_command_but_the_tui_modes_reaches_make_app(monkeypatch, capsys):
    """A command the dispatcher does not know is refused, never handed to the TUI as a mode."""
    parser = build_parser()
    real = parser.parse_args

    def with_a_new_command(argv=None, namespace=None):
        args = real(argv, namespace)
        args.command = "frobnicate"
        return args

    monkeypatch.setattr(parser, "parse_args", with_a_new_command)
    monkeypatch.setattr(cli, "build_parser", lambda commands=None: parser)
    assert main(["--no-bundled", "topics"]) == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err


# ---------------------------------------------------------------- only the sub-parser the command needs


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["drill"],
        ["drill", "--topic", "conv", "--seed", "1", "--level", "hard", "--count", "3"],
        ["--data-dir", "D", "--content", "C", "--no-bundled", "quiz", "--plain", "--count", "5"],
        ["--data-dir=D", "--content=C", "review", "--data-dir", "E"],
        ["--content", "drill"],  # a folder named like a command, and no command
        ["--content", "drill", "quiz"],
        ["export", "--format", "csv", "-o", "out.csv", "--count", "0"],
        ["check", "a.md", "b.md", "--instances", "7"],
        ["topics", "--no-bundled"],
        ["solve", "conv.output_size", "--json"],
    ],
)
def test_the_partial_parser_reads_every_command_line_as_the_whole_one(argv):
    whole = build_parser().parse_known_args(argv)
    assert cli.needed_commands(argv) is not None
    assert build_parser(cli.needed_commands(argv)).parse_known_args(argv) == whole


@pytest.mark.parametrize("argv", [["--help"], ["-h", "drill"], ["--version"], ["--data", "D", "drill"], ["dril"], ["--bogus"]])
def test_help_the_version_and_anything_unexpected_get_the_whole_parser(argv):
    assert cli.needed_commands(argv) is None


def test_help_still_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(command in out for command in ("quiz", "drill", "review", "topics", "check", "export", "solve"))


def test_a_mistyped_command_is_named_with_the_choices(capsys):
    with pytest.raises(SystemExit):
        main(["dril"])
    assert "invalid choice: 'dril'" in capsys.readouterr().err


# ---------------------------------------------------------------- --data-dir before or after the command


@pytest.mark.parametrize("where", ["before", "after"])
def test_data_dir_before_or_after_the_command(where, tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("q\n"))
    data = tmp_path / "mine"
    option = ["--data-dir", str(data)]
    command = ["drill", "--plain", "--topic", "Convolutions", "--count", "1", "--seed", "5"]
    common = ["--no-bundled", "--content", str(SMALL)]
    argv = [*option, *common, *command] if where == "before" else [*common, *command, *option]
    assert main(argv) == 0
    assert database_path(data).exists()


def test_data_dir_given_before_is_not_reset_by_the_command(tmp_path):
    args = build_parser().parse_args(["--data-dir", str(tmp_path), "review", "--plain"])
    assert args.data_dir == tmp_path
    args = build_parser().parse_args(["review", "--data-dir", str(tmp_path)])
    assert args.data_dir == tmp_path
    assert build_parser().parse_args(["review"]).data_dir is None


def test_data_dir_after_the_command_records_progress_there(tmp_path, monkeypatch):
    from quizapp.content.loader import load_bank
    from quizapp.session import DrillSession

    bank = load_bank([SMALL], bundled=False)
    first = DrillSession(bank.templates(["Convolutions"]), seed=5).next()
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{first.answer}\n"))
    data = tmp_path / "after"
    argv = ["--no-bundled", "--content", str(SMALL), "drill", "--plain", "--topic", "Convolutions"]
    assert main([*argv, "--count", "1", "--seed", "5", "--data-dir", str(data)]) == 0
    with Store(database_path(data)) as store:
        assert [a.item_id for a in store.attempts()] == ["small-conv-out"]


# ---------------------------------------------------------------- a --content path that does not exist


@pytest.mark.parametrize(
    "command",
    [
        ["quiz", "--plain", "--count", "1"],
        ["drill", "--plain", "--count", "1"],
        ["review", "--plain"],
        ["topics"],
        ["export", "--format", "json"],
        [],
    ],
)
@pytest.mark.parametrize("where", ["before", "after"])
def test_missing_content_path_exits_2_before_doing_anything(command, where, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    missing = tmp_path / "no-such-deck.md"
    data = tmp_path / "data"
    option = ["--content", str(missing)]
    argv = [*option, *command] if where == "before" or not command else [*command, *option]
    assert main(["--data-dir", str(data), *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"quizapp: {missing}: no such file or folder\n"
    assert not data.exists()  # nothing was started: no progress folder made


def test_check_still_reports_a_missing_path_itself(tmp_path, capsys):
    missing = tmp_path / "gone.md"
    assert main(["check", "--content", str(missing), "--instances", "1", str(SMALL)]) == 1
    assert f"{missing}: no such file or folder" in capsys.readouterr().out


# ---------------------------------------------------------------- unknown topics


@pytest.mark.parametrize("command", ["quiz", "drill", "review"])
def test_unknown_topic_exits_1_the_same_way_in_every_mode(command, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["--no-bundled", "--content", str(SMALL), command, "--plain", "--topic", "nonexistent"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.splitlines()
    assert err == ["quizapp: no cards or drills match topic 'nonexistent'; topics: Convolutions, Attention, Linear layers"]


def test_a_tui_start_that_stops_early_leaves_the_garbage_collector_on(monkeypatch, capsys):
    # The TUI path pauses the cyclic collector while it starts; every way out turns it back on.
    import gc

    monkeypatch.setattr(cli, "_use_plain", lambda args: False)  # as in a terminal
    disable, paused = gc.disable, []

    def pause() -> None:
        disable()
        paused.append(gc.isenabled())

    monkeypatch.setattr(gc, "disable", pause)
    try:
        assert main(["--no-bundled", "--content", str(SMALL), "drill", "--topic", "nonexistent"]) == 1
        assert paused == [False]  # it was paused...
        assert gc.isenabled()  # ...and is on again
    finally:
        gc.enable()


def test_plain_mode_does_not_pause_the_garbage_collector(monkeypatch, capsys):
    import gc

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    paused = []
    monkeypatch.setattr(gc, "disable", lambda: paused.append(True))
    main(["--no-bundled", "--content", str(SMALL), "drill", "--plain", "--count", "1"])
    assert paused == []


def test_unknown_topic_lists_many_topics_briefly():
    from quizapp.content.loader import load_bank

    message = load_bank([], bundled=True).mismatch(["nonexistent", "nor-this"])
    assert message.startswith("no cards or drills match topic 'nonexistent' or 'nor-this'; topics: ")
    assert len(message) < 400 and message.endswith("(see `quizapp topics`)")
    assert load_bank([SMALL], bundled=False).mismatch(["conv"]) is None
    assert load_bank([SMALL], bundled=False).mismatch(None) is None


def test_content_before_and_after_the_command_are_both_loaded(tmp_path, capsys):
    other = tmp_path / "other.md"
    other.write_text("# Other topic\n\nQ: Extra?\nA: Yes.\n", encoding="utf-8")
    assert main(["--no-bundled", "--content", str(SMALL), "topics", "--content", str(other)]) == 0
    out = capsys.readouterr().out
    assert "Small test deck" in out and "Other topic" in out
    assert out.rstrip().endswith("2 decks, 11 cards, 4 drill templates")
