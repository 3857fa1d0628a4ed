"""The multi-class margin losses, torch's fused kernels: ``multi_margin_loss`` (MultiMarginLossBackward0)
and ``multilabel_margin_loss`` (MultilabelMarginLossBackward0).  torch gives neither backward a derivative:
under ``create_graph`` the gradient's node is ``NotImplemented`` (edges to grad and input), which raises
when differentiated.

An input is (C,), (N, C) or a single 0-d score; each sample's loss sums hinge terms over the classes
and divides by C, so the gradient of each active term is ``1 / C`` (p = 1) or ``2 z / C`` (p = 2)."""
from __future__ import annotations

import numpy as np

from .._argument_types import Number, check_argument
from .._quiet import quiet
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..ops._define import record
from ..ops._errors import not_tensor
from ..ops.elementwise import no_derivative_node, requiring_grad
from ._losses import _data, _reduction


def _frames(x: np.ndarray) -> np.ndarray:
    """The input as (nframe, dim) rows."""
    return x.reshape(1, -1) if x.ndim <= 1 else x


def _scaled(grad: np.ndarray, rows: np.ndarray, reduction: str, shape: tuple) -> np.ndarray:
    """Per-row gradients times the output's gradient (one per row for 'none', else one number)."""
    g = np.asarray(grad)
    if reduction == "none" and g.ndim:
        rows = rows * g.reshape(-1, 1)
    else:
        rows = rows * g.reshape(())
    return rows.reshape(shape).astype(rows.dtype, copy=False)


@quiet
def _reduced(losses: np.ndarray, reduction: str, none_shape: tuple, dtype) -> np.ndarray:
    if reduction == "none":
        return losses.reshape(none_shape).astype(dtype)
    total = losses.sum(dtype=dtype)
    return np.asarray(total / losses.shape[0] if reduction == "mean" else total, dtype)


# ----- multi_margin_loss ---------------------------------------------------------------------------

def _multi_margin_terms(x: np.ndarray, target: np.ndarray, margin: float) -> tuple:
    rows, t = _frames(x), target.reshape(-1)
    z = margin - rows[np.arange(rows.shape[0]), t][:, None] + rows
    active = z > 0
    active[np.arange(rows.shape[0]), t] = False
    return rows, t, z, active


def _multi_margin_loss_backward_op(grad: Tensor, self: Tensor, target, p, margin, weight, reduction) -> Tensor:
    edges = requiring_grad(grad, self)
    data = multi_margin_loss_backward(grad._data, self._data, _data(target), p, margin, _data(weight), reduction)
    return record(no_derivative_node("aten::multi_margin_loss_backward", edges), data, edges)


@formula_helper(tensor=_multi_margin_loss_backward_op)
@quiet
def multi_margin_loss_backward(grad, self: np.ndarray, target: np.ndarray, p: int, margin: float, weight,
                               reduction: str) -> np.ndarray:
    rows, t, z, active = _multi_margin_terms(self, target.astype(np.int64, copy=False), margin)
    nframe, dim = rows.shape
    g = rows.dtype.type(1.0 / max(nframe * dim, 1) if reduction == "mean" else 1.0 / dim)
    h = (g if p == 1 else 2 * g * z) * np.ones_like(rows)
    if weight is not None:   # (only the active terms are weighted, as torch's kernel: no 0 * inf)
        h = h * weight[t][:, None]
    h = np.where(active, h, 0).astype(rows.dtype)
    h[np.arange(nframe), t] = -h.sum(1)
    return _scaled(grad, h, reduction, self.shape)


MultiMarginLossBackward0 = derivative(
    "MultiMarginLossBackward0", freed=("target", "weight"), attrs="target p margin weight reduction",
    self="multi_margin_loss_backward(grad, self, target, p, margin, weight, reduction)")


def _check_dtypes(input: Tensor, target: Tensor, kernel: str) -> None:
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(input.dtype)}'")
    if target._data.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {scalar_type_name(target.dtype)}")


def _check_input_shape(input: Tensor) -> None:
    if not ((input.ndim <= 1 and input.numel() > 0) or (input.ndim == 2 and input.shape[1] != 0)):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")


@quiet
def multi_margin_loss(input: Tensor, target: Tensor, p: Number = 1, margin: Number = 1.0, weight: Tensor | None = None,
                      size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    reduction = _reduction(reduction, size_average, reduce)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    # torch's Python checks p and the weight first, then its kernel's parser the types
    if not isinstance(input, Tensor):
        raise not_tensor("multi_margin_loss", input)
    if not isinstance(target, Tensor):
        raise not_tensor("multi_margin_loss", target, "target", 2)
    check_argument("multi_margin_loss", "margin", "Number", margin)
    _check_input_shape(input)
    nframe = 1 if input.ndim <= 1 else input.shape[0]
    dim = 1 if input.ndim == 0 else input.shape[-1]
    if target.ndim > 1 or target.numel() != nframe:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{nframe}], but got {list(target.shape)}. "
                           f"Input has shape {list(input.shape)}.")
    if weight is not None:
        if weight.numel() != dim:
            raise RuntimeError(f"inconsistent weight size, expected {dim} but got {list(weight.shape)}")
        if weight.requires_grad:
            raise RuntimeError("The function 'multi_margin_loss' is not differentiable with respect to argument "
                               "'weight'. This input cannot have requires_grad True.")
    if input._data.size:   # (torch's kernel, reading the input, target and weight as their types, runs only then)
        _check_dtypes(input, target, "multi_margin_loss_cpu_kernel")
        if weight is not None and weight._data.dtype != input._data.dtype:
            raise RuntimeError(f"expected scalar type {scalar_type_name(input.dtype)} but found "
                               f"{scalar_type_name(weight.dtype)}")
    x, t = input._data, target._data.astype(np.int64, copy=False)
    if t.size and (t.min() < 0 or t.max() >= dim):
        raise RuntimeError("target out of range")
    if x.dtype.kind != "f":   # (an empty input of another dtype: torch's kernel never reads it)
        out = _reduced(np.zeros(0, x.dtype), reduction, (0,) if target.ndim > 0 else (), x.dtype)
        return Tensor._make(out, False, None)
    w = None if weight is None else weight._data
    rows, t1, z, active = _multi_margin_terms(x, t, float(margin))
    terms = z if p == 1 else z * z
    if w is not None:   # (only the active terms are weighted, as torch's kernel: no 0 * inf)
        terms = terms * w[t1][:, None]
    terms = np.where(active, terms, 0).astype(x.dtype)
    losses = terms.sum(1) / x.dtype.type(dim)
    out = _reduced(losses, reduction, (nframe,) if target.ndim > 0 else (), x.dtype)
    return record(MultiMarginLossBackward0, out, (input,), self=input, target=target, p=p, margin=float(margin),
                  weight=weight, reduction=reduction)


# ----- multilabel_margin_loss ----------------------------------------------------------------------

def _multilabel_terms(x: np.ndarray, target: np.ndarray) -> tuple:
    """Each listed target (before the first -1) against each class not listed: the hinge ``1 - x[y] + x[d]``
    and whether it is active, shaped (nframe, slot, class)."""
    rows, t = _frames(x), _frames(target)
    nframe, dim = rows.shape
    listed = np.cumprod(t >= 0, axis=1).astype(bool)  # slots before the first -1
    is_target = np.zeros(rows.shape, bool)
    frame = np.broadcast_to(np.arange(nframe)[:, None], t.shape)
    is_target[frame[listed], t[listed]] = True
    safe = np.where(listed, t, 0)
    z = 1 - np.take_along_axis(rows, safe, 1)[:, :, None] + rows[:, None, :]
    active = (z > 0) & listed[:, :, None] & ~is_target[:, None, :]
    return rows, safe, z, active


def _multilabel_margin_loss_backward_op(grad: Tensor, self: Tensor, target, reduction) -> Tensor:
    edges = requiring_grad(grad, self)
    data = multilabel_margin_loss_backward(grad._data, self._data, _data(target), reduction)
    return record(no_derivative_node("aten::multilabel_margin_loss_backward", edges), data, edges)


@formula_helper(tensor=_multilabel_margin_loss_backward_op)
@quiet
def multilabel_margin_loss_backward(grad, self: np.ndarray, target: np.ndarray, reduction: str) -> np.ndarray:
    target = target.astype(np.int64, copy=False)   # (the target as given: a 1-D input's reads as the input)
    rows, safe, z, active = _multilabel_terms(self, target.reshape(self.shape) if self.ndim <= 1 else target)
    nframe, dim = rows.shape
    g = rows.dtype.type(1.0 / max(nframe * dim, 1) if reduction == "mean" else 1.0 / dim)
    out = active.sum(1).astype(rows.dtype) * g
    frame = np.broadcast_to(np.arange(nframe)[:, None], safe.shape)
    np.add.at(out, (frame, safe), -active.sum(2).astype(rows.dtype) * g)
    return _scaled(grad, out, reduction, self.shape)


MultilabelMarginLossBackward0 = derivative(
    "MultilabelMarginLossBackward0", freed=("target",), attrs="target reduction",
    self="multilabel_margin_loss_backward(grad, self, target, reduction)")


@quiet
def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    reduction = _reduction(reduction, size_average, reduce)
    _check_input_shape(input)
    if input.ndim <= 1:
        dim = 1 if input.ndim == 0 else input.shape[0]
        fits = target.ndim <= 1 and target.numel() == dim
    else:
        fits = target.ndim == 2 and tuple(target.shape) == tuple(input.shape)
    if not fits:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}")
    x, t = input._data, target._data
    if x.ndim == 2 and x.shape[0] == 0 and reduction == "none":   # (no kernel runs: nothing, in the input's dtype)
        return record(MultilabelMarginLossBackward0, np.empty((0,), x.dtype), (input,), self=input, target=target,
                      reduction=reduction)
    dim = 1 if x.ndim == 0 else x.shape[-1]
    if t.size and (t.min() < -1 or t.max() >= dim):
        raise RuntimeError("argument #2 'target' is out of range")
    if x.size:   # (an empty input dispatches no kernel: any dtypes)
        _check_dtypes(input, target, "multilabel_margin_loss_forward_out_frame")
    t = t.astype(np.int64, copy=False)
    rows, safe, z, active = _multilabel_terms(x, t.reshape(x.shape) if x.ndim <= 1 else t)
    losses = np.where(active, z, 0).astype(x.dtype).sum((1, 2)) / x.dtype.type(dim)
    out = _reduced(losses, reduction, (rows.shape[0],) if x.ndim == 2 else (), x.dtype)
    return record(MultilabelMarginLossBackward0, out, (input,), self=input, target=target, reduction=reduction)
