"""The subcommands of `glassnet`, one file each, by the name they are called with."""

from .datasets import cmd_datasets
from .evaluate import cmd_evaluate
from .explain import cmd_explain
from .lesson import cmd_lesson
from .predict import cmd_predict
from .report import cmd_report
from .run import cmd_run
from .train import cmd_train
from .view import cmd_view

COMMANDS = {
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "predict": cmd_predict,
    "datasets": cmd_datasets,
    "run": cmd_run,
    "explain": cmd_explain,
    "report": cmd_report,
    "view": cmd_view,
    "lesson": cmd_lesson,
}
