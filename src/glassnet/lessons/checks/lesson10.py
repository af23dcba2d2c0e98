"""Lesson 10's exercises: a causal attention mask, softmax attention weights, a bigram table."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import glassnet as gn
from glassnet.nn import functional as F

from ..exercises import Report, exercise

MASK_TEMPLATE = '''
import numpy as np


def causal_mask(T):
    """A (T, T) boolean NumPy array: mask[t, s] is True when position t may look at position s,
    that is, at itself and the positions before it, never at a later one."""
    ...
'''


@exercise(10, 1, "a causal attention mask", MASK_TEMPLATE, "causal_mask")
def check_mask(causal_mask: Callable, report: Report) -> None:
    gn.manual_seed(10)
    for T in (1, 3, 6):
        mask = np.asarray(causal_mask(T))
        if mask.dtype != np.bool_:
            report.wrong(f"causal_mask({T}): expected a boolean array (True / False), got dtype "
                         f"{mask.dtype}")  # fmt: skip
            continue
        q, k, v = (
            gn.randn(T, 4, dtype=gn.float64),
            gn.randn(T, 4, dtype=gn.float64),
            gn.randn(T, 2, dtype=gn.float64),
        )
        expected = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        if mask.shape != (T, T):
            report.wrong(f"causal_mask({T}): expected shape ({T}, {T}), got shape {mask.shape}")
            continue
        got = F.scaled_dot_product_attention(q, k, v, attn_mask=gn.tensor(mask))
        report.compare(f"attention of {T} positions with causal_mask({T}) (against is_causal=True)",
                       got, expected, rtol=1e-9, atol=1e-12)  # fmt: skip


WEIGHTS_TEMPLATE = '''
import numpy as np


def attention_weights(q, k):
    """The attention weights of queries q (T, d) on keys k (S, d): a (T, S) NumPy array,
    row t = softmax over s of (q[t] . k[s]) / sqrt(d). Each row sums to 1."""
    ...
'''


@exercise(10, 2, "attention weights", WEIGHTS_TEMPLATE, "attention_weights")
def check_weights(attention_weights: Callable, report: Report) -> None:
    rng = np.random.default_rng(100)
    for T, S, d in ((3, 3, 4), (2, 5, 8), (4, 4, 16)):
        q, k = rng.normal(size=(T, d)), rng.normal(size=(S, d))
        # With the identity matrix as the values, attention returns its weights themselves.
        expected = F.scaled_dot_product_attention(
            gn.tensor(q), gn.tensor(k), gn.eye(S, dtype=gn.float64)
        )
        got = attention_weights(q.copy(), k.copy())
        report.compare(f"attention_weights(q of shape {q.shape}, k of shape {k.shape})", got,
                       expected, rtol=1e-7, atol=1e-10)  # fmt: skip


BIGRAM_TEMPLATE = '''
import numpy as np


def bigram_probabilities(ids, V):
    """A (V, V) table: row a is the probability of each next character after character a.

    ids: a 1-D NumPy array of character numbers 0..V-1 (a text). Count each pair of neighbours
    (ids[i], ids[i + 1]), add 1 to every count (so no pair has probability 0), then divide each
    row by its sum.
    """
    ...
'''


@exercise(10, 3, "a bigram table from counts", BIGRAM_TEMPLATE, "bigram_probabilities")
def check_bigram(bigram_probabilities: Callable, report: Report) -> None:
    rng = np.random.default_rng(1000)
    cases = [("the ids [0, 1, 0, 2, 1] with V=3", np.array([0, 1, 0, 2, 1]), 3),
             ("200 random ids with V=6", rng.integers(0, 6, size=200), 6),
             ("50 random ids of 0..3 with V=5 (character 4 never occurs)", rng.integers(0, 4, size=50), 5)]  # fmt: skip
    for what, ids, V in cases:
        # Counted another way: one-hot rows of the first and of the next characters, multiplied.
        first = F.one_hot(gn.tensor(ids[:-1]), V).to(gn.float64)
        after = F.one_hot(gn.tensor(ids[1:]), V).to(gn.float64)
        counts = (first.t() @ after).numpy() + 1
        expected = counts / counts.sum(axis=1, keepdims=True)
        report.compare(f"bigram_probabilities({what})", bigram_probabilities(ids.copy(), V),
                       expected, rtol=1e-9, atol=1e-12)  # fmt: skip
