"""Shared pytest setup.

Browser tests (``@pytest.mark.browser``) use the Debian chromium at /usr/bin/chromium through
pytest-playwright: ``playwright install`` cannot download its own browser on these machines.
They are skipped when that executable is missing (``.ci/run`` installs it with apt).
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

CHROMIUM = os.environ.get("DETENTE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(pytestconfig: pytest.Config) -> dict[str, Any]:
    """pytest-playwright hook: launch the system chromium instead of a downloaded build."""
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"chromium not found at {CHROMIUM}")
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(skip)
