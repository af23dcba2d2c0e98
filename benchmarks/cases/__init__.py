"""The benchmark cases, in table order: key -> (number, run function); and their aliases."""

from __future__ import annotations

from collections.abc import Callable

from ..common import CaseResult, Context
from . import (
    cli_loaded,
    cli_train,
    cnn,
    distributed,
    live_overhead,
    memory,
    mlp,
    norm,
    optim_step,
    overhead,
    rnn,
)

CASES: dict[str, tuple[str, Callable[[Context], CaseResult]]] = {
    "mlp_train": ("1", mlp.run_train),
    "cnn_train": ("2", cnn.run),
    "lstm_train": ("3a", rnn.run_lstm),
    "gru_train": ("3b", rnn.run_gru),
    "small_op": ("4a", overhead.run_small_op),
    "deep_mlp_step": ("4b", overhead.run_deep_mlp),
    "mlp_inference": ("5", mlp.run_infer),
    "mlp_memory": ("6", memory.run),
    "cli_train": ("7", cli_train.run),
    "cli_loaded": ("7b", cli_loaded.run),
    "adam_step": ("8a", optim_step.run_adam),
    "adamw_step": ("8b", optim_step.run_adamw),
    "rmsprop_step": ("8c", optim_step.run_rmsprop),
    "sgd_momentum_step": ("8d", optim_step.run_sgd_momentum),
    "layer_norm_step": ("9a", norm.run_layer_norm),
    "group_norm_step": ("9b", norm.run_group_norm),
    "batch_norm_step": ("9c", norm.run_batch_norm),
    "mlp_distributed": ("10", distributed.run),
    "live_overhead": ("11", live_overhead.run),
}

# Short names accepted by --cases besides the keys and numbers above.
ALIASES: dict[str, list[str]] = {
    "mlp": ["mlp_train"],
    "cnn": ["cnn_train"],
    "lstm": ["lstm_train"],
    "gru": ["gru_train"],
    "rnn": ["lstm_train", "gru_train"],
    "3": ["lstm_train", "gru_train"],
    "overhead": ["small_op", "deep_mlp_step"],
    "4": ["small_op", "deep_mlp_step"],
    "inference": ["mlp_inference"],
    "memory": ["mlp_memory"],
    "cli": ["cli_train"],
    "optim": ["adam_step", "adamw_step", "rmsprop_step", "sgd_momentum_step"],
    "8": ["adam_step", "adamw_step", "rmsprop_step", "sgd_momentum_step"],
    "norm": ["layer_norm_step", "group_norm_step", "batch_norm_step"],
    "9": ["layer_norm_step", "group_norm_step", "batch_norm_step"],
    "loaded": ["cli_loaded"],
    "distributed": ["mlp_distributed"],
    "mpi": ["mlp_distributed"],
    "live": ["live_overhead"],
}


def resolve(names: list[str] | None) -> list[str]:
    """Case keys for names given on the command line (keys, numbers or aliases), table order.

    Raises ValueError naming the unknown name and the accepted ones.
    """
    if not names:
        return list(CASES)
    by_number = {number: [key] for key, (number, _) in CASES.items()}
    wanted: set[str] = set()
    for name in names:
        for part in name.split(","):
            part = part.strip().lower()
            if not part:
                continue
            if part in CASES:
                wanted.add(part)
            elif part in ALIASES:
                wanted.update(ALIASES[part])
            elif part in by_number:
                wanted.update(by_number[part])
            else:
                accepted = sorted(set(CASES) | set(ALIASES) | set(by_number))
                raise ValueError(f"unknown case {part!r}; expected one of {', '.join(accepted)}")
    return [key for key in CASES if key in wanted]
