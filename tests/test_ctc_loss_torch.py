"""F.ctc_loss and nn.CTCLoss: against PyTorch (values and gradients over many random argument
sets: lengths, blanks, repeated labels, impossible alignments, every reduction, both target
layouts), against a brute-force sum over all alignments, gradcheck in float64, and the errors."""

import itertools

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
import glassnet.nn.functional as F
from glassnet.numerical import gradcheck
from glassnet.ops.ctc import ctc_loss_reference, extended_labels


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _random_case(seed: int) -> dict:
    """A random CTC problem: shapes, a blank anywhere, targets without the blank, any lengths."""
    rng = np.random.default_rng(seed)
    frames, batch, classes, width = (int(v) for v in rng.integers([1, 1, 2, 1], [12, 5, 6, 7]))
    blank = int(rng.integers(0, classes))
    targets = rng.integers(0, classes - 1, (batch, width))
    targets = np.where(targets >= blank, targets + 1, targets)  # never the blank
    if seed % 4 == 0:
        targets[:] = targets[:, :1]  # one label repeated: needs a blank between each pair
    return {
        "logits": rng.standard_normal((frames, batch, classes)),
        "targets": targets,
        "input_lengths": rng.integers(0, frames + 1, batch),
        "target_lengths": rng.integers(0, width + 1, batch),
        "blank": blank,
    }


def _concatenated(targets: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    return np.concatenate([row[:n] for row, n in zip(targets, lengths)]).astype(np.int64)


def _both(lib, functional, case, reduction, zero_infinity, layout, dtype):
    """Loss and the leaves (logits, log_probs) for glassnet or torch, through log_softmax."""
    logits = lib.tensor(case["logits"], dtype=dtype, requires_grad=True)
    log_probs = logits.log_softmax(2)
    log_probs.retain_grad()
    targets = case["targets"]
    if layout == "concatenated":
        targets = _concatenated(targets, case["target_lengths"])
    loss = functional.ctc_loss(
        log_probs,
        lib.tensor(targets),
        lib.tensor(case["input_lengths"]),
        lib.tensor(case["target_lengths"]),
        blank=case["blank"],
        reduction=reduction,
        zero_infinity=zero_infinity,
    )
    return loss, logits, log_probs


@pytest.mark.parametrize("layout", ["padded", "concatenated"])
@pytest.mark.parametrize("zero_infinity", [False, True], ids=["inf", "zero_infinity"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_random_cases_match_pytorch(torch, reduction, zero_infinity, layout):
    """24 random problems per setting, each loss and both gradients equal to PyTorch's."""
    impossible_seen = 0
    for seed in range(24):
        case = _random_case(seed)
        ours, our_logits, our_lp = _both(gn, F, case, reduction, zero_infinity, layout, gn.float64)
        theirs, their_logits, their_lp = _both(
            torch, torch.nn.functional, case, reduction, zero_infinity, layout, torch.float64
        )
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-10)
        ours.sum().backward()
        theirs.sum().backward()
        # The gradient with respect to log_probs is PyTorch's own (exp(lp) - occupancy) ...
        np.testing.assert_allclose(our_lp.grad.numpy(), their_lp.grad.numpy(), atol=1e-10)
        # ... and through log_softmax the true gradient with respect to the logits.
        np.testing.assert_allclose(our_logits.grad.numpy(), their_logits.grad.numpy(), atol=1e-10)
        losses = F.ctc_loss(our_lp.detach(), case["targets"], case["input_lengths"],
                            case["target_lengths"], case["blank"], "none")  # fmt: skip
        impossible_seen += int(np.isinf(losses.numpy()).sum())
    assert impossible_seen > 0  # the random cases include impossible alignments


def test_float32_matches_pytorch(torch):
    case = _random_case(3)
    ours, _, our_lp = _both(gn, F, case, "mean", True, "padded", gn.float32)
    theirs, _, their_lp = _both(torch, torch.nn.functional, case, "mean", True, "padded",
                                torch.float32)  # fmt: skip
    assert ours.dtype == gn.float32
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-5)
    ours.backward()
    theirs.backward()
    assert our_lp.grad.dtype == gn.float32
    np.testing.assert_allclose(our_lp.grad.numpy(), their_lp.grad.numpy(), atol=1e-6)


def test_impossible_alignment_gives_inf_and_nan_gradients_like_pytorch(torch):
    """The labels 'a a a a' need 7 frames (a blank between each pair): 5 are impossible."""
    rng = np.random.default_rng(0)
    lp = rng.standard_normal((5, 1, 3))
    args = ([[1, 1, 1, 1]], [5], [4])
    for zero_infinity in (False, True):
        ours_lp = gn.tensor(lp, requires_grad=True)
        theirs_lp = torch.tensor(lp, requires_grad=True)
        ours = F.ctc_loss(ours_lp, *[gn.tensor(a) for a in args], zero_infinity=zero_infinity,
                          reduction="sum")  # fmt: skip
        theirs = torch.nn.functional.ctc_loss(theirs_lp, *[torch.tensor(a) for a in args],
                                              zero_infinity=zero_infinity, reduction="sum")  # fmt: skip
        assert float(ours) == float(theirs.detach()) == (0.0 if zero_infinity else np.inf)
        ours.backward()
        theirs.backward()
        np.testing.assert_array_equal(ours_lp.grad.numpy(), theirs_lp.grad.numpy())
        assert np.isnan(ours_lp.grad.numpy()).all() != zero_infinity


def test_unbatched_input_and_list_lengths_match_pytorch(torch):
    rng = np.random.default_rng(1)
    lp = rng.standard_normal((7, 4))
    for reduction in ("mean", "sum", "none"):
        ours = F.ctc_loss(gn.tensor(lp), gn.tensor([1, 2, 2]), 6, gn.tensor(3), reduction=reduction)
        theirs = torch.nn.functional.ctc_loss(torch.tensor(lp), torch.tensor([1, 2, 2]),
                                              torch.tensor(6), torch.tensor(3), reduction=reduction)  # fmt: skip
        assert ours.shape == tuple(theirs.shape) == ()
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    batched = rng.standard_normal((6, 2, 4))
    ours = F.ctc_loss(gn.tensor(batched), gn.tensor([[1, 3], [2, 0]]), [6, 5], (2, 1))
    theirs = torch.nn.functional.ctc_loss(torch.tensor(batched), torch.tensor([[1, 3], [2, 0]]),
                                          [6, 5], (2, 1))  # fmt: skip
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_module_matches_function_and_names_itself(torch):
    case = _random_case(5)
    lp = gn.tensor(case["logits"]).log_softmax(2)
    args = (case["targets"], case["input_lengths"], case["target_lengths"])
    criterion = nn.CTCLoss(blank=case["blank"], reduction="sum", zero_infinity=True)
    expected = F.ctc_loss(lp, *args, blank=case["blank"], reduction="sum", zero_infinity=True)
    np.testing.assert_allclose(criterion(lp, *args).numpy(), expected.numpy())
    theirs = torch.nn.CTCLoss(blank=case["blank"], reduction="sum", zero_infinity=True)(
        torch.tensor(lp.numpy()), *[torch.tensor(a) for a in args]
    )
    np.testing.assert_allclose(expected.numpy(), theirs.numpy(), rtol=1e-10)
    assert "zero_infinity=True" in repr(criterion)
    with pytest.raises(ValueError, match=r"^CTCLoss: input_lengths must be at most"):
        criterion(lp, args[0], [lp.shape[0] + 1] * lp.shape[1], args[2])
    with pytest.raises(ValueError, match="reduction"):
        nn.CTCLoss(reduction="avg")


# ----------------------------------------------------------------------------------------------
# First principles: no torch needed
# ----------------------------------------------------------------------------------------------


def _collapse(path, blank):
    merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
    return [c for c in merged if c != blank]


@pytest.mark.parametrize("target", [[1], [1, 2], [1, 1], [2, 1, 2], []], ids=str)
def test_loss_is_minus_log_of_the_brute_force_sum_over_alignments(target):
    """Enumerate all C**T paths, keep those that collapse to the target, sum their probabilities."""
    rng = np.random.default_rng(len(target))
    frames, classes, blank = 5, 3, 0
    log_probs = gn.tensor(rng.standard_normal((frames, 1, classes))).log_softmax(2)
    probs = np.exp(log_probs.numpy()[:, 0])
    total = sum(
        np.prod(probs[np.arange(frames), path])
        for path in itertools.product(range(classes), repeat=frames)
        if _collapse(list(path), blank) == target
    )
    loss = F.ctc_loss(log_probs, gn.tensor([target or [1]]), [frames], [len(target)],
                      reduction="none")  # fmt: skip
    np.testing.assert_allclose(loss.numpy()[0], -np.log(total), rtol=1e-10)


def test_batched_op_agrees_with_the_loop_by_loop_reference():
    for seed in range(12):
        case = _random_case(seed)
        lp = gn.tensor(case["logits"]).log_softmax(2)
        losses = F.ctc_loss(lp, case["targets"], case["input_lengths"], case["target_lengths"],
                            case["blank"], "none").numpy()  # fmt: skip
        for n, loss in enumerate(losses):
            frames = case["input_lengths"][n]
            labels = case["targets"][n, : case["target_lengths"][n]]
            expected = ctc_loss_reference(lp.numpy()[:frames, n], list(labels), case["blank"])
            np.testing.assert_allclose(loss, expected, rtol=1e-12)


def test_extended_labels_put_blanks_around_and_between_and_skip_only_between_different_labels():
    labels, inside, skip = extended_labels(np.array([[3, 3, 5], [4, 0, 0]]), np.array([3, 1]), 0)
    np.testing.assert_array_equal(labels[0], [0, 3, 0, 3, 0, 5, 0])
    np.testing.assert_array_equal(inside[1], [1, 1, 1, 0, 0, 0, 0])
    np.testing.assert_array_equal(skip[0], [0, 0, 0, 0, 0, 1, 0])  # 3 -> 3 needs the blank
    assert not skip[1].any()


def test_zero_lengths():
    lp = gn.tensor(np.random.default_rng(2).standard_normal((4, 2, 3))).log_softmax(2)
    loss = F.ctc_loss(lp, [[1, 2], [1, 2]], [4, 0], [0, 0], reduction="none")
    # No labels: the only path is all blanks; no frames and no labels: probability 1.
    np.testing.assert_allclose(loss.numpy(), [-lp.numpy()[:, 0, 0].sum(), 0.0], atol=1e-12)
    assert np.isinf(F.ctc_loss(lp, [[1, 2], [1, 2]], [4, 0], [1, 1], reduction="none").numpy()[1])


def test_mean_divides_by_target_lengths_before_averaging():
    lp = gn.tensor(np.random.default_rng(3).standard_normal((6, 3, 4))).log_softmax(2)
    args = ([[1, 2, 3], [2, 2, 0], [3, 0, 0]], [6, 6, 5], [3, 2, 0])
    per_sample = F.ctc_loss(lp, *args, reduction="none").numpy()
    mean = F.ctc_loss(lp, *args).numpy()
    np.testing.assert_allclose(mean, np.mean(per_sample / np.array([3, 2, 1])), rtol=1e-12)


@pytest.mark.parametrize("layout", ["padded", "concatenated"])
def test_gradcheck_through_log_softmax(layout):
    """PyTorch's gradient is the logits' gradient after log_softmax, so check through it."""
    rng = np.random.default_rng(4)
    logits = gn.tensor(rng.standard_normal((6, 3, 4)), dtype=gn.float64, requires_grad=True)
    targets = np.array([[1, 1, 2], [3, 2, 0], [2, 0, 0]])
    lengths = np.array([3, 2, 1])
    if layout == "concatenated":
        targets = _concatenated(targets, lengths)
    for reduction in ("mean", "sum", "none"):
        assert gradcheck(
            lambda x, r=reduction: F.ctc_loss(x.log_softmax(2), targets, [6, 5, 4], lengths, 0, r),
            logits,
        )


def test_gradient_with_respect_to_log_probs_is_probability_minus_occupancy():
    """Summed over the classes, exp(lp) - q is 0 at every used frame (both sum to 1)."""
    logits = gn.tensor(np.random.default_rng(5).standard_normal((5, 2, 4)), dtype=gn.float64)
    lp = logits.log_softmax(2).detach().requires_grad_()
    F.ctc_loss(lp, [[1, 2], [3, 3]], [5, 3], [2, 2], reduction="sum").backward()
    sums = lp.grad.numpy().sum(2)
    np.testing.assert_allclose(sums, 0.0, atol=1e-12)
    np.testing.assert_array_equal(lp.grad.numpy()[3:, 1], 0.0)  # frames past the input length


def test_second_derivative_is_refused_clearly():
    x = gn.tensor(np.random.default_rng(6).standard_normal((4, 1, 3)), requires_grad=True)
    loss = F.ctc_loss(x.log_softmax(2), [[1]], [4], [1])
    (grad,) = gn.autograd.grad(loss, [x], create_graph=True)
    with pytest.raises(NotImplementedError, match="second derivative"):
        grad.sum().backward()


def _lp(*shape):
    return gn.randn(*shape).log_softmax(-1)


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda: F.ctc_loss(_lp(2, 3, 4, 5), [[1]], [1], [1]), gn.errors.ShapeError,
         r"log_probs of shape \(T, N, C\) or \(T, C\), got \(2, 3, 4, 5\)"),
        (lambda: F.ctc_loss(_lp(5, 2, 4), [[1, 2], [1, 2]], [6, 5], [2, 2]), ValueError,
         r"input_lengths must be at most 5 \(T, the frames\), got \[6, 5\]"),
        (lambda: F.ctc_loss(_lp(5, 2, 4), [[1, 2], [1, 2]], [5, 5], [3, 2]), ValueError,
         r"target_lengths must be at most 2"),
        (lambda: F.ctc_loss(_lp(5, 2, 4), [[1, 2], [1, 2]], [5], [2, 2]), gn.errors.ShapeError,
         r"expected input_lengths of shape \(2,\) \(one per sample\), got \(1,\)"),
        (lambda: F.ctc_loss(_lp(5, 2, 4), [[1, 2], [1, 2]], [5, -1], [2, 2]), ValueError,
         r"input_lengths must not be negative"),
        (lambda: F.ctc_loss(_lp(5, 2, 4), [1, 2, 3], [5, 5], [2, 2]), gn.errors.ShapeError,
         r"length sum\(target_lengths\) = 4, got \(3,\)"),
        (lambda: F.ctc_loss(_lp(5, 2, 4), [[1, 2]], [5, 5], [2, 2]), gn.errors.ShapeError,
         r"padded targets of shape \(2, S\)"),
        (lambda: F.ctc_loss(_lp(5, 2, 4), [[1, 2], [1, 2]], [5, 5], [2, 2], blank=4), ValueError,
         r"blank must be a class index in \[0, 4\)"),
        (lambda: F.ctc_loss(_lp(5, 2, 4), [[1, 9], [1, 2]], [5, 5], [2, 2]), IndexError,
         r"targets must be class indices in \[0, 4\), got 9"),
        (lambda: F.ctc_loss(_lp(5, 2, 4), [[1, 2], [1, 2]], [5.0, 5.0], [2, 2]), TypeError,
         r"input_lengths must be integral, got dtype float64"),
        (lambda: F.ctc_loss(_lp(5, 2, 4), [[1, 2], [1, 2]], [5, 5], [2, 2], reduction="avg"),
         ValueError, r"reduction must be one of"),
        (lambda: F.ctc_loss(gn.ones(5, 2, 4, dtype=gn.int64), [[1]], [5, 5], [1, 1]), TypeError,
         r"expected a floating log_probs"),
        (lambda: F.ctc_loss(_lp(5, 4), [[1, 2]], 5, 2), gn.errors.ShapeError,
         r"expected targets of shape \(S,\)"),
    ],
    ids=["ndim", "input_too_long", "target_too_long", "lengths_shape", "negative",
         "concatenated_sum", "padded_rows", "blank", "class_range", "float_lengths", "reduction",
         "integer_log_probs", "unbatched_targets"],
)  # fmt: skip
def test_errors_name_what_was_expected(call, error, message):
    with pytest.raises(error, match=r"^ctc_loss: .*" + message):
        call()
