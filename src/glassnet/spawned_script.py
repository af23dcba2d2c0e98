"""The main module of a child process that a script run by ``glassnet run`` starts by spawning (multiprocessing's "spawn" and "forkserver" methods).

A spawned child is a new Python: it imports the parent's main script again, by path, to find
the functions it is asked to run, and without help its ``import torch`` would find the real
PyTorch (or nothing). While ``glassnet run`` runs a script, ``run.py`` tells multiprocessing
to start children from this module instead (``children_start_here``). Imported in the child,
it turns the torch alias on for the child's whole life, runs the script as ``__mp_main__``
(so its ``if __name__ == "__main__":`` part does not run again) and takes the script's names as
its own, which is where multiprocessing then looks them up.
"""

from __future__ import annotations

import contextlib
import os
import runpy
from collections.abc import Iterator

from .torch_alias import alias_for_good

#: The environment variable naming the script, set by ``glassnet run`` for its children.
SCRIPT_VARIABLE = "GLASSNET_RUN_SCRIPT"


@contextlib.contextmanager
def children_start_here(script: str) -> Iterator[None]:
    """While inside, children spawned by ``script`` start from this module (see above)."""
    import multiprocessing.spawn as spawn

    path = os.path.normpath(os.path.abspath(script))
    original = spawn.get_preparation_data

    def preparation_data(name: str) -> dict:
        data = original(name)
        if os.path.normpath(os.path.abspath(data.get("init_main_from_path", ""))) == path:
            del data["init_main_from_path"]
            data["init_main_from_name"] = __name__
        return data

    before = os.environ.get(SCRIPT_VARIABLE)
    os.environ[SCRIPT_VARIABLE] = path
    spawn.get_preparation_data = preparation_data
    try:
        yield
    finally:
        spawn.get_preparation_data = original
        if before is None:
            os.environ.pop(SCRIPT_VARIABLE, None)
        else:
            os.environ[SCRIPT_VARIABLE] = before


def _run_in_child() -> dict:
    alias_for_good()  # this process exists to run the script's work
    # (multiprocessing has already given this process the parent's sys.path, the script's
    # folder first, as glassnet run set it)
    return runpy.run_path(os.environ[SCRIPT_VARIABLE], run_name="__mp_main__")


if __name__ == "__mp_main__" and os.environ.get(SCRIPT_VARIABLE):
    globals().update(_run_in_child())
