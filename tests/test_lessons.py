"""The lessons run, print what they show, and their exercises tell right from wrong."""

import io
from pathlib import Path

import pytest

from glassnet.lessons import all_exercises, check_file, lessons, main, run_lesson, write_template
from glassnet.lessons.runner import StepFailed

SOLUTIONS = Path(__file__).parent / "lesson_solutions"
LESSONS = lessons()


def test_there_are_lessons_in_order():
    numbers = [lesson.number for lesson in LESSONS]
    assert numbers == sorted(numbers) and numbers[0] == 1
    assert all(lesson.steps for lesson in LESSONS)


@pytest.mark.parametrize(
    "lesson", LESSONS, ids=[f"lesson{lesson.number:02d}" for lesson in LESSONS]
)
def test_lesson_runs_and_prints_what_it_shows(lesson, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # plots and files the lesson writes land here
    monkeypatch.setenv("GLASSNET_LESSON_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    run_lesson(lesson, out=io.StringIO(), check=True)
    for name in lesson.pictures:
        assert (tmp_path / name).is_file() and (tmp_path / name).stat().st_size > 0, name


@pytest.mark.parametrize(
    "lesson", LESSONS, ids=[f"lesson{lesson.number:02d}" for lesson in LESSONS]
)
def test_lesson_ends_with_exercises_and_source_links(lesson):
    text = lesson.text
    assert "## Exercises" in text and "## Where this lives in glassnet" in text
    for path in lesson.source_links:
        assert (Path(__file__).resolve().parent.parent / path).exists(), path
    assert 2 <= len(all_exercises(lesson.number)) <= 4


def test_a_step_that_prints_something_else_fails(tmp_path):
    bad = tmp_path / "99-bad.md"
    bad.write_text("# Bad\n\n```python\nprint(1)\n```\n\n```text\n2\n```\n", encoding="utf-8")
    from glassnet.lessons import load_lesson

    with pytest.raises(StepFailed, match="printed something other than the lesson shows"):
        run_lesson(load_lesson(bad), out=io.StringIO(), check=True)


EXERCISES = all_exercises()


@pytest.mark.parametrize(
    "ex", EXERCISES, ids=[f"lesson{e.lesson:02d}-ex{e.number}" for e in EXERCISES]
)
def test_reference_solution_passes_and_typical_mistake_is_caught(ex):
    right = SOLUTIONS / f"lesson{ex.lesson:02d}_exercise{ex.number}.py"
    wrong = SOLUTIONS / f"lesson{ex.lesson:02d}_exercise{ex.number}_wrong.py"
    _, report = check_file(right)
    assert report.passed, report.text()
    _, report = check_file(wrong)
    assert not report.passed
    assert "WRONG:" in report.text() and "expected" in report.text()


@pytest.mark.parametrize(
    "ex", EXERCISES, ids=[f"lesson{e.lesson:02d}-ex{e.number}" for e in EXERCISES]
)
def test_a_fresh_template_is_not_yet_right(ex, tmp_path):
    path = write_template(ex.lesson, ex.number, tmp_path)
    _, report = check_file(path)
    assert not report.passed
    with pytest.raises(FileExistsError, match="already exists"):
        write_template(ex.lesson, ex.number, tmp_path)


@pytest.mark.parametrize(
    "ex", EXERCISES, ids=[f"lesson{e.lesson:02d}-ex{e.number}" for e in EXERCISES]
)
def test_a_file_without_the_asked_for_function_is_told_its_name(ex, tmp_path):
    assert f"def {ex.asks_for}(" in ex.template or f"class {ex.asks_for}(" in ex.template
    path = tmp_path / ex.file_name
    path.write_text(ex.template.splitlines()[0] + "\nanswer = 42\n", encoding="utf-8")
    _, report = check_file(path)
    assert report.lines == [(False, f"the file must define a function called {ex.asks_for}")]


def test_the_command_lists_runs_and_checks(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main([], out=(listing := io.StringIO())) == 0
    assert listing.getvalue().startswith(" 1. Numbers in arrays")
    assert main(["1", "--no-pause"], out=(ran := io.StringIO())) == 0
    assert ">>> print(a + b)" in ran.getvalue() and "[5 7 9]" in ran.getvalue()
    assert main(["1", "--exercise", "1"], out=io.StringIO()) == 0
    assert main(["1", "--check", "lesson01_exercise1.py"], out=(checked := io.StringIO())) == 1
    assert "WRONG" in checked.getvalue()
    assert main(["42"], out=io.StringIO()) == 2
    assert "there is no lesson 42" in capsys.readouterr().err
