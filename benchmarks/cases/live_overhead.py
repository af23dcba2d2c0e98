"""Case 11: what the live view costs training: fit with a LiveView (default update rate) / without.

The same MLP (2-64-64-3) on the same 2-D data, the same seed and epochs, trained alternately
with and without ``glassnet.callbacks.LiveView`` (its server running, no page connected: the
snapshots it takes every half second are the cost). The issue's goal: a few percent at most.

The ratio is the median of each round's with / without (the two runs of a round are next to
each other in time), over at least ``ROUNDS`` rounds: the cost is a few percent of a second,
and on a shared host one run in three or four was 20-50 % slower for reasons of its own, which
a ratio of two separate medians over five rounds did not always outvote.
"""

from __future__ import annotations

import dataclasses
import statistics
from typing import Any

from ..common import CaseResult, Check, Context

TARGET = 1.05  # with / without: a few percent at most
ROUNDS = 15  # rounds at least, at full size (about 1.5 s each)


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
    rounds = ctx if ctx.tiny else dataclasses.replace(ctx, repeat=max(ctx.repeat, ROUNDS))
    measured, _ = rounds.measure(runners)
    with_live = statistics.median(measured["glassnet"])
    without = statistics.median(measured["numpy"])
    paired = statistics.median(a / b for a, b in zip(measured["glassnet"], measured["numpy"]))
    result = CaseResult("live_overhead", "11", "fit with LiveView (server on, snapshots)", "s",
                        {"glassnet": measured["glassnet"]})  # fmt: skip
    result.rows.append(("fit without LiveView", {"glassnet": without}, "s", None))
    check = Check("fit with LiveView / without", paired, "<=", TARGET, "x")
    result.rows.append(("with / without (median of rounds)", {"glassnet": paired}, "x", check))
    result.extra.update(with_live=with_live, without=without, ratio=paired,
                        rounds=len(measured["glassnet"]))  # fmt: skip
    return result
