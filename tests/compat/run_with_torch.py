"""Runs the compat scripts with real PyTorch in one process (one torch import) and prints JSON.

Usage: python run_with_torch.py SCRIPT.py [ARGS...] [-- SCRIPT.py [ARGS...] ...]
Output: one JSON object {script path: {"final": the "final ..." line or null, "error": text}}.
"""

import contextlib
import io
import json
import runpy
import sys
import traceback


def final_line(text):
    lines = [line for line in text.splitlines() if line.startswith("final ")]
    return lines[-1] if lines else None


def main(argv):
    import torch  # noqa: F401 - imported once here, so every script below reuses it

    commands, current = [], []
    for word in argv:
        if word == "--":
            commands.append(current)
            current = []
        else:
            current.append(word)
    commands.append(current)
    results = {}
    for command in filter(None, commands):
        out = io.StringIO()
        sys.argv = list(command)
        error = None
        try:
            with contextlib.redirect_stdout(out):
                runpy.run_path(command[0], run_name="__main__")
        except SystemExit as e:
            error = None if e.code in (None, 0) else f"exit status {e.code}"
        except Exception:  # noqa: BLE001 - reported to the test, which fails with it
            error = traceback.format_exc()
        results[command[0]] = {"final": final_line(out.getvalue()), "error": error}
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:])
