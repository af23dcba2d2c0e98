"""A learner's everyday mistakes, third sweep: layers, autograd, optimizers, data, tensors, files, CLI.

Every case is a line of PyTorch code run twice, once with ``torch`` being glassnet and once
(where it is installed) with real PyTorch. glassnet must raise at the user's call an exception
that ``except <the type PyTorch raises>`` catches, whose one-line message names what was
expected and what was given. The earlier sweeps are tests/test_nn_errors.py and
tests/test_user_mistakes_b.py; no case here repeats theirs. The last part runs the
``glassnet`` command line in this process: each mistake is one line and exit status 1 or 2.
"""

import re

import numpy as np
import pytest
from mistake_cases import check_mistake, namespace, raises_in_glassnet

import glassnet as gn
from glassnet import nn as gn_nn
from glassnet.cli.app import main as glassnet_main
from glassnet.data import DataLoader as GnDataLoader

# Classes the cases use, defined in each framework's namespace by the same source text.
_CLASSES = '''
class NoLen(Dataset):
    """A map-style dataset that forgot __len__."""
    def __getitem__(self, i):
        return torch.tensor([float(i)])

class Stream(IterableDataset):
    def __iter__(self):
        return iter(range(5))

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)
    def forward(self, x):
        return self.fc(x)

class ForgotSuper(nn.Module):
    def __init__(self):
        self.fc = nn.Linear(2, 2)

class ForgotSuperParameter(nn.Module):
    def __init__(self):
        self.w = nn.Parameter(torch.ones(2))

class NoForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)
'''


def _namespace(module) -> dict:
    """The names a case's code may use, with the classes above defined in them."""
    return namespace(module, _CLASSES)


def _raises_in_glassnet(code: str, torch_type: type, match: str) -> None:
    raises_in_glassnet(code, torch_type, match, _CLASSES)


def _check(code: str, torch_type: type, match: str) -> None:
    check_mistake(code, torch_type, match, _CLASSES)


def _table(cases):
    """pytest.mark.parametrize arguments for a table of (id, code, type, match) rows."""
    return {"argnames": ("code", "torch_type", "match"), "argvalues": [c[1:] for c in cases],
            "ids": [c[0] for c in cases]}  # fmt: skip


# (id, code, the type PyTorch raises, what glassnet's message must say)
LAYER_MISTAKES = [
    ("linear_float64_input", "nn.Linear(4, 3)(torch.randn(2, 4, dtype=torch.float64))", RuntimeError,
     r"^Linear: input and parameters must have the same floating dtype, got input float64, "
     r"weight float32"),
    ("linear_int_input", "nn.Linear(4, 3)(torch.tensor([[1, 2, 3, 4]]))", RuntimeError,
     r"got input int64, weight float32, .* \(x\.float\(\)\)"),
    ("linear_0d_input", "nn.Linear(4, 3)(torch.tensor(1.0))", RuntimeError,
     r"^Linear: expected input of shape \(\*, 4\), got \(\)$"),
    ("linear_numpy_in_sequential", "nn.Sequential(nn.Linear(2, 2))(np.ones((1, 2), np.float32))",
     TypeError, r"^0 \(Linear\): expected input to be a glassnet Tensor, got ndarray"),
    ("linear_python_list", "nn.Linear(2, 2)([[1.0, 2.0]])", TypeError,
     r"^Linear: expected input to be a glassnet Tensor, got list"),
    ("conv2d_numpy", "nn.Conv2d(1, 1, 3)(np.ones((1, 1, 5, 5), np.float32))", TypeError,
     r"^Conv2d: expected input to be a glassnet Tensor, got ndarray"),
    ("conv2d_5d_input", "nn.Conv2d(3, 8, 3)(torch.randn(1, 1, 3, 8, 8))", RuntimeError,
     r"^Conv2d: expected input of shape \(N, 3, H, W\) or \(3, H, W\), got \(1, 1, 3, 8, 8\)"),
    ("conv2d_smaller_than_kernel", "nn.Conv2d(3, 8, 5)(torch.randn(1, 3, 3, 3))", RuntimeError,
     r"H >= 5 and W >= 5 .*, got \(1, 3, 3, 3\)"),
    ("conv2d_float64_input", "nn.Conv2d(3, 8, 3)(torch.randn(1, 3, 8, 8, dtype=torch.float64))",
     RuntimeError, r"^Conv2d: expected input of dtype float32 \(the dtype of the weights\), got "
     r"float64"),
    ("conv2d_int_input", "nn.Conv2d(3, 8, 3)(torch.zeros(1, 3, 8, 8, dtype=torch.long))",
     RuntimeError, r"^Conv2d: expected input of dtype float32 .*, got int64"),
    ("conv1d_given_images", "nn.Conv1d(3, 4, 3)(torch.randn(2, 3, 5, 5))", RuntimeError,
     r"^Conv1d: expected input of shape \(N, 3, L\) or \(3, L\), got \(2, 3, 5, 5\)"),
    ("lstm_4d_input", "nn.LSTM(4, 5)(torch.randn(3, 2, 4, 1))", ValueError,
     r"^LSTM: expected input of shape \(L, N, 4\) or \(L, 4\), got \(3, 2, 4, 1\)"),
    ("lstm_batch_first_features", "nn.LSTM(4, 5, batch_first=True)(torch.randn(2, 3, 6))",
     RuntimeError, r"^LSTM: expected input of shape \(N, L, 4\) or \(L, 4\), got \(2, 3, 6\)"),
    ("lstm_h0_batch", "nn.LSTM(4, 5)(torch.randn(3, 2, 4), (torch.zeros(1, 3, 5), torch.zeros(1, 3, 5)))",
     RuntimeError, r"^LSTM: expected h_0 of shape \(1, 2, 5\), got \(1, 3, 5\)"),
    ("gru_wrong_features", "nn.GRU(4, 5)(torch.randn(3, 2, 6))", RuntimeError,
     r"^GRU: expected input of shape \(L, N, 4\) or \(L, 4\), got \(3, 2, 6\)"),
    ("embedding_float_indices", "nn.Embedding(10, 3)(torch.tensor([1.0, 2.0]))", RuntimeError,
     r"^Embedding: expected a Tensor of integer indices \(int64\), got a Tensor of dtype float32"),
    ("embedding_index_too_large", "nn.Embedding(10, 3)(torch.tensor([1, 10]))", IndexError,
     r"^Embedding: index 10 at position \(1,\) is out of range for an embedding table of size 10"),
    ("batchnorm2d_channels", "nn.BatchNorm2d(3)(torch.randn(2, 4, 5, 5))", RuntimeError,
     r"^BatchNorm2d: expected input of shape \(N, 3, H, W\), got \(2, 4, 5, 5\)"),
    ("batchnorm2d_unbatched", "nn.BatchNorm2d(3)(torch.randn(3, 5, 5))", ValueError,
     r"^BatchNorm2d: expected input of shape \(N, 3, H, W\), got \(3, 5, 5\)"),
    ("batchnorm1d_one_sample", "nn.BatchNorm1d(3)(torch.randn(1, 3))", ValueError,
     r"expected more than 1 value per channel when training, got input of shape \(1, 3\)"),
    ("layernorm_last_dim", "nn.LayerNorm(4)(torch.randn(2, 5))", RuntimeError,
     r"^LayerNorm: expected input of shape \(\*, 4\), got \(2, 5\)"),
    ("flatten_then_linear", "nn.Sequential(nn.Flatten(), nn.Linear(10, 2))(torch.randn(2, 3, 4))",
     RuntimeError, r"^1 \(Linear\): expected input of shape \(\*, 10\), got \(2, 12\)"),
    ("unflatten_sizes", "nn.Unflatten(1, (2, 2))(torch.randn(2, 5))", RuntimeError,
     r"^Unflatten: expected input of shape whose dimension 1 has size 4"),
    ("softmax_layer_dim", "nn.Softmax(dim=5)(torch.randn(2, 3))", IndexError,
     r"^Softmax: expected input of shape with at least 6 dimensions \(dim=5\), got \(2, 3\)"),
    ("modulelist_called", "nn.ModuleList([nn.Linear(2, 2)])(torch.randn(1, 2))", NotImplementedError,
     r'Module \[ModuleList\] is missing the required "forward" function'),
    ("sequential_of_a_list", "nn.Sequential([nn.Linear(2, 2), nn.ReLU()])", TypeError,
     r"^Sequential takes Modules, got list"),
    ("forgot_super_init", "ForgotSuper()", AttributeError,
     r"cannot assign a submodule before Module.__init__\(\) has run: call super\(\).__init__\(\) "
     r"first in ForgotSuper.__init__"),
    ("forgot_super_init_parameter", "ForgotSuperParameter()", AttributeError,
     r"cannot assign parameters before Module.__init__\(\) has run"),
    ("forgot_forward", "NoForward()(torch.randn(1, 2))", NotImplementedError,
     r'^Module \[NoForward\] is missing the required "forward" function'),
    ("conv_groups", "nn.Conv2d(3, 8, 3, groups=2)", ValueError,
     r"^Conv2d: in_channels \(3\) must be divisible by groups \(2\)"),
]  # fmt: skip


@pytest.mark.parametrize(**_table(LAYER_MISTAKES))
def test_layer_and_module_mistakes(code, torch_type, match):
    _check(code, torch_type, match)


AUTOGRAD_MISTAKES = [
    ("backward_twice", "x = torch.randn(3, requires_grad=True); y = x.exp().sum(); y.backward(); "
     "y.backward()", RuntimeError, r"^Trying to backward through the graph a second time .* "
     r"retain_graph=True"),
    ("backward_of_a_vector", "x = torch.randn(3, requires_grad=True); (x * 2).backward()",
     RuntimeError, r"grad can be implicitly created only for scalar outputs, but the output has "
     r"shape \(3,\)"),
    ("backward_without_requires_grad", "torch.randn(3).sum().backward()", RuntimeError,
     r"does not require grad and has no grad_fn"),
    ("backward_of_an_integer", "torch.tensor(3).backward()", RuntimeError,
     r"does not require grad and has no grad_fn"),
    ("backward_gradient_shape", "x = torch.randn(3, requires_grad=True); (x * 2).backward(torch.ones(4))",
     RuntimeError, r"^backward: gradient has shape \(4,\) but the output has shape \(3,\)"),
    ("add_to_a_leaf_in_place", "x = torch.randn(3, requires_grad=True); x.add_(1)", RuntimeError,
     r"a leaf tensor that requires grad \(shape \(3,\)\) is being used in an in-place operation"),
    ("assign_into_a_leaf", "x = torch.randn(3, requires_grad=True); x[0] = 1.0", RuntimeError,
     r"leaf tensor that requires grad .* in-place operation; wrap it in `with glassnet.no_grad\(\):`"),
    ("modify_a_saved_output", "x = torch.randn(3, requires_grad=True); y = x.sigmoid(); y.mul_(2); "
     "y.sum().backward()", RuntimeError,
     r"the output of Sigmoid is needed for its gradient but has been modified by an in-place "
     r"operation \(it is at version 1; expected 0\)"),
    ("grad_of_an_unused_input",
     "x = torch.randn(3, requires_grad=True); torch.autograd.grad(x.sum(), torch.randn(3, requires_grad=True))",
     RuntimeError, r"input 0 \(shape \(3,\)\) was not used to compute the outputs; pass "
     r"allow_unused=True"),
    ("if_on_a_vector", "x = torch.tensor([1.0, 2.0])\nif x > 0:\n    pass", RuntimeError,
     r"the truth value of a tensor with 2 elements is ambiguous; use .any\(\) or .all\(\)"),
]  # fmt: skip


@pytest.mark.parametrize(**_table(AUTOGRAD_MISTAKES))
def test_autograd_mistakes(code, torch_type, match):
    _check(code, torch_type, match)


_PARAMS = "nn.Linear(2, 2).parameters()"
OPTIMIZER_MISTAKES = [
    ("generator_already_used", "m = nn.Linear(2, 2); p = m.parameters(); list(p); optim.SGD(p, lr=0.1)",
     ValueError, r"^optimizer got an empty parameter list"),
    ("empty_parameter_list", "optim.SGD([], lr=0.1)", ValueError, r"^optimizer got an empty parameter list"),
    ("a_tensor_not_a_list", "optim.SGD(nn.Linear(2, 2).weight, lr=0.1)", TypeError,
     r"got a single Tensor; wrap it in a list: \[tensor\]"),
    ("the_model_not_its_parameters", "optim.SGD(nn.Linear(2, 2), lr=0.1)", TypeError,
     r"should be an iterable of Tensors or dicts, but got Linear"),
    ("sgd_negative_lr", f"optim.SGD({_PARAMS}, lr=-0.1)", ValueError,
     r"^Invalid lr: expected lr >= 0, got lr=-0\.1"),
    ("adam_negative_lr", f"optim.Adam({_PARAMS}, lr=-0.1)", ValueError, r"^Invalid lr: .* got lr=-0\.1"),
    ("adam_beta_above_one", f"optim.Adam({_PARAMS}, betas=(1.5, 0.9))", ValueError,
     r"expected 0 <= betas\[0\] < 1, got betas=\(1\.5, 0\.9\)"),
    ("adam_negative_eps", f"optim.Adam({_PARAMS}, eps=-1e-8)", ValueError, r"expected eps >= 0, got eps=-1e-08"),
    ("adam_negative_weight_decay", f"optim.Adam({_PARAMS}, weight_decay=-1)", ValueError,
     r"expected weight_decay >= 0, got weight_decay=-1"),
    ("sgd_negative_momentum", f"optim.SGD({_PARAMS}, lr=0.1, momentum=-1)", ValueError,
     r"expected momentum >= 0, got momentum=-1"),
    ("nesterov_without_momentum", f"optim.SGD({_PARAMS}, lr=0.1, nesterov=True)", ValueError,
     r"Nesterov momentum requires momentum > 0 and dampening = 0, got momentum=0"),
    ("a_computed_tensor", "m = nn.Linear(2, 2); optim.SGD([m.weight * 2], lr=0.1)", ValueError,
     r"can't optimize a non-leaf Tensor \(parameter 0 of the group, shape \(2, 2\)"),
    ("a_parameter_in_two_groups",
     "m = nn.Linear(2, 2); o = optim.SGD(m.parameters(), lr=0.1); o.add_param_group({'params': m.weight})",
     ValueError, r"some parameters appear in more than one parameter group"),
    ("load_another_optimizers_state",
     "o = optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1); "
     "o.load_state_dict(optim.SGD([nn.Parameter(torch.ones(1))], lr=0.1).state_dict())",
     ValueError, r"group 0 has 1 parameters in the state dict and 2 in the optimizer"),
    ("scheduler_given_the_model", "optim.lr_scheduler.StepLR(nn.Linear(2, 2), step_size=1)", TypeError,
     r"^Linear is not an Optimizer"),
]  # fmt: skip


@pytest.mark.parametrize(**_table(OPTIMIZER_MISTAKES))
def test_optimizer_mistakes(code, torch_type, match):
    _check(code, torch_type, match)


DATA_MISTAKES = [
    ("batch_size_zero", "DataLoader(list(range(10)), batch_size=0)", ValueError,
     r"^batch_size must be a positive integer, got 0"),
    ("batch_size_negative", "DataLoader(list(range(10)), batch_size=-2)", ValueError,
     r"^batch_size must be a positive integer, got -2"),
    ("batch_size_fraction", "DataLoader(list(range(10)), batch_size=2.5)", ValueError,
     r"^batch_size must be a positive integer, got 2\.5"),
    ("num_workers_negative", "DataLoader(list(range(10)), num_workers=-1)", ValueError,
     r"num_workers option should be non-negative"),
    ("shuffle_a_stream", "DataLoader(Stream(), shuffle=True)", ValueError,
     r"IterableDataset .* takes no shuffle=True"),
    ("shuffle_without_len", "DataLoader(NoLen(), batch_size=2, shuffle=True)", TypeError,
     r"^NoLen must define __len__ \(a DataLoader needs the number of samples"),
    ("iterate_without_len", "next(iter(DataLoader(NoLen(), batch_size=2)))", TypeError,
     r"^NoLen must define __len__"),
]  # fmt: skip


@pytest.mark.parametrize(**_table(DATA_MISTAKES))
def test_data_mistakes(code, torch_type, match):
    _check(code, torch_type, match)


def test_old_catches_still_catch():
    """Code written for glassnet's earlier exception types keeps catching them."""
    with pytest.raises(TypeError, match="batch_size"):
        GnDataLoader(list(range(4)), batch_size=2.5)
    with pytest.raises(NotImplementedError, match="must define __len__"):
        len(_namespace(gn)["NoLen"]())
    with pytest.raises(ValueError, match="Softmax: expected input of shape with at least 6"):
        gn_nn.Softmax(dim=5)(gn.randn(2, 3))
    with pytest.raises(ValueError, match="names an axis twice"):
        gn.randn(2, 3).sum(dim=(0, 0))


TENSOR_MISTAKES = [
    ("cat_of_nothing", "torch.cat([])", ValueError, r"^cat: expected a non-empty sequence of tensors"),
    ("cat_columns_differ", "torch.cat([torch.randn(2, 3), torch.randn(2, 4)])", RuntimeError,
     r"^cat: tensors must match except in dim 0: tensor 0 has shape \(2, 3\), tensor 1 has shape "
     r"\(2, 4\)"),
    ("cat_ranks_differ", "torch.cat([torch.randn(2, 3), torch.randn(3)])", RuntimeError,
     r"tensor 0 has shape \(2, 3\), tensor 1 has shape \(3,\)"),
    ("cat_dim_out_of_range", "torch.cat([torch.randn(2, 3), torch.randn(2, 3)], dim=2)", IndexError,
     r"^cat: dim 2 out of range for 2-dimensional tensors"),
    ("cat_of_two_tensors", "torch.cat(torch.randn(2, 3), torch.randn(2, 3))", TypeError,
     r"expected a list or tuple of tensors, got Tensor"),
    ("stack_shapes_differ", "torch.stack([torch.randn(2, 3), torch.randn(3, 2)])", RuntimeError,
     r"^stack: all tensors must have the same shape, got \[\(2, 3\), \(3, 2\)\]"),
    ("stack_of_nothing", "torch.stack([])", RuntimeError, r"^stack: expected a non-empty sequence"),
    ("matmul_inner_sizes", "torch.randn(2, 3) @ torch.randn(4, 5)", RuntimeError,
     r"^matmul: shapes \(2, 3\) and \(4, 5\) cannot be multiplied \(3 columns on the left, 4 rows "
     r"on the right\)"),
    ("matmul_batched", "torch.matmul(torch.randn(2, 3, 4), torch.randn(5, 6))", RuntimeError,
     r"shapes \(2, 3, 4\) and \(5, 6\) cannot be multiplied"),
    ("mm_of_a_vector", "torch.mm(torch.randn(3), torch.randn(3, 2))", RuntimeError,
     r"^mm: expects two 2-D tensors, got shapes \(3,\) and \(3, 2\)"),
    ("matmul_of_a_scalar", "torch.matmul(torch.tensor(2.0), torch.randn(3))", RuntimeError,
     r"both arguments need at least 1 dimension, got shapes \(\) and \(3,\)"),
    ("matmul_float64_operand", "torch.randn(2, 3) @ torch.ones(3, 2, dtype=torch.float64)", RuntimeError,
     r"^matmul: expected both operands to have the same dtype, got float32 and float64"),
    ("matmul_int_operand", "torch.randn(2, 3) @ torch.ones(3, 2, dtype=torch.long)", RuntimeError,
     r"got float32 and int64"),
    ("view_wrong_count", "torch.randn(2, 3).view(4, 2)", RuntimeError,
     r"cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into shape \(4, 2\)"),
    ("view_two_inferred", "torch.randn(2, 3).view(-1, -1)", RuntimeError, r"only one dimension can be -1"),
    ("view_inferred_uneven", "torch.randn(7).view(2, -1)", RuntimeError,
     r"shape \(7,\) \(7 elements\) into shape \(2, -1\)"),
    ("view_of_a_transpose", "torch.randn(2, 3).t().view(6)", RuntimeError,
     r"^view: a tensor of shape \(3, 2\) whose elements are not stored in that order .* use "
     r"\.reshape\(\.\.\.\)"),
    ("index_with_floats", "torch.randn(5)[torch.tensor([0.0, 1.0])]", IndexError,
     r"is invalid for a tensor of shape \(5,\): tensors used as indices must be of integer"),
    ("index_past_the_end", "torch.randn(5)[5]", IndexError,
     r"^index 5 is invalid for a tensor of shape \(5,\): index 5 is out of bounds"),
    ("index_tensor_past_the_end", "torch.randn(5)[torch.tensor([1, 7])]", IndexError,
     r"index 7 is out of bounds for dimension 0 with size 5"),
    ("index_with_a_float", "torch.randn(5)[1.0]", IndexError, r"^index 1\.0 is invalid"),
    ("softmax_dim_too_large", "F.softmax(torch.randn(2, 3), dim=2)", IndexError,
     r"^softmax: dim 2 is out of range for a tensor with 2 dimensions \(expected -2 to 1\)"),
    ("log_softmax_dim_too_small", "F.log_softmax(torch.randn(2, 3), dim=-3)", IndexError,
     r"^log_softmax: dim -3 is out of range"),
    ("softmax_float_dim", "F.softmax(torch.randn(2, 3), dim=1.0)", TypeError,
     r"^softmax: dim must be an int or a tuple of ints, got 1\.0"),
    ("argmax_float_dim", "torch.randn(2, 3).argmax(dim=1.0)", TypeError,
     r"^argmax: dim must be an int or a tuple of ints, got 1\.0"),
    ("sum_same_dim_twice", "torch.randn(2, 3).sum(dim=(0, 0))", RuntimeError,
     r"^sum: dim \(0, 0\) names an axis twice"),
    ("mean_dim_too_large", "torch.randn(2, 3).mean(dim=5)", IndexError, r"^mean: dim 5 is out of range"),
    ("squeeze_dim_too_large", "torch.randn(2, 3).squeeze(3)", IndexError, r"^squeeze: dim 3 is out of range"),
    ("unsqueeze_dim_too_large", "torch.randn(2, 3).unsqueeze(4)", IndexError,
     r"^unsqueeze: dim 4 out of range for a result with 3 dimensions"),
    ("transpose_dim_too_large", "torch.randn(2, 3).transpose(0, 2)", IndexError,
     r"^transpose: dims \(0, 2\) out of range for a tensor of shape \(2, 3\)"),
    ("permute_repeats_a_dim", "torch.randn(2, 3).permute(0, 0)", RuntimeError,
     r"^permute: dims \(0, 0\) is not a reordering of the 2 axes"),
    ("expand_a_non_one_dim", "torch.randn(2, 3).expand(4, 3)", RuntimeError,
     r"^expand: cannot expand a tensor of shape \(2, 3\) to shape \(4, 3\)"),
    ("add_shapes_that_do_not_broadcast", "torch.randn(2, 3) + torch.randn(4)", RuntimeError,
     r"^add: shapes \(2, 3\) and \(4,\) cannot be broadcast together"),
    ("gather_with_floats", "torch.randn(2, 3).gather(1, torch.tensor([[0.0], [1.0]]))", RuntimeError,
     r"^gather: index must be an integer tensor, got dtype float32"),
    ("topk_more_than_there_are", "torch.randn(3).topk(5)", RuntimeError,
     r"^topk: k must lie in \[0, 3\] \(the size of dim -1\), got 5"),
    ("chunk_into_zero", "torch.randn(4).chunk(0)", RuntimeError, r"^chunk: chunks must be positive, got 0"),
    ("repeat_too_few_counts", "torch.randn(2, 3).repeat(2)", RuntimeError,
     r"^repeat: got 1 repeat counts for a tensor with 2 dims"),
    ("zeros_like_a_list", "torch.zeros_like([1, 2])", TypeError,
     r"^zeros_like: expected a Tensor to copy the shape and dtype of, got list"),
    ("from_numpy_a_list", "torch.from_numpy([1, 2])", TypeError, r"from_numpy expects a numpy.ndarray, got list"),
    ("mse_of_integers", "F.mse_loss(torch.tensor([1, 2]), torch.tensor([1, 2]))", RuntimeError,
     r"^mse_loss: expected a floating input, got dtype int64"),
]  # fmt: skip


@pytest.mark.parametrize(**_table(TENSOR_MISTAKES))
def test_tensor_and_op_mistakes(code, torch_type, match):
    _check(code, torch_type, match)


FILE_MISTAKES = [
    ("load_a_missing_file", "torch.load('{tmp}/does_not_exist.pt')", FileNotFoundError,
     r"No such file or directory"),
    ("load_a_folder", "torch.load('{tmp}')", IsADirectoryError, r"Is a directory"),
    ("load_state_dict_of_a_list", "nn.Linear(2, 3).load_state_dict([1, 2])", TypeError,
     r"^load_state_dict expects a mapping of names to tensors, got list"),
    ("load_state_dict_of_a_model", "nn.Linear(2, 3).load_state_dict(nn.Linear(2, 3))", TypeError,
     r"^load_state_dict expects a mapping of names to tensors, got Linear"),
    ("load_state_dict_of_one_entry",
     "torch.save(Net().state_dict(), '{tmp}/m.pt'); Net().load_state_dict(torch.load('{tmp}/m.pt')['fc.weight'])",
     TypeError, r"got Tensor"),
]  # fmt: skip


@pytest.mark.parametrize(**_table(FILE_MISTAKES))
def test_file_mistakes(code, torch_type, match, tmp_path):
    _check(code.format(tmp=tmp_path.as_posix()), torch_type, match)


def test_load_state_dict_names_each_key_and_both_shapes():
    """Like PyTorch, one line per key after a heading (several keys can be wrong at once)."""
    model = gn_nn.Linear(2, 3)
    before = model.weight.detach().clone()
    with pytest.raises(RuntimeError) as caught:
        model.load_state_dict(gn_nn.Linear(2, 4).state_dict())
    lines = str(caught.value).splitlines()
    assert lines[0].strip() == "Error(s) in loading state_dict for Linear:"
    assert any("size mismatch for weight" in line and "(4, 2)" in line and "(3, 2)" in line
               for line in lines)  # fmt: skip
    assert any("size mismatch for bias" in line and "(4,)" in line and "(3,)" in line
               for line in lines)  # fmt: skip
    assert np.array_equal(model.weight.detach().numpy(), before.numpy())  # nothing half-loaded
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        torch.nn.Linear(2, 3).load_state_dict(torch.nn.Linear(2, 4).state_dict())


# Mistakes where PyTorch's own error is an accident of its internals (or it has none): only
# glassnet's answer is checked, with the type a PyTorch user would catch.
GLASSNET_ONLY_MISTAKES = [
    ("load_a_text_file", "open('{tmp}/junk.pt', 'w').write('hello'); torch.load('{tmp}/junk.pt')",
     ValueError, r"cannot load '.*junk\.pt': not a glassnet file: it is not a zip archive"),
    ("load_an_empty_file", "open('{tmp}/empty.pt', 'wb').close(); torch.load('{tmp}/empty.pt')",
     ValueError, r"the file is corrupt or truncated: the file is empty"),
    ("cross_entropy_arguments_swapped", "F.cross_entropy(torch.tensor([0, 1, 2, 1]), torch.randn(4, 3))",
     RuntimeError, r"^cross_entropy: expected a floating input, got dtype int64"),
    ("nll_loss_arguments_swapped", "F.nll_loss(torch.tensor([0, 1]), torch.randn(2, 3))",
     RuntimeError, r"^nll_loss: expected a floating input, got dtype int64"),
    ("clip_grad_norm_negative", "m = Net(); m(torch.randn(3, 2)).sum().backward(); "
     "nn.utils.clip_grad_norm_(m.parameters(), max_norm=-1.0)", ValueError,
     r"^max_norm must be >= 0, got max_norm=-1\.0"),
    ("clip_grad_value_negative", "m = Net(); m(torch.randn(3, 2)).sum().backward(); "
     "nn.utils.clip_grad_value_(m.parameters(), -1.0)", ValueError,
     r"^clip_value must be >= 0, got clip_value=-1\.0"),
    ("lstm_state_not_a_tuple", "nn.LSTM(4, 5)(torch.randn(3, 2, 4), torch.zeros(1, 2, 5))", TypeError,
     r"^LSTM: expected hx to be a tuple \(h_0, c_0\) of two Tensors, got Tensor"),
    ("multihead_heads_do_not_divide", "nn.MultiheadAttention(10, 3)", ValueError,
     r"embed_dim \(10\) must be divisible by num_heads \(3\)"),
]  # fmt: skip


@pytest.mark.parametrize(**_table(GLASSNET_ONLY_MISTAKES))
def test_mistakes_glassnet_answers_better_than_pytorch(code, torch_type, match, tmp_path):
    _raises_in_glassnet(code.format(tmp=tmp_path.as_posix()), torch_type, match)


def test_clip_grad_norm_of_zero_zeroes_the_gradients_as_torch_does():
    """max_norm=0 is no mistake PyTorch reports: every gradient becomes 0 (the norm is 0)."""
    gn.manual_seed(0)
    model = gn_nn.Linear(3, 2)
    model(gn.randn(4, 3)).sum().backward()
    total = gn_nn.utils.clip_grad_norm_(model.parameters(), max_norm=0)
    assert float(total) > 0  # the norm before clipping is returned
    assert all(np.allclose(p.grad.numpy(), 0.0, atol=1e-12) for p in model.parameters())
    torch = pytest.importorskip("torch")
    t_model = torch.nn.Linear(3, 2)
    t_model(torch.randn(4, 3)).sum().backward()
    torch.nn.utils.clip_grad_norm_(t_model.parameters(), max_norm=0)
    assert all(np.allclose(p.grad.numpy(), 0.0, atol=1e-12) for p in t_model.parameters())


def test_mse_with_n_by_1_against_n_is_refused_where_torch_warns():
    """(N, 1) against (N,) would silently average an N x N table of differences.

    PyTorch warns and computes it; glassnet refuses with one line (tests/test_nn_loss.py holds
    this design), so a learner cannot train on the wrong loss without noticing.
    """
    _raises_in_glassnet("nn.MSELoss()(torch.randn(4, 1), torch.randn(4))", RuntimeError,
                        r"^MSELoss: target of shape \(4,\) does not match input of shape \(4, 1\): "
                        r"broadcasting them would give shape \(4, 4\)")  # fmt: skip
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning, match="different to the input size"):
        torch.nn.MSELoss()(torch.randn(4, 1), torch.randn(4))


WARNED_MISTAKES = [
    ("scheduler_stepped_before_optimizer",
     "m = Net(); o = optim.SGD(m.parameters(), lr=0.1); s = optim.lr_scheduler.StepLR(o, 1); s.step()",
     r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"),
    ("lstm_dropout_with_one_layer", "nn.LSTM(4, 5, dropout=0.5)", r"dropout"),
    ("same_parameter_twice", "m = nn.Linear(2, 2); optim.SGD([m.weight, m.weight], lr=0.1)",
     r"duplicate parameters"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "match"), [c[1:] for c in WARNED_MISTAKES],
                         ids=[c[0] for c in WARNED_MISTAKES])  # fmt: skip
def test_mistakes_pytorch_warns_about_are_warned_about(code, match):
    with pytest.warns(UserWarning, match=match):
        exec(code, _namespace(gn))
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning):
        exec(code, _namespace(torch))


# ---------------------------------------------------------------------------- the command line
# (id, arguments, exit status, what the one line on stderr must say)
CLI_MISTAKES = [
    ("unknown_option", ["--bogus"], 2, r"^glassnet: error: unrecognized arguments: --bogus"),
    ("unknown_command", ["nosuchcmd"], 2, r"invalid choice: 'nosuchcmd'"),
    ("unknown_train_option", ["train", "--bogus"], 2, r"unrecognized arguments: --bogus"),
    ("negative_epochs", ["train", "--epochs", "-1"], 2,
     r"^glassnet train: error: argument --epochs: expected a positive integer, got '-1'"),
    ("epochs_not_a_number", ["train", "--epochs", "abc"], 2, r"expected a positive integer, got 'abc'"),
    ("epochs_a_fraction", ["train", "--epochs", "1.5"], 2, r"expected a positive integer, got '1\.5'"),
    ("negative_lr", ["train", "--lr", "-0.1"], 2, r"argument --lr: expected a positive number, got '-0\.1'"),
    ("lr_not_a_number", ["train", "--lr", "abc"], 2, r"expected a positive number, got 'abc'"),
    ("batch_size_zero", ["train", "--batch-size", "0"], 2, r"--batch-size: expected a positive integer"),
    ("val_split_above_one", ["train", "--val-split", "2"], 2, r"expected a number in \[0, 1\), got '2'"),
    ("unknown_model", ["train", "--model", "nosuch"], 2, r"invalid choice: 'nosuch'"),
    ("missing_data_file", ["train", "--data", "/nonexistent/data.csv"], 1,
     r"^glassnet: error: no such CSV file: /nonexistent/data\.csv"),
    ("unknown_dataset", ["train", "--data", "nosuchdataset"], 1, r"unknown dataset 'nosuchdataset'"),
    ("run_a_missing_script", ["run", "/nonexistent/script.py"], 2,
     r"^glassnet run: no such file: /nonexistent/script\.py"),
    ("evaluate_a_missing_run", ["evaluate", "/nonexistent/run"], 1,
     r"/nonexistent/run is not a run folder: no such directory"),
    ("lesson_that_does_not_exist", ["lesson", "999"], 2, r"there is no lesson 999"),
]  # fmt: skip


def _run_cli(argv: list[str], capsys) -> tuple[int, str]:
    """Run ``glassnet ARGV`` in this process: (exit status, stderr)."""
    try:
        status = glassnet_main(argv)
    except SystemExit as exit_:
        status = exit_.code
    return int(status or 0), capsys.readouterr().err


@pytest.mark.parametrize(("argv", "status", "match"), [c[1:] for c in CLI_MISTAKES],
                         ids=[c[0] for c in CLI_MISTAKES])  # fmt: skip
def test_command_line_mistakes_are_one_line(argv, status, match, capsys):
    got_status, err = _run_cli(argv, capsys)
    assert got_status == status, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert re.search(match, lines[0]), lines[0]


def test_help_lists_the_commands(capsys):
    try:
        status = glassnet_main(["--help"])
    except SystemExit as exit_:
        status = exit_.code
    assert not status
    out = capsys.readouterr().out
    assert all(command in out for command in ("train", "evaluate", "run", "lesson"))


def test_a_script_that_raises_shows_its_own_traceback_only(tmp_path, capsys):
    script = tmp_path / "buggy.py"
    script.write_text("import torch\nx = torch.ones(2)\nraise ValueError('my own bug')\n")
    status, err = _run_cli(["run", str(script)], capsys)
    assert status == 1
    assert "buggy.py" in err and "ValueError: my own bug" in err
    assert "glassnet/run.py" not in err and "torch_alias" not in err  # no runner frames
