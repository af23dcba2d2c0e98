"""Lesson 9's exercises: a convolution's output size, a 2-D convolution by loops, 2x2 max pooling."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import glassnet as gn
from glassnet.nn import functional as F

from ..exercises import Report, exercise

OUTPUT_SIZE_TEMPLATE = '''
def conv_output_size(H, k, stride=1, padding=0, dilation=1):
    """The output size (along one side) of a convolution of an input of size H with a filter of
    size k: (H + 2 * padding - dilation * (k - 1) - 1) // stride + 1."""
    ...
'''


@exercise(9, 1, "a convolution's output size", OUTPUT_SIZE_TEMPLATE, "conv_output_size")
def check_output_size(conv_output_size: Callable, report: Report) -> None:
    cases = [(8, 3, 1, 0, 1), (8, 3, 1, 1, 1), (8, 3, 2, 1, 1), (28, 5, 2, 2, 1), (10, 3, 1, 0, 2),
             (7, 2, 3, 1, 2), (32, 7, 2, 3, 1)]  # fmt: skip
    for H, k, s, p, d in cases:
        x = gn.zeros(1, 1, H, H)
        weight = gn.zeros(1, 1, k, k)
        expected = F.conv2d(x, weight, stride=s, padding=p, dilation=d).shape[-1]
        got = conv_output_size(H, k, stride=s, padding=p, dilation=d)
        report.compare(f"conv_output_size(H={H}, k={k}, stride={s}, padding={p}, dilation={d})",
                       got, expected, rtol=0, atol=0)  # fmt: skip


CONV_TEMPLATE = '''
import numpy as np


def conv2d(image, kernel):
    """Slide kernel (k x k) over image (H x W), no padding, stride 1, and return the feature map
    of shape (H - k + 1, W - k + 1): out[i, j] = sum of image[i:i+k, j:j+k] * kernel.
    Use loops (NumPy for the small sums is fine)."""
    ...
'''


@exercise(9, 2, "a 2-D convolution by loops", CONV_TEMPLATE, "conv2d")
def check_conv(conv2d: Callable, report: Report) -> None:
    rng = np.random.default_rng(9)
    for (h, w), k in (((5, 5), 3), ((8, 6), 3), ((6, 7), 2), ((4, 4), 4)):
        image, kernel = rng.normal(size=(h, w)), rng.normal(size=(k, k))
        expected = F.conv2d(gn.tensor(image[None, None]), gn.tensor(kernel[None, None]))
        got = conv2d(image.copy(), kernel.copy())
        report.compare(f"conv2d(an image {h}x{w}, a kernel {k}x{k})", got,
                       expected.numpy()[0, 0], rtol=1e-6, atol=1e-9)  # fmt: skip


POOL_TEMPLATE = '''
import numpy as np


def max_pool_2x2(image):
    """The largest value of each 2x2 block of image (H x W, both even): shape (H // 2, W // 2)."""
    ...
'''


@exercise(9, 3, "max pooling 2x2", POOL_TEMPLATE, "max_pool_2x2")
def check_pool(max_pool_2x2: Callable, report: Report) -> None:
    rng = np.random.default_rng(90)
    for h, w in ((4, 4), (6, 8), (2, 10)):
        image = rng.normal(size=(h, w))
        expected = F.max_pool2d(gn.tensor(image[None, None]), 2).numpy()[0, 0]
        report.compare(f"max_pool_2x2(an image {h}x{w})", max_pool_2x2(image.copy()), expected)
