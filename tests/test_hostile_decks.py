"""Every hostile deck (tests/hostile_decks.py) through check, topics and a plain drill and quiz, each in a
child process under a memory limit: a clear message, no traceback, and time and memory within bounds.

The time bound is a generous ceiling (a loaded CI machine is slow), not a speed measure: `make bench`
(benchmarks/run.py hostile) prints each case's time and peak memory, and how loading grows with a deck.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hostile_decks import CASES, Case

MEMORY_CEILING = 1024 * 2**20
"""Address space a child may take: past it, allocation fails (MemoryError) instead of the machine swapping."""
PEAK_BOUND_MB = 200
"""Peak resident memory the issue allows any deck (a plain start is about 30 MB)."""
SECONDS_CEILING = 60.0
"""Wall-clock ceiling for one command; the issue's bound is 10 s on an idle machine."""

# The child runs quizapp's own entry point and writes its peak resident memory (kB) on exit.
_CHILD = textwrap.dedent(
    """
    import atexit, os, resource, sys

    def _peak():
        # VmHWM is this program's own peak; ru_maxrss would also count the forked test process before exec.
        try:
            with open("/proc/self/status") as status:
                kb = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
        except (OSError, StopIteration):
            kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with open(os.environ["QUIZAPP_TEST_PEAK"], "w") as out:
            out.write(str(kb))

    atexit.register(_peak)
    from quizapp.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CEILING, MEMORY_CEILING))


def run_quizapp(args: list[str], tmp: Path, answers: str = "") -> tuple[int, str, float, float]:
    """(exit status, stdout + stderr, seconds, peak MB) of ``quizapp ARGS`` in a child under the memory limit."""
    peak_file = tmp / "peak"
    env = {
        **os.environ,
        "QUIZAPP_DATA_DIR": str(tmp / "data"),
        "QUIZAPP_CACHE_DIR": str(tmp / "cache"),
        "QUIZAPP_TEST_PEAK": str(peak_file),
    }
    env.pop("QUIZAPP_DEBUG", None)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        input=answers,
        capture_output=True,
        text=True,
        env=env,
        timeout=SECONDS_CEILING * 2,
        preexec_fn=_limit,
    )
    seconds = time.perf_counter() - start
    peak_mb = int(peak_file.read_text()) / 1024 if peak_file.exists() else float("nan")
    return proc.returncode, proc.stdout + proc.stderr, seconds, peak_mb


def _commands(case: Case, path: Path) -> list[tuple[list[str], str]]:
    deck = ["--no-bundled", "--content", str(path)]
    commands = [(["check", str(path)], ""), (["topics", *deck], "")]
    if case.practise:
        commands += [
            (["drill", "--plain", *deck, "--count", "2", "--seed", "1"], "1\n2\n"),
            (["quiz", "--plain", *deck, "--count", "3", "--seed", "1"], "\n3\n1\n\n3\n1\n"),
        ]
    return commands


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_deck_is_refused_or_practised_within_bounds(case: Case, tmp_path: Path) -> None:
    path = tmp_path / f"{case.name}{case.suffix}"
    path.write_bytes(case.build())
    for args, answers in _commands(case, path):
        status, output, seconds, peak_mb = run_quizapp(args, tmp_path, answers)
        what = f"{case.name}: quizapp {args[0]}"
        assert "Traceback" not in output, f"{what} printed a traceback:\n{output[-2000:]}"
        assert status in (0, 1), f"{what} exited {status}:\n{output[-2000:]}"
        assert seconds < SECONDS_CEILING, f"{what} took {seconds:.1f} s"
        assert peak_mb < PEAK_BOUND_MB, f"{what} peaked at {peak_mb:.0f} MB"
        if case.says and (case.on_load or args[0] != "topics"):
            # check prints every problem; the other commands name the first ten on stderr.
            assert case.says.lower() in output.lower(), f"{what} did not say {case.says!r}:\n{output[-2000:]}"
            assert str(path) in output, f"{what} did not name the file:\n{output[-2000:]}"
        # Whatever the deck holds, no control character reaches the terminal (newline and tab aside).
        assert not any(ch in output for ch in "\x1b\x07\x9b\x08\x00"), f"{what} printed a control character"


def test_the_memory_limit_is_real(tmp_path: Path) -> None:
    """The limit the cases run under does stop a child that allocates past it (else the bound proves nothing)."""
    proc = subprocess.run(
        [sys.executable, "-c", "b = bytearray(2 * 1024**3)"], capture_output=True, text=True, preexec_fn=_limit, timeout=60
    )
    assert proc.returncode != 0 and "MemoryError" in proc.stderr
