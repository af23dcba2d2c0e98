r"""Ready-made parametrizations: weight_norm, spectral_norm and orthogonal (on register_parametrization).

Each is a small Module whose ``forward`` maps the stored tensor(s) to the weight the layer
uses, written in ordinary Tensor operations, so that autograd gives the gradient with respect
to what is stored:

* ``weight_norm``:  :math:`W = g \, V / \|V\|` (norm over every dim but ``dim``); stored as
  ``original0 = g`` and ``original1 = V``.
* ``spectral_norm``:  :math:`W = W_{orig} / \sigma(W_{orig})`, :math:`\sigma` estimated by power
  iteration with the buffers ``_u`` and ``_v``; stored as ``original``.
* ``orthogonal``:  :math:`Q = B \, \phi(X)` with :math:`\phi` the matrix exponential, the
  Cayley map or a product of Householder reflections (all give orthogonal matrices); stored as
  ``original``, with :math:`B` the buffer ``base``.
"""

from __future__ import annotations

from enum import Enum

import numpy as np

from ...autograd import no_grad, wrap
from ...creation import eye, randn
from ...ops.linalg import solve
from ...ops.matrix_exp import matrix_exp
from ...ops.shape import cat
from ...tensor import Tensor
from ..conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..module import Module
from ..parameter import Parameter
from . import parametrize

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


def _module_tensor(module: Module, name: str, who: str) -> Tensor:
    if not isinstance(module, Module):
        raise TypeError(f"{who} expects a Module, got {type(module).__name__}")
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(
            f"{who}: module {type(module).__name__} has no parameter or buffer named {name!r}"
        )
    return weight


# The older, hook-based forms (weight_norm.py, spectral_norm.py) keep their state on the module
# and a forward pre-hook; these two helpers are the bookkeeping both share.


def _hooked_parameter(module: Module, name: str, hook_type: type, who: str) -> Parameter:
    """``module.<name>``, checked to be a Parameter that no ``hook_type`` hook handles yet."""
    for hook, _ in module._forward_pre_hooks.values():
        if isinstance(hook, hook_type) and hook.name == name:
            raise RuntimeError(f"cannot register two {who} hooks on parameter {name!r}")
    weight = module._parameters.get(name)
    if not isinstance(weight, Parameter):
        raise ValueError(f"{who}: module {type(module).__name__} has no parameter named {name!r}")
    return weight


def _remove_hook(module: Module, name: str, hook_type: type, who: str) -> Module:
    """Undo the ``hook_type`` hook on ``module.<name>`` (its ``remove``) and unregister it."""
    for key, (hook, _) in list(module._forward_pre_hooks.items()):
        if isinstance(hook, hook_type) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"{who} of {name!r} not found in {type(module).__name__}")


# ----------------------------------------------------------------------------------------------
# weight_norm
# ----------------------------------------------------------------------------------------------


def norm_except_dim(v: Tensor, dim: int) -> Tensor:
    r"""The 2-norm of ``v`` over every dimension except ``dim``, kept as size-1 dimensions.

    .. math:: n_j = \sqrt{\textstyle\sum_{i \ne \text{dim}} v_{\dots j \dots}^2}

    ``v`` of shape (4, 3) gives (4, 1) for dim=0 and (1, 3) for dim=1. ``dim=-1`` is special
    (as in PyTorch's ``norm_except_dim``): the norm of the whole tensor, shape ().
    """
    if dim == -1:
        return (v * v).sum().sqrt()
    axis = dim % v.ndim
    others = tuple(i for i in range(v.ndim) if i != axis)
    if not others:  # a vector normalised along its only dim: each entry is its own norm
        return v.abs()
    return (v * v).sum(others, keepdim=True).sqrt()


class _WeightNorm(Module):
    r"""Weight normalisation: :math:`W = g \dfrac{V}{\|V\|}` (Salimans and Kingma, 2016).

    The norm is over every dim but ``dim`` (one :math:`g` per output row or channel for
    dim=0), or over the whole tensor for ``dim=None``. Gradients (what autograd finds):

    .. math::

        \frac{\partial L}{\partial g} = \frac{\langle G, V\rangle}{\|V\|}, \qquad
        \frac{\partial L}{\partial V} = \frac{g}{\|V\|}\Big(G - \frac{\langle G, V\rangle}
        {\|V\|^2} V\Big)

    with :math:`G = \partial L / \partial W` and the inner products over the normed dims.
    """

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        """``(g, V) = (||W||, W)``: the stored pair that gives back ``W``."""
        return norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    r"""Split ``module.<name>`` into a magnitude ``g`` and a direction ``V``: :math:`W = g V/\|V\|`.

    After the call ``module.parametrizations.<name>.original0`` is ``g`` (shape (out, 1, ...)
    for dim=0, () for dim=None) and ``original1`` is ``V`` (the weight's shape);
    ``module.<name>`` is computed from them on each access.

    Args:
        module: the layer.
        name: the parameter to normalise (default ``"weight"``).
        dim: the dimension that keeps one norm per index (default 0: per output unit);
            None normalises the whole tensor.

    Example::

        layer = weight_norm(nn.Linear(20, 40))
        layer.parametrizations.weight.original0.shape   # (40, 1)
    """
    _module_tensor(module, name, "weight_norm")
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


# ----------------------------------------------------------------------------------------------
# spectral_norm
# ----------------------------------------------------------------------------------------------


def _normalized(x: np.ndarray, eps: float) -> np.ndarray:
    """x / max(||x||, eps): F.normalize of a vector, on arrays (no graph is wanted)."""
    return x / max(float(np.sqrt(np.dot(x, x))), eps)


def _check_power_iterations(n_power_iterations: int) -> None:
    if isinstance(n_power_iterations, bool) or not isinstance(n_power_iterations, int):
        raise TypeError(
            f"spectral_norm: n_power_iterations must be an int, got {n_power_iterations!r}"
        )
    if n_power_iterations <= 0:
        raise ValueError(
            f"spectral_norm: n_power_iterations must be positive, got {n_power_iterations}"
        )


def _output_dim(module: Module, dim: int | None) -> int:
    """``dim``, or by default the dim of output units: 1 for ConvTranspose layers, else 0."""
    if dim is None:
        transposed = isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d))
        dim = 1 if transposed else 0
    return dim


def _weight_to_matrix(weight: Tensor, dim: int) -> Tensor:
    """(d0, d1, ...) -> (d_dim, product of the others): dim ``dim`` (>= 0) becomes the rows."""
    if dim != 0:
        weight = weight.permute(dim, *(d for d in range(weight.ndim) if d != dim))
    return weight.reshape(weight.shape[0], -1)


def _sigma(weight_mat: Tensor, u: Tensor, v: Tensor) -> Tensor:
    r""":math:`\sigma = u^\top W v`, with u and v constants for autograd."""
    # Copies: a later power-method step changes the buffers in place.
    u, v = u.clone(), v.clone()
    return (u * (weight_mat @ v)).sum()


class _SpectralNorm(Module):
    r"""Spectral normalisation: :math:`W_{SN} = W / \sigma(W)` (Miyato et al., 2018).

    :math:`\sigma(W)`, the largest singular value of :math:`W` (reshaped to a matrix with dim
    ``dim`` as rows), is estimated as :math:`\sigma = u^\top W v` from vectors kept between
    calls. Each forward in training mode first runs ``n_power_iterations`` steps of the power
    method (without a graph)::

        u <- W v / ||W v||,    v <- W^T u / ||W^T u||

    and :math:`u, v` are then constants, so the gradient is

    .. math::

        \frac{\partial L}{\partial W} = \frac{1}{\sigma}\Big(G - \langle G, W_{SN}\rangle
        \, u v^\top\Big).

    A 1-d weight is simply normalised: :math:`w / \|w\|`.
    """

    def __init__(
        self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        super().__init__()
        ndim = weight.ndim
        if not -max(ndim, 1) <= dim < max(ndim, 1):
            raise IndexError(
                f"spectral_norm: dim must be in [{-ndim}, {ndim - 1}] for a weight of "
                f"{ndim} dimensions, got dim={dim}"
            )
        _check_power_iterations(n_power_iterations)
        self.dim = dim % max(ndim, 1)
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.shape
            u = randn(h, dtype=weight.dtype).array
            v = randn(w, dtype=weight.dtype).array
            self.register_buffer("_u", wrap(_normalized(u, eps)))
            self.register_buffer("_v", wrap(_normalized(v, eps)))
            # Start from good estimates of the singular vectors rather than random ones.
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        """(d0, d1, ...) -> (d_dim, product of the others): dim ``dim`` becomes the rows."""
        return _weight_to_matrix(weight, self.dim)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        """Improve the buffers u and v in place by power iteration on W (no graph)."""
        w = weight_mat.array
        u, v = self._u.array, self._v.array
        for _ in range(n_power_iterations):
            u[...] = _normalized(w @ v, self.eps)
            v[...] = _normalized(w.T @ u, self.eps)
        self._u._version[0] += 1
        self._v._version[0] += 1

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return weight / (weight * weight).sum().sqrt().clamp(min=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            with no_grad():
                self._power_method(weight_mat, self.n_power_iterations)
        return weight / _sigma(weight_mat, self._u, self._v)

    def right_inverse(self, value: Tensor) -> Tensor:
        """Assigning W stores W itself (sigma is re-estimated when it is read)."""
        return value


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    r"""Divide ``module.<name>`` by its spectral norm: :math:`W_{SN} = W / \sigma(W)`.

    ``module.parametrizations.<name>.original`` holds :math:`W`; the estimate of the top
    singular vectors lives in the buffers ``module.parametrizations.<name>[0]._u`` and
    ``._v`` and is refined by ``n_power_iterations`` power-method steps each time the weight
    is read in training mode (15 steps at registration, plus one for the registration check).
    In eval mode the vectors are frozen.

    Args:
        module: the layer.
        name: the parameter (default ``"weight"``).
        n_power_iterations: power-method steps per read in training mode (default 1).
        eps: the smallest norm divided by when normalising u and v.
        dim: the dim of output units (default 0; 1 for ConvTranspose layers).
    """
    weight = _module_tensor(module, name, "spectral_norm")
    spectral = _SpectralNorm(weight, n_power_iterations, _output_dim(module, dim), eps)
    parametrize.register_parametrization(module, name, spectral)
    return module


# ----------------------------------------------------------------------------------------------
# orthogonal
# ----------------------------------------------------------------------------------------------


class _OrthMaps(Enum):
    matrix_exp = 1
    cayley = 2
    householder = 3


def householder_product(a: Tensor, tau: Tensor) -> Tensor:
    r"""The first k columns of :math:`H_1 H_2 \cdots H_k`, :math:`H_i = I - \tau_i v_i v_i^\top`.

    ``a`` (..., n, k) stores the reflectors below its diagonal: :math:`v_i` is 0 above row
    i, 1 at row i and ``a[i+1:, i]`` below (LAPACK's convention, ``torch.linalg.householder_
    product``). ``tau`` (..., k). Applied right to left to the first k columns of the
    identity, each step :math:`Q \leftarrow Q - \tau_i v_i (v_i^\top Q)` is ordinary Tensor
    algebra, so autograd differentiates it.
    """
    n, k = a.shape[-2], a.shape[-1]
    rows = np.arange(n)
    q = wrap(np.broadcast_to(np.eye(n, k, dtype=a.dtype), (*a.shape[:-2], n, k)).copy())
    for i in range(k - 1, -1, -1):
        below = wrap((rows > i).astype(a.dtype))
        one = wrap((rows == i).astype(a.dtype))
        v = a[..., :, i] * below + one  # (..., n)
        vq = (v.unsqueeze(-1) * q).sum(-2, keepdim=True)  # v^T Q: (..., 1, k)
        q = q - tau[..., i].unsqueeze(-1).unsqueeze(-1) * v.unsqueeze(-1) * vq
    return q


def _make_orthogonal(a: np.ndarray) -> np.ndarray:
    """The Q of A = QR with diag(R) >= 0, for tall matrices (the unique such QR)."""
    q, r = np.linalg.qr(a)
    signs = np.sign(np.diagonal(r, axis1=-2, axis2=-1))
    signs = np.where(signs == 0, 1, signs)
    return (q * signs[..., None, :]).astype(a.dtype)


def _geqrf(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LAPACK's geqrf for each matrix of ``a`` (..., n, k): R on and above the diagonal, the
    Householder vectors below it, and their factors tau (..., k)."""
    batch = a.shape[:-2]
    flat = a.reshape(-1, *a.shape[-2:]).astype(np.float64)
    packed, taus = [], []
    for matrix in flat:
        h, tau = np.linalg.qr(matrix, mode="raw")  # h is geqrf's output, transposed
        packed.append(h.T)
        taus.append(tau)
    return (
        np.array(packed).reshape(*batch, *a.shape[-2:]).astype(a.dtype),
        np.array(taus).reshape(*batch, -1).astype(a.dtype),
    )


def _is_orthogonal(q: np.ndarray) -> bool:
    n, k = q.shape[-2], q.shape[-1]
    atol = 10.0 * n * np.finfo(q.dtype).eps
    return bool(np.allclose(np.swapaxes(q, -1, -2) @ q, np.eye(k), rtol=1e-5, atol=atol))


class _Orthogonal(Module):
    r"""An orthogonal matrix (or batch) from an unconstrained one.

    For an n x n skew-symmetric :math:`A = X_{low} - X_{low}^\top` (:math:`X_{low}`: the lower
    triangle of X), both :math:`e^{A}` (``matrix_exp``) and the Cayley map
    :math:`(I - A/2)^{-1}(I + A/2)` (``cayley``) are orthogonal; a tall n x k X uses the first k
    columns of the n x n result. ``householder`` multiplies the reflections stored below X's
    diagonal. A wide X is handled transposed. With ``use_trivialization`` the result is
    :math:`B \, \phi(X)` for the buffer ``base`` :math:`B` (set by ``right_inverse``).
    """

    def __init__(self, weight: Tensor, orthogonal_map: _OrthMaps, *, use_trivialization=True):
        super().__init__()
        self.shape = tuple(weight.shape)
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, x: Tensor) -> Tensor:
        n, k = x.shape[-2], x.shape[-1]
        transposed = n < k
        if transposed:
            x = x.mT
            n, k = k, n
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            x = x.tril()
            if n != k:
                x = cat([x, x.new_zeros(*x.shape[:-2], n, n - k)], dim=-1)
            a = x - x.mT
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                q = matrix_exp(a)
            else:
                identity = eye(n, dtype=a.dtype)
                q = solve(identity - 0.5 * a, identity + 0.5 * a)
            if n != k:
                q = q[..., :k]
        else:
            a = x.tril(-1)
            tau = 2.0 / (1.0 + (a * a).sum(-2))
            q = householder_product(a, tau)
            # The diagonal of X (rounded towards 0, as an integer) picks each column's sign.
            q = q * wrap(np.trunc(np.diagonal(x.array, axis1=-2, axis2=-1))).unsqueeze(-2)
        if "base" in self._buffers:
            q = self.base @ q
        return q.mT if transposed else q

    def right_inverse(self, q: Tensor) -> Tensor:
        """An X with forward(X) = Q: with trivialization, base = orthogonalised Q and X = -I."""
        if tuple(q.shape) != self.shape:
            raise ValueError(
                f"orthogonal: expected a matrix or batch of matrices of shape {self.shape}, "
                f"got a tensor of shape {tuple(q.shape)}"
            )
        q_init = q
        with no_grad():
            array = q.array
            n, k = array.shape[-2], array.shape[-1]
            transpose = n < k
            if transpose:
                array = np.swapaxes(array, -1, -2)
                n, k = k, n
            if "base" not in self._buffers:
                if self.orthogonal_map != _OrthMaps.householder:
                    raise NotImplementedError(
                        "orthogonal: assigning to the matrix_exp or cayley map needs "
                        "use_trivialization=True"
                    )
                # X = the reflectors of A = QR (LAPACK's geqrf), with the signs of diag(R)
                # on its diagonal so that forward gives back Q.
                a, tau = _geqrf(array)
                diagonal = np.sign(np.diagonal(a, axis1=-2, axis2=-1)).copy()
                diagonal[tau == 0.0] *= -1
                idx = np.arange(k)
                a[..., idx, idx] = diagonal
                return wrap(np.swapaxes(a, -1, -2) if transpose else a)
            if n == k:
                base = array.copy() if _is_orthogonal(array) else _make_orthogonal(array)
            else:
                # Complete the k columns to an n x n orthogonal matrix with random ones.
                extra = randn(*array.shape[:-2], n, n - k, dtype=q.dtype).array
                base = _make_orthogonal(np.concatenate([array, extra], axis=-1))
            self.base = wrap(base)
            neg_identity = np.zeros(q_init.shape, dtype=q_init.dtype)
            idx = np.arange(min(q_init.shape[-2:]))
            neg_identity[..., idx, idx] = -1.0
            return wrap(neg_identity)


def orthogonal(
    module: Module,
    name: str = "weight",
    orthogonal_map: str | None = None,
    *,
    use_trivialization: bool = True,
) -> Module:
    r"""Keep ``module.<name>`` orthogonal: :math:`Q^\top Q = I` (tall) or :math:`Q Q^\top = I` (wide).

    Args:
        module: the layer.
        name: a matrix (or batch of matrices, (..., m, n)) parameter of the module.
        orthogonal_map: ``"matrix_exp"``, ``"cayley"`` or ``"householder"``; default
            ``"matrix_exp"`` for square matrices, ``"householder"`` otherwise.
        use_trivialization: store an extra orthogonal matrix ``base`` and parametrize
            :math:`Q = \text{base} \cdot \phi(X)` (default True; the initial Q is the weight,
            orthogonalised by QR if it is not orthogonal).

    Example::

        layer = orthogonal(nn.Linear(20, 40))
        Q = layer.weight       # (40, 20) with Q^T Q = I
    """
    weight = _module_tensor(module, name, "orthogonal")
    if weight.ndim < 2:
        raise ValueError(
            f"orthogonal: expected a matrix or batch of matrices, got a tensor of "
            f"{weight.ndim} dimensions"
        )
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.shape[-2] == weight.shape[-1] else "householder"
    orth_enum = (
        _OrthMaps.__members__.get(orthogonal_map) if isinstance(orthogonal_map, str) else None
    )
    if orth_enum is None:
        raise ValueError(
            'orthogonal: orthogonal_map must be one of "matrix_exp", "cayley", "householder", '
            f"got {orthogonal_map!r}"
        )
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
