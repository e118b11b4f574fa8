"""Provides sha256, the same digest as hashlib.sha256, without loading OpenSSL.

The seeds of generated questions and the bank cache's keys are SHA-256 digests, all needed before
the first question is on screen. hashlib loads OpenSSL's libcrypto when it is imported (about a
millisecond of the start-up); CPython also builds its own SHA-256, which hashlib falls back to
itself, and that one is already in the interpreter.
"""

from __future__ import annotations

__all__ = ["sha256"]

try:
    from _sha2 import sha256  # CPython 3.12 and later
except ImportError:
    try:
        from _sha256 import sha256  # CPython 3.11
    except ImportError:  # another Python, or a CPython built without it
        from hashlib import sha256
