"""DistributedDataParallel: the same model in every process, gradients averaged every step.

Data-parallel training in three lines of maths. Each of N processes holds a copy of the
weights w and computes the gradient g_k of the loss on its own shard of the batch. If every
shard has the same size, the gradient of the whole batch is their average

    g = (g_1 + g_2 + ... + g_N) / N,

so after averaging (an all-reduce) every process takes the same optimizer step and the copies
stay identical, exactly as one process training on the whole batch would.

How it is done here, as in PyTorch:

1. At wrap time rank 0's parameters and buffers are broadcast, so all copies start equal.
2. Parameters are grouped into buckets of about ``bucket_cap_mb`` in the reverse order of
   registration (roughly the order backward finishes them).
3. A post-accumulate-grad hook on each parameter marks it done; when a bucket is complete its
   gradients are copied into one flat buffer and a non-blocking all-reduce starts, while
   backward goes on computing the earlier layers' gradients.
4. When backward ends, the remaining buckets (parameters that got no gradient count as 0) are
   sent, all requests are waited for, and each buffer, divided by N, is copied back into the
   ``.grad`` of its parameters.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

import numpy as np

from .. import autograd
from ..nn import Module
from . import process_group as pg

__all__ = ["DistributedDataParallel"]


class _Bucket:
    """Parameters whose gradients travel together in one flat buffer."""

    def __init__(self, params: list[Any]) -> None:
        self.params = params
        self.sizes = [p.array.size for p in params]
        dtype = np.result_type(*[p.array.dtype for p in params])
        self.buffer = np.zeros(sum(self.sizes), dtype=dtype)
        self.ready: set[int] = set()
        self.request: Any = None
        self.seconds = 0.0  # time spent packing, waiting for and unpacking this bucket

    def launch(self) -> None:
        started = time.perf_counter()
        offset = 0
        for p, n in zip(self.params, self.sizes):
            view = self.buffer[offset : offset + n]
            if p.grad is None:
                view[...] = 0.0
            else:
                view[...] = p.grad.array.reshape(-1)
            offset += n
        self.request = pg.start_all_reduce(self.buffer, pg.ReduceOp.SUM)
        self.seconds += time.perf_counter() - started

    def finish(self, world: int) -> None:
        started = time.perf_counter()
        pg._wait(self.request, "the gradient all-reduce")
        self.request = None
        self.buffer /= world
        offset = 0
        for p, n in zip(self.params, self.sizes):
            averaged = self.buffer[offset : offset + n].reshape(p.shape)
            if p.grad is None:
                p.grad = autograd.wrap(averaged.astype(p.array.dtype, copy=True))
            else:
                p.grad.array[...] = averaged
            offset += n
        self.ready.clear()
        self.seconds += time.perf_counter() - started


class DistributedDataParallel(Module):
    """Wrap a model for data-parallel training on MPI (see the module docstring).

    Args:
        module: the model; ``ddp.module`` is it, unchanged apart from synchronised weights.
        bucket_cap_mb: the size of a gradient bucket in MiB (PyTorch's default, 25).
        broadcast_buffers: also broadcast buffers (BatchNorm's running statistics) from rank 0
            at the start.

    Calling the wrapper calls the model; gradients are averaged during ``backward()``.
    Without a process group (or with one process) it is a transparent wrapper.
    """

    def __init__(self, module: Module, bucket_cap_mb: float = 25.0, broadcast_buffers: bool = True,
                 **_: Any) -> None:  # fmt: skip
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel wraps a Module, got {type(module).__name__}")
        self.module = module
        self.world_size = pg.get_world_size()
        self._handles: list[Any] = []
        self._buckets: list[_Bucket] = []
        self._next_bucket = 0  # the first bucket whose all-reduce has not started
        if self.world_size == 1:
            return
        for p in module.parameters():
            pg.broadcast(p, src=0)
        if broadcast_buffers:
            for b in module.buffers():
                if b.array.flags.c_contiguous:
                    pg.broadcast(b, src=0)
        params = [p for p in module.parameters() if p.requires_grad]
        cap = max(1, int(bucket_cap_mb * 2**20))
        current: list[Any] = []
        size = 0
        for p in reversed(params):  # backward reaches the last layers first
            current.append(p)
            size += p.array.nbytes
            if size >= cap:
                self._buckets.append(_Bucket(current))
                current, size = [], 0
        if current:
            self._buckets.append(_Bucket(current))
        self._where = {
            id(p): (k, j) for k, b in enumerate(self._buckets) for j, p in enumerate(b.params)
        }
        me = weakref.ref(self)
        for p in params:
            self._handles.append(p.register_post_accumulate_grad_hook(
                lambda t, me=me: me() is not None and me()._grad_ready(t)))  # fmt: skip
        self._end_hook = lambda me=me: me() is not None and me()._backward_done()
        autograd._backward_end_hooks.append(self._end_hook)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    @property
    def communication_seconds(self) -> float:
        """Time this process spent on gradient averaging so far (not overlapped with work)."""
        return sum(b.seconds for b in self._buckets)

    # -- the gradient averaging --------------------------------------------------------------
    def _grad_ready(self, param: Any) -> None:
        k, j = self._where[id(param)]
        self._buckets[k].ready.add(j)
        # Buckets start strictly in order, so that every process issues the same collectives
        # in the same sequence (MPI requires it).
        while self._next_bucket < len(self._buckets):
            bucket = self._buckets[self._next_bucket]
            if len(bucket.ready) < len(bucket.params):
                break
            bucket.launch()
            self._next_bucket += 1

    def _backward_done(self) -> None:
        if self._next_bucket == 0 and not any(b.ready for b in self._buckets):
            return  # this backward did not touch the model
        for bucket in self._buckets[self._next_bucket :]:
            bucket.launch()  # parameters that got no gradient this time count as 0
        self._next_bucket = 0
        for bucket in self._buckets:
            bucket.finish(self.world_size)

    def close(self) -> None:
        """Remove the hooks (the model can then be trained on its own again)."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        if getattr(self, "_end_hook", None) in autograd._backward_end_hooks:
            autograd._backward_end_hooks.remove(self._end_hook)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass
