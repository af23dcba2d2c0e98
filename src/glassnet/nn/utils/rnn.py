"""Batches of sequences of different lengths: pad_sequence, and packing (PackedSequence) as PyTorch's recurrent tutorials use them.

``pad_sequence([a, b, c])`` stacks sequences of shapes (L_i, *) into one (L_max, N, *) tensor
(or (N, L_max, *) with ``batch_first``), filling the missing steps with ``padding_value``.
It is a concatenation of each sequence with a constant block, so gradients flow back into the
sequences' real steps (the padding gets none).

A ``PackedSequence`` keeps only the real steps: step by step, the sequences still running at
that step, longest first (PyTorch's layout: ``data`` (sum of lengths, *) and ``batch_sizes``,
how many run at each step). A recurrent layer given one never reads the padding, so each
sequence's last hidden state is the one after its own last step. Packing and unpacking are
indexing and concatenation, so gradients flow through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ...autograd import wrap
from ...creation import full
from ...ops.shape import cat, stack
from ...tensor import Tensor, as_tensor

__all__ = [
    "PackedSequence", "pack_padded_sequence", "pack_sequence", "pad_packed_sequence",
    "pad_sequence",
]  # fmt: skip


def pad_sequence(
    sequences: Sequence[Tensor],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack sequences (L_i, *) into (L_max, N, *), or (N, L_max, *) with ``batch_first``.

    Args:
        sequences: tensors whose first axis is the time axis and whose other axes agree.
        batch_first: put the batch axis first.
        padding_value: the number filling the missing steps.
        padding_side: "right" (after each sequence, the default) or "left" (before it).
    """
    sequences = [as_tensor(s) for s in sequences]
    if not sequences:
        raise ValueError("pad_sequence: expects at least one sequence, got none")
    if padding_side not in ("right", "left"):
        raise ValueError(
            f"pad_sequence: padding_side must be 'right' or 'left', got {padding_side!r}"
        )
    trailing = {tuple(s.shape[1:]) for s in sequences}
    if any(s.ndim == 0 for s in sequences) or len(trailing) > 1:
        shapes = ", ".join(str(tuple(s.shape)) for s in sequences)
        raise ValueError(
            f"pad_sequence: the sequences must agree after their first axis, got {shapes}"
        )
    longest = max(len(s) for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - len(s)
        if missing:
            pad = full((missing, *s.shape[1:]), padding_value, dtype=s.dtype)
            s = cat([s, pad]) if padding_side == "right" else cat([pad, s])
        padded.append(s)
    return stack(padded, 0 if batch_first else 1)


class PackedSequence(NamedTuple):
    """Sequences of different lengths without their padding (see the module docstring).

    Attributes:
        data: (sum of the lengths, *): step 0 of every sequence, then step 1 of those still
            running, ..., each step's sequences longest first.
        batch_sizes: int64 (L_max,): how many sequences run at each step.
        sorted_indices: the batch position of the longest sequence, the next, ... (None when
            the batch was given sorted).
        unsorted_indices: its inverse: where each sequence of the batch went.
    """

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def lengths(self) -> np.ndarray:
        """Each sequence's length, in the batch's own order (not part of PyTorch's API)."""
        sizes = self.batch_sizes.numpy()
        in_sorted_order = (sizes[None, :] > np.arange(int(sizes[0]))[:, None]).sum(1)
        if self.unsorted_indices is None:
            return in_sorted_order
        return in_sorted_order[self.unsorted_indices.numpy()]


def _lengths_array(lengths: Any, batch: int, longest: int) -> np.ndarray:
    values = lengths.numpy() if isinstance(lengths, Tensor) else np.asarray(lengths)
    if values.ndim != 1 or values.shape[0] != batch:
        raise ValueError(f"pack_padded_sequence: expected {batch} lengths (one per sequence), "
                         f"got {values.tolist()}")  # fmt: skip
    if values.dtype.kind not in "iu" or values.min() < 1 or values.max() > longest:
        raise ValueError(
            f"pack_padded_sequence: lengths must be whole numbers from 1 to the padded length "
            f"{longest}, got {values.tolist()}"
        )
    return values.astype(np.int64)


def pack_by_order(
    time_major: Tensor, lengths: np.ndarray, order: np.ndarray | None
) -> PackedSequence:
    """Pack (L, N, *) padded steps whose sequences have ``lengths``, taking them in ``order``
    (longest first; None: the batch order is already that)."""
    sorted_lengths = lengths if order is None else lengths[order]
    steps = []
    for t in range(int(sorted_lengths[0])):
        running = int((sorted_lengths > t).sum())
        rows = np.arange(running) if order is None else order[:running]
        steps.append(time_major[t][wrap(rows.astype(np.int64))])
    batch_sizes = wrap((sorted_lengths[None, :] > np.arange(int(sorted_lengths[0]))[:, None])
                       .sum(1).astype(np.int64))  # fmt: skip
    if order is None:
        return PackedSequence(cat(steps), batch_sizes)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return PackedSequence(cat(steps), batch_sizes, wrap(order.astype(np.int64)),
                          wrap(inverse.astype(np.int64)))  # fmt: skip


def pack_padded_sequence(
    input: Tensor,  # noqa: A002 - PyTorch's name
    lengths: Any,
    batch_first: bool = False,
    enforce_sorted: bool = True,
) -> PackedSequence:
    """Pack a padded batch (L, N, *) (or (N, L, *) with ``batch_first``) whose sequences have
    the given ``lengths``. With ``enforce_sorted`` the lengths must already be longest first;
    otherwise the batch is ordered here and the order kept to undo it."""
    x = as_tensor(input)
    time_major = x.transpose(0, 1) if batch_first else x
    values = _lengths_array(lengths, time_major.shape[1], time_major.shape[0])
    if enforce_sorted:
        if np.any(np.diff(values) > 0):
            raise ValueError(
                f"pack_padded_sequence: the lengths {values.tolist()} must be sorted longest "
                "first when enforce_sorted=True; pass enforce_sorted=False to pack them as they are"
            )
        return pack_by_order(time_major, values, None)
    order = np.argsort(-values, kind="stable")
    return pack_by_order(time_major, values, order)


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *) directly: ``pad_sequence`` then ``pack_padded_sequence``."""
    lengths = [len(as_tensor(s)) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """Undo the packing: ``(padded, lengths)``, padded (L, N, *) (or (N, L, *) with
    ``batch_first``) in the batch's original order, ``padding_value`` after each sequence's
    end; ``total_length`` pads to that many steps (at least the longest length)."""
    if not isinstance(sequence, PackedSequence):
        raise TypeError(
            f"pad_packed_sequence: expected a PackedSequence, got {type(sequence).__name__}"
        )
    sizes = sequence.batch_sizes.numpy()
    batch, longest = int(sizes[0]), len(sizes)
    if total_length is not None and total_length < longest:
        raise ValueError(f"pad_packed_sequence: total_length={total_length} is shorter than the "
                         f"longest sequence ({longest} steps)")  # fmt: skip
    data = sequence.data
    rest, dtype = tuple(data.shape[1:]), data.dtype
    steps, start = [], 0
    for size in sizes:
        step = data[int(start) : int(start + size)]
        if size < batch:
            step = cat([step, full((batch - int(size), *rest), padding_value, dtype=dtype)])
        steps.append(step)
        start += size
    for _ in range((total_length or longest) - longest):
        steps.append(full((batch, *rest), padding_value, dtype=dtype))
    padded = stack(steps)  # (L, N, *) in the packed (longest first) order
    if sequence.unsorted_indices is not None:
        padded = padded[:, sequence.unsorted_indices]
    lengths = wrap(sequence.lengths())
    return (padded.transpose(0, 1) if batch_first else padded), lengths
