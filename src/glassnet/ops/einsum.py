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
from typing import Any

import numpy as np

from ..autograd import Op
from ..errors import ShapeError
from . import api as A
from .shape import IndexAdd


def parse(equation: str, shapes: list) -> tuple[list[str], str]:
    """Split 'ij,jk->ik' into (['ij', 'jk'], 'ik'); '...' becomes fresh letters, ones the
    equation does not use (capitals first).

    Without '->' the output is '...' followed by every letter that occurs once, in the order
    of the alphabet with capitals before small letters ('bA' gives 'Ab'), as in NumPy and
    PyTorch.
    """
    equation = equation.replace(" ", "")
    inputs, arrow, output = equation.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(
            f"einsum: the equation {equation!r} names {len(terms)} operands, got {len(shapes)}"
        )
    # The letters standing for '...' must not be letters of the equation ('...A,AB->...B').
    spare = iter(c for c in string.ascii_uppercase + string.ascii_lowercase if c not in equation)
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
        named = set(letters) - set(ellipsis_letters or "")
        once = sorted(c for c in named if letters.count(c) == 1)  # capitals sort first
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


def sublist_equation(arguments: tuple) -> tuple[str, tuple]:
    """PyTorch's second form, einsum(a, [0, 1], b, [1, 2], [0, 2]), as ('AB,BC->AC', (a, b)).

    Each operand is followed by a list naming its dims with integers 0..51 (``...`` may stand
    in it for any dims); a last list, if there is one, names the output's dims. Numbers 0-25
    become the letters A-Z and 26-51 a-z, so the letters sort as the numbers do.
    """

    def letters(sublist: Any) -> str:
        out = ""
        for label in sublist:
            if label is Ellipsis:
                out += "..."
            elif isinstance(label, (int, np.integer)) and 0 <= label < 52:
                out += chr(ord("A") + label) if label < 26 else chr(ord("a") + label - 26)
            else:
                raise ValueError(
                    f"einsum: a sublist names dims with integers in [0, 52) or ..., got {label!r}"
                )
        return out

    operands, terms = arguments[0::2], arguments[1::2]
    output = None
    if len(arguments) % 2 == 1:  # the last list names the output
        output, operands = arguments[-1], operands[:-1]
    equation = ",".join(letters(term) for term in terms)
    if output is not None:
        equation += "->" + letters(output)
    return equation, tuple(operands)


def einsum(equation: str | Any, *operands):
    """Sum of products over index letters: einsum('ij,jk->ik', a, b) == a @ b.

    ``'...'`` stands for any leading (or trailing) dims; without '->' the result keeps the
    letters that occur once, alphabetically (capitals first). Operands may also be passed as
    one list, or in PyTorch's sublist form einsum(a, [0, 1], b, [1, 2], [0, 2]).
    """
    if not isinstance(equation, str):
        equation, operands = sublist_equation((equation, *operands))
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    tensors = [A._t(x) for x in operands]
    if any(t.array.dtype.kind == "f" for t in tensors):
        wide = np.result_type(*[t.array.dtype for t in tensors if t.array.dtype.kind == "f"])
        tensors = [t.to(wide) for t in tensors]
    terms, output = parse(equation, [t.shape for t in tensors])
    return Einsum(terms, output)(*tensors)
