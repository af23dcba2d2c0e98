"""Every Python example in README.md runs, and prints what the README shows beneath it.

A ```text block right after a ```python block is the output the example prints. In it, "..."
stands for any text within a line, and a line that is only "..." for any number of lines.
"""

import contextlib
import io
import re
from pathlib import Path

import pytest

from glassnet.lessons import output_matches

README = Path(__file__).resolve().parent.parent / "README.md"
EXAMPLES = re.findall(
    r"```python\n(.*?)```(?:\s*```text\n(.*?)```)?", README.read_text(encoding="utf-8"), flags=re.S
)


def test_readme_has_examples():
    assert len(EXAMPLES) >= 3
    assert sum(1 for _, shown in EXAMPLES if shown) >= 3


def test_output_matching_is_strict_outside_the_wildcards():
    assert output_matches("a = ...\n...\nend\n", "a = 12\nx\ny\nend\n")
    assert not output_matches("a = 1\n", "a = 2\n")
    assert not output_matches("a\n", "a\nextra\n")


@pytest.mark.parametrize("code, shown", EXAMPLES, ids=[f"block{i}" for i in range(len(EXAMPLES))])
def test_readme_example_runs(code, shown, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that save files write into a scratch folder
    printed = io.StringIO()
    # A PyTorch script in the README runs on glassnet through the alias of `glassnet run`
    # (whether or not PyTorch itself is installed).
    alias = contextlib.nullcontext()
    if "import torch" in code:
        from glassnet.torch_alias import aliased_torch

        alias = aliased_torch()
    with contextlib.redirect_stdout(printed), alias:
        exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})
    if shown:
        assert output_matches(shown, printed.getvalue()), (
            f"README shows:\n{shown}\nthe example printed:\n{printed.getvalue()}"
        )
