"""Losses.  Where torch has a fused kernel (mse, the two binary cross-entropies, nll) the loss
is one node with its derivative lines; where torch composes ops (l1, cross_entropy, weighted
mse/l1) the loss is built from the same ops in the same order, so the graph is torch's.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype
from .._argument_types import Number, check_argument
from .._layout import is_contiguous, is_non_overlapping_and_dense
from .._quiet import quiet
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd import forward_ad, grad_mode
from ..autograd.backends import formula_helper
from ..autograd.node import derivative, read_from
from ..linalg import vector_norm
from ..ops._define import check_broadcast, record
from ..ops._errors import not_tensor, past_checks
from ..ops._scalar import (
    add_scalar as _add_scalar,
    div_scalar as _div_scalar,
    mul_scalar as _mul_scalar,
    sub_scalar as _sub_scalar,
)
from ..ops.elementwise import minimum, sub, where, xlogy
from ..ops.reductions import aten_norm
from ..ops.shape import unsqueeze
from ._activations import log_softmax, logsigmoid
from ._formulas import floating_data, softplus_kernel  # (also registers the formula functions)

REDUCTIONS = ("none", "mean", "sum")
MEAN = 1  # torch's at::Reduction enum (none 0, mean 1, sum 2), saved as the nodes' ``reduction`` as torch's are
REDUCTION_ENUM = {name: i for i, name in enumerate(REDUCTIONS)}


# ----- formula functions -----------------------------------------------------------------------

def at_classes(shape: tuple, classes: np.ndarray) -> tuple:
    """The index, into an (N, C, ...) array, of each element's entry for its class ``classes[n, ...]``."""
    if len(shape) == 2:
        return np.arange(shape[0]), classes
    grids = np.ogrid[tuple(slice(n) for i, n in enumerate(shape) if i != 1)]
    return (grids[0], classes, *grids[1:])


NLL_LEVELS = 8   # the nll kernels' cascade: 8 partial sums; a level per 16 elements (their level_power,
                 # max(4, CeilLog2(n) / 8), is 4 below 2**40 elements)


def _nll_flushes(positions: np.ndarray) -> np.ndarray:
    """How many levels the kernels' cascade carries up after adding the element at each linear position:
    its count of trailing zero 4-bit groups (all 7 at position 0)."""
    flushes = np.zeros(positions.shape, np.int64)
    carrying = np.ones(positions.shape, bool)
    for level in range(NLL_LEVELS - 1):
        carrying &= (positions >> (4 * level)) & 15 == 0
        flushes += carrying
    return flushes


@quiet
def nll_cascade_sum(terms: np.ndarray, positions: np.ndarray):
    """The sum of ``terms`` (the kept elements', at their linear ``positions``) in the order of torch's nll
    kernels: ``p[0] += term``, then for each level carried ``p[j + 1] += p[j]; p[j] = 0``; at the end
    ``0 + p[0] + ... + p[7]``.  The order decides overflows and the sign of a zero total.  Each level adds
    its runs (what reaches it between two carries) left to right from +0, every run at once (padded with
    -0.0, which adds nothing), and hands the completed runs' sums up."""
    dtype = terms.dtype
    flushes = _nll_flushes(positions)
    total = dtype.type(0)
    for level in range(NLL_LEVELS):
        if not terms.size:
            break
        ends = flushes > level
        run = np.zeros(terms.size, np.int64)
        run[1:] = np.cumsum(ends[:-1])
        starts = np.flatnonzero(np.diff(run, prepend=-1))
        offsets = np.arange(terms.size) - starts[run]
        grid = np.full((starts.size, offsets.max() + 1), -0.0, dtype)
        grid[run, offsets] = terms
        sums = np.zeros(starts.size, dtype)
        for column in grid.T:
            sums = sums + column
        lasts = np.append(starts[1:] - 1, terms.size - 1)
        done = ends[lasts]
        if not done[-1]:   # the run still open at the end stays in p[level]
            total = total + sums[-1]
        terms, flushes = sums[done], flushes[lasts][done]
    return total


def _nll_parts(x: np.ndarray, t: np.ndarray, ignore_index: int):
    """x: (N, C, ...), t: (N, ...).  Which elements count, each one's class (an ignored one's pointed at
    class 0) and its entry of ``x`` (after torch's bounds check, which looks at counted elements only)."""
    kept = t != ignore_index
    classes = np.where(kept, t, 0)
    if classes.size and (classes.min() < 0 or classes.max() >= x.shape[1]):
        bad = kept & ((t < 0) | (t >= x.shape[1]))
        if bad.any():
            raise IndexError(f"Target {t[bad][0]} is out of bounds.")
    return kept, classes, at_classes(x.shape, classes)


@quiet
def nll_forward(x: np.ndarray, t: np.ndarray, weight: np.ndarray | None, ignore_index: int, reduction: int):
    """torch's nll kernels (``nll_loss_out_frame``, ``nll_loss2d_forward_out_frame``): the loss and the total
    weight.  x: (N, C, ...) log-probabilities, t: (N, ...) classes, or one sample (x (C,), t () or (1,)),
    which the kernels reduce even without a reduction.  Each counted element's loss is ``-x * w``; a
    reduction adds them (and the weights) in the kernels' cascade order and a mean divides by the total."""
    single = x.ndim == 1
    if single:
        x, t = x[None], np.asarray(t).reshape(1)
    kept, classes, index = _nll_parts(x, t, ignore_index)
    picked = x[index] if x.size else np.zeros(t.shape, x.dtype)
    w = None if weight is None else weight.reshape(-1)[classes].astype(x.dtype, copy=False)
    losses = -picked if w is None else -picked * w
    zero = x.dtype.type(0)
    if reduction == 0 and not single:
        return np.where(kept, losses, zero), zero
    if not t.size:   # (the kernels: a mean of nothing is NaN)
        return x.dtype.type(np.nan if reduction == MEAN else 0), zero
    positions = np.flatnonzero(kept.reshape(-1))
    loss = nll_cascade_sum(losses.reshape(-1)[positions], positions)
    total = x.dtype.type(positions.size) if w is None else nll_cascade_sum(w.reshape(-1)[positions], positions)
    return (loss / total if reduction == MEAN else loss), total


def _data(value):
    """A saved tensor's array (under create_graph the formulas are handed tensors)."""
    return value._data if isinstance(value, Tensor) else value


def _nll_loss_of_tensor(input: Tensor, target, weight, ignore_index: int, reduction: int) -> Tensor:
    node = NllLoss2DBackward0 if input.ndim == 4 else NllLossBackward0
    return _nll(input, Tensor._make(np.asarray(_data(target)), False, None), weight, ignore_index,
                REDUCTIONS[reduction], node)


@formula_helper(tensor=_nll_loss_of_tensor)
def nll_loss_of(input: np.ndarray, target, weight, ignore_index: int, reduction: int) -> np.ndarray:
    """The nll loss of ``input`` (torch's double backward of grad_output and its tangent: the loss itself,
    which picks each element's class; masking the others would make 0 * inf a NaN)."""
    return np.asarray(nll_forward(input, _data(target), _data(weight), ignore_index, reduction)[0])


def _nll_backward_tensor(grad: Tensor, self: Tensor, target, weight, total_weight, ignore_index: int,
                         reduction: int) -> Tensor:
    node = NllLoss2DBackwardBackward0 if self.ndim == 4 else NllLossBackwardBackward0
    data = nll_backward(grad._data, self._data, _data(target), _data(weight), _data(total_weight), ignore_index,
                        reduction)
    return record(node, data, (grad, self), target=target, weight=weight, ignore_index=ignore_index,
                  reduction=reduction)


@formula_helper(tensor=_nll_backward_tensor)
@quiet
def nll_backward(grad: np.ndarray, self: np.ndarray, target: np.ndarray, weight, total_weight, ignore_index: int,
                 reduction: int) -> np.ndarray:
    """torch's nll backward kernels: zeros but at each counted element's class ``-(w * g)``, g its gradient
    (without a reduction) or the loss's (over the total weight first, for a mean)."""
    out = np.zeros(self.shape, self.dtype)
    rows = out if out.ndim > 1 else out[None]
    t = np.asarray(target).reshape(rows.shape[:1] + rows.shape[2:])
    kept, classes, index = _nll_parts(rows, t, ignore_index)
    g = grad.reshape(t.shape) if reduction == 0 and self.ndim > 1 else grad
    if reduction == MEAN:
        g = g / total_weight
    values = -g if weight is None else -(weight.reshape(-1)[classes] * g)
    picked = tuple(np.broadcast_to(i, t.shape)[kept] for i in index)
    rows[picked] = np.broadcast_to(values, t.shape)[kept]
    return out


def _nll2d_grad_input_tensor(self: Tensor) -> Tensor:
    nll2d_grad_input(self._data)
    return self


@formula_helper(tensor=_nll2d_grad_input_tensor)
def nll2d_grad_input(self: np.ndarray) -> np.ndarray:
    """``self`` as is, after torch's check: its 2-D kernel's backward writes into ``zeros_like(self)``, which keeps
    a dense non-contiguous layout (a transposed input), and then refuses it."""
    if not is_contiguous(self) and is_non_overlapping_and_dense(self):
        raise RuntimeError("grad_input must be contiguous")
    return self


# ----- derivatives -------------------------------------------------------------------------------
MseLossBackward0 = derivative("MseLossBackward0", attrs="norm", self="norm * (self - target) * grad",
                              target="norm * (target - self) * grad")
BCE_EPSILON = 9.999999960041972e-13  # torch's kernel's EPSILON, 1e-12 rounded to float32


def _binary_cross_entropy_backward_op(grad: Tensor, self: Tensor, target: Tensor, weight, reduction) -> Tensor:
    return record(BinaryCrossEntropyBackwardBackward0,
                  binary_cross_entropy_backward(grad._data, self._data, target._data, weight, reduction),
                  (grad, self, target), grad_output=grad, self=self, target=target, weight=weight,
                  reduction=reduction)


@formula_helper(tensor=_binary_cross_entropy_backward_op)
@quiet
def binary_cross_entropy_backward(grad, self, target, weight, reduction):
    """bce's slope times ``grad``, the product clamped, then the weight and the mean's 1/N, as torch's kernel."""
    out = grad * (self - target) / np.clip((1 - self) * self, BCE_EPSILON, None)
    if weight is not None:
        out = out * weight
    return out / self.size if reduction == MEAN and self.size else out


@formula_helper(tensor="same")
def bce_double_backward_self(grad_output, grad, self, target, weight, reduction, numel):
    """torch's binary_cross_entropy_double_backward, in its order of operations (1e-12 added, not clamped)."""
    numerator = self * self - 2 * self * target + target
    gi = numerator / ((self + 1e-12) * (self + 1e-12) * ((1 - self + 1e-12) * (1 - self + 1e-12)))
    gi = gi * (grad * grad_output)
    if weight is not None:
        gi = gi * weight
    return gi / numel if reduction == MEAN else gi


@formula_helper(tensor="same")
def bce_double_backward_grad_output(grad, self, target, weight, reduction, numel):
    """torch's binary_cross_entropy_double_backward_grad_output (the engine sums it to grad_output's shape)."""
    ggo = (self - target) / ((self + 1e-12) * (1 - self + 1e-12)) * grad
    if weight is not None:
        ggo = ggo * weight
    return ggo / numel if reduction == MEAN else ggo


def _clamped_min_tensor(x: Tensor, low: float) -> Tensor:
    with grad_mode.no_grad():
        x.clamp_min_(low)
    return x


@formula_helper(tensor=_clamped_min_tensor)
def clamped_min(x, low):
    """``x`` clamped below without a gradient of the clamp (torch clamps in place under no_grad)."""
    return np.clip(x, low, None)


@formula_helper(tensor="same")
def bce_double_backward_target(grad, grad_output, self, weight, reduction, numel):
    """torch's binary_cross_entropy_double_backward_target: -grad * grad_output / ((1 - self) * self)."""
    res = -grad * grad_output
    if weight is not None:
        res = res * weight
    res = res / clamped_min((1 - self) * self, 1e-12)
    return res / numel if reduction == MEAN else res


def _bce_target_backward_tensor(grad: Tensor, self: Tensor, weight, reduction, numel) -> Tensor:
    out = self.logit().neg() * grad
    if weight is not None:
        out = out * weight
    return out / numel if reduction == MEAN else out


@formula_helper(tensor=_bce_target_backward_tensor)
@quiet
def binary_cross_entropy_target_backward(grad, self, weight, reduction, numel):
    """torch's -logit(self) * grad (-0. at 0.5), times the weight, over N for a mean, in its order."""
    out = -np.log(self / (1 - self)) * grad
    if weight is not None:
        out = out * weight
    return out / numel if reduction == MEAN else out


@formula_helper(tensor=lambda x: x.numel())
def element_count(x):
    """How many elements ``x`` has (torch's ``sym_numel()``: a mean's divisor)."""
    return x.size


BinaryCrossEntropyBackward0 = derivative(
    "BinaryCrossEntropyBackward0", freed=("weight",), attrs="weight reduction",
    self="binary_cross_entropy_backward(grad, self, target, weight, reduction)",
    # torch's -logit(self) * grad (-0. at 0.5); it reads target (its numel), so target is saved whenever
    # either input requires grad: the sum_to (to target's own shape) reads it the same way
    target="sum_to(binary_cross_entropy_target_backward(grad, self, None if weight is None else constant(weight), "
           "reduction, element_count(target)), target.shape)")
# torch's binary_cross_entropy_backward is an op of its own, with its own second-derivative formulas
BinaryCrossEntropyBackwardBackward0 = derivative(
    "BinaryCrossEntropyBackwardBackward0", freed=("weight",), attrs="weight reduction",
    grad_output="bce_double_backward_grad_output(grad, self, target, None if weight is None else constant(weight), "
                "reduction, element_count(self))",
    self="bce_double_backward_self(grad_output, grad, self, target, None if weight is None else constant(weight), "
         "reduction, element_count(self))",
    target="bce_double_backward_target(grad, grad_output, self, None if weight is None else constant(weight), "
           "reduction, element_count(target))")
BinaryCrossEntropyWithLogitsBackward0 = derivative(
    "BinaryCrossEntropyWithLogitsBackward0", freed=("pos_weight", "weight"), attrs="weight pos_weight divisor",
    # torch's order: the slope, times grad, times the weight, over a mean's N (an overflow and an underflow
    # where torch's are); with pos_weight: (pos_weight * target + 1 - target) * sigmoid(self) - pos_weight * target
    self="(sigmoid(self) - target if pos_weight is None else"
         " ((t := constant(pos_weight) * target) + 1 - target) * sigmoid(self) - t)"
         " * grad * (1 if weight is None else constant(weight)) / divisor",
    target="sum_to((-self if pos_weight is None else constant(pos_weight) * softplus(-self) - softplus(self))"
           " * grad * (1 if weight is None else constant(weight)) / divisor, target.shape)")
# (torch's node saves the class weights, the target and the total weight: freed by backward)
_NLL = "nll_backward(grad, self, target, weight, total_weight, ignore_index, reduction)"
_NLL_SAVED = dict(freed=("target", "weight", "total_weight"), attrs="ignore_index reduction")
NllLossBackward0 = derivative("NllLossBackward0", **_NLL_SAVED, self=_NLL)
NllLoss2DBackward0 = derivative("NllLoss2DBackward0", **_NLL_SAVED,
                                self=_NLL.replace("(grad, self,", "(grad, nll2d_grad_input(self),"))
# the backward's own node (create_graph): its gradient of grad_output is the loss of the incoming gradient
_NLL_TWICE = dict(freed=("target", "weight"), attrs="ignore_index reduction",
                  grad_output="nll_loss_of(grad, target, weight, ignore_index, reduction)", self="zeros_like(grad)")
NllLossBackwardBackward0 = derivative("NllLossBackwardBackward0", **_NLL_TWICE)
NllLoss2DBackwardBackward0 = derivative("NllLoss2DBackwardBackward0", **_NLL_TWICE)
for _name in ("NllLossBackward0", "NllLoss2DBackward0"):   # torch's result line: the loss of the tangent
    forward_ad.TANGENTS[_name] = "nll_loss_of(self_t, target, weight, ignore_index, reduction)"
_NLL_KERNELS = {NllLossBackward0: "nll_loss_out_frame", NllLoss2DBackward0: "nll_loss2d_forward_out_frame"}


# ----- arguments -----------------------------------------------------------------------------------

def _reduction(reduction: str, size_average=None, reduce=None, stacklevel: int = 3) -> str:
    """The reduction, from torch's deprecated ``size_average``/``reduce`` when either is given
    (the warning names the caller's line: ``stacklevel`` counts the frames up to the loss function)."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else "mean" if size_average else "sum"
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
                      "instead.", UserWarning, stacklevel=past_checks(stacklevel))
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


@quiet
def _reduce(losses: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.mean() if losses.size else np.array(np.nan, losses.dtype)


def _norm(reduction: str, numel: int, factor=1.0):
    """The factor a mean puts on each element's gradient (``factor / numel``)."""
    return factor / numel if reduction == "mean" and numel else factor


def _requires_grad(t) -> bool:
    return isinstance(t, Tensor) and t._requires_grad and grad_mode._state.enabled


def _not_differentiable(function: str, argument: str, value) -> None:
    if _requires_grad(value):
        raise RuntimeError(f"The function '{function}' is not differentiable with respect to argument "
                           f"'{argument}'. This input cannot have requires_grad True.")


def _target_size_warning(input: Tensor, target: Tensor) -> None:
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", UserWarning, stacklevel=past_checks(3))


def _broadcast_pair(input: Tensor, target: Tensor):
    """torch.broadcast_tensors: an operand whose shape grows gets an ExpandBackward0."""
    from ..ops._define import check_broadcast
    from ..ops.shape import expand
    check_broadcast(input._data, target._data)
    shape = np.broadcast_shapes(input._data.shape, target._data.shape)
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in (input, target))


# ----- mse and l1 --------------------------------------------------------------------------------

def _weighted(errors: Tensor, weight: Tensor, reduction: str) -> Tensor:
    """torch's weighted mse/l1 composite: (errors * weight), then sum, or sum / weight.sum()."""
    weighted = errors * weight
    if reduction == "none":
        return weighted
    total = weighted.sum()
    return total if reduction == "sum" else total / weight.sum()


def _regression_arguments(input: Tensor, target: Tensor, weight: Tensor | None, reduction: str, size_average,
                          reduce) -> tuple:
    """(input, target broadcast, reduction), checked in torch's order: the legacy arguments, the broadcast,
    the weight's size, the reduction's value."""
    if size_average is not None or reduce is not None:
        reduction = _reduction(reduction, size_average, reduce, stacklevel=4)
    expanded = _broadcast_pair(input, target)
    if weight is not None and weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
    if weight is not None and reduction not in REDUCTIONS:
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    return (*expanded, _reduction(reduction))


@quiet
def _mse_forward(a: np.ndarray, b: np.ndarray, reduction: str) -> np.ndarray:
    return _reduce(np.square(a - b), reduction)


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    _target_size_warning(input, target)
    input, target, reduction = _regression_arguments(input, target, weight, reduction, size_average, reduce)
    if weight is not None:
        return _weighted((input - target) ** 2, weight, reduction)
    a, b = input._data, target._data
    if a.dtype.kind != "f" and b.dtype.kind != "f":
        raise NotImplementedError(f'"mse_cpu" not implemented for \'{scalar_type_name(input.dtype)}\'')
    if a.dtype != b.dtype:
        dt = _dtype.promote_types(input.dtype, target.dtype).np
        a, b = a.astype(dt, copy=False), b.astype(dt, copy=False)
    return record(MseLossBackward0, _mse_forward(a, b, reduction), (input, target), self=input, target=target,
                  norm=_norm(reduction, a.size, 2.0))


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """Composite in torch: (input - target).abs(), then mean/sum."""
    _target_size_warning(input, target)
    input, target, reduction = _regression_arguments(input, target, weight, reduction, size_average, reduce)
    errors = (input - target).abs()
    if weight is not None:
        return _weighted(errors, weight, reduction)
    return errors if reduction == "none" else errors.sum() if reduction == "sum" else errors.mean()


# ----- binary cross-entropy ----------------------------------------------------------------------------

@quiet   # (a tiny weight times 1/N underflows silently, as in torch)
def _weight_scale(weight: Tensor | None, shape: tuple, np_dtype, reduction: str, numel: int):
    """weight (broadcast to the loss's shape) times the mean's 1/N: the factor on each element's gradient."""
    norm = _norm(reduction, numel)
    if weight is None:
        return norm
    w = weight._data.astype(np_dtype, copy=False)
    try:
        w = np.broadcast_to(w, shape)
    except ValueError:
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape "
                           f"{list(np.broadcast_shapes(shape, w.shape))}") from None
    return w * norm if norm != 1 else w


@quiet
def _bce_forward(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """-(t log x + (1 - t) log(1 - x)), each log clamped at -100 as torch's."""
    return (t - 1) * np.maximum(np.log1p(-x), -100) - t * np.maximum(np.log(x), -100)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    if weight is not None:
        _infer_weight_size(weight, input)
    _not_differentiable("binary_cross_entropy", "weight", weight)
    x, t = input._data, target._data
    if t.dtype != x.dtype:
        raise RuntimeError(f"Found dtype {scalar_type_name(target.dtype)} but expected "
                           f"{scalar_type_name(input.dtype)}")
    _check_probabilities(x, t)
    w = None if weight is None else _weight_scale(weight, x.shape, x.dtype, "sum", x.size)  # (checks its shape)
    losses = _bce_forward(x, t)
    if weight is not None:
        losses = _times_weight(losses, weight._data.astype(x.dtype, copy=False))
    out = record(BinaryCrossEntropyBackward0, _reduce(losses, reduction), (input, target), self=input,
                 target=target, weight=w, reduction=REDUCTION_ENUM[reduction])
    return read_from(out, weight=None if weight is None else weight.expand(input.shape))   # (torch saves it so)


@quiet
def _times_weight(losses: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The losses times their weights (an underflow or overflow is silent, as torch's)."""
    losses *= weight
    return losses


def _check_probabilities(x: np.ndarray, t: np.ndarray) -> None:
    """torch's kernel checks input, then target, element by element (NaN fails both): the first bad element
    in memory order names which one is out of [0, 1]."""
    bad_input, bad_target = ~((x >= 0) & (x <= 1)), ~((t >= 0) & (t <= 1))
    bad = (bad_input | bad_target).ravel()
    if bad.any():
        first = int(np.argmax(bad))
        name = "input" if bad_input.ravel()[first] else "target"
        raise RuntimeError(f"all elements of {name} should be between 0 and 1")


def _infer_weight_size(weight: Tensor, input: Tensor) -> None:
    """F.binary_cross_entropy expands weight to the input's size first (torch's message if it cannot)."""
    w, shape = weight._data.shape, input._data.shape
    for i in range(1, min(len(w), len(shape)) + 1):
        if w[-i] != 1 and w[-i] != shape[-i]:
            got = w[-i]
            raise RuntimeError(f"Attempting to broadcast a dimension of length {got} at -{i}! Mismatching argument "
                               f"at index 1 had torch.Size({list(w)}); but expected shape should be broadcastable to "
                               f"{list(shape)}")


@quiet
def _bce_logits_forward(x: np.ndarray, t: np.ndarray, pos_weight: np.ndarray | None) -> np.ndarray:
    """(1 - t) x + w_pos softplus(-x), with w_pos = 1 + (pos_weight - 1) t; softplus taken stably."""
    soft = softplus_kernel(-x, 1, np.inf)
    if pos_weight is not None:
        soft *= (pos_weight - 1) * t + 1
    return (1 - t) * x + soft


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Computed in the target's dtype, as torch's kernel is (the input is cast to it)."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    _not_differentiable("binary_cross_entropy_with_logits", "weight", weight)
    _not_differentiable("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    t = target._data
    if input._data.dtype.kind != "f":   # (torch's kernel starts with log_sigmoid of the input)
        raise NotImplementedError(f"\"log_sigmoid_cpu\" not implemented for '{scalar_type_name(input.dtype)}'")
    x = input._data
    if pos_weight is not None:   # (then (pos_weight - 1) * target, multiplied into log_sigmoid(input) in place)
        if pos_weight._data.dtype.kind == "b":
            raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
                               "to invert a mask, use the `~` or `logical_not()` operator instead.")
        check_broadcast(pos_weight._data, t)
        _weight_scale(pos_weight, x.shape, x.dtype, "sum", x.size)   # (checks the in-place product's shape)
    if t.dtype.kind == "b":
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    if t.dtype.kind != "f":
        raise RuntimeError(f"result type {scalar_type_name(input.dtype)} can't be cast to the desired output type "
                           f"{scalar_type_name(target.dtype)}")
    if weight is not None:   # (the loss times the weight, in place)
        check_broadcast(x, weight._data)
    x = input._data.astype(t.dtype, copy=False)
    pw = None if pos_weight is None else _weight_scale(pos_weight, x.shape, t.dtype, "sum", x.size)
    w = None if weight is None else _weight_scale(weight, x.shape, t.dtype, "sum", x.size)
    losses = _bce_logits_forward(x, t, pw)
    if weight is not None:
        losses = _times_weight(losses, weight._data.astype(t.dtype, copy=False))
    out = record(BinaryCrossEntropyWithLogitsBackward0, _reduce(losses, reduction), (input, target),
                 self=input, target=target, pos_weight=pw, weight=w,
                 divisor=x.size if reduction == "mean" and x.size else 1)
    return read_from(out, pos_weight=pos_weight, weight=weight)


# ----- nll_loss -------------------------------------------------------------------------------------

def _check_nll_target(input: Tensor, target: Tensor, kernel_2d: bool) -> None:
    td = target._data.dtype
    if td != np.int64 and (td != np.uint8 or kernel_2d):
        if td == np.uint8:
            raise RuntimeError("expected scalar type Long but found Byte")
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {scalar_type_name(target.dtype)}")


def _check_nll_weight(weight: Tensor | None, input: Tensor, classes: int, kernel_2d: bool) -> None:
    if weight is None:
        return
    if weight._data.size != classes or weight._data.ndim != 1 and not kernel_2d:
        if kernel_2d:
            raise RuntimeError("weight tensor should be defined either for all or no classes")
        raise RuntimeError(f"weight tensor should be defined either for all {classes} classes or no classes but got "
                           f"weight tensor of shape: {list(weight._data.shape)}")
    if weight._data.dtype != input._data.dtype and input._data.dtype.kind == "f":   # (else the kernel's dtype error)
        raise RuntimeError(f"expected scalar type {scalar_type_name(input.dtype)} but found "
                           f"{scalar_type_name(weight.dtype)}")


def _nll(input: Tensor, target: Tensor, weight, ignore_index: int, reduction: str, node) -> Tensor:
    """The fused nll over (N, C, ...) input (a 1-D input is one sample)."""
    x = floating_data(input, _NLL_KERNELS[node])
    enum = REDUCTION_ENUM[reduction]
    loss, total = nll_forward(x, target._data, None if weight is None else weight._data, ignore_index, enum)
    return record(node, np.asarray(loss), (input,), self=input, target=target, weight=weight,
                  total_weight=np.asarray(total), ignore_index=ignore_index, reduction=enum)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    reduction = _reduction(reduction, size_average, reduce)
    ndim = input._data.ndim
    if ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {ndim})")
    batch = target.shape[0] if target._data.ndim else 0
    if ndim != 1 and input.shape[0] != batch:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({batch}).")
    _not_differentiable("nll_loss_forward" if ndim <= 2 else "nll_loss2d_forward", "weight", weight)
    if ndim <= 2:
        if target._data.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        _check_nll_target(input, target, False)
        if ndim == 2 and target._data.ndim == 0:   # (an empty batch meets a 0-d target: torch reads its size(0))
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        if ndim == 1 and target._data.ndim == 1 and target.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}")
        _check_nll_weight(weight, input, input.shape[-1], False)
        if ndim == 1:
            target = target.reshape(())  # a (1,) target names the one sample's class too
        return _nll(input, target, weight, ignore_index, reduction, NllLossBackward0)
    return _nll_nd(input, target, weight, ignore_index, reduction)


def _nll_nd(input: Tensor, target: Tensor, weight, ignore_index: int, reduction: str) -> Tensor:
    """(N, C, d1, ...) input: torch views it as (N, C, H, W) for its 2-D kernel (ViewBackward0 below and,
    without reduction, above NllLoss2DBackward0), made contiguous first (CloneBackward0 when it is not)."""
    ndim = input._data.ndim
    expected = (input.shape[0],) + tuple(input.shape[2:])
    if ndim != 4:   # (torch's reshape to 4-D first: the target's sizes past the first against the input's)
        if target._data.ndim == 0:   # (an empty batch meets a 0-d target)
            raise RuntimeError("ArrayRef: invalid slice, N = 1; size = 0")
        if tuple(target.shape) != expected:
            raise RuntimeError(f"Expected target size {list(expected)}, got {list(target.shape)}")
    elif target._data.ndim != 3:
        raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got targets of dimension: "
                           f"{target._data.ndim}")
    # then the 2-D kernel's checks, in its order
    _check_nll_target(input, target, False)
    if weight is not None and weight._data.size != input.shape[1]:
        raise RuntimeError("weight tensor should be defined either for all or no classes")
    if tuple(target.shape) != expected:
        raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}")
    _check_nll_weight(weight, input, input.shape[1], True)
    _check_nll_target(input, target, True)
    if ndim == 4:
        return _nll(input, target, weight, ignore_index, reduction, NllLoss2DBackward0)
    n, c = input.shape[:2]
    spatial = (1, input.shape[2]) if ndim == 3 else (input.shape[2], int(np.prod(input.shape[3:], dtype=np.int64)))
    loss = _nll(input.contiguous().view(n, c, *spatial), target.reshape(n, *spatial), weight, ignore_index, reduction,
                NllLoss2DBackward0)
    return loss.view(target.shape) if reduction == "none" else loss


# ----- cross_entropy -------------------------------------------------------------------------------



def _class_shaped(weight: Tensor, ndim: int, class_dim: int) -> Tensor:
    """weight (C,) viewed to broadcast along the class dim of an ``ndim``-d input."""
    if ndim == 1:
        return weight
    return weight.view(*[-1 if d == class_dim else 1 for d in range(ndim)])


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """log_softmax over the class dim, then nll (class indices) or a sum against the probabilities."""
    reduction = _reduction(reduction, size_average, reduce)
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input._data.ndim == 1 else 1
    if target.shape == input.shape:
        return _cross_entropy_probabilities(input, target, weight, ignore_index, reduction, label_smoothing,
                                            class_dim)
    log_p = log_softmax(input, class_dim)
    nll = nll_loss(log_p, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing <= 0:
        return nll
    return _mul_scalar(nll, 1 - label_smoothing) + _mul_scalar(
        _smoothing_term(log_p, target, weight, ignore_index, reduction, class_dim),
        label_smoothing / input.shape[class_dim] if input.shape[class_dim] else math.inf)   # (torch's C++ division)


def _smoothing_term(log_p: Tensor, target: Tensor, weight, ignore_index: int, reduction: str,
                    class_dim: int) -> Tensor:
    """The uniform-target part of label smoothing: -sum over classes of (weighted) log p, zero where
    ignored, then reduced (a mean divides by the kept weight, or the kept count)."""
    if weight is not None:
        if weight._data.ndim == 0:   # (torch reads weight.size(0) to shape it along the class dim)
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        log_p = log_p * _class_shaped(weight, log_p.ndim, class_dim)
    ignored = Tensor._make(np.asarray(target._data == ignore_index), False, None)
    smooth = -log_p.sum(class_dim)
    broadcast = np.broadcast_shapes(smooth._data.shape, ignored._data.shape)
    if broadcast != smooth._data.shape:   # (torch fills in place: a 1-D input's (1,) target)
        raise RuntimeError(f"output with shape {list(smooth.shape)} doesn't match the broadcast shape "
                           f"{list(broadcast)}")
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "none":
        return smooth
    total = smooth.sum()
    if reduction == "sum":
        return total
    divisor = _kept_weight(ignored._data, target._data, weight)
    return total / Tensor._make(np.asarray(divisor), False, None)


@quiet   # (huge class weights overflow their sum, as torch's)
def _kept_weight(ignored: np.ndarray, target: np.ndarray, weight) -> np.ndarray:
    kept = ~ignored
    return kept.sum() if weight is None else weight._data.reshape(-1)[target[kept]].sum()


def _cross_entropy_probabilities(input: Tensor, target: Tensor, weight, ignore_index: int, reduction: str,
                                 label_smoothing: float, class_dim: int) -> Tensor:
    if target._data.dtype.kind != "f":
        raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                           f"{scalar_type_name(target.dtype)}")
    if ignore_index >= 0:  # the default -100 (any negative index) is accepted
        raise RuntimeError("ignore_index is not supported for floating point target")
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as 1 but tensor has no dimensions")
    classes = input.shape[class_dim]
    if weight is not None and (weight._data.size != classes or weight._data.ndim != 1):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {classes} classes or no "
                           f"classes but got weight tensor of shape: {list(weight._data.shape)}")
    log_p = log_softmax(input, class_dim)
    if label_smoothing > 0:
        smoothing = label_smoothing / classes if classes else math.inf   # (torch's C++ division)
        target = _add_scalar(_mul_scalar(target, 1 - label_smoothing), smoothing)
    products = log_p * target
    if weight is not None:
        products = products * _class_shaped(weight, input._data.ndim, class_dim)
    if reduction == "none":
        return -products.sum(class_dim)
    total = products.sum()
    if reduction == "sum":
        return -total
    if input._data.size == 0:
        return -total.fill_(float("nan"))
    return _div_scalar(-total, input._data.size / classes)


# ----- regression losses with a fused kernel: huber, smooth_l1, soft_margin --------------------------

def _huber_loss_backward_op(grad: Tensor, self: Tensor, target: Tensor, norm, delta, reduction) -> Tensor:
    return record(HuberLossBackwardBackward0,
                  huber_loss_backward(grad._data, self._data, target._data, norm, delta, reduction),
                  (grad, self, target), grad_output=grad, self=self, target=target, norm=norm, delta=delta,
                  reduction=reduction)


@formula_helper(tensor=_huber_loss_backward_op)
@quiet
def huber_loss_backward(grad, self, target, norm, delta, reduction):
    """huber's slope times ``grad``: a clamp of the error, -delta below, delta above, the error between
    (torch's branches and order of products, NaN kept)."""
    x = self - target
    return np.where(x <= -delta, -norm * grad * delta, np.where(x >= delta, norm * grad * delta, norm * x * grad))


def _smooth_l1_loss_backward_op(grad: Tensor, self: Tensor, target: Tensor, norm, beta, reduction) -> Tensor:
    return record(SmoothL1LossBackwardBackward0,
                  smooth_l1_loss_backward(grad._data, self._data, target._data, norm, beta, reduction),
                  (grad, self, target), grad_output=grad, self=self, target=target, norm=norm, beta=beta,
                  reduction=reduction)


@formula_helper(tensor=_smooth_l1_loss_backward_op)
@quiet
def smooth_l1_loss_backward(grad, self, target, norm, beta, reduction):
    """smooth_l1's slope times ``grad``: huber's clamp of the error, over beta (torch's branches and order)."""
    x = self - target
    return np.where(x <= -beta, -norm * grad, np.where(x >= beta, norm * grad, norm * x * grad / beta))


@formula_helper(tensor="same")
def regression_loss_double_backward(grad, self, target, threshold, reduction, beta=None):
    """torch's huber_loss_double_backward (and smooth_l1's, which divides by ``beta``): ``grad`` where
    |self - target| < threshold, strictly (the first derivative's branches include the threshold),
    divided by the element count for a mean, in torch's order."""
    out = grad * (abs(self - target) < threshold)
    if beta is not None:
        out = out / beta
    if reduction == MEAN:
        out = out / (self.numel() if isinstance(self, Tensor) else self.size)
    return out


# torch's huber_loss_backward and smooth_l1_loss_backward are ops of their own (the target's gradient is the same
# op with the operands swapped); their double backward tests |self - target| < threshold strictly, where the first
# derivative's clamp includes the threshold, so at exactly the threshold the second derivative is 0, as torch's.
# The grad_output line is torch's *_double_backward_grad_output: the backward again, summed against grad unless the
# loss was not reduced.
HuberLossBackward0 = derivative("HuberLossBackward0", attrs="norm delta reduction",
                                self="huber_loss_backward(grad, self, target, norm, delta, reduction)",
                                target="huber_loss_backward(grad, target, self, norm, delta, reduction)")
HuberLossBackwardBackward0 = derivative(
    "HuberLossBackwardBackward0", attrs="norm delta reduction",
    grad_output="huber_loss_backward(grad, self, target, norm, delta, reduction) if reduction == 0 else "
                "(huber_loss_backward(ones_like(grad_output), self, target, norm, delta, reduction) * grad).sum()",
    self="regression_loss_double_backward(grad * grad_output, self, target, delta, reduction)",
    target="-regression_loss_double_backward(grad * grad_output, self, target, delta, reduction)")
SmoothL1LossBackward0 = derivative("SmoothL1LossBackward0", attrs="beta norm reduction",
                                   self="smooth_l1_loss_backward(grad, self, target, norm, beta, reduction)",
                                   target="smooth_l1_loss_backward(grad, target, self, norm, beta, reduction)")
SmoothL1LossBackwardBackward0 = derivative(
    "SmoothL1LossBackwardBackward0", attrs="norm beta reduction",
    grad_output="smooth_l1_loss_backward(grad, self, target, norm, beta, reduction) if reduction == 0 else "
                "(smooth_l1_loss_backward(ones_like(grad_output), self, target, norm, beta, reduction)"
                " * grad).sum()",
    self="regression_loss_double_backward(grad * grad_output, self, target, beta, reduction, beta)",
    target="-regression_loss_double_backward(grad * grad_output, self, target, beta, reduction, beta)")
SoftMarginLossBackward0 = derivative("SoftMarginLossBackward0", freed=("target",), attrs="norm target",
                                     self="grad * norm * -constant(target) * (z := exp(-constant(target) * self))"
                                          " / (1 + z)")


def _same_float_pair(name: str, input: Tensor, target: Tensor):
    """The two operands' arrays in their common dtype; torch's fused losses have float kernels only."""
    a, b = input._data, target._data
    if a.dtype.kind != "f" and b.dtype.kind != "f":
        raise NotImplementedError(f'"{name}" not implemented for \'{scalar_type_name(input.dtype)}\'')
    if a.dtype != b.dtype:
        dt = _dtype.promote_types(input.dtype, target.dtype).np
        a, b = a.astype(dt, copy=False), b.astype(dt, copy=False)
    return a, b


@quiet
def _huber_forward(a: np.ndarray, b: np.ndarray, delta: float) -> np.ndarray:
    z = np.abs(a - b)
    return np.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta)).astype(z.dtype, copy=False)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: Number = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """(``delta`` is checked where torch's kernel's parser takes it: after the weight's size, in Python.)"""
    _target_size_warning(input, target)
    shape = input.shape
    input, target = _broadcast_pair(input, target)
    if weight is not None:
        if weight.shape != shape:  # (the input as given, not as broadcast)
            raise ValueError("Weights and input must have the same size.")
        weighted = huber_loss(input, target, "none", delta) * weight
        if reduction not in REDUCTIONS:
            raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
        return weighted if reduction == "none" else weighted.sum() if reduction == "sum" else weighted.mean()
    reduction = _reduction(reduction)
    check_argument("huber_loss", "delta", "float", delta, position=3)
    if delta <= 0:   # (torch's kernel checks it: after the weight's size and the reduction, in Python)
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if input._data.dtype.kind != "f" and target._data.dtype.kind == "f":   # (the output takes the input's dtype)
        raise RuntimeError(f"result type {scalar_type_name(target.dtype)} can't be cast to the desired output type "
                           f"{scalar_type_name(input.dtype)}")
    a, b = _same_float_pair("huber_cpu", input, target)
    return record(HuberLossBackward0, _reduce(_huber_forward(a, b, delta), reduction), (input, target), self=input,
                  target=target, delta=delta, norm=_norm(reduction, a.size),
                  reduction=REDUCTION_ENUM[reduction])


@quiet
def _smooth_l1_forward(a: np.ndarray, b: np.ndarray, beta: float) -> np.ndarray:
    z = np.abs(a - b)
    return np.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta).astype(z.dtype, copy=False)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    _target_size_warning(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = _broadcast_pair(input, target)
    if beta == 0.0:  # torch calls l1_loss here (its composite graph)
        errors = (input - target).abs()
        return errors if reduction == "none" else errors.sum() if reduction == "sum" else errors.mean()
    a, b = _same_float_pair("smooth_l1_cpu", input, target)
    return record(SmoothL1LossBackward0, _reduce(_smooth_l1_forward(a, b, beta), reduction), (input, target),
                  self=input, target=target, beta=beta, norm=_norm(reduction, a.size),
                  reduction=REDUCTION_ENUM[reduction])


@quiet
def _soft_margin_forward(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    return np.log1p(np.exp(-t * x))


def _soft_margin_operands(input: Tensor, target: Tensor) -> tuple:
    """torch's kernel: ``(-input).mul_(target)``, in place in the input's shape and dtype, then exp and log1p."""
    a, b = input._data, target._data
    if a.dtype.kind == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")
    check_broadcast(a, b)
    shape = np.broadcast_shapes(a.shape, b.shape)
    if shape != a.shape:
        raise RuntimeError(f"output with shape {list(a.shape)} doesn't match the broadcast shape {list(shape)}")
    if a.dtype.kind != "f":
        result = _dtype.promote_types(input.dtype, target.dtype) if b.dtype.kind == "f" else _dtype.get_default_dtype()
        raise RuntimeError(f"result type {scalar_type_name(result)} can't be cast to the desired output type "
                           f"{scalar_type_name(input.dtype)}")
    return a, b.astype(a.dtype, copy=False)


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    reduction = _reduction(reduction, size_average, reduce)
    _not_differentiable("soft_margin_loss", "target", target)
    a, b = _soft_margin_operands(input, target)
    losses = _soft_margin_forward(*np.broadcast_arrays(a, b))
    return record(SoftMarginLossBackward0, _reduce(losses, reduction), (input,), self=input, target=target,
                  norm=_norm(reduction, losses.size))


# ----- losses torch composes from ops (the same ops in the same order, so the graph is torch's) ----------

def _apply_reduction(loss: Tensor, reduction: str) -> Tensor:
    """ATen's apply_loss_reduction: mean(), sum() or the elementwise losses."""
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def _check_floating(name: str, *tensors: Tensor) -> None:
    for t in tensors:
        if t._data.dtype.kind != "f":
            raise RuntimeError(f"{name}: Integral inputs not supported.")


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    if size_average is not None or reduce is not None:
        reduction = _reduction(reduction, size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      UserWarning, stacklevel=past_checks(2))
    if reduction not in REDUCTIONS + ("batchmean",):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _check_floating("kl_div", input, target)
    output = target.exp() * (target - input) if log_target else xlogy(target, target) - target * input
    reduced = _apply_reduction(output, "sum" if reduction == "batchmean" else reduction)
    if reduction == "batchmean" and input.ndim != 0:
        reduced = reduced / input.shape[0]
    return reduced


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None, reduction: str = "mean") -> Tensor:
    if size_average is not None or reduce is not None:
        reduction = _reduction(reduction, size_average, reduce)
    if reduction not in REDUCTIONS:
        raise ValueError(reduction + " is not a valid value for reduction")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * _add_scalar(input, eps).log()
    if full:
        stirling = target * target.log() - target + _mul_scalar(_mul_scalar(target, 2 * np.pi).log(), 0.5)
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _apply_reduction(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * Tensor._make(np.ones_like(input._data), False, None)
    else:
        negative = var < 0   # (a str's or a list's comparison: Python's TypeError, as in torch)
        if not isinstance(negative, Tensor):   # (torch.any refuses an array's or a number's)
            raise not_tensor("any", negative)
        if negative._data.any():
            raise ValueError("var has negative entry/entries")
    if var.size() != input.size():   # (size() as torch's Python reads it: an array's size is no method)
        if input.size()[:-1] == var.size():
            var = unsqueeze(var, -1)
        elif input.ndim == var.ndim and sum(v for i, v in zip(input.size(), var.size()) if i != v) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with grad_mode.no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * float(np.log(2 * np.pi))
    return _apply_reduction(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    reduction = _reduction(reduction, size_average, reduce)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return margin_ranking_composite(input1, input2, target, margin, reduction)


def margin_ranking_composite(input1: Tensor, input2: Tensor, target: Tensor, margin: float, reduction: str) -> Tensor:
    """aten's margin_ranking_loss: no check of the dims (F's is Python's), the operands broadcast."""
    unclamped = _add_scalar(-target * (input1 - input2), margin)
    return _apply_reduction(unclamped.clamp_min_(0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    reduction = _reduction(reduction, size_average, reduce)
    if input._data.dtype.kind in "iub":   # (torch fills the margin in the input's dtype: truncated)
        margin = input._data.dtype.type(margin).item()
    zeros = Tensor._make(np.zeros_like(input._data), False, None)
    margin_clamp = sub(margin, input).clamp_min_(0)
    output = where(target != 1, margin_clamp, zeros) + where(target != -1, input, zeros)
    return _apply_reduction(output, reduction)


_EPSILON = 1e-12


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0, size_average=None,
                          reduce=None, reduction: str = "mean") -> Tensor:
    reduction = _reduction(reduction, size_average, reduce)
    dim = target.ndim
    if dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if dim == 1 and (input1.ndim != 2 or input2.ndim != 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    if dim == 0 and (input1.ndim != 1 or input2.ndim != 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    prod_sum = (input1 * input2).sum(dim)
    mag_square1 = _add_scalar((input1 * input1).sum(dim), _EPSILON)
    mag_square2 = _add_scalar((input2 * input2).sum(dim), _EPSILON)
    cos = prod_sum / (mag_square1 * mag_square2).sqrt_()
    zeros = Tensor._make(np.zeros_like(cos._data), False, None)
    positive = sub(1, cos)
    negative = _sub_scalar(cos, margin).clamp_min_(0)
    output = where(target == 1, positive, zeros) + where(target == -1, negative, zeros)
    return _apply_reduction(output, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                                reduce=None, reduction: str = "mean") -> Tensor:
    if size_average is not None or reduce is not None:
        reduction = _reduction(reduction, size_average, reduce)
    if not isinstance(input, Tensor):   # (torch's composite: its first op's check; a target may be a number)
        raise not_tensor("log_sigmoid", input)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(dim=class_dim) / input.shape[class_dim]
    if reduction not in REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    return _apply_reduction(loss, reduction)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """torch's composite: norm(x1 - x2 + eps, p, the last dim)."""
    innermost = max(x1.ndim, x2.ndim) - 1
    return aten_norm(_add_scalar(x1 - x2, eps), p, innermost, keepdim)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:
    reduction = _reduction(reduction, size_average, reduce)
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative {dims[2]}D "
                           f"inputs")
    distance_positive = pairwise_distance(anchor, positive, p, eps)
    distance_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        distance_negative = minimum(distance_negative, pairwise_distance(positive, negative, p, eps))
    output = (_add_scalar(distance_positive, margin) - distance_negative).clamp_min(0)
    return _apply_reduction(output, reduction)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """torch's composite: each input divided by its (cloned, then clamped without grad) norm, multiplied,
    summed over ``dim``; operands of other dtypes promoted to their common (floating) dtype first."""
    if x1._data.dtype != x2._data.dtype or x1._data.dtype.kind != "f":
        common = _dtype.result_type(x1, x2)
        if not common.is_floating_point:
            raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                               f"{scalar_type_name(common)}")
        x1, x2 = x1.to(common), x2.to(common)
    x1, x2 = _broadcast_pair(x1, x2)
    x1_norm = vector_norm(x1, 2, dim, True).clone()
    x2_norm = vector_norm(x2, 2, dim, True).clone()
    with grad_mode.no_grad():
        x1_norm.clamp_min_(eps)
        x2_norm.clamp_min_(eps)
    return ((x1 / x1_norm) * (x2 / x2_norm)).sum(dim)
