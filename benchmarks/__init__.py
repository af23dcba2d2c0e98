"""glassnet's benchmark suite against PyTorch: run it with ``python -m benchmarks.run``.

Importing this package puts the checkout's ``src/`` first on ``sys.path`` (when it exists), so
the suite always measures the glassnet of this working tree, installed or not. It then imports
glassnet before anything imports NumPy, as a user's ``import glassnet`` or the ``glassnet``
command does, so that glassnet's settings of the native libraries (``glassnet/native_settings.py``) apply.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SRC_DIR = REPO_ROOT / "src"

if (SRC_DIR / "glassnet").is_dir() and str(SRC_DIR) not in sys.path:
    sys.path.insert(0, str(SRC_DIR))

import glassnet  # noqa: E402, F401 - before NumPy: see the docstring
