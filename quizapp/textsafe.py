"""Provides text made safe for a terminal and for messages: control characters never reach the screen,
and a value quoted in a message is always short.

A deck, a file name or a settings file may hold terminal escape sequences (ESC ] 0 ; title BEL sets the
window title, ESC [ 2 J clears the screen). The loader removes control characters from deck text
(:func:`strip_controls`); whatever else is printed (paths, messages, a typed answer) goes through
:func:`printable`, which shows them as escapes (``\\x1b``) instead of sending them. :func:`short` is
``repr`` for messages: bounded in length, depth and cost whatever the value (a YAML structure, an
integer of a million digits).
"""

from __future__ import annotations

import re
import reprlib
from typing import Any

__all__ = ["CONTROL", "error", "printable", "short", "strip_controls"]

CONTROL = "[\x00-\x08\x0b-\x1f\x7f-\x9f]"
"""Control characters but tab and newline: C0, DEL and C1 (``\\x9b`` is a one-byte CSI on some terminals)."""

_CONTROL_RE: re.Pattern[str] | None = None


def _control_re() -> re.Pattern[str]:
    global _CONTROL_RE
    if _CONTROL_RE is None:
        _CONTROL_RE = re.compile(CONTROL)
    return _CONTROL_RE


def strip_controls(text: str) -> tuple[str, int, int]:
    """(``text`` without its control characters, how many were removed, the index of the first or -1)."""
    found = _control_re().search(text)
    if found is None:
        return text, 0, -1
    cleaned, count = _control_re().subn("", text)
    return cleaned, count, found.start()


def printable(text: str) -> str:
    """``text`` with each control character but tab and newline written as an escape (ESC as ``\\x1b``)."""
    if _control_re().search(text) is None:
        return text
    return _control_re().sub(lambda m: ascii(m.group(0))[1:-1], text)


def error(message: str) -> None:
    """``message`` on one line of stderr with its control characters escaped (it may quote a deck or a path)."""
    import sys

    print(printable(message), file=sys.stderr)


class _Short(reprlib.Repr):
    """reprlib with limits for messages; integers too long for ``repr`` are described, not written."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.maxstring = self.maxother = self.maxlong = limit
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = self.maxfrozenset = self.maxdeque = 6
        self.maxlevel = 3

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 256:  # repr of a huge int costs quadratic time (and fails past 4300 digits)
            return f"<a whole number of about {int(x.bit_length() * 0.30103) + 1} digits>"
        return super().repr_int(x, level)

    def repr_instance(self, x: Any, level: int) -> str:
        if isinstance(x, (bytes, bytearray)):
            return super().repr_instance(x[: self.maxother], level)
        return super().repr_instance(x, level)


_SHORT: dict[int, _Short] = {}


def short(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to about ``limit`` characters, at most 6 items and 3 levels deep, and cheap to make."""
    quoter = _SHORT.get(limit)
    if quoter is None:
        quoter = _SHORT[limit] = _Short(limit)
    return quoter.repr(value)
