"""Shared fixtures: a seeded generator, a headless matplotlib, figures closed after each test."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def one_torch_thread():
    """One intra-op thread for the test: models this small run many times slower with two
    threads on a busy two-core machine (OpenMP's threads spin while they wait)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def data_mirror() -> Path | None:
    """The read-only data mirror (CI sets COURSE_DATA_MIRROR to ../shared/data)."""
    value = os.environ.get("COURSE_DATA_MIRROR")
    if value and Path(value).is_dir():
        return Path(value)
    return SHARED / "data" if (SHARED / "data").is_dir() else None


# Sample submissions and hostile notebooks are data for the grader, not test modules.
collect_ignore_glob = ["submissions/*", "hostile/*"]
