"""Synthetic toy datasets: 2-D classification (spiral, moons, circles, xor, blobs), 1-D regression (sine).

Every generator returns NumPy arrays ``(X, y)``: ``X`` float32 of shape (n, 2) (or (n, 1) for
``sine``), ``y`` int64 class labels of shape (n,) (or float32 targets of shape (n, 1) for
``sine``). The rows come in random order, so ``X[:k]`` is a fair sample.

Randomness: ``seed=None`` draws from glassnet's global generator (reproducible after
``glassnet.manual_seed``); an integer seed gives the same data every time, whatever else ran.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .dataset import _as_generator

__all__ = ["blobs", "circles", "moons", "sine", "spiral", "xor"]


def _check_count(name: str, value: int, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_noise(noise: float) -> float:
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    return float(noise)


def _finish(
    X: np.ndarray, y: np.ndarray, rng: np.random.Generator, shuffle: bool
) -> tuple[np.ndarray, np.ndarray]:
    if shuffle:
        perm = rng.permutation(len(X))
        X, y = X[perm], y[perm]
    return np.ascontiguousarray(X, dtype=np.float32), np.ascontiguousarray(y)


def spiral(
    n_per_class: int = 100,
    classes: int = 3,
    noise: float = 0.2,
    seed: int | None = None,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the classic test that a linear model fails).

    Arm ``k`` has ``n_per_class`` points at radius ``r`` from 0 to 1 and angle
    ``theta = 4 (k + r) + noise * N(0, 1)``; the point is ``(r sin theta, r cos theta)``.

    Returns:
        X float32 (n_per_class * classes, 2) inside the unit disc, y int64 labels 0..classes-1,
        exactly ``n_per_class`` of each.
    """
    n_per_class = _check_count("n_per_class", n_per_class)
    classes = _check_count("classes", classes)
    noise = _check_noise(noise)
    rng = _as_generator(seed)
    r = np.tile(np.linspace(0.0, 1.0, n_per_class), classes)
    k = np.repeat(np.arange(classes), n_per_class)
    theta = 4.0 * (k + r) + noise * rng.standard_normal(r.shape)
    X = np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1)
    return _finish(X, k.astype(np.int64), rng, shuffle)


def moons(
    n: int = 200, noise: float = 0.1, seed: int | None = None, shuffle: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles.

    Class 0: ``(cos t, sin t)``; class 1: ``(1 - cos t, 0.5 - sin t)``, for ``t`` evenly spaced in
    ``[0, pi]``; then Gaussian noise of standard deviation ``noise`` is added to every coordinate.

    Returns:
        X float32 (n, 2), y int64 (n,): ``n // 2`` zeros (plus one when n is odd) and ``n // 2`` ones.
    """
    n = _check_count("n", n, 2)
    noise = _check_noise(noise)
    rng = _as_generator(seed)
    n0 = n - n // 2
    n1 = n // 2
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    X = np.concatenate(
        [np.stack([np.cos(t0), np.sin(t0)], 1), np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], 1)]
    )
    X = X + noise * rng.standard_normal(X.shape)
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    return _finish(X, y, rng, shuffle)


def circles(
    n: int = 200,
    noise: float = 0.05,
    factor: float = 0.5,
    seed: int | None = None,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """A circle of radius 1 (class 0) around a circle of radius ``factor`` (class 1), plus noise.

    Returns:
        X float32 (n, 2), y int64 (n,): ``n - n // 2`` zeros and ``n // 2`` ones.
    """
    n = _check_count("n", n, 2)
    noise = _check_noise(noise)
    if not 0 < factor < 1:
        raise ValueError(f"factor (inner radius / outer radius) must lie in (0, 1), got {factor}")
    rng = _as_generator(seed)
    n0 = n - n // 2
    n1 = n // 2
    t0 = np.linspace(0.0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0.0, 2 * np.pi, n1, endpoint=False)
    X = np.concatenate(
        [np.stack([np.cos(t0), np.sin(t0)], 1), factor * np.stack([np.cos(t1), np.sin(t1)], 1)]
    )
    X = X + noise * rng.standard_normal(X.shape)
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    return _finish(X, y, rng, shuffle)


def xor(
    n: int = 200, noise: float = 0.1, seed: int | None = None, shuffle: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: points in the four quadrants of [-1, 1]^2, label 1 where x * y < 0.

    Each quadrant gets ``n // 4`` points (the first ``n % 4`` quadrants one more) drawn
    uniformly inside it; the label is fixed by the quadrant, then Gaussian noise of standard
    deviation ``noise`` moves the points (so a few may cross an axis).

    Returns:
        X float32 (n, 2), y int64 (n,): half ones when n is a multiple of 4.
    """
    n = _check_count("n", n, 4)
    noise = _check_noise(noise)
    rng = _as_generator(seed)
    signs = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], dtype=np.float64)
    counts = [n // 4 + (1 if q < n % 4 else 0) for q in range(4)]
    quadrant = np.repeat(np.arange(4), counts)
    X = signs[quadrant] * rng.uniform(0.0, 1.0, size=(n, 2))
    y = (signs[quadrant, 0] * signs[quadrant, 1] < 0).astype(np.int64)
    X = X + noise * rng.standard_normal(X.shape)
    return _finish(X, y, rng, shuffle)


def blobs(
    n: int = 300,
    centers: int | Sequence[Sequence[float]] | np.ndarray = 3,
    std: float = 0.5,
    seed: int | None = None,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters, one class per center.

    Args:
        n: total number of points; center ``k`` gets ``n // K`` (the first ``n % K`` one more).
        centers: an integer K (the centers then sit evenly on a circle of radius 3 around the
            origin, the same every time) or an array of shape (K, d) of center coordinates.
        std: the standard deviation of every cluster.

    Returns:
        X float32 (n, d) (d = 2 for an integer ``centers``), y int64 (n,) with labels 0..K-1.
    """
    n = _check_count("n", n)
    std = _check_noise(std)
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        k = _check_count("centers", centers)
        angle = 2 * np.pi * np.arange(k) / k
        c = 3.0 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    else:
        c = np.asarray(centers, dtype=np.float64)
        if c.ndim != 2 or c.shape[0] < 1 or c.shape[1] < 1:
            raise ValueError(
                f"centers must be an integer or an array of shape (K, d), got shape {c.shape}"
            )
    k = c.shape[0]
    rng = _as_generator(seed)
    counts = [n // k + (1 if j < n % k else 0) for j in range(k)]
    y = np.repeat(np.arange(k), counts).astype(np.int64)
    X = c[y] + std * rng.standard_normal((n, c.shape[1]))
    return _finish(X, y, rng, shuffle)


def sine(
    n: int = 200, noise: float = 0.1, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A 1-D regression task: ``y = sin(x) + noise * N(0, 1)`` for ``x`` uniform in [-pi, pi].

    Returns:
        X float32 (n, 1), y float32 (n, 1) (column vectors, ready for ``nn.Linear(1, ...)`` and
        ``MSELoss``).
    """
    n = _check_count("n", n)
    noise = _check_noise(noise)
    rng = _as_generator(seed)
    x = rng.uniform(-np.pi, np.pi, size=(n, 1))
    y = np.sin(x) + noise * rng.standard_normal((n, 1))
    return x.astype(np.float32), y.astype(np.float32)
