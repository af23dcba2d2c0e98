"""The subcommands of `glassnet`, one file each, by the name they are called with."""

from .datasets import cmd_datasets
from .evaluate import cmd_evaluate
from .predict import cmd_predict
from .run import cmd_run
from .train import cmd_train

COMMANDS = {
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "predict": cmd_predict,
    "datasets": cmd_datasets,
    "run": cmd_run,
}
