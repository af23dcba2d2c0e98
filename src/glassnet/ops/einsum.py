"""einsum: sums of products named by index letters, e.g. 'ij,jk->ik' is the matrix product.

y[out] = sum over the letters not in ``out`` of  x1[s1] * x2[s2] * ...

The derivative with respect to one operand is again an einsum: multiply g (indexed by the
output letters) with all the *other* operands and keep the letters of that operand,
dL/dx1[s1] = sum  g[out] * x2[s2] * ...  For 'ij,jk->ik' that is g @ x2.T, as in MatMul. Two
details need care: a letter of x1 that appears nowhere else was summed away, so its gradient
is broadcast back along it; and a letter repeated inside x1 ('ii->i', a diagonal) means only
those diagonal places receive a gradient (written with IndexAdd).
"""

from __future__ import annotations

import string

import numpy as np

from ..autograd import Op
from ..errors import ShapeError
from . import api as A
from .shape import IndexAdd


def parse(equation: str, shapes: list) -> tuple[list[str], str]:
    """Split 'ij,jk->ik' into (['ij', 'jk'], 'ik'); '...' becomes fresh capital letters.

    Without '->' the output is every letter that occurs once, in alphabetical order (as in
    NumPy and PyTorch).
    """
    equation = equation.replace(" ", "")
    inputs, arrow, output = equation.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(
            f"einsum: the equation {equation!r} names {len(terms)} operands, got {len(shapes)}"
        )
    spare = iter(string.ascii_uppercase)
    ellipsis_letters = None
    expanded = []
    for term, shape in zip(terms, shapes):
        if "..." in term:
            count = len(shape) - (len(term) - 3)
            known = ellipsis_letters or ""
            if count > len(known):  # new letters go in front: '...' dims align on the right
                ellipsis_letters = "".join(next(spare) for _ in range(count - len(known))) + known
            term = term.replace("...", ellipsis_letters[len(ellipsis_letters) - count :])
        if len(term) != len(shape):
            raise ShapeError(
                f"einsum: the term {term!r} names {len(term)} dims, but the operand has shape "
                f"{tuple(shape)}"
            )
        expanded.append(term)
    if arrow:
        output = output.replace("...", ellipsis_letters or "")
    else:
        letters = "".join(expanded)
        once = sorted(c for c in set(letters) if letters.count(c) == 1 and c.islower())
        output = (ellipsis_letters or "") + "".join(once)
    return expanded, output


class Einsum(Op):
    """y[out] = sum of prod_k x_k[s_k] over the letters not in out;   dL/dx_k = einsum(g, the others -> s_k)"""

    def __init__(self, terms: list[str], output: str):
        self.terms = terms
        self.output_term = output

    def forward(self, *xs):
        sizes = {}
        for term, x in zip(self.terms, xs):
            for letter, n in zip(term, np.shape(x)):
                if sizes.setdefault(letter, n) != n:
                    raise ShapeError(
                        f"einsum: letter {letter!r} has size {sizes[letter]} in one operand "
                        f"and {n} in another"
                    )
        self.sizes = sizes
        equation = ",".join(self.terms) + "->" + self.output_term
        return np.einsum(equation, *xs, optimize=len(xs) > 2)

    def backward(self, g):
        grads = []
        for k, x in enumerate(self.inputs):
            if self.parents[k] is None:
                grads.append(None)
                continue
            grads.append(self._operand_grad(g, k, x))
        return tuple(grads)

    def _operand_grad(self, g, k, x):
        term = self.terms[k]
        others = [t for i, t in enumerate(self.terms) if i != k]
        reachable = set(self.output_term).union(*others)
        unique = "".join(dict.fromkeys(c for c in term if c in reachable))
        operands = [g] + [t for i, t in enumerate(self.inputs) if i != k]
        grad = Einsum([self.output_term, *others], unique)(*operands)
        # Letters only x itself carries were summed away: broadcast the gradient along them.
        full = "".join(dict.fromkeys(term))
        if unique != full:
            for i, c in enumerate(full):
                if c not in unique:
                    grad = A.unsqueeze(grad, i)
            grad = A.expand(grad, tuple(self.sizes[c] for c in full))
        if full == term:
            return grad
        # A repeated letter: the gradient lives on the diagonal places only.
        where = []
        for c in term:
            shape = [1] * len(full)
            shape[full.index(c)] = self.sizes[c]
            where.append(np.arange(self.sizes[c]).reshape(shape))
        return IndexAdd(tuple(where), x.shape)(grad)


def einsum(equation: str, *operands):
    """Sum of products over index letters: einsum('ij,jk->ik', a, b) == a @ b.

    ``'...'`` stands for any leading (or trailing) dims; without '->' the result keeps the
    letters that occur once, alphabetically. Operands may also be passed as one list.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    tensors = [A._t(x) for x in operands]
    if any(t.array.dtype.kind == "f" for t in tensors):
        wide = np.result_type(*[t.array.dtype for t in tensors if t.array.dtype.kind == "f"])
        tensors = [t.to(wide) for t in tensors]
    terms, output = parse(equation, [t.shape for t in tensors])
    return Einsum(terms, output)(*tensors)
