"""Case 11: what the live view costs training: fit with a LiveView (default update rate) / without.

The same MLP (2-64-64-3) on the same 2-D data, the same seed and epochs, trained alternately
with and without ``glassnet.callbacks.LiveView`` (its server running, no page connected: the
snapshots it takes every half second are the cost). The issue's goal: a few percent at most.
"""

from __future__ import annotations

from typing import Any

from ..common import CaseResult, Check, Context

TARGET = 1.05  # with / without: a few percent at most


def _trainer(live: bool, samples: int, epochs: int) -> Any:
    import glassnet as gn
    from glassnet import nn
    from glassnet.callbacks import LiveView

    X, y = gn.data.spiral(samples // 3, seed=0)

    def run() -> None:
        gn.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                              nn.Linear(64, 3))  # fmt: skip
        callbacks = [LiveView(announce=False)] if live else []
        gn.fit(model, (X, y), epochs=epochs, batch_size=32, verbose=0, callbacks=callbacks)
        for cb in callbacks:
            cb.close()

    return run


def run(ctx: Context) -> CaseResult:
    samples, epochs = (300, 2) if ctx.tiny else (3000, 20)
    runners = {
        "glassnet": _trainer(True, samples, epochs),
        "numpy": _trainer(False, samples, epochs),
    }
    measured, _ = ctx.measure(runners)
    with_live = sorted(measured["glassnet"])[len(measured["glassnet"]) // 2]
    without = sorted(measured["numpy"])[len(measured["numpy"]) // 2]
    result = CaseResult("live_overhead", "11", "fit with LiveView (server on, snapshots)", "s",
                        {"glassnet": measured["glassnet"]})  # fmt: skip
    result.rows.append(("fit without LiveView", {"glassnet": without}, "s", None))
    check = Check("fit with LiveView / without", with_live / without, "<=", TARGET, "x")
    result.rows.append(("with / without", {"glassnet": with_live / without}, "x", check))
    result.extra.update(with_live=with_live, without=without, ratio=with_live / without)
    return result
