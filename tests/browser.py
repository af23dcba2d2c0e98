"""Shared set-up for the browser tests: Debian's Chromium driven by Playwright, or a skip."""

import os
import shutil

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    for candidate in (
        os.environ.get("GLASSNET_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    pytest.skip("no Chromium installed (Debian: apt-get install chromium)")


def launch(playwright):
    """A headless Chromium from the system packages (playwright never downloads one here)."""
    return playwright.chromium.launch(
        executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True
    )


def not_blank(png_path) -> bool:
    """True when a screenshot shows something: its pixels are not all one colour."""
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(png_path).convert("L"), dtype=np.float64)
    return pixels.std() > 5.0
