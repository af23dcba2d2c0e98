"""The `glassnet` command: train a network, evaluate or use a saved run, list the datasets.

    glassnet train                      # an MLP on the bundled 8x8 digits: >= 97% in seconds
    glassnet train --data spiral --hidden 64,64 --epochs 200
    glassnet train --data mnist --download --model cnn
    glassnet train --data my.csv --target label
    glassnet evaluate runs/<run>        # test accuracy and confusion matrix of a saved run
    glassnet predict runs/<run> new.csv # one predicted class per row
    glassnet datasets                   # what --data accepts
    glassnet run script.py ARGS...      # a PyTorch script, run on glassnet
    glassnet --version

A run folder (``runs/<time>-<data>-<model>/`` by default) holds everything needed to use the
model again: ``model.npz`` (the weights: ``glassnet.save(model.state_dict())``),
``config.json`` (the data, the model's description, the input standardization and the
training settings), ``history.csv`` (one row per epoch, written as training goes),
``metrics.json`` (the test results) and, when matplotlib is installed, ``loss.png`` and
``accuracy.png``.

Bad input (an unknown dataset, a missing column, a folder that is not a run, ...) gets one
clear line on stderr and exit status 1 (2 for a malformed command line), never a traceback.
A run folder is written whole or not at all (see runs.py); Ctrl-C saves the part trained so far
and exits with status 130.

The package, one concern per file: parser.py (the options), tasks.py (the data), runs.py
(writing a run folder), run_reader.py (reading it back), memory.py (will the model fit?),
reports.py and plots.py (what is printed and drawn), commands/ (one file per subcommand),
errors.py (one line per error) and app.py (main).
"""

from .app import main
from .errors import CLIError
from .parser import build_parser
from .reports import format_confusion
from .run_reader import read_run
from .tasks import Task, load_task

__all__ = ["main", "build_parser", "CLIError", "read_run", "load_task", "Task", "format_confusion"]
