"""The CTC loss op: the forward-backward (alpha-beta) algorithm over the blank-extended labels.

Connectionist Temporal Classification (Graves et al., 2006) scores an unsegmented label
sequence l = (l_1, ..., l_S) against T frames of class log-probabilities without saying
which frame belongs to which label. A *path* picks one class per frame; collapsing it
(merge repeated classes, then drop the blanks) must give l. The loss is

    loss = -log p(l | x),    p(l | x) = sum over paths pi that collapse to l of prod_t y[t, pi_t]

with y[t, c] = exp(log_probs[t, c]). There are exponentially many paths, but they all walk
through the *extended* label sequence with a blank before, between and after the labels,

    l' = (blank, l_1, blank, l_2, blank, ..., l_S, blank)        (length L = 2 S + 1)

one position s of l' per frame, each frame either staying at s, stepping to s + 1, or
skipping the blank at s + 1 (only allowed between two *different* labels: a blank must
separate a repeated label, or the two would merge). Dynamic programming over (t, s):

    alpha[t, s] = y[t, l'_s] * (alpha[t-1, s] + alpha[t-1, s-1] + [skip(s)] alpha[t-1, s-2])
        alpha[0, 0] = y[0, blank],   alpha[0, 1] = y[0, l_1],   0 elsewhere
    beta[t, s]  = y[t, l'_s] * (beta[t+1, s] + beta[t+1, s+1] + [skip(s+2)] beta[t+1, s+2])
        beta[T-1, L-1] = y[T-1, blank],   beta[T-1, L-2] = y[T-1, l_S],   0 elsewhere
    p(l | x) = alpha[T-1, L-1] + alpha[T-1, L-2]

(alpha sums the paths' first parts up to (t, s), beta their last parts from (t, s); both
include frame t, so alpha * beta counts y[t, l'_s] twice). Products of many probabilities
underflow, so everything here is in log space: products become sums and sums become
``logaddexp``. skip(s) means s is a label position (odd) and l'_s != l'_{s-2}.

Gradient. The occupancy gamma[t, s] = alpha[t, s] beta[t, s] / (y[t, l'_s] p) is the
probability that frame t sits at position s; summed over the positions holding class c it
is q[t, c], and dloss/dlog_probs[t, c] = -q[t, c]. PyTorch returns instead

    dloss/dlog_probs[t, c] = exp(log_probs[t, c]) - q[t, c]

which is the gradient with respect to the *logits* when log_probs = log_softmax(logits)
(the softmax term comes out of the log_softmax backward, and adding it here changes nothing
after that backward because sum_c q[t, c] = 1). glassnet follows PyTorch, so a
``log_softmax`` before ``ctc_loss`` gives exactly PyTorch's gradients; a finite-difference
check must therefore differentiate through log_softmax. Frames past a sample's input length
get gradient 0; an impossible alignment (p = 0, loss inf) gets NaN gradients, as in PyTorch,
unless ``zero_infinity`` turns both the loss and its gradient into 0.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Op, is_grad_enabled, wrap

__all__ = [
    "CTCLoss",
    "CTCLossGradient",
    "extended_labels",
    "ctc_alpha",
    "ctc_beta",
    "ctc_loss_reference",
]

_NEG_INF = -np.inf


def extended_labels(
    targets: np.ndarray, target_lengths: np.ndarray, blank: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The blank-extended label sequences l' of a batch, with where skipping is allowed.

    Args:
        targets: (N, S) class indices, row n valid up to target_lengths[n].
        target_lengths: (N,) label counts.
        blank: the blank's class index.

    Returns ``(labels, inside, skip)``, each of shape (N, 2 S + 1): l' (padded with blanks),
    whether position s is part of sample n's l' (s < 2 S_n + 1), and skip(s): s is a label
    position with l'_s != l'_{s-2}, so a path may jump from s - 2 straight to s.
    """
    n, s_max = targets.shape
    length = 2 * s_max + 1
    labels = np.full((n, length), blank, dtype=np.int64)
    labels[:, 1::2] = targets  # odd positions hold the labels, even ones the blanks
    inside = np.arange(length)[None, :] < (2 * target_lengths + 1)[:, None]
    skip = np.zeros((n, length), dtype=bool)
    skip[:, 3::2] = labels[:, 3::2] != labels[:, 1:-2:2]
    return labels, inside, skip & inside


def ctc_loss_reference(log_probs: np.ndarray, target: list[int], blank: int = 0) -> float:
    """The CTC loss of one sample, the alpha recursion written out loop by loop (the readable twin).

    log_probs is (T, C) for one sample, target its labels. Slow (two Python loops), but every
    line is one term of the recursion in the module docstring; ``CTCLoss`` computes the same
    for a whole batch at once, and the tests check that the two agree.
    """
    ext = [blank]
    for label in target:
        ext += [label, blank]  # l' = (blank, l_1, blank, l_2, ..., l_S, blank)
    frames, length = log_probs.shape[0], len(ext)
    if frames == 0:
        return 0.0 if not target else float("inf")
    alpha = np.full((frames, length), _NEG_INF)
    alpha[0, 0] = log_probs[0, blank]  # start on the first blank ...
    if length > 1:
        alpha[0, 1] = log_probs[0, ext[1]]  # ... or on the first label
    for t in range(1, frames):
        for s in range(length):
            total = alpha[t - 1, s]  # stay
            if s >= 1:
                total = np.logaddexp(total, alpha[t - 1, s - 1])  # step forward one position
            if s >= 2 and s % 2 == 1 and ext[s] != ext[s - 2]:
                total = np.logaddexp(total, alpha[t - 1, s - 2])  # skip a blank between labels
            alpha[t, s] = total + log_probs[t, ext[s]]
    # End on the last blank or on the last label.
    log_p = alpha[-1, -1] if length == 1 else np.logaddexp(alpha[-1, -1], alpha[-1, -2])
    return float(-log_p)


def _shift_right(a: np.ndarray, by: int) -> np.ndarray:
    """``a[..., s - by]`` at position s (log 0 = -inf where s - by < 0)."""
    out = np.full_like(a, _NEG_INF)
    out[..., by:] = a[..., :-by]
    return out


def _shift_left(a: np.ndarray, by: int) -> np.ndarray:
    """``a[..., s + by]`` at position s (log 0 = -inf past the end)."""
    out = np.full_like(a, _NEG_INF)
    out[..., :-by] = a[..., by:]
    return out


def ctc_alpha(emit: np.ndarray, skip: np.ndarray, target_lengths: np.ndarray) -> np.ndarray:
    """The forward variables log alpha[t, n, s] (log-probability of all path prefixes to (t, s)).

    Args:
        emit: (T, N, L) log y[t, n, l'_s], -inf at positions outside a sample's l'.
        skip: (N, L) where a path may jump over a blank (see ``extended_labels``).
        target_lengths: (N,) (a sample without labels starts at its only position, a blank).

    Frames past a sample's input length are computed too; its loss reads the frame it needs.
    """
    frames, n, length = emit.shape
    alpha = np.full((frames, n, length), _NEG_INF, dtype=emit.dtype)
    if frames == 0:
        return alpha
    # A path starts with a blank or with the first label.
    alpha[0, :, 0] = emit[0, :, 0]
    if length > 1:
        has_labels = target_lengths > 0
        alpha[0, has_labels, 1] = emit[0, has_labels, 1]
    for t in range(1, frames):
        previous = alpha[t - 1]
        stay = previous  # alpha[t-1, s]
        step = _shift_right(previous, 1)  # alpha[t-1, s-1]
        jump = np.where(skip, _shift_right(previous, 2), _NEG_INF)  # alpha[t-1, s-2]
        alpha[t] = np.logaddexp(np.logaddexp(stay, step), jump) + emit[t]
    return alpha


def ctc_beta(
    emit: np.ndarray, skip: np.ndarray, input_lengths: np.ndarray, target_lengths: np.ndarray
) -> np.ndarray:
    """The backward variables log beta[t, n, s] (log-probability of all path endings from (t, s)).

    Sample n ends at its frame input_lengths[n] - 1, on the last blank or the last label;
    beta is -inf at later frames. Arguments as ``ctc_alpha``.
    """
    frames, n, length = emit.shape
    beta = np.full((frames, n, length), _NEG_INF, dtype=emit.dtype)
    samples = np.arange(n)
    last_blank = 2 * target_lengths  # position of the final blank in each l'
    has_labels = target_lengths > 0
    skip_from = _shift_left(skip, 2)  # skip(s + 2): may jump from s to s + 2
    for t in range(frames - 1, -1, -1):
        if t < frames - 1:
            following = beta[t + 1]
            stay = following  # beta[t+1, s]
            step = _shift_left(following, 1)  # beta[t+1, s+1]
            jump = np.where(skip_from, _shift_left(following, 2), _NEG_INF)  # beta[t+1, s+2]
            beta[t] = np.logaddexp(np.logaddexp(stay, step), jump) + emit[t]
        # Samples whose last frame is t start their backward pass here (nothing after it).
        ends = input_lengths - 1 == t
        beta[t, ends] = _NEG_INF
        beta[t, samples[ends], last_blank[ends]] = emit[t, samples[ends], last_blank[ends]]
        ends_on_label = ends & has_labels
        before = last_blank[ends_on_label] - 1
        beta[t, samples[ends_on_label], before] = emit[t, samples[ends_on_label], before]
    return beta


class CTCLoss(Op):
    """loss_n = -log sum_{paths -> target_n} prod_t y[t, n, path_t];   dL/dlog_probs[t, n, c] = g_n (y[t, n, c] - q[t, n, c])

    (q[t, n, c]: the probability that frame t of sample n is aligned to class c, from alpha
    and beta; see the module docstring.) One loss per sample, shape (N,); the reduction is
    applied outside.

    Args (of the constructor):
        targets: (N, S) int64 class indices, padded (only the first target_lengths[n] count).
        input_lengths: (N,) frames used per sample, each in [0, T].
        target_lengths: (N,) labels per sample, each in [0, S].
        blank: the blank's class index.
        zero_infinity: an impossible sample (loss inf) gets loss 0 and gradient 0.

    Input: log_probs (T, N, C), float.
    """

    def __init__(
        self,
        targets: np.ndarray,
        input_lengths: np.ndarray,
        target_lengths: np.ndarray,
        blank: int = 0,
        zero_infinity: bool = False,
    ) -> None:
        self.targets = targets
        self.input_lengths = input_lengths
        self.target_lengths = target_lengths
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs: np.ndarray) -> np.ndarray:
        # float64 inside: long sums of logs, and logaddexp near -inf, are kinder in it.
        lp = log_probs.astype(np.float64, copy=False)
        frames, n, _ = lp.shape
        labels, inside, skip = extended_labels(self.targets, self.target_lengths, self.blank)
        # emit[t, n, s] = log y[t, n, l'_s]: each frame's log-probability of each position's class.
        emit = np.take_along_axis(lp, np.broadcast_to(labels, (frames,) + labels.shape), axis=2)
        emit = np.where(inside, emit, _NEG_INF)
        alpha = ctc_alpha(emit, skip, self.target_lengths)
        log_p = np.full(n, _NEG_INF)
        last = self.input_lengths - 1
        ended = last >= 0
        samples = np.arange(n)[ended]
        end_blank = 2 * self.target_lengths[ended]
        # A path ends on the final blank or on the final label (position L - 2, if there is one).
        on_label = np.where(end_blank > 0, alpha[last[ended], samples, end_blank - 1], _NEG_INF)
        log_p[ended] = np.logaddexp(alpha[last[ended], samples, end_blank], on_label)
        # No frames at all: the empty label sequence has probability 1, any other 0.
        log_p[~ended] = np.where(self.target_lengths[~ended] == 0, 0.0, _NEG_INF)
        loss = -log_p
        impossible = np.isinf(loss)
        if self.zero_infinity:
            loss = np.where(impossible, 0.0, loss)
        self.save_for_backward(lp, emit, alpha, skip, labels, log_p, impossible)
        return loss.astype(log_probs.dtype)

    def gradient(self) -> np.ndarray:
        """dloss_n/dlog_probs[t, n, c] = y[t, n, c] - q[t, n, c] (PyTorch's form), (T, N, C)."""
        lp, emit, alpha, skip, labels, log_p, impossible = self.saved
        frames, n, classes = lp.shape
        beta = ctc_beta(emit, skip, self.input_lengths, self.target_lengths)
        with np.errstate(invalid="ignore"):  # -inf - -inf at positions outside l'
            # gamma[t, n, s] = alpha beta / (y p): the probability of sitting at s at frame t.
            gamma = np.exp(alpha + beta - emit - log_p[None, :, None])
        gamma[np.isnan(gamma)] = 0.0
        # q[t, n, c] = sum of gamma over the positions s whose class l'_s is c.
        q = np.zeros_like(lp)
        samples = np.arange(n)
        for s in range(labels.shape[1]):
            q[:, samples, labels[:, s]] += gamma[:, :, s]
        grad = np.exp(lp) - q
        # An impossible sample has p = 0: PyTorch's formula divides by it and gives NaN.
        grad[:, impossible] = 0.0 if self.zero_infinity else np.nan
        # Frames a sample does not use have no influence on its loss.
        grad[np.arange(frames)[:, None] >= self.input_lengths[None, :]] = 0.0
        return grad

    def backward(self, g):
        grad = self.gradient().astype(g.dtype, copy=False)
        if is_grad_enabled():  # create_graph=True: keep g differentiable, refuse d2/dlog_probs
            return (CTCLossGradient(grad)(self.inputs[0], g),)
        return (wrap(grad * g.array[None, :, None]),)


class CTCLossGradient(Op):
    """y = G * g[None, :, None] (G the CTC gradient at the forward's log_probs);   dL/dg_n = sum_{t,c} G[t, n, c] gg[t, n, c]

    Recorded only by a backward with ``create_graph=True``: linear in the incoming gradient g,
    so that part has a derivative; the derivative of G itself with respect to log_probs (a
    second derivative of the CTC loss) is not implemented, as in PyTorch, and asking for it
    raises instead of silently giving 0. Inputs: log_probs (for the graph only) and g (N,).
    """

    def __init__(self, grad: np.ndarray) -> None:
        self.grad = grad

    def forward(self, log_probs: np.ndarray, g: np.ndarray) -> np.ndarray:
        return self.grad * g[None, :, None]

    def saved_inputs(self):
        return ()  # reads neither input's value

    def backward(self, gg):
        if self.needs_input_grad[0]:
            raise NotImplementedError(
                "ctc_loss: the second derivative with respect to log_probs is not implemented "
                "(as in PyTorch); only the first derivative of ctc_loss is available"
            )
        return None, (gg * wrap(self.grad)).sum((0, 2))
