"""Preparing modules for torch.func's transforms: ``stack_module_state`` (ensembles under vmap) and ``replace_all_batch_norm_modules_``.

An ensemble of M models of one architecture can run as one function of stacked weights: for
each parameter name, the M models' tensors are stacked along a new first axis, and
``vmap(lambda p, b, x: functional_call(base, (p, b), (x,)))(params, buffers, x)`` runs model m
with slice m. (glassnet's vmap loops over the M slices; the results are PyTorch's.)
"""

from __future__ import annotations

from collections.abc import Sequence

from ...ops.shape import stack
from ...tensor import Tensor
from ..module import Module

__all__ = ["replace_all_batch_norm_modules_", "stack_module_state"]


def stack_module_state(models: Sequence[Module]) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """The parameters and buffers of ``models``, each name's tensors stacked on a new axis 0.

    Returns ``(params, buffers)``: ``params[name]`` has shape ``(M, *p.shape)`` for M models,
    and is a new leaf that requires grad when the models' parameter did (so an optimizer can
    train the stacked ensemble); buffers are stacked the same way, without gradients. The
    models must have the same parameter and buffer names and shapes.
    """
    models = list(models)
    if not models:
        raise ValueError("stack_module_state: expected at least one model, got none")
    if not all(isinstance(m, Module) for m in models):
        kinds = sorted({type(m).__name__ for m in models if not isinstance(m, Module)})
        raise TypeError(f"stack_module_state: expected nn.Module objects, got {', '.join(kinds)}")
    first = models[0]
    for kind, members in (
        ("parameters", Module.named_parameters),
        ("buffers", Module.named_buffers),
    ):
        names = [name for name, _ in members(first)]
        for other in models[1:]:
            if [name for name, _ in members(other)] != names:
                raise ValueError(
                    f"stack_module_state: the models' {kind} differ ({type(first).__name__} "
                    f"against {type(other).__name__}); every model must have the same ones"
                )

    def stacked(tensors: list[Tensor], trainable: bool) -> Tensor:
        shapes = {tuple(t.shape) for t in tensors}
        if len(shapes) > 1:
            raise ValueError(f"stack_module_state: one name has tensors of shapes {sorted(shapes)}")
        result = stack([t.detach() for t in tensors])
        return result.requires_grad_(True) if trainable else result

    # Each model's members read once; the names are in the same order in every model (above).
    per_model = [list(m.named_parameters()) for m in models]
    params = {
        name: stacked([members[k][1] for members in per_model], p.requires_grad)
        for k, (name, p) in enumerate(per_model[0])
    }
    per_model = [list(m.named_buffers()) for m in models]
    buffers = {
        name: stacked([members[k][1] for members in per_model], False)
        for k, (name, _) in enumerate(per_model[0])
    }
    return params, buffers


def replace_all_batch_norm_modules_(root: Module) -> Module:
    """Make every batch norm in ``root`` use the batch's own statistics, in place; return root.

    A batch norm that tracks running statistics writes them during its forward, which a
    function transform such as vmap cannot do once per slice; with ``running_mean`` /
    ``running_var`` set to None and ``track_running_stats`` off, it normalises each batch by
    its own mean and variance, in training and in evaluation alike.
    """
    from ..normalization import _BatchNorm  # the batch norms of every dimension

    for module in root.modules():
        if isinstance(module, _BatchNorm):
            module.running_mean = None
            module.running_var = None
            module.num_batches_tracked = None
            module.track_running_stats = False
    return root
