"""A learner's everyday mistakes, second sweep: each is one clear line of PyTorch's exception type.

Every case is a line of PyTorch code run twice, once with ``torch`` being glassnet and once
(where it is installed) with real PyTorch. glassnet must raise at the user's call an exception
that ``except <the type PyTorch raises>`` catches, whose one-line message names what was
expected and what was given. The first sweep is tests/test_nn_errors.py (layer shape and dtype
mistakes); this one covers tensors, factories, losses, one-hot/padding and batching.
"""

import warnings

import pytest
from mistake_cases import check_mistake, namespace

import glassnet as gn
import glassnet.nn.functional as gn_F

# (id, code, the type PyTorch raises, what glassnet's message must say)
TENSOR_MISTAKES = [
    ("argmax_dim_out_of_range", "torch.randn(2, 3).argmax(dim=3)", IndexError,
     r"argmax: dim 3 is out of range for a tensor with 2 dimensions \(expected -2 to 1\)"),
    ("argmin_negative_dim", "torch.randn(2, 3).argmin(-3)", IndexError,
     r"argmin: dim -3 is out of range .* 2 dimensions"),
    ("flatten_start_dim", "torch.flatten(torch.randn(2, 3), start_dim=3)", IndexError,
     r"flatten: dim 3 is out of range for a tensor with 2 dimensions"),
    ("flatten_start_after_end", "torch.randn(2, 3, 4).flatten(2, 1)", RuntimeError,
     r"flatten: start_dim 2 comes after end_dim 1"),
    ("where_shapes", "torch.where(torch.tensor([True, False, True]), torch.randn(3), torch.randn(2))",
     RuntimeError, r"where: expected .* shapes that broadcast together, got \(3,\), \(3,\) and \(2,\)"),
    ("masked_fill_mask_shape", "torch.randn(2, 3).masked_fill(torch.tensor([True, False]), 0.0)",
     RuntimeError, r"masked_fill: expected a mask that broadcasts to the input's shape \(2, 3\), "
     r"got \(2,\)"),
    ("masked_fill_int_mask", "torch.randn(2, 3).masked_fill(torch.tensor([[1, 0, 1], [0, 1, 0]]), 0.0)",
     RuntimeError, r"masked_fill: expected a bool mask, got dtype int64"),
    ("bool_minus_bool", "torch.tensor([True]) - torch.tensor([False])", RuntimeError,
     r"sub: not supported for operands of dtypes bool and bool; use \^ or logical_xor"),
    ("bmm_of_matrices", "torch.bmm(torch.randn(2, 3), torch.randn(3, 2))", RuntimeError,
     r"bmm: expects two 3-D tensors .*, got shapes \(2, 3\) and \(3, 2\)"),
    ("mean_of_integers", "torch.tensor([1, 2, 3]).mean()", RuntimeError,
     r"mean: expected a floating tensor, got dtype int64"),
    ("item_of_three", "torch.randn(3).item()", RuntimeError,
     r"item\(\) needs a tensor with exactly one element, got shape \(3,\)"),
    ("float_of_three", "float(torch.randn(3))", ValueError, r"exactly one element, got shape \(3,\)"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "torch_type", "match"), [c[1:] for c in TENSOR_MISTAKES],
                         ids=[c[0] for c in TENSOR_MISTAKES])  # fmt: skip
def test_tensor_mistakes(code, torch_type, match):
    check_mistake(code, torch_type, match)


FACTORY_MISTAKES = [
    ("zeros_of_a_float_size", "torch.zeros(2.5)", TypeError,
     r"sizes must be non-negative integers, got \(2\.5,\)"),
    ("randn_negative_size", "torch.randn(-1, 2)", RuntimeError,
     r"sizes must be non-negative integers, got \(-1, 2\)"),
    ("full_of_a_string", "torch.full((2,), 'a')", TypeError,
     r"full: fill_value must be a number, got str"),
    ("arange_zero_step", "torch.arange(0, 5, 0)", RuntimeError, r"arange: step must be non-zero, got 0"),
    ("normal_negative_std", "torch.normal(0.0, -1.0, size=(3,))", RuntimeError,
     r"normal expects std >= 0, got a smallest std of -1"),
    ("multinomial_negative", "torch.multinomial(torch.tensor([-1.0, 2.0]), 1)", RuntimeError,
     r"multinomial weights must be finite and non-negative, got values from -1\.0 to 2\.0"),
    ("randint_low_above_high", "torch.randint(5, 2, (3,))", RuntimeError,
     r"randint: high \(2\) must be greater than low \(5\)"),
    ("ragged_nested_lists", "torch.tensor([[1, 2], [3]])", ValueError,
     r"expected a sequence of length 2 at dim 1, got a sequence of length 1"),
    ("ragged_number_among_lists", "torch.tensor([[1, 2], 3])", TypeError,
     r"expected a sequence of length 2 at dim 1, got a number"),
    ("integers_requiring_grad", "torch.tensor([1, 2, 3], requires_grad=True)", RuntimeError,
     r"only floating tensors can require gradients, but this tensor has dtype int64"),
    ("integer_parameter", "nn.Parameter(torch.tensor([1, 2]))", RuntimeError,
     r"only floating tensors can require gradients, but this tensor has dtype int64"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "torch_type", "match"), [c[1:] for c in FACTORY_MISTAKES],
                         ids=[c[0] for c in FACTORY_MISTAKES])  # fmt: skip
def test_factory_mistakes(code, torch_type, match):
    check_mistake(code, torch_type, match)


LOSS_MISTAKES = [
    ("cross_entropy_float_targets", "F.cross_entropy(torch.randn(4, 3), torch.tensor([0., 1., 2., 1.]))",
     RuntimeError, r"target of shape \(4,\) holds class indices but has dtype float32"),
    ("cross_entropy_module_float_targets",
     "nn.CrossEntropyLoss()(torch.randn(4, 3), torch.tensor([0., 1., 2., 1.]))",
     RuntimeError, r"^CrossEntropyLoss: target of shape \(4,\) holds class indices but has dtype float32"),
    ("cross_entropy_integer_one_hot",
     "F.cross_entropy(torch.randn(4, 3), torch.eye(3, dtype=torch.long)[[0, 1, 2, 1]])",
     RuntimeError, r"target has the input's shape \(4, 3\), .* but integer dtype int64"),
    ("cross_entropy_class_too_large", "F.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 3, 1]))",
     IndexError, r"target contains class index 3, but the input has 3 classes \(valid indices are 0 to 2"),
    ("cross_entropy_negative_class", "F.cross_entropy(torch.randn(4, 3), torch.tensor([0, -2, 1, 1]))",
     IndexError, r"target contains class index -2, but the input has 3 classes"),
    ("nll_class_too_large", "F.nll_loss(torch.randn(4, 3), torch.tensor([0, 1, 5, 1]))",
     IndexError, r"nll_loss: target contains class index 5, but the input has 3 classes"),
    ("nll_float_targets", "F.nll_loss(torch.randn(4, 3), torch.tensor([0., 1., 2., 1.]))",
     RuntimeError, r"nll_loss: target of shape \(4,\) holds class indices but has dtype float32"),
    ("cross_entropy_integer_logits", "F.cross_entropy(torch.tensor([[1, 2], [3, 4]]), torch.tensor([0, 1]))",
     RuntimeError, r"cross_entropy: expected a floating input, got dtype int64"),
    ("bce_integer_target", "F.binary_cross_entropy(torch.tensor([0.2, 0.7]), torch.tensor([0, 1]))",
     RuntimeError, r"target must be floating .*, got dtype int64"),
    ("bce_on_logits", "nn.BCELoss()(torch.tensor([-2.0, 3.0]), torch.tensor([0., 1.]))",
     RuntimeError, r"BCELoss: all elements of input must be probabilities between 0 and 1, got values "
     r"from -2 to 3"),
    ("label_smoothing_above_one",
     "F.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 2, 1]), label_smoothing=1.5)",
     RuntimeError, r"label_smoothing must be between 0 and 1, got 1\.5"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "torch_type", "match"), [c[1:] for c in LOSS_MISTAKES],
                         ids=[c[0] for c in LOSS_MISTAKES])  # fmt: skip
def test_loss_mistakes(code, torch_type, match):
    check_mistake(code, torch_type, match)


def test_a_class_index_out_of_range_is_still_a_value_error():
    """Code written for glassnet's earlier ValueError keeps catching it."""
    with pytest.raises(ValueError, match="class index 3"):
        gn_F.cross_entropy(gn.randn(4, 3), gn.tensor([0, 1, 3, 1]))


FUNCTIONAL_MISTAKES = [
    ("one_hot_of_floats", "F.one_hot(torch.tensor([0., 1.]))", RuntimeError,
     r"one_hot: expected a Tensor of integer class indices \(int64\), got a Tensor of dtype float32"),
    ("one_hot_class_too_large", "F.one_hot(torch.tensor([0, 3]), num_classes=3)", RuntimeError,
     r"one_hot: class values must be in \[0, num_classes\) = \[0, 3\), got 3 at position \(1,\)"),
    ("pad_odd_length", "F.pad(torch.randn(1, 2, 3), (1, 2, 3))", RuntimeError,
     r"pad: the padding must be \(before, after\) pairs for at most 3 axes, got \(1, 2, 3\)"),
    ("pad_more_axes_than_input", "F.pad(torch.randn(3), (1, 1, 1, 1))", RuntimeError,
     r"pad: the padding must be .* for at most 1 axes, got \(1, 1, 1, 1\)"),
    ("ragged_samples_in_a_batch",
     "list(DataLoader([torch.ones(1), torch.ones(2)], batch_size=2))", RuntimeError,
     r"every sample in a batch must have the same shape; sample 0 has shape \(1,\) but sample 1 "
     r"has shape \(2,\)"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "torch_type", "match"), [c[1:] for c in FUNCTIONAL_MISTAKES],
                         ids=[c[0] for c in FUNCTIONAL_MISTAKES])  # fmt: skip
def test_functional_and_batching_mistakes(code, torch_type, match):
    check_mistake(code, torch_type, match)


WARNED_MISTAKES = [
    ("kl_div_mean", "F.kl_div(torch.randn(3, 4).log_softmax(1), torch.rand(3, 4).softmax(1))",
     r"reduction='mean'.*'batchmean'"),
    ("softmax_without_dim", "F.softmax(torch.randn(2, 3))", r"Implicit dimension choice for softmax"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "match"), [c[1:] for c in WARNED_MISTAKES],
                         ids=[c[0] for c in WARNED_MISTAKES])  # fmt: skip
def test_mistakes_pytorch_warns_about_are_warned_about(code, match):
    with pytest.warns(UserWarning, match=match):
        exec(code, namespace(gn))
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning):
        exec(code, namespace(torch))


@pytest.mark.parametrize(
    "code",
    [
        "F.kl_div(torch.randn(3, 4).log_softmax(1), torch.rand(3, 4).softmax(1), reduction='batchmean')",
        "torch.randn(2, 3).masked_fill(torch.tensor([True, False, True]), 0.0)",
        "torch.where(torch.tensor([[True], [False]]), torch.randn(2, 3), 0.0)",
        "torch.tensor(2.0).argmax(0)",
        "torch.full((2,), True)",
    ],
    ids=[
        "kl_div_batchmean",
        "masked_fill_broadcast_mask",
        "where_broadcasts",
        "argmax_0d",
        "full_bool",
    ],
)
def test_the_right_call_still_runs_silently(code):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec(code, namespace(gn))


def test_argmax_of_a_scalar_is_zero_like_torch():
    assert gn.tensor(2.0).argmax(0).item() == 0
    assert gn.tensor(2.0).argmin(-1).item() == 0
    torch = pytest.importorskip("torch")
    assert torch.tensor(2.0).argmax(0).item() == 0
