"""torch.utils.tensorboard.SummaryWriter on glassnet: what a script logs lands in plain files (utils/tensorboard.py)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.utils.tensorboard import SummaryWriter

SRC = Path(__file__).resolve().parent.parent / "src"


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_scalars_are_rows_written_as_they_are_logged(tmp_path):
    writer = SummaryWriter(tmp_path / "run")
    writer.add_scalar("Loss/train", gn.tensor(0.5), 0)
    writer.add_scalar("Loss/train", 0.25, 1)
    rows = _rows(tmp_path / "run" / "scalars.csv")  # before close: already on disk
    assert [(r["tag"], int(r["step"]), float(r["value"])) for r in rows] == [
        ("Loss/train", 0, 0.5),
        ("Loss/train", 1, 0.25),
    ]
    writer.add_scalars("Loss", {"train": 0.2, "val": np.float32(0.3)}, 2)
    writer.close()
    rows = _rows(tmp_path / "run" / "scalars.csv")
    assert [r["tag"] for r in rows[2:]] == ["Loss/train", "Loss/val"]
    assert float(rows[-1]["value"]) == pytest.approx(0.3)


def test_the_default_folder_is_runs_date_host_comment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with SummaryWriter(comment="_lr0.1") as writer:
        writer.add_scalar("x", 1.0)
    folder = Path(writer.get_logdir())
    assert folder.parent == Path("runs") and folder.name.endswith("_lr0.1")
    assert (tmp_path / folder / "scalars.csv").exists()


def test_histograms_text_graph_hparams_and_images(tmp_path):
    gn.manual_seed(0)
    values = gn.randn(200)
    model = gn.nn.Sequential(gn.nn.Linear(3, 4), gn.nn.ReLU(), gn.nn.Linear(4, 1))
    with SummaryWriter(tmp_path) as writer:
        writer.add_histogram("w", values, 3)
        writer.add_text("notes", "first *try*", 1)
        writer.add_graph(model, gn.randn(1, 3))
        writer.add_hparams({"lr": 0.1, "opt": "sgd", "sizes": [3, 4]}, {"loss": gn.tensor(0.7)})
        writer.add_image("img", gn.rand(3, 8, 8), 2)
        writer.add_embedding(gn.randn(5, 2), metadata=list("abcde"))
    (row,) = _rows(tmp_path / "histograms.csv")
    a = values.numpy().astype(np.float64)
    assert int(row["count"]) == 200 and int(row["step"]) == 3
    np.testing.assert_allclose([float(row[k]) for k in ("min", "max", "mean", "std")],
                               [a.min(), a.max(), a.mean(), a.std()])  # fmt: skip
    with np.load(tmp_path / "histograms" / "w_3.npz") as saved:
        assert saved["counts"].sum() == 200 and len(saved["edges"]) == len(saved["counts"]) + 1
    assert "## notes (step 1)" in (tmp_path / "text.md").read_text()
    graph = (tmp_path / "graph.txt").read_text()
    assert "Linear(in_features=3" in graph and "total: 21 parameters" in graph
    line = json.loads((tmp_path / "hparams.jsonl").read_text())
    assert line == {
        "hparams": {"lr": 0.1, "opt": "sgd", "sizes": "[3, 4]"},
        "metrics": {"loss": pytest.approx(0.7)},
    }
    assert np.load(tmp_path / "images" / "img_2.npy").shape == (3, 8, 8)
    assert (tmp_path / "other" / "embedding_default_0.txt").read_text().split() == list("abcde")


def test_the_curves_are_drawn_when_closed(tmp_path):
    pytest.importorskip("matplotlib")
    writer = SummaryWriter(tmp_path)
    for step in range(5):
        writer.add_scalars("Loss", {"train": 1 / (step + 1), "val": 1.2 / (step + 1)}, step)
    assert not (tmp_path / "scalars.png").exists()
    writer.close()
    assert (tmp_path / "scalars.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_mistakes_are_one_line(tmp_path):
    writer = SummaryWriter(tmp_path)
    with pytest.raises(
        ValueError, match=r"add_scalar\('loss'\): expected one number, got Tensor of shape \(3,\)"
    ):
        writer.add_scalar("loss", gn.ones(3))
    writer.close()
    writer.close()  # twice is harmless
    with pytest.raises(ValueError, match="the writer is closed"):
        writer.add_scalar("loss", 1.0)


def test_a_pytorch_script_logs_through_the_alias(tmp_path):
    script = tmp_path / "log.py"
    script.write_text(
        "import torch\n"
        "from torch.utils.tensorboard import SummaryWriter\n"
        "writer = SummaryWriter('tb')\n"
        "for i in range(3):\n"
        "    writer.add_scalar('Loss/train', torch.tensor(1.0 / (i + 1)).item(), i)\n"
        "writer.flush()\n"
        "writer.close()\n"
    )
    done = subprocess.run([sys.executable, "-m", "glassnet.run", str(script)], cwd=tmp_path,
                          capture_output=True, text=True, env={"PYTHONPATH": str(SRC), "PATH": ""})  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = _rows(tmp_path / "tb" / "scalars.csv")
    assert [float(r["value"]) for r in rows] == pytest.approx([1.0, 0.5, 1 / 3])
