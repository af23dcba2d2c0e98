"""A malformed `glassnet` command line is one line naming what was wrong, with a pointer to --help."""

from __future__ import annotations

import pytest

from glassnet.cli.app import main


@pytest.mark.parametrize(
    ("argv", "start", "words"),
    [
        (["lesson", "nosuch"], "glassnet lesson: error:", "invalid int value: 'nosuch'"),
        (["lesson", "--exercise", "x", "3"], "glassnet lesson: error:", "--exercise"),
        (["train", "--epochs", "x"], "glassnet train: error:", "expected a positive integer"),
        (["nosuchcommand"], "glassnet: error:", "invalid choice"),
    ],
)
def test_a_bad_command_line_is_one_line(argv, start, words, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(start) and words in lines[0] and "--help)" in lines[0]
    assert captured.out == ""


def test_lesson_options_may_come_before_the_number(capsys):
    assert main(["lesson", "--no-pause", "99"]) == 2  # parsed by lesson: no lesson 99
    assert "there is no lesson 99" in capsys.readouterr().err
