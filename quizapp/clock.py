"""Provides utc: one datetime convention (aware UTC) for the store and the scheduler, importable without fsrs."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["utc"]


def utc(now: datetime) -> datetime:
    """``now`` as an aware UTC datetime (a naive value is taken to be UTC already), as FSRS requires."""
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)
