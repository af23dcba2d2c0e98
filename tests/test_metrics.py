"""Tests for glassnet.metrics: values worked out by hand, conventions, the registry, errors."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import metrics as M

# Four samples, three classes. Scores (rows) and true classes:
SCORES = np.array(
    [
        [2.0, 1.0, 0.0],  # predicted 0, true 0  -> right
        [0.1, 0.5, 0.4],  # predicted 1, true 2  -> wrong (2 is second best)
        [0.0, 3.0, 1.0],  # predicted 1, true 1  -> right
        [1.0, 0.0, 2.0],  # predicted 2, true 1  -> wrong (1 is the worst)
    ],
    dtype=np.float32,
)
TRUE = np.array([0, 2, 1, 1])


def test_accuracy_by_hand():
    assert M.accuracy(SCORES, TRUE) == 0.5


def test_accuracy_accepts_tensors_and_lists():
    assert M.accuracy(gn.tensor(SCORES), gn.tensor(TRUE)) == 0.5
    assert M.accuracy(SCORES.tolist(), TRUE.tolist()) == 0.5


def test_accuracy_on_predicted_classes():
    assert M.accuracy(np.array([0, 1, 1, 2]), TRUE) == 0.5


def test_accuracy_binary_threshold():
    probs = np.array([[0.9], [0.2], [0.6], [0.4]])
    target = np.array([[1], [0], [0], [0]])
    assert M.accuracy(probs, target) == 0.75
    logits = np.array([[1.5], [-2.0], [0.3], [-0.1]])
    assert M.accuracy(logits, target, threshold=0.0) == 0.75


def test_accuracy_per_position_classes():
    # (N, C, L) scores against (N, L) targets: the class axis is axis 1.
    scores = np.zeros((2, 3, 4))
    scores[:, 1, :] = 1.0
    target = np.array([[1, 1, 0, 1], [1, 2, 1, 1]])
    assert M.accuracy(scores, target) == 6 / 8


@pytest.mark.parametrize(
    ("k", "expected"), [(1, 0.5), (2, 0.75), (3, 1.0), (10, 1.0)], ids=["k1", "k2", "k3", "k10"]
)
def test_top_k_accuracy(k, expected):
    assert M.top_k_accuracy(SCORES, TRUE, k=k) == expected


def test_top_1_equals_accuracy_on_random_scores():
    rng = np.random.default_rng(0)
    scores = rng.standard_normal((200, 7))
    target = rng.integers(0, 7, 200)
    assert M.top_k_accuracy(scores, target, 1) == M.accuracy(scores, target)


def test_confusion_matrix_by_hand():
    m = M.confusion_matrix(SCORES, TRUE)
    expected = np.array([[1, 0, 0], [0, 1, 1], [0, 1, 0]])
    np.testing.assert_array_equal(m, expected)
    assert m.dtype == np.int64
    assert m.sum() == 4  # every sample counted once
    np.testing.assert_array_equal(m.sum(axis=1), np.bincount(TRUE, minlength=3))


def test_confusion_matrix_num_classes_pads():
    m = M.confusion_matrix(np.array([0, 1]), np.array([0, 1]), num_classes=4)
    assert m.shape == (4, 4)
    assert m[2:].sum() == 0


def test_precision_recall_f1_by_hand():
    s = M.precision_recall_f1(SCORES, TRUE)
    # class 0: predicted once, right once -> P=1, R=1
    # class 1: predicted twice (rows 1, 2), right once -> P=1/2; two true 1s, found one -> R=1/2
    # class 2: predicted once (row 3), wrong -> P=0; one true 2, not found -> R=0
    np.testing.assert_allclose(s["precision"], [1.0, 0.5, 0.0])
    np.testing.assert_allclose(s["recall"], [1.0, 0.5, 0.0])
    np.testing.assert_allclose(s["f1"], [1.0, 0.5, 0.0])
    np.testing.assert_array_equal(s["support"], [1, 2, 1])
    assert s["macro_f1"] == pytest.approx(0.5)
    assert s["accuracy"] == 0.5


def test_precision_recall_differ_and_f1_is_harmonic_mean():
    pred = np.array([0, 0, 0, 1, 1, 2])
    true = np.array([0, 0, 1, 1, 2, 2])
    p = M.precision(pred, true, average=None)
    r = M.recall(pred, true, average=None)
    np.testing.assert_allclose(p, [2 / 3, 1 / 2, 1.0])
    np.testing.assert_allclose(r, [1.0, 1 / 2, 1 / 2])
    np.testing.assert_allclose(M.f1_score(pred, true, average=None), 2 * p * r / (p + r))
    assert M.precision(pred, true) == pytest.approx(np.mean(p))
    assert M.recall(pred, true, average="micro") == pytest.approx(4 / 6)


def test_class_never_predicted_scores_zero_not_nan():
    s = M.precision_recall_f1(np.array([0, 0]), np.array([0, 1]), num_classes=3)
    assert np.all(np.isfinite(s["precision"])) and np.all(np.isfinite(s["f1"]))
    assert s["precision"][2] == 0 and s["recall"][2] == 0


def test_classification_report_lists_every_class():
    text = M.classification_report(SCORES, TRUE, class_names=["cat", "dog", "eel"])
    lines = text.splitlines()
    assert lines[0].split() == ["class", "precision", "recall", "f1", "support"]
    assert [line.split()[0] for line in lines[1:4]] == ["cat", "dog", "eel"]
    assert "macro avg" in text and text.strip().endswith("4")


def test_mse_mae_by_hand():
    out = np.array([[1.0], [2.0], [4.0]])
    tgt = np.array([[1.0], [3.0], [2.0]])
    assert M.mse(out, tgt) == pytest.approx((0 + 1 + 4) / 3)
    assert M.mae(out, tgt) == pytest.approx((0 + 1 + 2) / 3)
    # a (N,) target for a (N, 1) output is the same data, not a broadcast to (N, N)
    assert M.mse(out, tgt.ravel()) == pytest.approx(5 / 3)


def test_mse_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape"):
        M.mse(np.zeros((4, 2)), np.zeros((4, 3)))


def test_registry_and_names():
    assert set(M.METRICS) >= {
        "accuracy",
        "top5_accuracy",
        "mse",
        "mae",
        "precision",
        "recall",
        "f1",
    }
    assert M.get_metric("acc").name == "accuracy"
    top3 = M.get_metric("top3_accuracy")
    assert top3.name == "top3_accuracy" and top3.fn(SCORES, TRUE) == M.top_k_accuracy(
        SCORES, TRUE, 3
    )
    assert M.get_metric("f1").per_sample_mean is False
    assert M.get_metric("mse").higher_is_better is False


def test_custom_metric_function():
    def half(o, t):
        return 0.5

    spec = M.get_metric(half)
    assert spec.name == "half" and spec.fn(None, None) == 0.5


def test_unknown_metric_lists_known_ones():
    with pytest.raises(ValueError, match="known metrics: accuracy"):
        M.get_metric("acuracy")


@pytest.mark.parametrize(
    ("fn", "args", "match"),
    [
        (M.accuracy, (np.zeros((4, 3, 2)), np.zeros(4, dtype=int)), "does not fit"),
        (M.accuracy, (np.zeros((4, 3)), np.array([0.5, 1, 2, 0])), "class indices"),
        (M.top_k_accuracy, (SCORES, TRUE, 0), "positive integer"),
        (M.confusion_matrix, (np.array([0, 5]), np.array([0, 1]), 3), r"\[0, 3\)"),
        (M.accuracy, (np.zeros((0, 3)), np.zeros(0, dtype=int)), "no samples"),
        (M.precision, (SCORES, TRUE, "weighted"), "average must be"),
    ],
    ids=["shape", "float-target", "k0", "class-range", "empty", "average"],
)
def test_errors(fn, args, match):
    with pytest.raises((ValueError, TypeError), match=match):
        fn(*args)
