"""The lesson runner: read a lesson's Markdown, run its code step by step, compare what it prints.

A lesson is a Markdown file in docs/lessons/ (``01-numbers-in-arrays.md``, ...). Its
```python blocks are the steps, run in order in one namespace (as the cells of a notebook);
a ```text block right after a step is what that step prints. In shown output "..." stands for
any text within a line, and a line that is only "..." for any number of lines (numbers that
depend on the machine or on the reduced size CI runs at).

The same files open as notebooks with jupytext (``jupytext --to notebook LESSON.md``), since a
Markdown file with fenced python blocks is one of its formats.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

__all__ = [
    "Lesson",
    "Step",
    "lesson_folder",
    "lessons",
    "load_lesson",
    "output_matches",
    "quick",
    "run_lesson",
]

_STEP = re.compile(r"```python\n(.*?)```(?:[ \t]*\n+```text\n(.*?)```)?", re.S)
_TITLE = re.compile(r"^#\s+(.*)$", re.M)


def quick() -> bool:
    """True when lessons should run at their reduced size (CI sets GLASSNET_LESSON_QUICK=1)."""
    return os.environ.get("GLASSNET_LESSON_QUICK", "") not in ("", "0")


@dataclass
class Step:
    """One code block of a lesson and the output the lesson shows for it (None if none)."""

    number: int
    code: str
    shown: str | None
    line: int  # where the block starts in the file (1-based), for error messages


@dataclass
class Lesson:
    number: int
    title: str
    path: Path
    steps: list[Step] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def pictures(self) -> list[str]:
        """Image files the lesson's code writes (checked to exist after a run)."""
        names = re.findall(
            r"[\"']([\w./-]+\.(?:png|gif|svg))[\"']", "".join(s.code for s in self.steps)
        )
        return sorted(set(names))

    @property
    def source_links(self) -> list[str]:
        """The glassnet source files the lesson points to (``src/glassnet/...``)."""
        return sorted(set(re.findall(r"`(src/glassnet/[\w/.]+)`", self.text)))


def lesson_folder() -> Path:
    """Where the lessons are: $GLASSNET_LESSONS, else docs/lessons of this source tree."""
    override = os.environ.get("GLASSNET_LESSONS")
    if override:
        return Path(override)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "docs" / "lessons"
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "the lessons were not found: they live in docs/lessons/ of the glassnet source tree "
        "(install with `pip install -e .` from a checkout, or set GLASSNET_LESSONS to the folder)"
    )


def _number(path: Path) -> int | None:
    match = re.match(r"(\d+)-", path.name)
    return int(match.group(1)) if match else None


def load_lesson(path: Path) -> Lesson:
    text = path.read_text(encoding="utf-8")
    title = _TITLE.search(text)
    lesson = Lesson(_number(path) or 0, title.group(1).strip() if title else path.stem, path)
    for k, match in enumerate(_STEP.finditer(text), 1):
        line = text.count("\n", 0, match.start()) + 1
        lesson.steps.append(Step(k, match.group(1), match.group(2), line))
    return lesson


def lessons() -> list[Lesson]:
    """Every lesson, in order."""
    found = [load_lesson(p) for p in sorted(lesson_folder().glob("[0-9]*-*.md"))]
    return sorted(found, key=lambda lesson: lesson.number)


def output_matches(expected: str, printed: str) -> bool:
    """Does ``printed`` match the shown output, "..." being a wildcard (see the docstring)?"""
    pattern = []
    for line in expected.rstrip("\n").splitlines():
        if line.strip() == "...":
            pattern.append(r"(?:.*\n)*?")
        else:
            parts = [re.escape(part) for part in line.rstrip().split("...")]
            pattern.append(".*?".join(parts) + r"[ \t]*\n")
    text = "\n".join(line.rstrip() for line in printed.rstrip("\n").splitlines()) + "\n"
    if not expected.strip():
        return not printed.strip()
    return re.fullmatch("".join(pattern), text) is not None


_CONTINUED = ("else", "elif ", "except", "finally", ")", "]", "}")


def _prompt(line: str) -> str:
    """The interpreter's prompt for a line: ``>>> `` starts a statement, ``... `` goes on."""
    if not line.strip():
        return "..."
    return "... " if line[0].isspace() or line.startswith(_CONTINUED) else ">>> "


class StepFailed(Exception):
    """A lesson step raised, or printed something other than what the lesson shows."""


def run_lesson(
    lesson: Lesson,
    out: TextIO | None = None,
    show_code: bool = True,
    pause: bool = False,
    check: bool = False,
) -> dict[str, Any]:
    """Run every step of ``lesson`` in one namespace, printing code and output to ``out``.

    Args:
        show_code: print each step's code before its output (the terminal view).
        pause: wait for Enter between steps (only sensible on an interactive terminal).
        check: raise StepFailed when a step's output differs from the lesson's.

    Returns:
        The namespace the steps ran in (what a notebook would hold afterwards).
    """
    out = out or sys.stdout
    namespace: dict[str, Any] = {"__name__": "__lesson__"}
    for step in lesson.steps:
        if show_code:
            print(f"--- step {step.number} of {len(lesson.steps)} " + "-" * 40, file=out)
            for line in step.code.rstrip("\n").splitlines():
                print(_prompt(line) + line, file=out)
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(step.code, f"{lesson.path}:{step.line}", "exec"), namespace)
        except Exception as error:  # a lesson's own code raised: show it as Python would
            out.write(printed.getvalue())
            if check:
                raise StepFailed(
                    f"{lesson.path.name}, step {step.number} (line {step.line}) raised "
                    f"{type(error).__name__}: {error}"
                ) from error
            traceback.print_exception(type(error), error, error.__traceback__, file=out)
            break
        out.write(printed.getvalue())
        if check and step.shown is not None and not output_matches(step.shown, printed.getvalue()):
            raise StepFailed(
                f"{lesson.path.name}, step {step.number} (line {step.line}) printed something "
                f"other than the lesson shows.\nThe lesson shows:\n{step.shown}\n"
                f"It printed:\n{printed.getvalue()}"
            )
        if pause and step is not lesson.steps[-1]:
            try:
                input("(Enter for the next step, Ctrl-C to stop) ")
            except EOFError:
                pause = False
    return namespace
