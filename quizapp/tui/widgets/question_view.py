"""Provides QuestionView: the text of the question being asked, with its topic and kind above it."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

__all__ = ["QuestionView"]


class QuestionView(Static):
    """Shows one question; text is never read as markup (cards hold brackets such as [[1, 2], [3, 4]])."""

    def show(self, text: str, *, topic: str = "", kind: str = "", extra: str = "") -> None:
        parts: list[str | tuple[str, str]] = []
        if topic or kind:
            parts.append((" · ".join(p for p in (topic, kind, extra) if p), "$text-muted"))
            parts.append("\n")
        parts.append((text, "bold"))
        self.update(Content.assemble(*parts))
