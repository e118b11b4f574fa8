"""The command line under hostile conditions: a reader that goes away, a full disk, out-of-range counts,
a topic that matches nothing, a data folder that cannot be made. Each ends in one short message and a
non-zero exit, never a traceback, and each command behaves as the others do."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from quizapp.content.check import check_bank
from quizapp.content.loader import load_bank

SMALL = Path(__file__).parent / "data" / "small.md"


def quizapp(*args: str, stdin: str = "", stdout=subprocess.PIPE, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QUIZAPP_DATA_DIR": str(tmp / "data"), "QUIZAPP_CACHE_DIR": str(tmp / "cache")}
    env.pop("QUIZAPP_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "quizapp.cli", *args], input=stdin, stdout=stdout, stderr=subprocess.PIPE, text=True, env=env, timeout=120
    )


class _GoneReader(io.RawIOBase):
    """Standard output whose reader went away (`| head -1`): every write fails with EPIPE."""

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["export", "--format", "json", "--count", "5"], ""),
        (["topics"], ""),
        (["drill", "--plain", "--topic", "conv", "--count", "30", "--seed", "1"], "1\n" * 30),
    ],
    ids=["export", "topics", "plain-drill"],
)
def test_a_reader_that_goes_away_ends_the_command_quietly(monkeypatch, capsys, args, stdin):
    # In process: this sandbox's pipes do not report a closed reader, so the failure is made here.
    from quizapp.cli import main

    monkeypatch.delenv("QUIZAPP_DEBUG", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BufferedWriter(_GoneReader()), encoding="utf-8"))
    assert main(args) == 141  # what a shell reports for a program ended by SIGPIPE
    assert capsys.readouterr().err == ""  # quiet: no traceback, no message


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    ("args", "said", "status"),
    [
        (["export", "--format", "csv"], "quizapp export: cannot write to standard output", 2),
        (["topics"], "quizapp: cannot write the output", 1),
    ],
)
def test_a_full_disk_is_one_line(tmp_path, args, said, status):
    with open("/dev/full", "w") as full:
        done = quizapp(*args, stdout=full, tmp=tmp_path)
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [f"{said}: No space left on device"]
    assert done.returncode == status


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["quiz", "--plain", "--count", "0"], "expected a whole number from 1 to 1,000, got 0"),
        (["quiz", "--plain", "--count", "1001"], "expected a whole number from 1 to 1,000, got 1,001"),
        (["export", "--count", "10001"], "expected a whole number from 0 to 10,000, got 10,001"),
        (["drill", "--plain", "--count", "9" * 5000], "expected a whole number from 1 to 100,000, got '99999999999999999999'…"),
        (["drill", "--plain", "--seed", "1" + "0" * 30], "expected a whole number from"),
        (["check", "--instances", "0"], "expected a whole number from 1 to 10,000, got 0"),
        (["check", "--time-limit", "-1"], "expected seconds from 0 to 1000000"),
    ],
)
def test_counts_seeds_and_limits_out_of_range_are_refused_with_their_range(tmp_path, args, said):
    done = quizapp(*args, tmp=tmp_path)
    assert done.returncode == 2
    assert said in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr) < 2000  # a long argument is quoted short


@pytest.mark.parametrize("command", ["quiz", "drill", "review", "export"])
def test_a_topic_that_matches_nothing_stops_every_command_alike(tmp_path, command):
    out = tmp_path / "out.json"
    extra = ["-o", str(out)] if command == "export" else ["--plain"]
    done = quizapp(command, "--topic", "no such topic", *extra, "--no-bundled", "--content", str(SMALL), tmp=tmp_path)
    assert done.returncode == 1
    assert "no cards or drills match topic 'no such topic'; topics: Convolutions, Attention, Linear layers" in done.stderr
    assert not out.exists()


@pytest.mark.parametrize("command", ["quiz", "drill", "review"])
def test_a_data_folder_that_cannot_be_made_is_one_line_in_plain_mode(tmp_path, command):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = quizapp(command, "--plain", "--data-dir", str(blocker / "data"), "--no-bundled", "--content", str(SMALL), stdin="q\n", tmp=tmp_path)
    assert "Traceback" not in done.stderr
    assert f"cannot use the data folder {blocker / 'data'}" in done.stderr
    assert "a file stands where a folder is needed" in done.stderr
    assert blocker.read_text() == "not a folder"


def test_check_stops_a_deck_at_its_time_limit_and_says_how_far_it_got():
    bank = load_bank([SMALL], bundled=False)
    ticks = iter(range(10**6))
    problems, generated, _ = check_bank(bank, instances=50, seconds_per_deck=3, clock=lambda: float(next(ticks)))
    stopped = [p for p in problems if "check stopped after 3 s" in p.message]
    assert stopped and all(p.severity == "warning" for p in stopped)
    assert 0 < generated < 50 * 3 * sum(len(d.templates) for d in bank.decks)
    _, everything, _ = check_bank(bank, instances=5, seconds_per_deck=None)
    assert everything == 5 * 3 * sum(len(d.templates) for d in bank.decks)
