"""Shared fixtures of the solver tests: torch on one thread for the cross-checks that ask for it."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny tensors: thread hand-offs cost more than the arithmetic, more so on a busy machine."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
