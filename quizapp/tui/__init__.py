"""Provides the Textual app: `quizapp.tui.app.make_app` builds it; screens and widgets live in subpackages."""

__all__ = ["app", "keys", "screens", "widgets"]
