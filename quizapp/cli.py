"""Provides the `quizapp` command line: argument parsing only; it builds objects and hands them on."""

from __future__ import annotations

import argparse
import errno
import gc
import os
import sys
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from quizapp import __version__

LEVELS = ("easy", "medium", "hard")


def _global_options(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """--data-dir, --content and --no-bundled: accepted before or after the command.

    On a sub-command the defaults are SUPPRESS, so a value given before the command is not reset
    by the sub-parser's own default (argparse copies a sub-parser's defaults over the parent's).
    """
    default = (lambda value: value) if top else (lambda value: argparse.SUPPRESS)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default(None),
        metavar="DIR",
        help="where progress is kept (default: your user data folder; env QUIZAPP_DATA_DIR)",
    )
    group = parser.add_argument_group("content")
    group.add_argument(
        "--content",
        # After the command the paths go to their own list, joined to those given before it in main
        # (an append on the sub-parser would start a new list and drop the earlier ones).
        dest="content" if top else "content_after",
        action="append",
        type=Path,
        default=default([]),
        metavar="PATH",
        help="add your own decks: a markdown file or a folder of them (repeatable)",
    )
    group.add_argument("--no-bundled", action="store_true", default=default(False), help="leave the shipped question bank out")


def _selection_options(parser: argparse.ArgumentParser, *, count_help: str, default_count: int | None, count: tuple[int, int]) -> None:
    parser.add_argument(
        "--topic",
        action="append",
        default=[],
        metavar="T",
        help="only this topic (substring of a topic, deck or tag; repeatable)",
    )
    parser.add_argument("--count", type=_bounded(*count), default=default_count, metavar="N", help=count_help)
    parser.add_argument(
        "--seed", type=_bounded(-SEED_LIMIT, SEED_LIMIT), default=None, metavar="S", help="random seed: the same seed asks the same questions"
    )


MAX_COUNTS = {"quiz": 1_000, "drill": 100_000, "review": 100_000, "export": 10_000}
"""The largest --count of each command: a quiz and an export make all their questions before the first is
asked or written, so theirs are lower."""
MAX_INSTANCES = 10_000
"""The largest --instances of `check`."""
SEED_LIMIT = 2**63 - 1


def _bounded(minimum: int, maximum: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``minimum`` to ``maximum``, or a message saying which."""

    def whole_number(text: str) -> int:
        if len(text) > 30:  # int() of a long text costs quadratic time before it fails
            raise argparse.ArgumentTypeError(f"expected a whole number from {minimum:,} to {maximum:,}, got {text[:20]!r}…")
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"expected a whole number from {minimum:,} to {maximum:,}, got {value:,}")
        return value

    return whole_number


def _date(text: str) -> str:
    """An argparse type: a day written YYYY-MM-DD (returned as written), or a message saying so."""
    from quizapp.settings import parse_date

    if parse_date(text) is None:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text[:20]!r}")
    return text.strip()


def _exam_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--exam", type=_date, default=None, metavar="DATE", help=help_text)


def _seconds(text: str) -> float:
    """An argparse type: seconds >= 0 (a float)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text[:20]!r}") from None
    if not 0 <= value <= 10**6:
        raise argparse.ArgumentTypeError(f"expected seconds from 0 to 1000000, got {text[:20]!r}")
    return value


_MARKS = ("suspend", "unsuspend", "flag", "unflag")
_COMMANDS = ("quiz", "drill", "review", "topics", "check", "export", "solve", "progress", "stats", "import", *_MARKS)


def build_parser(commands: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The parser of the whole command line, or of the global options and only ``commands``
    (see :func:`needed_commands`: building all seven sub-parsers costs about a millisecond of the start)."""
    parser = argparse.ArgumentParser(
        prog="quizapp",
        description="Practise for machine-learning interviews in the terminal. "
        "With no command, opens the interactive app.",
    )
    parser.add_argument("--version", action="version", version=f"quizapp {__version__}")
    _global_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = set(_COMMANDS if commands is None else commands)

    practice = {
        "quiz": ("a quiz mixing flashcards, multiple choice and numeric drills", "number of questions (default 10)"),
        "drill": ("endless fresh numeric drills (stop with Ctrl-D or --count)", "stop after N drills (default: endless)"),
        "review": (
            "spaced-repetition review of the flashcards and computations that are due",
            "at most N questions (default: all that are due)",
        ),
    }
    for name, (help_text, count_help) in practice.items():
        if name not in wanted:
            continue
        p = sub.add_parser(name, help=help_text)
        _selection_options(p, count_help=count_help, default_count=None, count=(1, MAX_COUNTS[name]))
        if name == "drill":
            p.add_argument("--level", choices=LEVELS, default=None, help="fixed difficulty (default: grows with your streak)")
        if name == "review":
            p.add_argument(
                "--weak",
                action="store_true",
                help="your weak spots instead, due or not: lowest predicted recall and most frequent mistakes (default 20)",
            )
            _exam_option(p, "the interview date (YYYY-MM-DD; default: exam_date in settings.json): review what would be forgotten by then")
        p.add_argument("--plain", action="store_true", help="plain terminal mode (also used when input or output is not a terminal)")
        _global_options(p)

    if "topics" in wanted:
        p = sub.add_parser("topics", help="list decks and topics with card and template counts, what is due and your retention")
        _global_options(p)

    if "check" in wanted:
        from quizapp.content.check import SECONDS_PER_DECK

        p = sub.add_parser("check", help="validate decks: print file:line problems, exit 1 if any")
        p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="decks to check (default: the shipped bank)")
        p.add_argument(
            "--instances",
            type=_bounded(1, MAX_INSTANCES),
            default=200,
            metavar="N",
            help=f"instances generated per drill template and level (default 200, at most {MAX_INSTANCES:,})",
        )
        p.add_argument(
            "--time-limit",
            type=_seconds,
            default=SECONDS_PER_DECK,
            metavar="S",
            help=f"seconds of drill generation for each deck (default {SECONDS_PER_DECK:g}; 0: no limit)",
        )
        p.add_argument(
            "--counts", action="store_true", help="also list every drill template's distinct questions per level"
        )
        _global_options(p)

    if "export" in wanted:
        from quizapp.export import FORMATS

        p = sub.add_parser("export", help=f"export cards and generated drills ({', '.join(FORMATS)})")
        p.add_argument("--format", choices=FORMATS, default="json")
        _selection_options(
            p,
            count_help=f"generated drill instances (default 20; 0 for cards only; at most {MAX_COUNTS['export']:,})",
            default_count=20,
            count=(0, MAX_COUNTS["export"]),
        )
        p.add_argument("-o", "--output", type=Path, default=None, metavar="FILE", help="write here (atomically) instead of stdout")
        _global_options(p)

    if "progress" in wanted:
        _progress_parser(sub)

    if "stats" in wanted:
        p = sub.add_parser("stats", help="your history: answers per day, what is due, retention, weakest items, frequent mistakes")
        p.add_argument("--json", action="store_true", help="print JSON (the total count of answers under \"answers\")")
        p.add_argument(
            "--optimize", action="store_true", help="fit FSRS to your reviews first; kept only if it predicts your latest ones better"
        )
        _exam_option(p, "the interview date (YYYY-MM-DD; default: exam_date in settings.json): adds each topic's readiness on that day")
        _global_options(p)

    for name, help_text in (
        ("suspend", "never ask these cards or drill templates (by id) until unsuspended; with no id, list the suspended"),
        ("unsuspend", "ask these suspended items again; with no id, list the suspended"),
        ("flag", "flag these items for a closer look; with no id, list the flagged"),
        ("unflag", "take the flag off these items; with no id, list the flagged"),
    ):
        if name in wanted:
            p = sub.add_parser(name, help=help_text)
            p.add_argument("ids", nargs="*", metavar="ID", help="a card id or a drill template id (`quizapp export` lists them)")
            _global_options(p)

    if "import" in wanted:
        p = sub.add_parser(
            "import",
            help="copy decks (quizapp, Obsidian, hashcards, Anki .apkg/.colpkg or text) into your deck folder, so every session has them",
        )
        p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="deck files or folders")
        _global_options(p)

    if "solve" in wanted:
        # add_help=False: "quizapp solve NAME --help" reaches solve_cmd, which lists that solver's own parameters.
        p = sub.add_parser("solve", help="the solvers as a calculator: answer plus worked steps", add_help=False)
        p.add_argument("solver", nargs="?", help="short name, e.g. conv.output_size")
        p.add_argument("--list", action="store_true", help="list solvers with their parameters")
        p.add_argument("--json", action="store_true", help="print JSON: solver, params, value, steps, misconceptions")
    return parser


def _progress_parser(sub: argparse._SubParsersAction) -> None:
    """`quizapp progress export|import FILE` (quizapp.backup)."""
    p = sub.add_parser("progress", help="back up your progress to a JSON file, or merge one back in")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, help_text in (
        ("export", "write every answer and schedule to FILE (JSON)"),
        ("import", "merge FILE's answers and schedules into your progress (what is already there is not added twice)"),
    ):
        a = actions.add_parser(action, help=help_text)
        a.add_argument("file", type=Path, metavar="FILE")
        _global_options(a)
    _global_options(p)


def needed_commands(argv: Sequence[str]) -> tuple[str, ...] | None:
    """The sub-parsers that parsing ``argv`` needs: the command it names after any global options
    (--data-dir DIR, --content PATH, --no-bundled), none when it names no command, and None (all of
    them) when anything else comes first: help, --version, an abbreviated option, a mistyped
    command. The full parser then answers or says what is wrong, exactly as before."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if word in ("--data-dir", "--content"):
            i += 2
        elif word.startswith(("--data-dir=", "--content=")) or word == "--no-bundled":
            i += 1
        else:
            return (word,) if word in _COMMANDS else None
    return ()


def _load_bank(args: argparse.Namespace):
    from quizapp.content.loader import load_bank
    from quizapp.paths import user_content_dir

    # The decks `quizapp import` copied in come to every session, before any --content.
    mine = user_content_dir(args.data_dir)
    # Unchanged decks come from the bank cache (quizapp check parses fresh: it loads the bank itself).
    return load_bank([*([mine] if mine.is_dir() else []), *args.content], bundled=not args.no_bundled, cache=True)


def _use_plain(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "plain", False)) or not (sys.stdin.isatty() and sys.stdout.isatty())


def _missing_content(paths: Sequence[Path]) -> int:
    """Exit status 2 after naming each ``--content`` path that does not exist; 0 when all do."""
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        _say(f"quizapp: {path}: no such file or folder")
    return 2 if missing else 0


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """(the parsed options, the solver's own parameters when the command is ``solve``, else []).

    The command is found by the parser itself, wherever the global options stand; only ``solve``
    takes options the parser does not know (a solver's parameters, checked by solve_cmd), so every
    other command is parsed again strictly and an unknown option is an error there.
    """
    args, rest = parser.parse_known_args(argv)
    if args.command != "solve":
        args, rest = parser.parse_args(argv), []
    args.content = [*args.content, *getattr(args, "content_after", [])]
    return args, rest


PROBLEMS_SHOWN = 10
"""Deck problems printed when a command starts; `quizapp check` prints them all."""

_TUI_MODES = (None, "quiz", "drill", "review")
"""What the TUI opens on: home (no command) or one practice mode."""


def main(argv: Sequence[str] | None = None) -> int:
    """The `quizapp` command: its exit status. Whatever happens ends in a short message, never a traceback
    (QUIZAPP_DEBUG=1 shows one for an error nothing else catches)."""
    try:
        status = _main(argv)
        sys.stdout.flush()  # here, not at exit: a reader that went away is then caught below
        return status
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`quizapp topics | head -1`): stop quietly, as a program killed by SIGPIPE does.
        _stdout_to_devnull()
        return 141
    except OSError as err:
        if err.errno not in _OUTPUT_ERRORS or os.environ.get("QUIZAPP_DEBUG"):
            raise
        _stdout_to_devnull()  # what is still buffered would fail again at exit
        _say(f"quizapp: cannot write the output: {err.strerror or err}")
        return 1
    except Exception as exc:
        if os.environ.get("QUIZAPP_DEBUG"):
            raise
        from quizapp.textsafe import short

        _say(f"quizapp: unexpected error ({type(exc).__name__}: {short(str(exc), 200)[1:-1]}); please report it")
        return 70


_OUTPUT_ERRORS = tuple(getattr(errno, name) for name in ("EPIPE", "ENOSPC", "EIO", "EFBIG", "EDQUOT") if hasattr(errno, name))
"""What writing to standard output fails with when it is a full disk, a closed pipe or a gone terminal."""


def _stdout_to_devnull() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush has somewhere to go."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (a test's capture): nothing will be flushed to it


def _say(message: str) -> None:
    """One line on stderr, control characters escaped; a stderr that cannot be written is let be."""
    from quizapp.textsafe import printable

    try:
        print(printable(message), file=sys.stderr)
    except (OSError, ValueError):
        pass


def _main(argv: Sequence[str] | None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    args, rest = _parse(build_parser(needed_commands(words)), words)
    command = args.command

    if command == "solve":
        from quizapp.solve_cmd import run as run_solve

        return run_solve(args.solver, rest, as_json=args.json, list_only=args.list)

    if command == "progress":
        from quizapp.backup import run as run_progress

        return run_progress(args.action, args.file, data_dir=args.data_dir)

    if command == "check":
        # check reports a missing path as one of its problems (file: message) and exits 1.
        from quizapp.content.check import run as run_check

        return run_check(
            args.paths,
            extra=args.content,
            bundled=not args.no_bundled,
            instances=args.instances,
            seconds_per_deck=args.time_limit or None,
            counts=args.counts,
        )

    if command == "import":
        from quizapp.import_cmd import run as run_import

        return run_import(args.paths, data_dir=args.data_dir)

    if command not in ("topics", "export", "stats", *_MARKS, *_TUI_MODES):
        _say(f"quizapp: unknown command {command!r}")
        return 2
    status = _missing_content(args.content)
    if status:
        return status
    tui = command is None or (command in _TUI_MODES and not _use_plain(args))
    if tui:
        # Starting the app allocates a great deal and frees almost nothing: the cyclic collector's
        # passes over the growing heap only delay the first question. The app (told by resume_gc)
        # freezes what was made and turns it back on once that question is on screen; `finally`
        # covers every way out before that.
        gc.disable()
    try:
        return _run(args, command, resume_gc=tui)
    finally:
        gc.enable()


def _run(args: argparse.Namespace, command: str | None, *, resume_gc: bool = False) -> int:
    """Every command but solve and check, on the bank: topics, export, and the quiz, drill and review."""
    bank = _load_bank(args)
    problems = bank.all_problems()
    for problem in problems[:PROBLEMS_SHOWN]:
        _say(f"quizapp: {problem}")
    if len(problems) > PROBLEMS_SHOWN:
        _say(f"quizapp: … and {len(problems) - PROBLEMS_SHOWN:,} more problems in the decks (`quizapp check PATH` lists them all)")

    if command == "topics":
        from quizapp.stats import run_topics

        return run_topics(bank, data_dir=args.data_dir)

    if command == "stats":
        from quizapp.settings import parse_date
        from quizapp.stats import run as run_stats

        exam = parse_date(args.exam) if args.exam else None
        return run_stats(bank, data_dir=args.data_dir, as_json=args.json, optimize=args.optimize, exam=exam)

    if command in _MARKS:
        from quizapp.marks_cmd import run as run_marks

        return run_marks(bank, command, args.ids, data_dir=args.data_dir)

    mismatch = bank.mismatch(args.topic) if command is not None else None
    if mismatch:
        _say(f"quizapp: {mismatch}")
        return 1

    if command == "export":
        from quizapp.export import run as run_export

        return run_export(bank, args.format, topics=args.topic, count=args.count, seed=args.seed, output=args.output)

    if command is None or not _use_plain(args):
        # The app keeps progress and settings in the data folder: say now, not from inside it, when that cannot be.
        from quizapp.paths import data_dir, data_dir_error

        try:
            data_dir(args.data_dir)
        except OSError as err:
            _say(f"quizapp: {data_dir_error(err, args.data_dir)}")
            return 1

    if command is not None and _use_plain(args):
        from quizapp import plain

        if command == "quiz":
            return plain.run_quiz(bank, topics=args.topic, count=args.count or 10, seed=args.seed, data_dir=args.data_dir)
        if command == "drill":
            return plain.run_drill(bank, topics=args.topic, count=args.count, seed=args.seed, level=args.level, data_dir=args.data_dir)
        from quizapp.review import run_plain_review

        return run_plain_review(bank, topics=args.topic, count=args.count, seed=args.seed, data_dir=args.data_dir, weak=args.weak, exam=args.exam)

    from quizapp.tui.app import make_app

    app = make_app(
        bank,
        mode="weak" if getattr(args, "weak", False) else command,
        topics=getattr(args, "topic", None) or None,
        count=getattr(args, "count", None),
        seed=getattr(args, "seed", None),
        level=getattr(args, "level", None),
        data_dir=args.data_dir,
        resume_gc=resume_gc,
        exam=getattr(args, "exam", None),
    )
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    raise SystemExit(main())
