"""Shared fixtures: progress and settings always go to a temporary folder, never the user's."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("QUIZAPP_DATA_DIR", str(tmp_path_factory.mktemp("quizapp-data")))


@pytest.fixture(scope="session")
def _session_cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("quizapp-cache")


@pytest.fixture(autouse=True)
def _isolated_cache_dir(_session_cache_dir, monkeypatch):
    """The bank cache goes to a temporary folder too, one for the session (as a user's persists between runs)."""
    monkeypatch.setenv("QUIZAPP_CACHE_DIR", str(_session_cache_dir))
