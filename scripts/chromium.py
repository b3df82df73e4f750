"""Launch Debian's Chromium for Playwright; Playwright's own browser download is never used.

Shared by the browser tests and the screenshot script so that both run the same browser the
same way. CHROMIUM names another executable.
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Headless and quiet: no sandbox (containers run as root), no GPU, and nothing that phones home,
# so a run depends on nothing but this machine.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def missing_reason() -> str | None:
    """Say why Chromium cannot be launched, or None when it can."""
    if not CHROMIUM.is_file():
        return (
            f"Chromium is not installed at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
        )
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is not executable"
    return None


def launch(playwright):
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
    )
