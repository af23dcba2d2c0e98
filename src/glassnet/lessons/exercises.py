"""Exercises that check themselves: templates to fill in, and checks that say what is wrong.

Each exercise belongs to a lesson and has a template (a small Python file with the function
to write, its docstring, and ``...`` where the learner's code goes) and a check. The check runs
the learner's function on hidden cases and compares it with glassnet's own answer (a
numerical gradient, the built-in op), reporting each case as right or wrong with the input,
the expected value and the value given, never the solution itself.

The checks live in ``glassnet/lessons/checks/lessonNN.py``, one file per lesson, each
registering its exercises with the ``exercise`` decorator.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "Exercise",
    "Report",
    "all_exercises",
    "check_file",
    "exercise",
    "find",
    "write_template",
]

_HEADER = re.compile(r"#\s*glassnet lesson (\d+), exercise (\d+)")


@dataclass
class Report:
    """The verdict on a learner's answer: one line per case, right or wrong."""

    lines: list[tuple[bool, str]] = field(default_factory=list)

    def right(self, message: str) -> None:
        self.lines.append((True, message))

    def wrong(self, message: str) -> None:
        self.lines.append((False, message))

    @property
    def passed(self) -> bool:
        return bool(self.lines) and all(ok for ok, _ in self.lines)

    def compare(
        self, what: str, got: Any, expected: Any, rtol: float = 1e-5, atol: float = 1e-7
    ) -> bool:
        """Check one value against the expected one, recording a right or wrong line."""
        try:
            g = np.asarray(got.numpy() if hasattr(got, "numpy") else got, dtype=np.float64)
        except (TypeError, ValueError):
            self.wrong(f"{what}: expected a number or an array, got {type(got).__name__}")
            return False
        e = np.asarray(expected, dtype=np.float64)
        if g.shape != e.shape:
            self.wrong(f"{what}: expected shape {e.shape}, got shape {g.shape}")
            return False
        if np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True):
            self.right(f"{what} = {_short(g)}")
            return True
        self.wrong(f"{what}: expected {_short(e)}, got {_short(g)}")
        return False

    def text(self) -> str:
        marks = [("right: " if ok else "WRONG: ") + message for ok, message in self.lines]
        verdict = (
            "All cases are right. Well done!"
            if self.passed
            else f"{sum(not ok for ok, _ in self.lines)} of {len(self.lines)} cases are wrong."
        )
        return "\n".join([*marks, verdict])


def _short(a: np.ndarray) -> str:
    if a.ndim == 0:
        return f"{float(a):.6g}"
    flat = ", ".join(f"{v:.4g}" for v in a.reshape(-1)[:6])
    return f"[{flat}{', ...' if a.size > 6 else ''}] (shape {a.shape})"


@dataclass
class Exercise:
    lesson: int
    number: int
    title: str
    template: str
    asks_for: str  # the name of the function (or class) the learner writes
    check: Callable[[dict[str, Any], Report], None]

    @property
    def file_name(self) -> str:
        return f"lesson{self.lesson:02d}_exercise{self.number}.py"


_REGISTRY: dict[tuple[int, int], Exercise] = {}


def exercise(lesson: int, number: int, title: str, template: str, asks_for: str) -> Callable:
    """Register ``check(answer, report)`` as the check of an exercise.

    ``asks_for`` names the function (or class) the template asks the learner to write; the
    check is given the learner's one, and is not run when the file does not define it (the
    report then says so).
    """

    def register(check: Callable[[Any, Report], None]) -> Callable:
        def check_namespace(namespace: dict[str, Any], report: Report) -> None:
            answer = need(namespace, asks_for, report)
            if answer is not None:
                check(answer, report)

        header = f"# glassnet lesson {lesson}, exercise {number}: {title}\n"
        _REGISTRY[(lesson, number)] = Exercise(
            lesson, number, title, header + template, asks_for, check_namespace
        )
        return check

    return register


def _load_checks() -> None:
    from . import checks

    for info in pkgutil.iter_modules(checks.__path__):
        importlib.import_module(f"{checks.__name__}.{info.name}")


def all_exercises(lesson: int | None = None) -> list[Exercise]:
    _load_checks()
    found = [e for key, e in sorted(_REGISTRY.items()) if lesson is None or key[0] == lesson]
    return found


def find(lesson: int, number: int) -> Exercise:
    _load_checks()
    if (lesson, number) not in _REGISTRY:
        numbers = [e.number for e in all_exercises(lesson)]
        have = f"exercises {', '.join(map(str, numbers))}" if numbers else "no exercises"
        raise ValueError(f"lesson {lesson} has {have}; there is no exercise {number}")
    return _REGISTRY[(lesson, number)]


def write_template(lesson: int, number: int, folder: str | Path = ".") -> Path:
    """Write the exercise's template into ``folder``; never overwrites the learner's work."""
    ex = find(lesson, number)
    path = Path(folder) / ex.file_name
    if path.exists():
        raise FileExistsError(f"{path} already exists (your work?); delete or rename it first")
    path.write_text(ex.template, encoding="utf-8")
    return path


def check_file(path: str | Path, lesson: int | None = None) -> tuple[Exercise, Report]:
    """Run the learner's file and check it against its exercise (named in its first line)."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read {path}: {error}") from None
    header = _HEADER.search(source)
    if header is None:
        raise ValueError(
            f"{path} does not start with the line '# glassnet lesson N, exercise K' that the "
            "template has; write a fresh template with `glassnet lesson N --exercise K`"
        )
    found_lesson, number = int(header.group(1)), int(header.group(2))
    if lesson is not None and found_lesson != lesson:
        raise ValueError(f"{path} is an exercise of lesson {found_lesson}, not of lesson {lesson}")
    ex = find(found_lesson, number)
    report = Report()
    namespace: dict[str, Any] = {"__name__": "__exercise__"}
    try:
        exec(compile(source, str(path), "exec"), namespace)
    except Exception as error:  # the learner's own code: show where it failed
        frame = traceback.extract_tb(error.__traceback__)[-1]
        report.wrong(f"your file raised {type(error).__name__} at line {frame.lineno}: {error}")
        return ex, report
    try:
        ex.check(namespace, report)
    except Exception as error:  # raised inside the learner's function during a case
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == str(path)]
        where = f" at line {frames[-1].lineno}" if frames else ""
        report.wrong(f"your code raised {type(error).__name__}{where}: {error}")
    return ex, report


def need(namespace: dict[str, Any], name: str, report: Report) -> Any:
    """The learner's function ``name``, or None after reporting that it is missing."""
    value = namespace.get(name)
    if not callable(value):
        report.wrong(f"the file must define a function called {name}")
        return None
    return value
