"""Batches of sequences of different lengths: pad_sequence, the padding PyTorch's recurrent tutorials use.

``pad_sequence([a, b, c])`` stacks sequences of shapes (L_i, *) into one (L_max, N, *) tensor
(or (N, L_max, *) with ``batch_first``), filling the missing steps with ``padding_value``.
It is a concatenation of each sequence with a constant block, so gradients flow back into the
sequences' real steps (the padding gets none).
"""

from __future__ import annotations

from collections.abc import Sequence

from ...creation import full
from ...ops.shape import cat, stack
from ...tensor import Tensor, as_tensor

__all__ = ["pad_sequence"]


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
