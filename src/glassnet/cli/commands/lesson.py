"""`glassnet lesson [N] [--exercise K | --check FILE]`: the lessons (see glassnet.lessons)."""

from __future__ import annotations

import argparse

__all__ = ["cmd_lesson"]


def cmd_lesson(args: argparse.Namespace) -> int:
    from ...lessons import main

    return main(args.lesson_args)
