"""`glassnet lesson [N] [--exercise K | --check FILE]`: the lessons (see glassnet.lessons)."""

from __future__ import annotations

import argparse

__all__ = ["cmd_lesson"]


def cmd_lesson(args: argparse.Namespace) -> int:
    from ...lessons import main

    try:
        return main(args.lesson_args)
    except SystemExit as e:  # --help, or a malformed command line (already said in one line)
        return int(e.code or 0) if not isinstance(e.code, str) else 2
