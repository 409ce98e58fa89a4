"""Register the ``slow`` marker; slow tests run only with ``-m slow`` or ``DETENTE_SLOW=1``."""

from __future__ import annotations

import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: long-running test; run with -m slow or DETENTE_SLOW=1"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("DETENTE_SLOW") or "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow or DETENTE_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
