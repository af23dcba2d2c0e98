"""The table of op cases: each case is one line that both the gradcheck and the torch parity tests run.

A case is ``Case(id, fn, shapes, low, high, second_order, int_inputs)`` where ``fn(lib, *xs)``
is written so that it runs unchanged with ``lib = glassnet`` and ``lib = torch`` (the two share
method names), ``shapes`` gives the float inputs' shapes and ``low``/``high`` their range.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Case:
    id: str
    fn: object
    shapes: tuple
    low: float = -2.0
    high: float = 2.0
    second_order: bool = True
    extra: dict = field(default_factory=dict)  # reserved


def make_inputs(case: Case, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for shape in case.shapes:
        x = rng.uniform(case.low, case.high, size=shape)
        # Keep away from the kinks of abs/relu/clamp/max so finite differences are valid.
        x = np.where(np.abs(x) < 0.05, x + 0.1, x)
        out.append(x)
    return out


IDX = np.array([0, 2, 2, 1, 0])  # repeated indices: their gradients must add up
MASK = np.array([True, False, True, True])

CASES = [
    # ---- arithmetic with broadcasting
    Case("add", lambda lib, a, b: a + b, ((3, 4), (3, 4))),
    Case("add_broadcast_row", lambda lib, a, b: a + b, ((3, 4), (4,))),
    Case("add_broadcast_col", lambda lib, a, b: a + b, ((3, 1), (1, 4))),
    Case("add_scalar", lambda lib, a: a + 2.5, ((3,),)),
    Case("radd_scalar", lambda lib, a: 2.5 + a, ((3,),)),
    Case("sub_broadcast", lambda lib, a, b: a - b, ((2, 3, 4), (3, 1))),
    Case("rsub_scalar", lambda lib, a: 1.0 - a, ((3,),)),
    Case("mul_broadcast", lambda lib, a, b: a * b, ((2, 3, 4), (1, 4))),
    Case("mul_self", lambda lib, a: a * a, ((5,),)),
    Case("div", lambda lib, a, b: a / b, ((3, 4), (3, 4)), low=0.5, high=2.0),
    Case("div_broadcast", lambda lib, a, b: a / b, ((3, 4), (4,)), low=0.5, high=2.0),
    Case("rdiv_scalar", lambda lib, a: 2.0 / a, ((3,),), low=0.5, high=2.0),
    Case("pow_scalar", lambda lib, a: a**3, ((3, 2),)),
    Case("pow_tensor", lambda lib, a, b: a**b, ((3, 2), (3, 2)), low=0.5, high=2.0),
    Case("rpow_scalar", lambda lib, a: 2.0**a, ((4,),)),
    Case("neg", lambda lib, a: -a, ((3, 2),)),
    Case("maximum", lambda lib, a, b: lib.maximum(a, b), ((3, 4), (4,))),
    Case("minimum", lambda lib, a, b: lib.minimum(a, b), ((3, 4), (3, 1))),
    # ---- elementwise functions
    Case("exp", lambda lib, a: a.exp(), ((3, 4),)),
    Case("log", lambda lib, a: a.log(), ((3, 4),), low=0.2, high=3.0),
    Case("sqrt", lambda lib, a: a.sqrt(), ((3, 4),), low=0.2, high=3.0),
    Case("abs", lambda lib, a: a.abs(), ((3, 4),)),
    Case("sin", lambda lib, a: a.sin(), ((3, 4),)),
    Case("cos", lambda lib, a: a.cos(), ((3, 4),)),
    Case("tanh", lambda lib, a: a.tanh(), ((3, 4),)),
    Case("sigmoid", lambda lib, a: a.sigmoid(), ((3, 4),), low=-8, high=8),
    Case("relu", lambda lib, a: a.relu(), ((3, 4),), second_order=False),
    Case(
        "leaky_relu",
        lambda lib, a: lib.nn.functional.leaky_relu(a, 0.2),
        ((3, 4),),
        second_order=False,
    ),
    Case("gelu", lambda lib, a: lib.nn.functional.gelu(a), ((3, 4),), low=-3, high=3),
    Case("gelu_tanh", lambda lib, a: lib.nn.functional.gelu(a, approximate="tanh"), ((3, 4),)),
    Case("erf", lambda lib, a: lib.erf(a), ((3, 4),)),
    Case("softplus", lambda lib, a: lib.nn.functional.softplus(a), ((3, 4),), low=-5, high=5),
    Case(
        "softplus_beta",
        lambda lib, a: lib.nn.functional.softplus(a, beta=2.0, threshold=3.0),
        ((3, 4),),
        low=-1,
        high=1,
    ),
    Case("clamp", lambda lib, a: a.clamp(-1.0, 1.0), ((3, 4),), second_order=False),
    Case("clamp_min", lambda lib, a: a.clamp(min=0.5), ((3, 4),), second_order=False),
    Case("where", lambda lib, a, b: lib.where(a > 0, a, b), ((3, 4), (3, 4))),
    Case("where_broadcast", lambda lib, a, b: lib.where(a > 0, a * 2, b), ((3, 4), (4,))),
    Case("clone", lambda lib, a: a.clone() * a, ((3,),)),
    # ---- reductions over every dim / keepdim
    *[
        Case(
            f"{name}_dim{dim}_keep{int(keep)}",
            (lambda n, d, k: lambda lib, a: getattr(a, n)(dim=d, keepdim=k))(name, dim, keep),
            ((2, 3, 4),),
            low=0.5 if name == "prod" else -2.0,
        )
        for name in ("sum", "mean", "amax", "amin", "prod", "logsumexp")
        for dim in (0, 1, -1, (0, 2))
        for keep in (False, True)
    ],
    Case("sum_all", lambda lib, a: a.sum(), ((2, 3, 4),)),
    Case("mean_all", lambda lib, a: a.mean(), ((2, 3, 4),)),
    Case("max_all", lambda lib, a: a.max(), ((2, 3, 4),)),
    Case("min_all", lambda lib, a: a.min(), ((2, 3, 4),)),
    Case("max_dim_values", lambda lib, a: a.max(dim=1).values, ((3, 4),)),
    Case("min_dim_keep", lambda lib, a: a.min(dim=0, keepdim=True).values, ((3, 4),)),
    Case("prod_all", lambda lib, a: a.prod(), ((2, 3),), low=0.5),
    Case("var_dim1", lambda lib, a: a.var(dim=1), ((3, 4),)),
    Case("var_all_keep", lambda lib, a: a.var(dim=(0, 1), keepdim=True), ((3, 4),)),
    Case("var_biased", lambda lib, a: a.var(dim=0, correction=0), ((3, 4),)),
    Case("std_dim0", lambda lib, a: a.std(dim=0), ((3, 4),)),
    Case("std_all", lambda lib, a: a.std(), ((3, 4),)),
    Case("norm_2", lambda lib, a: a.norm(), ((3, 4),)),
    Case("norm_1_dim", lambda lib, a: a.norm(p=1, dim=1), ((3, 4),)),
    Case("norm_3_dim", lambda lib, a: a.norm(p=3, dim=0, keepdim=True), ((3, 4),)),
    Case("softmax_last", lambda lib, a: a.softmax(dim=-1), ((3, 4),)),
    Case("softmax_dim0", lambda lib, a: a.softmax(dim=0), ((2, 3, 4),)),
    Case("log_softmax_last", lambda lib, a: a.log_softmax(dim=-1), ((3, 4),)),
    Case("log_softmax_dim1", lambda lib, a: a.log_softmax(dim=1), ((2, 3, 4),)),
    # ---- shape
    Case("reshape", lambda lib, a: a.reshape(4, 6), ((2, 3, 4),)),
    Case("reshape_infer", lambda lib, a: a.reshape(-1, 2), ((2, 3, 4),)),
    Case("view", lambda lib, a: a.view(6, 4), ((2, 3, 4),)),
    Case("flatten", lambda lib, a: a.flatten(1), ((2, 3, 4),)),
    Case("squeeze", lambda lib, a: a.squeeze(1), ((3, 1, 4),)),
    Case("squeeze_all", lambda lib, a: a.squeeze(), ((3, 1, 4, 1),)),
    Case("unsqueeze", lambda lib, a: a.unsqueeze(-1) * a.unsqueeze(0), ((3,),)),
    Case("transpose", lambda lib, a: a.transpose(0, 2), ((2, 3, 4),)),
    Case("T", lambda lib, a: a.T, ((3, 4),)),
    Case("permute", lambda lib, a: a.permute(2, 0, 1), ((2, 3, 4),)),
    Case("expand", lambda lib, a: a.expand(3, 4), ((3, 1),)),
    Case("expand_new_dim", lambda lib, a: a.expand(2, 3, 4), ((3, 4),)),
    Case("broadcast_to", lambda lib, a: lib.broadcast_to(a, (2, 4)), ((4,),)),
    Case("getitem_basic", lambda lib, a: a[1:, ::2], ((3, 4),)),
    Case("getitem_int", lambda lib, a: a[1], ((3, 4),)),
    Case("getitem_none_ellipsis", lambda lib, a: a[None, ..., 1:3], ((3, 4),)),
    Case("getitem_repeated", lambda lib, a: a[lib.tensor(IDX)], ((3, 4),)),
    Case(
        "getitem_repeated_2d",
        lambda lib, a: a[lib.tensor(IDX), lib.tensor(IDX[::-1].copy())],
        ((3, 4),),
    ),
    Case("getitem_bool_mask", lambda lib, a: a[:, lib.tensor(MASK)], ((3, 4),)),
    Case("getitem_list", lambda lib, a: a[[0, 0, 2]], ((3, 4),)),
    Case("cat", lambda lib, a, b: lib.cat([a, b, a], dim=1), ((2, 3), (2, 2))),
    Case("cat_dim0", lambda lib, a, b: lib.cat([a, b], dim=0), ((2, 3), (1, 3))),
    Case("stack", lambda lib, a, b: lib.stack([a, b], dim=1), ((2, 3), (2, 3))),
    Case("split", lambda lib, a: lib.split(a, 2, dim=1)[1] * 2, ((2, 5),)),
    Case("split_sizes", lambda lib, a: lib.split(a, [1, 4], dim=1)[1], ((2, 5),)),
    Case("chunk", lambda lib, a: a.chunk(2, dim=0)[0], ((4, 3),)),
    Case("pad", lambda lib, a: lib.nn.functional.pad(a, (1, 2, 0, 1)), ((2, 3),)),
    Case("pad_value", lambda lib, a: lib.nn.functional.pad(a, (2, 0), value=1.5), ((2, 3),)),
    Case("repeat", lambda lib, a: a.repeat(2, 3), ((2, 3),)),
    Case("repeat_new_dims", lambda lib, a: a.repeat(2, 1, 2), ((2, 3),)),
    Case("flip", lambda lib, a: a.flip(1) * a, ((2, 3),)),
    # ---- matrix products
    Case("matmul_2d", lambda lib, a, b: a @ b, ((3, 4), (4, 5))),
    Case("matmul_1d_2d", lambda lib, a, b: a @ b, ((4,), (4, 5))),
    Case("matmul_2d_1d", lambda lib, a, b: a @ b, ((3, 4), (4,))),
    Case("matmul_batched", lambda lib, a, b: a @ b, ((2, 3, 4), (2, 4, 5))),
    Case("matmul_batch_broadcast", lambda lib, a, b: lib.matmul(a, b), ((2, 3, 4), (4, 5))),
    Case("matmul_1d_batched", lambda lib, a, b: a @ b, ((4,), (2, 4, 3))),
    Case("dot", lambda lib, a, b: lib.dot(a, b), ((4,), (4,))),
    # ---- compositions that chain many ops
    Case("mlp_layer", lambda lib, x, w, b: (x @ w.T + b).tanh().sum(dim=1), ((4, 3), (5, 3), (5,))),
    Case("stable_logistic", lambda lib, x: (x.exp() / (1 + x.exp())).log(), ((4,),)),
]

# ---- the ops of issue 9 (PyTorch names; each checked by gradcheck, gradgradcheck and parity)
GATHER_IDX = np.array([[0, 3], [2, 2], [1, 0]])  # (3, 2) into a (3, 4): repeats add up
SCATTER_IDX = np.array([[0, 3], [2, 1], [1, 0]])  # distinct per row: scatter's writes never clash
SCATTER_ADD_IDX = np.array([[0, 1, 2, 0], [2, 2, 0, 1]])  # (2, 4) into dim 0 of a (3, 4)
ZERO_AT = np.array([[1.0, 0.0, 1.0, 1.0], [1.0, 1.0, 1.0, 0.0], [0.0, 1.0, 1.0, 1.0]])
REPEATS = np.array([1, 0, 2])


def _scatter_reduce_case(reduce, include_self):
    return Case(
        f"scatter_reduce_{reduce}_self{int(include_self)}",
        lambda lib, a, b: a.scatter_reduce(
            0, lib.tensor(SCATTER_ADD_IDX), b, reduce, include_self=include_self
        ),
        ((3, 4), (2, 4)),
        low=0.5,
        high=2.0,
    )


CASES += [
    # ---- more smooth functions
    Case("log2", lambda lib, a: a.log2(), ((3, 4),), low=0.2, high=3.0),
    Case("log10", lambda lib, a: lib.log10(a), ((3, 4),), low=0.2, high=3.0),
    Case("log1p", lambda lib, a: a.log1p(), ((3, 4),), low=-0.5, high=3.0),
    Case("exp2", lambda lib, a: lib.exp2(a), ((3, 4),)),
    Case("expm1", lambda lib, a: a.expm1(), ((3, 4),)),
    Case("tan", lambda lib, a: a.tan(), ((3, 4),), low=-1.2, high=1.2),
    Case("asin", lambda lib, a: a.asin(), ((3, 4),), low=-0.9, high=0.9),
    Case("acos", lambda lib, a: lib.acos(a), ((3, 4),), low=-0.9, high=0.9),
    Case("atan", lambda lib, a: a.atan(), ((3, 4),)),
    Case("atan2", lambda lib, a, b: lib.atan2(a, b), ((3, 4), (3, 4))),
    Case("atan2_broadcast", lambda lib, a, b: a.atan2(b), ((3, 4), (4,))),
    Case("sinh", lambda lib, a: a.sinh(), ((3, 4),)),
    Case("cosh", lambda lib, a: lib.cosh(a), ((3, 4),)),
    Case("asinh", lambda lib, a: a.asinh(), ((3, 4),)),
    Case("acosh", lambda lib, a: a.acosh(), ((3, 4),), low=1.2, high=3.0),
    Case("atanh", lambda lib, a: lib.atanh(a), ((3, 4),), low=-0.9, high=0.9),
    Case("copysign", lambda lib, a, b: lib.copysign(a, b), ((3, 4), (3, 4))),
    Case("copysign_scalar", lambda lib, a: a.copysign(-1.0), ((3, 4),)),
    Case("logaddexp", lambda lib, a, b: lib.logaddexp(a, b), ((3, 4), (4,))),
    Case("lerp_tensor", lambda lib, a, b, w: lib.lerp(a, b, w), ((3, 4), (3, 4), (3, 4))),
    Case("lerp_scalar", lambda lib, a, b: a.lerp(b, 0.3), ((3, 4), (4,))),
    # ---- rounding (gradient 0) and the remainders
    Case("floor", lambda lib, a: a.floor() * a, ((3, 4),)),
    Case("ceil", lambda lib, a: lib.ceil(a) * a, ((3, 4),)),
    Case("round", lambda lib, a: a.round() * a, ((3, 4),)),
    Case("round_decimals", lambda lib, a: lib.round(a, decimals=1) + a, ((3, 4),)),
    Case("trunc", lambda lib, a: a.trunc() * a, ((3, 4),)),
    Case("frac", lambda lib, a: a.frac(), ((3, 4),)),
    Case("sign", lambda lib, a: a.sign() * a, ((3, 4),)),
    Case("remainder", lambda lib, a, b: lib.remainder(a * 3 - 3, b), ((3, 4), (3, 4)), low=0.5),
    Case("remainder_scalar", lambda lib, a: (a * 3) % 0.7, ((3, 4),)),
    Case("fmod", lambda lib, a, b: lib.fmod(a * 3 - 3, b), ((3, 4), (4,)), low=0.5),
    Case("div_floor", lambda lib, a, b: lib.div(a, b, rounding_mode="floor") * a, ((3, 4), (4,))),
    Case("div_trunc", lambda lib, a, b: a.div(b, rounding_mode="trunc") + a, ((3, 4), (3, 4))),
    # ---- indexing along a dim
    Case("gather", lambda lib, a: a.gather(1, lib.tensor(GATHER_IDX)), ((3, 4),)),
    Case("gather_smaller", lambda lib, a: a.gather(1, lib.tensor(GATHER_IDX[:2])), ((3, 4),)),
    Case("gather_dim0", lambda lib, a: lib.gather(a, 0, lib.tensor(SCATTER_ADD_IDX)), ((3, 4),)),
    Case(
        "scatter_src", lambda lib, a, b: a.scatter(1, lib.tensor(SCATTER_IDX), b), ((3, 4), (3, 2))
    ),
    Case("scatter_value", lambda lib, a: a.scatter(1, lib.tensor(SCATTER_IDX), 1.5) * a, ((3, 4),)),
    Case(
        "scatter_add",
        lambda lib, a, b: a.scatter_add(0, lib.tensor(SCATTER_ADD_IDX), b),
        ((3, 4), (2, 4)),
    ),
    *[
        _scatter_reduce_case(reduce, include_self)
        for reduce in ("sum", "prod", "mean", "amax", "amin")
        for include_self in (True, False)
    ],
    Case(
        "scatter_reduce_prod_zeros",
        lambda lib, a, b: (a * lib.tensor(ZERO_AT)).scatter_reduce(
            0, lib.tensor(SCATTER_ADD_IDX), b * lib.tensor(ZERO_AT[:2]), "prod"
        ),
        ((3, 4), (2, 4)),
        second_order=False,
    ),
    Case("index_select", lambda lib, a: a.index_select(0, lib.tensor(IDX)), ((3, 4),)),
    Case(
        "index_select_dim1", lambda lib, a: lib.index_select(a, 1, lib.tensor(IDX[:3])), ((3, 4),)
    ),
    Case("index_add", lambda lib, a, b: a.index_add(0, lib.tensor(IDX), b), ((3, 4), (5, 4))),
    Case(
        "index_add_alpha",
        lambda lib, a, b: lib.index_add(a, 1, lib.tensor(IDX[:3]), b, alpha=2.0),
        ((3, 4), (3, 3)),
    ),
    Case("masked_select", lambda lib, a: a.masked_select(lib.tensor(MASK)), ((3, 4),)),
    # ---- running ops
    Case("cumsum_dim1", lambda lib, a: a.cumsum(1), ((3, 4),)),
    Case("cumsum_dim0", lambda lib, a: lib.cumsum(a, dim=0), ((2, 3, 4),)),
    Case("cumprod", lambda lib, a: a.cumprod(-1), ((3, 4),), low=0.5),
    Case("cumprod_zeros", lambda lib, a: (a * lib.tensor(ZERO_AT)).cumprod(1), ((3, 4),)),
    Case("cummax", lambda lib, a: a.cummax(1).values, ((3, 5),)),
    Case("cummin", lambda lib, a: lib.cummin(a, 0).values, ((4, 3),)),
    Case("logcumsumexp", lambda lib, a: a.logcumsumexp(1), ((3, 4),), low=-5, high=5),
    # ---- einsum
    Case("einsum_matmul", lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), ((3, 4), (4, 2))),
    Case(
        "einsum_batched", lambda lib, a, b: lib.einsum("bij,bjk->bik", a, b), ((2, 3, 4), (2, 4, 2))
    ),
    Case("einsum_implicit", lambda lib, a, b: lib.einsum("ij,jk", a, b), ((3, 4), (4, 2))),
    Case("einsum_outer", lambda lib, a, b: lib.einsum("i,j->ij", a, b), ((3,), (4,))),
    Case("einsum_diagonal", lambda lib, a: lib.einsum("ii->i", a), ((3, 3),)),
    Case("einsum_trace", lambda lib, a: lib.einsum("ii", a), ((3, 3),)),
    Case("einsum_sum_out", lambda lib, a, b: lib.einsum("ij,ij->i", a, b), ((3, 4), (3, 4))),
    Case("einsum_summed_away", lambda lib, a, b: lib.einsum("ij,k->i", a, b), ((3, 4), (2,))),
    Case("einsum_ellipsis", lambda lib, a: lib.einsum("...ij->...ji", a), ((2, 3, 4),)),
    Case(
        "einsum_three",
        lambda lib, a, b, c: lib.einsum("ij,jk,k->i", a, b, c),
        ((2, 3), (3, 4), (4,)),
    ),
    # ---- rearranging
    Case("roll", lambda lib, a: a.roll(1, 0), ((3, 4),)),
    Case("roll_dims", lambda lib, a: lib.roll(a, (1, -2), (0, 1)), ((3, 4),)),
    Case("roll_flat", lambda lib, a: a.roll(5), ((3, 4),)),
    Case("repeat_interleave", lambda lib, a: a.repeat_interleave(2, dim=1), ((3, 4),)),
    Case(
        "repeat_interleave_counts",
        lambda lib, a: lib.repeat_interleave(a, lib.tensor(REPEATS), dim=0),
        ((3, 4),),
    ),
    Case("repeat_interleave_flat", lambda lib, a: a.repeat_interleave(2), ((2, 3),)),
    Case("unfold", lambda lib, a: a.unfold(1, 2, 1), ((3, 5),)),
    Case("unfold_step", lambda lib, a: a.unfold(0, 2, 2), ((5, 3),)),
    Case("diag_embed_1d", lambda lib, a: lib.diag(a), ((3,),)),
    Case("diag_embed_offset", lambda lib, a: lib.diag(a, 1), ((3,),)),
    Case("diag_of_matrix", lambda lib, a: a.diag(-1), ((3, 4),)),
    Case("diagonal", lambda lib, a: a.diagonal(), ((3, 4),)),
    Case("diagonal_dims", lambda lib, a: a.diagonal(1, 2, 0), ((3, 2, 4),)),
    Case("tril", lambda lib, a: a.tril(), ((2, 3, 4),)),
    Case("triu_offset", lambda lib, a: lib.triu(a, 1), ((3, 4),)),
    Case(
        "meshgrid_ij",
        lambda lib, a, b: (
            lib.meshgrid(a, b, indexing="ij")[0] * lib.meshgrid(a, b, indexing="ij")[1]
        ),
        ((3,), (4,)),
    ),
    Case(
        "meshgrid_xy",
        lambda lib, a, b: (
            lib.meshgrid(a, b, indexing="xy")[0] + 2 * lib.meshgrid(a, b, indexing="xy")[1]
        ),
        ((3,), (4,)),
    ),
    Case("sum_to_size", lambda lib, a: a.sum_to_size(1, 4), ((3, 4),)),
    Case("sum_to_size_col", lambda lib, a: a.sum_to_size((2, 3, 1)), ((2, 3, 4),)),
    Case("view_as", lambda lib, a, b: a.view_as(b) * b, ((3, 4), (2, 6))),
    # ---- ordering and moments
    Case("sort", lambda lib, a: a.sort(dim=1).values, ((3, 4),)),
    Case("sort_descending", lambda lib, a: lib.sort(a, dim=0, descending=True).values, ((3, 4),)),
    Case("topk", lambda lib, a: a.topk(2, dim=1).values, ((3, 4),)),
    Case("topk_smallest", lambda lib, a: lib.topk(a, 2, dim=0, largest=False).values, ((3, 4),)),
    Case(
        "var_mean", lambda lib, a: lib.var_mean(a, dim=1)[0] * lib.var_mean(a, dim=1)[1], ((3, 4),)
    ),
    Case("std_mean", lambda lib, a: lib.std_mean(a)[0] + lib.std_mean(a)[1], ((3, 4),)),
]
