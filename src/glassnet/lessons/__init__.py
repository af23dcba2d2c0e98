"""glassnet.lessons: the lesson runner and the self-checking exercises (re-exports only).

The lesson texts live in docs/lessons/; ``glassnet lesson`` is the command.
"""

from .command import main
from .exercises import Exercise, Report, all_exercises, check_file, exercise, write_template
from .runner import (
    Lesson,
    Step,
    lesson_folder,
    lessons,
    load_lesson,
    output_matches,
    quick,
    run_lesson,
)
