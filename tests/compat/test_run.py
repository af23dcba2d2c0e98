"""glassnet.run: a script runs as Python runs it, with `import torch` aliased to glassnet only while it runs."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import glassnet
from glassnet import run
from glassnet.torch_alias import aliased_torch, glassnet_name, torch_name

SRC = Path(__file__).resolve().parent.parent.parent / "src"


def _script(tmp_path: Path, body: str, name: str = "script.py") -> str:
    path = tmp_path / name
    path.write_text(body)
    return str(path)


def test_script_sees_its_argv_main_name_and_folder(tmp_path, capsys):
    (tmp_path / "helper_mod.py").write_text("VALUE = 41\n")
    path = _script(
        tmp_path,
        "import sys, helper_mod, torch\n"
        "print(__name__, sys.argv[1:], helper_mod.VALUE + 1, torch is sys.modules['glassnet'])\n",
    )
    assert run.main([path, "--epochs", "3"]) == 0
    assert capsys.readouterr().out.split("\n")[0] == "__main__ ['--epochs', '3'] 42 True"


@pytest.mark.parametrize(
    "body,status",
    [("import sys\nsys.exit(3)\n", 3), ("raise SystemExit\n", 0), ("pass\n", 0)],
    ids=["exit-3", "bare-exit", "falls-off-the-end"],
)
def test_exit_status_propagates(tmp_path, body, status):
    assert run.main([_script(tmp_path, body)]) == status


@pytest.mark.parametrize(
    "body,missing",
    [
        ("import torch\ntorch.fft.fft(torch.ones(2))\n", "torch.fft"),
        ("import torch.fft\n", "torch.fft"),
        ("from torch.nn import NoSuchLayer\n", "torch.nn.NoSuchLayer"),
        (
            "import torch\ntorch.nn.functional.no_such_function\n",
            "torch.nn.functional.no_such_function",
        ),
        ("import torch\ntorch.ones(2).no_such_method()\n", "torch.Tensor.no_such_method"),
        ("from torch.utils.data import NoSuchThing\n", "torch.utils.data.NoSuchThing"),
        (
            "import torch\ntorch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1).nope\n",
            "torch.optim.SGD.nope",
        ),
        (
            "import torch\ntorch.zeros(3, names=('x',))\n",
            "the names= argument of torch.zeros",
        ),
        (
            "from torch.utils.data import DataLoader\nDataLoader([1], bogus=1)\n",
            "the bogus= argument of torch.utils.data.DataLoader",
        ),
    ],
    ids=[
        "attribute",
        "submodule",
        "from-import",
        "nested-attribute",
        "tensor-method",
        "renamed-module",
        "object-of-a-glassnet-class",
        "keyword-of-a-function",
        "keyword-of-a-class",
    ],
)
def test_missing_name_is_one_line(tmp_path, capsys, body, missing):
    assert run.main([_script(tmp_path, body)]) == 1
    err = capsys.readouterr().err
    assert err == f"glassnet does not implement {missing} yet\n"


def test_other_device_is_one_line(tmp_path, capsys):
    assert run.main([_script(tmp_path, "import torch\ntorch.ones(2).to('cuda:0')\n")]) == 1
    assert capsys.readouterr().err == "glassnet runs on the CPU only; got device 'cuda:0'\n"


def test_error_in_user_code_shows_the_script_traceback_only(tmp_path, capsys):
    path = _script(
        tmp_path, "import torch\n\ndef f(x):\n    return x / missing_name\n\nf(torch.ones(2))\n"
    )
    assert run.main([path]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert f'File "{path}", line 4, in f' in err and "NameError: name 'missing_name'" in err
    assert "glassnet/run.py" not in err and "runpy" not in err


@pytest.mark.parametrize(
    "body",
    [
        "class A:\n    pass\n\nA().nothing\n",
        "def zeros(n):\n    return n\n\nzeros(3, pin_memory=True)\n",
    ],
    ids=["attribute", "keyword-of-the-script-function"],
)
def test_user_mistakes_are_not_reported_as_missing_names(tmp_path, capsys, body):
    assert run.main([_script(tmp_path, body)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "does not implement" not in err


def test_alias_is_installed_only_during_the_run(tmp_path):
    sys.modules.pop("torch.nn", None)
    before = {k: v for k, v in sys.modules.items() if k == "torch" or k.startswith("torch.")}
    path = _script(tmp_path, "import torch.utils.data.dataloader as dl\nassert dl.DataLoader\n")
    assert run.main([path]) == 0
    after = {k: v for k, v in sys.modules.items() if k == "torch" or k.startswith("torch.")}
    assert after == before
    assert not hasattr(glassnet.data, "dataloader")  # the import system's attribute was removed
    assert glassnet.nn.__spec__.name == "glassnet.nn"


def test_alias_maps_renamed_modules_both_ways():
    assert glassnet_name("torch.utils.data.dataloader") == "glassnet.data.loader"
    assert glassnet_name("torch.nn.functional") == "glassnet.nn.functional"
    assert torch_name("glassnet.data.sampler") == "torch.utils.data.sampler"
    assert torch_name("glassnet") == "torch"
    with aliased_torch():
        import torch.nn.functional as F  # noqa: PLC0415 - the point of the test
        import torch.optim.lr_scheduler as sched  # noqa: PLC0415

        assert F is glassnet.nn.functional and sched is glassnet.optim.lr_scheduler


def test_usage_and_missing_file(tmp_path, capsys):
    assert run.main([]) == 2
    assert run.main([str(tmp_path / "nope.py")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert run.main(["--help"]) == 0


def test_python_dash_m_runs_a_script(tmp_path):
    path = _script(
        tmp_path, "import torch\nprint(f'{torch.tensor(2.5):.2f}')\nraise SystemExit(4)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(SRC))
    done = subprocess.run(
        [sys.executable, "-m", "glassnet.run", path], capture_output=True, text=True, env=env
    )
    assert (done.returncode, done.stdout) == (4, "2.50\n")


def test_readme_script_runs_on_glassnet(tmp_path, capsys):
    readme = (SRC.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Run PyTorch code on glassnet") :]
    script = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert "import torch" in script
    assert run.main([_script(tmp_path, script, "fit_line.py")]) == 0
    out = capsys.readouterr().out
    assert "slope 3.0" in out or "slope 2.9" in out


def test_real_torch_is_set_aside_and_restored(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    real_nn = importlib.import_module("torch.nn")  # a real submodule that must come back too

    path = _script(tmp_path, "import torch, torch.nn\nprint(torch.__name__, torch.nn.__name__)\n")
    assert run.main([path]) == 0
    assert capsys.readouterr().out == "glassnet glassnet.nn\n"
    assert sys.modules["torch"] is torch and sys.modules["torch.nn"] is real_nn
