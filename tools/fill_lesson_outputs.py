"""Write each step's real output under it in a lesson's Markdown (a tool for lesson authors).

    python tools/fill_lesson_outputs.py docs/lessons/03-derivatives.md

Runs the lesson's python blocks in order (in a scratch folder) and puts what each prints in a
```text block right after it, replacing the block that was there. A step that prints nothing
gets no block. Lines containing "..." in an existing block are kept as they are (they are the
author's wildcards for numbers that vary), so run it once, then edit by hand.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import tempfile
from pathlib import Path

BLOCK = re.compile(r"(```python\n.*?```)([ \t]*\n+```text\n.*?```)?", re.S)


def main(path: str) -> None:
    source = Path(path).resolve()
    text = source.read_text(encoding="utf-8")
    namespace: dict = {"__name__": "__lesson__"}
    pieces = []
    last = 0
    with tempfile.TemporaryDirectory() as scratch:
        cwd = os.getcwd()
        os.chdir(scratch)
        try:
            for match in BLOCK.finditer(text):
                code = match.group(1)[len("```python\n") : -3]
                printed = io.StringIO()
                with contextlib.redirect_stdout(printed):
                    exec(compile(code, str(source), "exec"), namespace)
                pieces.append(text[last : match.end(1)])
                output = printed.getvalue()
                old = match.group(2)
                if old and "..." in old:
                    pieces.append(old)
                elif output.strip():
                    pieces.append("\n\n```text\n" + output.rstrip("\n") + "\n```")
                last = match.end()
        finally:
            os.chdir(cwd)
    pieces.append(text[last:])
    source.write_text("".join(pieces), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
