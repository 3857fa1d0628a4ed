"""``F.ctc_loss``: torch's CPU kernel ``_ctc_loss`` (CtcLossBackward0) and the composite around it.

The loss of each sequence is minus the log of the summed probability of every alignment of its target
(Graves et al. 2006, in log space): the forward variables alpha run over time steps (a loop over t,
vectorised over the batch and the extended labels, blank-interleaved), the backward variables beta run
back the same way, and the gradient is torch's ``exp(lp) - exp(logsumexp_s(alpha + beta) + nll - lp)``
per class.  torch's kernel has no derivative of its own: under ``create_graph`` the gradient's node is
``NotImplemented`` (edges to the incoming gradient, log_probs and the loss), which raises when
differentiated, and forward-mode AD refuses ``_ctc_loss``.

Around the kernel torch builds its graph from ordinary ops, as here: an unbatched (T, C) input is
unsqueezed to (T, 1, C) and the loss squeezed back; ``zero_infinity`` replaces infinite losses through
``where``; ``mean`` divides each loss by its target length (at least 1) and averages, ``sum`` sums.
"""
from __future__ import annotations

import numpy as np

from .._quiet import quiet
from .._tensor import Tensor
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..ops._define import record
from ..ops._errors import invalid_arguments, not_implemented
from ..ops.elementwise import no_derivative_node, requiring_grad
from ._losses import _reduction

_OVERLOADS = ("Tensor log_probs, Tensor targets, tuple of ints input_lengths, tuple of ints target_lengths, "
              "int blank = 0, int reduction = at::Reduction::Mean, bool zero_infinity = False",
              "Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, int blank = 0, "
              "int reduction = at::Reduction::Mean, bool zero_infinity = False")
_ENUM = {"none": 0, "mean": 1, "sum": 2}
_WHERE = "ctc_loss_allocate_outputs"


def _int_list(value) -> list[int] | None:
    """A tuple or list of Python ints (torch's ``tuple of ints``), else None."""
    if isinstance(value, (tuple, list)) and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                                 for v in value):
        return [int(v) for v in value]
    return None


def _lengths(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity) -> tuple:
    """The lengths as int lists, by torch's two overloads (int tuples, or integral tensors)."""
    args = (log_probs, targets, input_lengths, target_lengths, blank, _ENUM[reduction], zero_infinity)
    if not isinstance(log_probs, Tensor) or not isinstance(targets, Tensor) or type(blank) is not int:
        raise invalid_arguments("ctc_loss", args, _OVERLOADS)
    if isinstance(input_lengths, Tensor) and isinstance(target_lengths, Tensor):
        for name, lengths in (("input_lengths", input_lengths), ("target_lengths", target_lengths)):
            if lengths._data.dtype.kind not in "iu":
                raise RuntimeError(f"{name} must be integral")
        return ([int(v) for v in input_lengths._data.reshape(-1)], [int(v) for v in target_lengths._data.reshape(-1)])
    il, tl = _int_list(input_lengths), _int_list(target_lengths)
    if il is None or tl is None:
        raise invalid_arguments("ctc_loss", args, _OVERLOADS)
    return il, tl


def _check(lp: np.ndarray, targets: np.ndarray, il: list, tl: list, blank: int) -> None:
    """torch's ``ctc_loss_allocate_outputs`` checks, in its order."""
    if lp.ndim != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {lp.ndim}-dimensional tensor for argument #1 "
                           f"'log_probs' (while checking arguments for {_WHERE})")
    if not 1 <= targets.ndim < 3:
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {targets.ndim}-dimensional tensor for argument #2 "
                           f"'targets' (while checking arguments for {_WHERE})")
    n, c = lp.shape[1], lp.shape[2]
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")
    if len(il) != n:
        raise RuntimeError("input_lengths must be of size batch_size")
    if len(tl) != n:
        raise RuntimeError("target_lengths must be of size batch_size")
    for length in tl:
        if length < 0:
            raise RuntimeError(f"Expected target_lengths to have value at least 0, but got value {length} (while "
                               f"checking arguments for {_WHERE})")
    expected = sum(tl) if targets.ndim == 1 else n
    if targets.shape[0] != expected:
        raise RuntimeError(f"Expected tensor to have size {expected} at dimension 0, but got size {targets.shape[0]} "
                           f"for argument #2 'targets' (while checking arguments for {_WHERE})")
    if targets.ndim == 2 and targets.shape[1] < max(tl, default=0):
        raise RuntimeError(f"Expected tensor to have size at least {max(tl)} at dimension 1, but got size "
                           f"{targets.shape[1]} for argument #2 'targets' (while checking arguments for {_WHERE})")
    for length in il:
        if length < 0:
            raise RuntimeError(f"Expected input_lengths to have value at least 0, but got value {length} (while "
                               f"checking arguments for {_WHERE})")
        if length > lp.shape[0]:
            raise RuntimeError(f"Expected input_lengths to have value at most {lp.shape[0]}, but got value {length} "
                               f"(while checking arguments for {_WHERE})")


class _Lattice:
    """The extended (blank-interleaved) labels of each sequence, (N, S) with S = 2 max(target_lengths) + 1:
    ``labels`` (blank past a sequence's own end), ``valid`` (s < 2 L + 1) and ``skip`` (s may come from
    s - 2: a label differing from the one before it)."""

    def __init__(self, targets: np.ndarray, il: list, tl: list, blank: int):
        self.il, self.tl = np.asarray(il, np.int64), np.asarray(tl, np.int64)
        n, longest = len(il), max(tl, default=0)
        width = 2 * longest + 1
        slot = np.arange(longest)
        listed = slot[None, :] < self.tl[:, None]
        if targets.ndim == 1:  # concatenated: sequence b starts after the ones before it
            starts = np.concatenate([[0], np.cumsum(self.tl)[:-1]]).astype(np.int64)
            where = np.where(listed, starts[:, None] + slot[None, :], 0)
            own = targets[where] if targets.size else np.zeros((n, longest), np.int64)
        else:
            own = targets[:, :longest]
        labels = np.full((n, width), blank, np.int64)
        labels[:, 1::2] = np.where(listed, own, blank)
        self.labels = labels
        s = np.arange(width)
        self.valid = s[None, :] < 2 * self.tl[:, None] + 1
        skip = np.zeros((n, width), bool)
        skip[:, 2:] = labels[:, 2:] != labels[:, :-2]
        self.skip = skip & self.valid
        self.width = width


def _logsumexp3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """torch's kernel's three-term log-sum-exp: the maximum taken out, 0 when all are -inf."""
    m = np.maximum(np.maximum(a, b), c)
    m = np.where(m == -np.inf, 0, m).astype(a.dtype)
    return np.log(np.exp(a - m) + np.exp(b - m) + np.exp(c - m)) + m


@quiet
def _forward(lp: np.ndarray, lattice: _Lattice, blank: int) -> tuple:
    """(nll (N,), log_alpha (N, T, S)) as torch's kernel: alpha over the time steps of each sequence."""
    t_max, n, _ = lp.shape
    dtype = lp.dtype
    neginf = dtype.type(-np.inf)
    batch = np.arange(n)
    emit = lp[:, batch[:, None], lattice.labels] if t_max else np.zeros((0, n, lattice.width), dtype)  # (T, N, S)
    alpha = np.full((n, t_max, lattice.width), neginf, dtype)
    il, tl = lattice.il, lattice.tl
    if t_max:
        alpha[:, 0, 0] = emit[0, :, 0]
        if lattice.width > 1:
            alpha[:, 0, 1] = np.where(tl > 0, emit[0, :, 1], neginf)
    for t in range(1, t_max):
        prev = alpha[:, t - 1]
        one = np.concatenate([np.full((n, 1), neginf, dtype), prev[:, :-1]], 1)
        two = np.concatenate([np.full((n, min(2, lattice.width)), neginf, dtype), prev[:, :-2]], 1)
        two = np.where(lattice.skip, two, neginf)
        new = _logsumexp3(prev, one, two) + emit[t]
        live = (t < il)[:, None] & lattice.valid
        alpha[:, t] = np.where(live, new, neginf)
    last = np.maximum(il - 1, 0)
    end = alpha[batch, last]                                   # (N, S) at each sequence's last step
    l1 = end[batch, 2 * tl]
    l2 = np.where(tl > 0, end[batch, np.maximum(2 * tl - 1, 0)], neginf)
    m = np.maximum(l1, l2)
    m = np.where(m == neginf, 0, m).astype(dtype)
    likelihood = np.where(tl > 0, np.log(np.exp(l1 - m) + np.exp(l2 - m)) + m, l1)
    likelihood = np.where(il == 0, np.where(tl == 0, dtype.type(0), neginf), likelihood)
    return (-likelihood).astype(dtype), alpha


def _ctc_loss_backward_op(grad: Tensor, log_probs: Tensor, targets, input_lengths, target_lengths, result: Tensor,
                          log_alpha, blank: int, zero_infinity: bool) -> Tensor:
    edges = requiring_grad(grad, log_probs, result)
    data = ctc_loss_backward(grad._data, log_probs._data, targets, input_lengths, target_lengths, result._data,
                             log_alpha, blank, zero_infinity)
    return record(no_derivative_node("aten::_ctc_loss_backward", edges), data, edges)


@formula_helper(tensor=_ctc_loss_backward_op)
@quiet
def ctc_loss_backward(grad, log_probs: np.ndarray, targets: np.ndarray, input_lengths: list, target_lengths: list,
                      result: np.ndarray, log_alpha: np.ndarray, blank: int, zero_infinity: bool) -> np.ndarray:
    """torch's ``_ctc_loss_backward`` on CPU: beta back over the time steps, alpha * beta collected per class
    (log space), ``(exp(lp) - exp(collected + nll - lp)) * grad``; zeros past each input length, and for a
    whole sequence whose loss is infinite under ``zero_infinity``."""
    lp = log_probs
    t_max, n, c = lp.shape
    dtype = lp.dtype
    neginf = dtype.type(-np.inf)
    lattice = _Lattice(targets, input_lengths, target_lengths, blank)
    il, tl, width = lattice.il, lattice.tl, lattice.width
    batch = np.arange(n)
    emit = lp[:, batch[:, None], lattice.labels]               # (T, N, S)
    beta = np.full((n, t_max, width), neginf, dtype)
    started = il > 0
    last = np.maximum(il - 1, 0)
    rows = batch[started]
    beta[rows, last[started], 2 * tl[started]] = lp[last[started], rows, blank]
    ends = started & (tl > 0)
    rows = batch[ends]
    beta[rows, last[ends], 2 * tl[ends] - 1] = emit[last[ends], rows, 2 * tl[ends] - 1]
    s = np.arange(width)
    has_one = s[None, :] < 2 * tl[:, None]
    skip_back = np.zeros((n, width), bool)    # s + 2 differs from s (and s < 2 L - 1)
    skip_back[:, :-2] = lattice.skip[:, 2:]
    skip_back &= s[None, :] < 2 * tl[:, None] - 1
    pad = np.full((n, min(2, width)), neginf, dtype)
    for t in range(t_max - 2, -1, -1):
        after = beta[:, t + 1]
        one = np.where(has_one, np.concatenate([after[:, 1:], pad[:, :1]], 1), neginf)
        two = np.where(skip_back, np.concatenate([after[:, 2:], pad], 1)[:, :width], neginf)
        new = _logsumexp3(after, one, two) + emit[t]
        live = (t <= il - 2)[:, None] & lattice.valid
        beta[:, t] = np.where(live, new, beta[:, t])
    # alpha * beta per class, log-summed with a per-class maximum (torch's sequential log-add, reordered)
    ab = log_alpha[:, :t_max, :width] + beta                   # (N, T, S)
    ab = np.where(lattice.valid[:, None, :], ab, neginf)
    # (torch's quirk: at the last step it assigns the final blank's term, then the last label's over it, so
    # a last label equal to the blank drops the final blank's term there)
    clash = ends & (lattice.labels[batch, np.maximum(2 * tl - 1, 0)] == blank)
    ab[batch[clash], last[clash], 2 * tl[clash]] = neginf
    # at the last step torch assigns only those two terms: the others (alpha + a -inf beta) are not added
    # (NaN there where alpha is +inf)
    at_last = np.arange(t_max)[None, :] == last[:, None]
    counted = lattice.valid[:, None, :] & ~(at_last[:, :, None] & (s[None, :] < 2 * tl[:, None] - 1)[:, None, :])
    ab = np.where(counted, ab, neginf)
    index = (batch[:, None, None], np.arange(t_max)[None, :, None], lattice.labels[:, None, :])
    top = np.full((n, t_max, c), neginf, dtype)
    np.maximum.at(top, index, ab)
    shift = np.where(top == neginf, 0, top).astype(dtype)
    total = np.zeros((n, t_max, c), dtype)
    np.add.at(total, index, np.exp(ab - shift[index]))
    collected = np.log(total) + shift                          # (N, T, C): -inf where nothing was collected
    # torch adds a class's terms one by one (s descending), taking the first that is not -inf as it is: a lone
    # term after leading -inf ones is that term exactly (+inf stays +inf, where the shifted sum gives NaN)
    position = np.where(counted, s[None, None, :], -1)
    first = np.full((n, t_max, c), -1, np.int64)
    np.maximum.at(first, index, np.where(ab != neginf, position, -1))
    lowest = np.full((n, t_max, c), width, np.int64)
    np.minimum.at(lowest, index, np.where(position >= 0, position, width))
    lone = (first >= 0) & (lowest >= first)
    if lone.any():
        where = np.nonzero(lone)
        collected[where] = ab[where[0], where[1], first[where]]
    nll = result.reshape(n, 1, 1)
    lpb = lp.transpose(1, 0, 2)
    g = np.asarray(grad, dtype).reshape(-1)
    g = np.broadcast_to(g, (n,)) if g.size == 1 else g
    out = (np.exp(lpb) - np.exp(collected + nll - lpb)) * g.reshape(n, 1, 1)
    out = np.where((np.arange(t_max)[None, :] < il[:, None])[:, :, None], out, dtype.type(0))
    if zero_infinity:
        out = np.where((result == np.inf)[:, None, None], dtype.type(0), out)
    return np.ascontiguousarray(out.transpose(1, 0, 2)).astype(dtype, copy=False)


CtcLossBackward0 = derivative(
    "CtcLossBackward0", freed=("targets",), attrs="targets input_lengths target_lengths log_alpha blank zero_infinity",
    log_probs="ctc_loss_backward(grad, log_probs, targets, input_lengths, target_lengths, result, log_alpha, blank, "
              "zero_infinity)")


def _ctc_loss(log_probs: Tensor, targets: np.ndarray, il: list, tl: list, blank: int, zero_infinity: bool) -> Tensor:
    """torch's ``_ctc_loss`` (its first output): the per-sequence losses of a (T, N, C) input."""
    lp = log_probs._data
    if lp.dtype not in (np.float32, np.float64):
        raise not_implemented("ctc_loss_cpu", lp)
    if lp.size == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    _check(lp, targets, il, tl, blank)
    lattice = _Lattice(targets, il, tl, blank)
    nll, alpha = _forward(lp, lattice, blank)
    return record(CtcLossBackward0, nll, (log_probs,), log_probs=log_probs, targets=targets, input_lengths=il,
                  target_lengths=tl, log_alpha=alpha, blank=blank, zero_infinity=zero_infinity)


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """The Connectionist Temporal Classification loss of (T, N, C) or unbatched (T, C) log-probabilities."""
    reduction = _reduction(reduction)
    il, tl = _lengths(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity)
    batched = log_probs.dim() == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    with np.errstate(invalid="ignore"):
        labels = targets._data.astype(np.int64)  # torch's targets.to(kLong)
    res = _ctc_loss(lp, labels, il, tl, blank, bool(zero_infinity))
    if zero_infinity:
        from .. import where, zeros
        res = where(res == float("inf"), zeros((), dtype=res.dtype), res)
    if reduction == "mean":
        from .. import tensor
        return (res / tensor(tl, dtype=res.dtype).clamp_min(1)).mean()
    if reduction == "sum":
        return res.sum()
    return res if batched else res.squeeze(0)
