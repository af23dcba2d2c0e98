"""``torch.utils.tensorboard.SummaryWriter`` without TensorBoard: what a script logs goes into plain files a learner can open.

PyTorch's tutorials log training with ``writer.add_scalar("Loss/train", loss, step)`` and read
the curves in TensorBoard, a separate program with its own binary file format. glassnet keeps
the same calls and writes what they log where anyone can read it, in the run's folder
(``runs/<date>_<host><comment>/`` unless ``log_dir`` says otherwise):

* ``scalars.csv``: one row per logged number (``tag,step,value,wall_time``), written and
  flushed as it is logged, so a crash loses nothing already logged; open it in a spreadsheet
  or ``numpy.genfromtxt``;
* ``scalars.png``: the curves, one panel per tag, drawn when the writer is closed (only if
  matplotlib is installed; the CSV is the record either way);
* ``histograms.csv``: for ``add_histogram``, the count, min, max, mean and standard deviation
  of the values, and ``histograms/<tag>_<step>.npz`` with the bin counts and edges;
* ``text.md`` (``add_text``), ``graph.txt`` (``add_graph``: the model's layers and parameter
  counts), ``hparams.jsonl`` (``add_hparams``), and ``images/`` (``add_image`` /
  ``add_images`` as ``.npy`` arrays, ``add_figure`` as ``.png``).

Other methods TensorBoard offers (embeddings, audio, video, meshes, PR curves) store their
arrays as ``.npy`` files under ``other/`` so nothing a script logs is dropped.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import re
import socket
import time
from typing import Any

import numpy as np

from ..atomic import atomic_write

__all__ = ["SummaryWriter"]


def _number(value: Any, what: str) -> float:
    """A logged value as a float: a number, a one-element Tensor or array (else one line)."""
    array = np.asarray(value.array if hasattr(value, "array") else value)
    if array.size != 1 or array.dtype.kind not in "biuf":
        raise ValueError(
            f"{what}: expected one number, got {type(value).__name__} of shape {array.shape}"
        )
    return float(array.reshape(()))


def _array(values: Any) -> np.ndarray:
    return np.asarray(values.detach().array if hasattr(values, "detach") else values)


def _file_name(tag: str) -> str:
    """``tag`` as a safe file name: "Loss/train" -> "Loss_train"."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", tag).strip("_") or "untitled"


class SummaryWriter:
    """Logs scalars, histograms, text, graphs and images of a run into ``log_dir``.

    Args:
        log_dir: the folder to write into (made if missing); by default
            ``runs/<Mon><day>_<hh-mm-ss>_<host><comment>`` in the current folder, as PyTorch.
        comment: appended to the default folder name.
        purge_step, max_queue, flush_secs, filename_suffix: PyTorch's options; accepted, and
            not needed here (every row is written when logged).
    """

    def __init__(
        self,
        log_dir: str | os.PathLike[str] | None = None,
        comment: str = "",
        purge_step: int | None = None,
        max_queue: int = 10,
        flush_secs: int = 120,
        filename_suffix: str = "",
    ) -> None:
        if log_dir is None:
            stamp = datetime.datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self.log_dir = os.fspath(log_dir)
        os.makedirs(self.log_dir, exist_ok=True)
        self._scalars: dict[str, list[tuple[int, float]]] = {}
        self._panels: dict[str, list[str]] = {}  # add_scalars' main tag -> its curves' tags
        self._scalar_file = open(os.path.join(self.log_dir, "scalars.csv"), "a", newline="")  # noqa: SIM115
        self._scalar_rows = csv.writer(self._scalar_file)
        if self._scalar_file.tell() == 0:
            self._scalar_rows.writerow(["tag", "step", "value", "wall_time"])
            self._scalar_file.flush()
        self._closed = False

    # ------------------------------------------------------------------ scalars
    def add_scalar(
        self,
        tag: str,
        scalar_value: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        new_style: bool = False,
        double_precision: bool = False,
    ) -> None:
        """Log one number under ``tag`` (e.g. "Loss/train") at ``global_step`` (0 when None)."""
        self._check_open("add_scalar")
        value = _number(scalar_value, f"add_scalar({tag!r})")
        step = 0 if global_step is None else int(global_step)
        self._scalar_rows.writerow([tag, step, repr(value), walltime or time.time()])
        self._scalar_file.flush()
        self._scalars.setdefault(tag, []).append((step, value))

    def add_scalars(
        self,
        main_tag: str,
        tag_scalar_dict: dict[str, Any],
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Log several numbers at once, each as ``main_tag/name`` (one curve per name)."""
        for name, value in tag_scalar_dict.items():
            tag = f"{main_tag}/{name}"
            self.add_scalar(tag, value, global_step, walltime)
            if tag not in self._panels.setdefault(main_tag, []):
                self._panels[main_tag].append(tag)

    # ------------------------------------------------------------------ distributions and text
    def add_histogram(
        self,
        tag: str,
        values: Any,
        global_step: int | None = None,
        bins: Any = "tensorflow",
        walltime: float | None = None,
        max_bins: int | None = None,
    ) -> None:
        """Summarize ``values`` (a weight, a gradient): count, min, max, mean, std, and bins."""
        self._check_open("add_histogram")
        array = _array(values).astype(np.float64).reshape(-1)
        step = 0 if global_step is None else int(global_step)
        edges_wanted = bins if isinstance(bins, int) else (max_bins or 30)
        counts, edges = np.histogram(array, bins=edges_wanted) if array.size else ([], [])
        folder = os.path.join(self.log_dir, "histograms")
        os.makedirs(folder, exist_ok=True)
        np.savez(os.path.join(folder, f"{_file_name(tag)}_{step}.npz"), counts=counts, edges=edges)
        stats = (array.min(), array.max(), array.mean(), array.std()) if array.size else (0,) * 4
        self._append_row(
            "histograms.csv",
            ["tag", "step", "count", "min", "max", "mean", "std"],
            [tag, step, array.size, *(repr(float(s)) for s in stats)],
        )

    def add_text(
        self,
        tag: str,
        text_string: str,
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Append ``text_string`` to text.md under a heading naming the tag and step."""
        self._check_open("add_text")
        step = 0 if global_step is None else int(global_step)
        with open(os.path.join(self.log_dir, "text.md"), "a") as out:
            out.write(f"## {tag} (step {step})\n\n{text_string}\n\n")

    def add_graph(
        self,
        model: Any,
        input_to_model: Any = None,
        verbose: bool = False,
        use_strict_trace: bool = True,
    ) -> None:
        """Write the model's layers (its repr) and parameter counts to graph.txt."""
        self._check_open("add_graph")
        lines = [repr(model), ""]
        if hasattr(model, "named_parameters"):
            total = 0
            for name, p in model.named_parameters():
                lines.append(f"{name}: shape {tuple(p.shape)}, {p.numel()} numbers")
                total += p.numel()
            lines.append(f"total: {total} parameters")
        with open(os.path.join(self.log_dir, "graph.txt"), "w") as out:
            out.write("\n".join(lines) + "\n")

    def add_hparams(
        self,
        hparam_dict: dict[str, Any],
        metric_dict: dict[str, Any],
        hparam_domain_discrete: Any = None,
        run_name: str | None = None,
        global_step: int | None = None,
    ) -> None:
        """Append one JSON line with the hyperparameters and the metrics they gave."""
        self._check_open("add_hparams")
        metrics = {k: _number(v, f"add_hparams metric {k!r}") for k, v in metric_dict.items()}
        hparams = {k: v if isinstance(v, (bool, int, float, str)) or v is None else str(v)
                   for k, v in hparam_dict.items()}  # fmt: skip
        with open(os.path.join(self.log_dir, "hparams.jsonl"), "a") as out:
            out.write(json.dumps({"hparams": hparams, "metrics": metrics}) + "\n")

    # ------------------------------------------------------------------ pictures and the rest
    def add_image(
        self,
        tag: str,
        img_tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        dataformats: str = "CHW",
    ) -> None:
        """Save the image's array (as given, with its ``dataformats``) under images/."""
        self._save_array("images", tag, global_step, _array(img_tensor), dataformats)

    def add_images(
        self,
        tag: str,
        img_tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        dataformats: str = "NCHW",
    ) -> None:
        """Save a batch of images' array under images/."""
        self._save_array("images", tag, global_step, _array(img_tensor), dataformats)

    def add_figure(
        self,
        tag: str,
        figure: Any,
        global_step: int | None = None,
        close: bool = True,
        walltime: float | None = None,
    ) -> None:
        """Save a matplotlib figure (or a list of them) as PNG files under images/."""
        self._check_open("add_figure")
        figures = figure if isinstance(figure, list) else [figure]
        folder = os.path.join(self.log_dir, "images")
        os.makedirs(folder, exist_ok=True)
        step = 0 if global_step is None else int(global_step)
        for i, fig in enumerate(figures):
            suffix = f"_{i}" if len(figures) > 1 else ""
            fig.savefig(os.path.join(folder, f"{_file_name(tag)}_{step}{suffix}.png"))
            if close:
                import matplotlib.pyplot as plt

                plt.close(fig)

    def add_embedding(
        self, mat: Any, metadata: Any = None, label_img: Any = None, global_step: int | None = None,
        tag: str = "default", metadata_header: Any = None,
    ) -> None:  # fmt: skip
        """Save the embedding matrix under other/ (and its labels as a .txt, one per line)."""
        self._save_array("other", f"embedding_{tag}", global_step, _array(mat), "")
        if metadata is not None:
            step = 0 if global_step is None else int(global_step)
            name = os.path.join(self.log_dir, "other", f"embedding_{_file_name(tag)}_{step}.txt")
            with open(name, "w") as out:
                out.write("\n".join(str(m) for m in metadata) + "\n")

    def add_pr_curve(self, tag: str, labels: Any, predictions: Any, global_step: int | None = None,
                     **options: Any) -> None:  # fmt: skip
        """Save the labels and predictions under other/ (the curve can be drawn from them)."""
        both = np.stack([_array(labels).reshape(-1), _array(predictions).reshape(-1)])
        self._save_array("other", f"pr_curve_{tag}", global_step, both, "labels,predictions")

    def add_audio(
        self, tag: str, snd_tensor: Any, global_step: int | None = None, **options: Any
    ) -> None:
        """Save the sound's samples under other/."""
        self._save_array("other", f"audio_{tag}", global_step, _array(snd_tensor), "")

    def add_video(
        self, tag: str, vid_tensor: Any, global_step: int | None = None, **options: Any
    ) -> None:
        """Save the video's frames under other/."""
        self._save_array("other", f"video_{tag}", global_step, _array(vid_tensor), "NTCHW")

    def add_mesh(
        self, tag: str, vertices: Any, global_step: int | None = None, **options: Any
    ) -> None:
        """Save the mesh's vertices under other/."""
        self._save_array("other", f"mesh_{tag}", global_step, _array(vertices), "")

    # ------------------------------------------------------------------ lifetime
    def get_logdir(self) -> str:
        """The folder this writer writes into."""
        return self.log_dir

    def flush(self) -> None:
        """Make sure everything logged is on disk (rows are already flushed as they are logged)."""
        if not self._closed:
            self._scalar_file.flush()

    def close(self) -> None:
        """Finish: close the CSV and, if matplotlib is installed, draw scalars.png."""
        if self._closed:
            return
        self._closed = True
        self._scalar_file.close()
        if self._scalars:
            self._plot_scalars()

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:  # a script that never calls close() still has its CSV closed
        if not getattr(self, "_closed", True):
            self._closed = True
            self._scalar_file.close()

    # ------------------------------------------------------------------ helpers
    def _check_open(self, method: str) -> None:
        if self._closed:
            raise ValueError(f"SummaryWriter.{method}: the writer is closed (make a new one)")

    def _append_row(self, name: str, header: list[str], row: list[Any]) -> None:
        path = os.path.join(self.log_dir, name)
        new = not os.path.exists(path)
        with open(path, "a", newline="") as out:
            rows = csv.writer(out)
            if new:
                rows.writerow(header)
            rows.writerow(row)

    def _save_array(
        self, folder: str, tag: str, step: int | None, array: np.ndarray, layout: str
    ) -> None:
        self._check_open(f"add ({tag})")
        os.makedirs(os.path.join(self.log_dir, folder), exist_ok=True)
        name = f"{_file_name(tag)}_{0 if step is None else int(step)}"
        np.save(os.path.join(self.log_dir, folder, name + ".npy"), array, allow_pickle=False)
        if layout:
            with open(os.path.join(self.log_dir, folder, name + ".layout.txt"), "w") as out:
                out.write(layout + "\n")

    def _plot_scalars(self) -> None:
        try:  # a Figure of its own, not pyplot's: the script's matplotlib backend is left alone
            from matplotlib.figure import Figure
        except ImportError:  # the CSV holds everything; the picture is a convenience
            return
        grouped = {tag for tags in self._panels.values() for tag in tags}
        panels = {tag: [tag] for tag in self._scalars if tag not in grouped} | self._panels
        fig = Figure(figsize=(6, 2.2 * len(panels)))
        for ax, (title, tags) in zip(fig.subplots(len(panels), 1, squeeze=False)[:, 0],
                                     sorted(panels.items())):  # fmt: skip
            for tag in tags:  # add_scalars' curves share one panel, as TensorBoard shows them
                steps, values = zip(*sorted(self._scalars[tag]))
                label = tag[len(title) + 1 :] if tag != title else None
                ax.plot(steps, values, marker="." if len(steps) < 50 else None, label=label)
            if len(tags) > 1:
                ax.legend(fontsize=8)
            ax.set_title(title, fontsize=9)
            ax.set_xlabel("step", fontsize=8)
        fig.tight_layout()
        with atomic_write(os.path.join(self.log_dir, "scalars.png"), "wb") as out:
            fig.savefig(out, format="png", dpi=90)
