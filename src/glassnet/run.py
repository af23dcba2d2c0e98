"""Run an unmodified PyTorch script on glassnet: ``glassnet run script.py`` / ``python -m glassnet.run script.py``.

The script runs as Python would run it (``__name__ == "__main__"``, ``sys.argv`` is the
script's, its folder first on ``sys.path``, its exit status is the command's), with one
difference: ``import torch`` gives glassnet (see torch_alias.py; nothing is re-implemented).

What the user sees when something goes wrong:

* a PyTorch name glassnet lacks (``torch.fft``, ``torch.Tensor.topk``, ``from torch import
  xyz``, a keyword argument): one line, "glassnet does not implement torch.xyz yet", exit
  status 1;
* a device glassnet does not have (``x.to("cuda")``): one line naming it, exit status 1;
* a mistake glassnet refused (a ``raise`` in glassnet's own code, a file that cannot be
  opened, a layer called with arguments its ``forward`` does not take): one line, the
  script's line that called glassnet and the error, ``train.py:12: ShapeError: Linear:
  expected input of shape (*, 10), got (4, 8)``, exit status 1 (``GLASSNET_DEBUG=1`` keeps
  the whole traceback);
* any other error: Python's usual traceback, starting at the script's own code (the
  runner's frames are left out), exit status 1.

Child processes the script starts by spawning get the alias too (spawned_script.py).
"""

from __future__ import annotations

import os
import re
import runpy
import sys
import sysconfig
import traceback
import types
from typing import Any

from .device import DeviceError
from .spawned_script import children_start_here
from .torch_alias import MissingTorchName, aliased_torch, torch_name

__all__ = ["main", "missing_name_message", "refused_input_message"]

USAGE = "usage: python -m glassnet.run SCRIPT.py [ARGS...]  (runs a PyTorch script on glassnet)"

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
# Frames of these files sit between the command and the script's first line.
_RUNNER_FILES = {os.path.abspath(__file__), os.path.join(_PACKAGE_DIR, "torch_alias.py")}
_CANNOT_IMPORT = re.compile(r"cannot import name '([^']+)' from '(glassnet[\w.]*)'")
_UNEXPECTED_KEYWORD = re.compile(r"([\w.]+)\(\) got an unexpected keyword argument '(\w+)'")
# Python's own words for a call whose arguments do not fit the function's signature.
_BAD_CALL = re.compile(
    r"got an unexpected keyword argument|missing \d+ required|takes \d+ positional argument"
    r"|takes from \d+ to \d+ positional|got multiple values for argument"
)
_LIBRARY_DIRS = tuple(
    {os.path.abspath(sysconfig.get_paths()[k]) + os.sep for k in ("stdlib", "platstdlib")}
)
# glassnet frames that only hand the caller's arguments on to a forward.
_PASSES_ON = {"__call__", "call_with_hooks"}


def main(argv: list[str] | None = None) -> int:
    """Run ``argv[0]`` (a Python file) with ``argv[1:]`` as its arguments; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    script = argv[0]
    if not os.path.isfile(script):
        problem = (
            f"expected a Python script file, got a directory: {script}"
            if os.path.isdir(script)
            else f"no such file: {script}"
        )
        print(f"glassnet run: {problem}", file=sys.stderr)
        return 2
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [script, *argv[1:]]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    try:
        with aliased_torch(), children_start_here(script):
            runpy.run_path(script, run_name="__main__")
        return 0
    except SystemExit as e:
        return _exit_status(e.code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - everything the script raises is reported here
        message = missing_name_message(e)
        if message is None and isinstance(e, DeviceError):
            message = str(e)
        if message is None and not os.environ.get("GLASSNET_DEBUG"):
            message = refused_input_message(e)
        if message is not None:
            print(message, file=sys.stderr)
        else:
            _print_script_traceback(e)
        return 1
    finally:
        sys.stdout.flush()
        sys.argv, sys.path[:] = saved_argv, saved_path


def _exit_status(code: Any) -> int:
    """What ``sys.exit(code)`` means as a process status (None: 0; a message: printed, 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def missing_name_message(error: BaseException) -> str | None:
    """ "glassnet does not implement torch.xyz yet" when ``error`` is glassnet lacking a name, else None.

    Recognised: a missing submodule (MissingTorchName), ``from torch.x import name`` of a name
    glassnet.x lacks, an attribute missing on a glassnet module, on a Tensor or on an object
    of a glassnet class, and a keyword argument a glassnet function does not take
    ("the pin_memory= argument of torch.zeros"), when the script itself asked for it (the
    innermost frame is the script's, not glassnet's, so a bug inside glassnet still shows its
    traceback).
    """
    if isinstance(error, MissingTorchName):
        return str(error)
    if isinstance(error, ImportError) and not isinstance(error, ModuleNotFoundError):
        found = _CANNOT_IMPORT.search(str(error))
        if found:
            return f"glassnet does not implement {torch_name(found[2])}.{found[1]} yet"
        return None
    if isinstance(error, AttributeError) and error.name and _asked_by_script(error):
        owner = _torch_path_of(error.obj)
        if owner is not None:
            return f"glassnet does not implement {owner}.{error.name} yet"
    if isinstance(error, TypeError) and _asked_by_script(error):
        found = _UNEXPECTED_KEYWORD.fullmatch(str(error))
        callee = _glassnet_callable(found[1], error) if found else None
        if callee is not None:
            return f"glassnet does not implement the {found[2]}= argument of {callee} yet"
    return None


def refused_input_message(error: BaseException) -> str | None:
    """``script.py:LINE: ErrorType: message`` when glassnet refused what the script gave it, else None.

    Refused means the innermost frame is glassnet's and is a ``raise`` statement (a check of
    the input, whose message already names what was expected and what was given), an OSError
    (a path that cannot be read or written), or Python's TypeError for arguments that do not
    fit a ``forward`` that ``Module.__call__`` handed them to. LINE is the innermost line
    outside glassnet and Python's library: where the script called in. Anything else glassnet raised (a NumPy
    error deep inside, an AttributeError on a None) may be a bug and keeps its traceback, as
    does an error raised by the script's own code.
    """
    frames = traceback.extract_tb(error.__traceback__)
    if not frames or not _in_glassnet(frames[-1].filename):
        return None
    innermost = frames[-1]
    on_purpose = (innermost.line or "").lstrip().startswith("raise")
    bad_call = (
        isinstance(error, TypeError)
        and innermost.name in _PASSES_ON
        and _BAD_CALL.search(str(error)) is not None
    )
    if not (on_purpose or bad_call or isinstance(error, OSError)):
        return None
    for frame in reversed(frames):
        if not _in_library(frame.filename) and not _is_runner_frame(frame.filename):
            return f"{frame.filename}:{frame.lineno}: {type(error).__name__}: {error}"
    return None


def _in_glassnet(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_PACKAGE_DIR + os.sep)


def _in_library(filename: str) -> bool:
    """glassnet's or Python's own code (``contextlib`` between two glassnet frames), not the script's."""
    path = os.path.abspath(filename)
    return _in_glassnet(path) or path.startswith(_LIBRARY_DIRS)


def _glassnet_callable(qualname: str, error: BaseException) -> str | None:
    """PyTorch's name for the glassnet function, class or method ``qualname`` the script called.

    The script's own functions of the same name win (``def fit(...)`` is the user's, not
    glassnet's), so a mistake in calling them keeps its traceback.
    """
    parts = qualname.split(".")
    if parts[-1] == "__init__":
        parts.pop()
    *_, (innermost, _line) = traceback.walk_tb(error.__traceback__)
    scope = {**innermost.f_globals, **innermost.f_locals}
    if parts[0] in scope:
        candidates = [scope[parts[0]]]
    else:
        # glassnet itself first, then shallower modules: torch.save is glassnet.save, not
        # the save of a submodule (torch.jit.save) that happens to be loaded earlier
        names = sorted((n for n in list(sys.modules) if n.split(".")[0] == "glassnet"),
                       key=lambda n: n.count("."))  # fmt: skip
        glassnet_modules = [sys.modules[n] for n in names]
        candidates = [getattr(m, parts[0], None) for m in glassnet_modules]
    for head in candidates:
        base = _torch_path_of(head) if callable(head) else None
        if base is None:
            continue
        obj = head
        for part in parts[1:]:
            obj = getattr(obj, part, None)
        if obj is not None:
            return ".".join([base, *parts[1:]])
    return None


def _torch_path_of(obj: Any) -> str | None:
    """PyTorch's dotted name for a glassnet module, class, function, or object of a glassnet class."""
    if isinstance(obj, types.ModuleType):
        name = obj.__name__
        return torch_name(name) if name.split(".")[0] == "glassnet" else None
    named = isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType))
    target = obj if named else type(obj)
    home = getattr(target, "__module__", "") or ""
    if home.split(".")[0] != "glassnet":
        return None
    # The shortest public path: glassnet.nn.linear.Linear is exported as glassnet.nn.Linear.
    parts = home.split(".")
    for cut in range(1, len(parts) + 1):
        package = sys.modules.get(".".join(parts[:cut]))
        if getattr(package, target.__name__, None) is target:
            return f"{torch_name(package.__name__)}.{target.__name__}"
    return f"{torch_name(home)}.{target.__name__}"


def _asked_by_script(error: BaseException) -> bool:
    """True when the innermost frame (``__getattr__`` hooks and wrappers that only pass their
    arguments on aside) is outside glassnet."""
    frames = traceback.extract_tb(error.__traceback__)
    while frames and frames[-1].name in ("__getattr__", "__getattribute__", "passes_arguments_on"):
        frames.pop()
    return bool(frames) and not os.path.abspath(frames[-1].filename).startswith(_PACKAGE_DIR)


def _print_script_traceback(error: BaseException) -> None:
    """Python's traceback of ``error`` without the runner's and runpy's frames at the top."""
    tb = error.__traceback__
    while tb is not None and _is_runner_frame(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    traceback.print_exception(type(error), error, tb, file=sys.stderr)


def _is_runner_frame(filename: str) -> bool:
    path = os.path.abspath(filename)
    return path in _RUNNER_FILES or path == os.path.abspath(runpy.__file__) or "<frozen" in filename


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
