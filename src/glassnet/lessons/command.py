"""`glassnet lesson`: list the lessons, run one in the terminal, hand out and check exercises.

glassnet lesson                      the lessons, one line each
glassnet lesson 3                    run lesson 3 step by step (pauses on a terminal)
glassnet lesson 3 --exercise 1       write the template of exercise 1 into this folder
glassnet lesson 3 --check FILE       check your solution: what is right, what is wrong
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from ..one_line_parser import OneLineParser
from .exercises import all_exercises, check_file, write_template
from .runner import lessons, run_lesson

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="glassnet lesson",
        description="The lessons: from arrays to a tiny transformer, each runnable and checked.",
    )
    parser.add_argument("number", nargs="?", type=int, help="the lesson to run (see the list)")
    parser.add_argument("--exercise", type=int, metavar="K", help="write exercise K's template")
    parser.add_argument("--check", metavar="FILE", help="check your solution file")
    parser.add_argument("--no-pause", action="store_true", help="run without pausing between steps")
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = _parser().parse_args(argv)
    try:
        available = lessons()
    except FileNotFoundError as error:
        print(f"glassnet lesson: {error}", file=sys.stderr)
        return 2
    if args.number is None:
        if args.exercise or args.check:
            print(
                "glassnet lesson: say which lesson, e.g. `glassnet lesson 3 --exercise 1`",
                file=sys.stderr,
            )
            return 2
        for lesson in available:
            count = len(all_exercises(lesson.number))
            print(f"{lesson.number:>2}. {lesson.title}  ({len(lesson.steps)} steps, {count} exercises)",
                  file=out)  # fmt: skip
        print("\nRun one with `glassnet lesson N`.", file=out)
        return 0
    by_number = {lesson.number: lesson for lesson in available}
    if args.number not in by_number:
        numbers = ", ".join(str(n) for n in sorted(by_number))
        print(f"glassnet lesson: there is no lesson {args.number}; the lessons are {numbers}",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        if args.exercise is not None:
            path = write_template(args.number, args.exercise)
            print(f"Wrote {path}. Fill in the parts marked ..., then run "
                  f"`glassnet lesson {args.number} --check {path}`.", file=out)  # fmt: skip
            return 0
        if args.check is not None:
            exercise, report = check_file(args.check, args.number)
            print(
                f"Lesson {exercise.lesson}, exercise {exercise.number}: {exercise.title}", file=out
            )
            print(report.text(), file=out)
            return 0 if report.passed else 1
    except (ValueError, FileExistsError) as error:
        print(f"glassnet lesson: {error}", file=sys.stderr)
        return 2
    lesson = by_number[args.number]
    print(f"Lesson {lesson.number}: {lesson.title}  ({lesson.path})", file=out)
    interactive = sys.stdin.isatty() and out.isatty() and not args.no_pause
    try:
        run_lesson(lesson, out=out, pause=interactive)
    except KeyboardInterrupt:
        print("\n(stopped)", file=out)
        return 130
    return 0
