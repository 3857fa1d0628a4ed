"""``embedding_bag``: sums, means or maxima of bags of embedding rows without materialising the rows per
bag, torch's fused ``_embedding_bag`` (EmbeddingBagBackward0, edges to weight and per_sample_weights).

A bag is a run of ``input`` between consecutive ``offsets`` (a 2-D input: one bag per row); entries equal
to ``padding_idx`` count for nothing (not in a mean's divisor either); an empty bag gives zeros.  Max mode
keeps, per bag and column, the first row reaching the maximum, and the gradient goes to it alone.
``scale_grad_by_freq`` divides as torch's CPU backward does (by another index's count once indices
repeat: see ``_forward``).  torch
gives the backward no derivative: under ``create_graph`` the weight's gradient is an
EmbeddingBagBackwardBackward0 and per_sample_weights' a ``NotImplemented`` node, both refusing."""
from __future__ import annotations

import warnings

import numpy as np

from .. import _dtype
from .._argument_types import check_argument
from .._quiet import quiet
from .._tensor import Tensor
from .._tensor_str import type_name
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..ops._define import record
from ..ops._errors import past_checks
from ..ops.elementwise import no_derivative_node, requiring_grad
from ._embedding import _renorm_

_MODES = {"sum": 0, "mean": 1, "max": 2}


class _Bags:
    """Where each entry goes: its row ``idx``, its ``bag``, whether it counts (``live``), the gradient
    coefficient of a sum/mean entry (``coef``) and, in max mode, the row chosen per bag and column."""
    __slots__ = ("idx", "bag", "live", "coef", "argmax", "mode", "num_weights", "padding_idx")

    def __init__(self, idx, bag, live, coef, argmax, mode, num_weights, padding_idx):
        self.idx, self.bag, self.live, self.coef, self.argmax = idx, bag, live, coef, argmax
        self.mode, self.num_weights, self.padding_idx = mode, num_weights, padding_idx


def _weight_grad_op(grad: Tensor, per_sample_weights, bags: _Bags) -> Tensor:
    psw = None if per_sample_weights is None else per_sample_weights._data
    return record(EmbeddingBagBackwardBackward0, embedding_bag_weight_grad(grad._data, psw, bags),
                  (grad, per_sample_weights))


@formula_helper(tensor=_weight_grad_op)
@quiet
def embedding_bag_weight_grad(grad: np.ndarray, per_sample_weights, bags: _Bags) -> np.ndarray:
    out = np.zeros((bags.num_weights, grad.shape[1]), grad.dtype)
    if bags.mode == "max":
        chosen = bags.argmax >= 0
        np.add.at(out, (bags.argmax[chosen], np.nonzero(chosen)[1]), grad[chosen])
        return out
    coef = bags.coef if per_sample_weights is None else bags.coef * per_sample_weights
    rows = grad[bags.bag[bags.live]] * coef[bags.live][:, None].astype(grad.dtype)
    np.add.at(out, bags.idx[bags.live], rows.astype(grad.dtype, copy=False))
    return out


_NOT_IMPLEMENTED = "not_implemented_derivative(\"the derivative for '_embedding_bag_backward' is not implemented.\")"
EmbeddingBagBackwardBackward0 = derivative("EmbeddingBagBackwardBackward0", grad=_NOT_IMPLEMENTED,
                                           per_sample_weights=_NOT_IMPLEMENTED)


def _psw_grad_op(grad: Tensor, weight: Tensor, bags: _Bags) -> Tensor:
    edges = requiring_grad(grad, weight)
    return record(no_derivative_node("aten::_embedding_bag_per_sample_weights_backward", edges),
                  embedding_bag_psw_grad(grad._data, weight._data, bags), edges)


@formula_helper(tensor=_psw_grad_op)
@quiet
def embedding_bag_psw_grad(grad: np.ndarray, weight: np.ndarray, bags: _Bags) -> np.ndarray:
    out = np.zeros(bags.idx.shape, grad.dtype)
    live = bags.live
    out[live] = (grad[bags.bag[live]] * weight[bags.idx[live]]).sum(1)
    return out


EmbeddingBagBackward0 = derivative(
    "EmbeddingBagBackward0", attrs="bags", weight="embedding_bag_weight_grad(grad, per_sample_weights, bags)",
    # (torch saves per_sample_weights whichever input requires grad: the sum_to to its own shape reads it)
    per_sample_weights="sum_to(embedding_bag_psw_grad(grad, weight, bags), per_sample_weights.shape)")


def _renorm_rows(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """torch's embedding_renorm_ over the sorted distinct indices: a row index below -num refuses before
    any row changes, negative ones wrap, and one past the table refuses after the rows before it changed."""
    num = weight.shape[0]
    rows = np.unique(idx)

    def refuse(value):
        raise IndexError(f"select(): index {value} out of range for tensor of size {list(weight.shape)} at "
                         f"dimension 0")
    if rows.size and rows[0] < -num:
        refuse(rows[0])
    valid = rows[rows < num]
    if valid.size:
        _renorm_(weight, valid % num, max_norm, norm_type)
    if rows.size and rows[-1] >= num:
        refuse(rows[rows >= num][0])


def _check_indices(t: Tensor, argument: str) -> None:
    if t._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"Expected tensor for argument #1 '{argument}' to have one of the following scalar types: "
                           f"Long, Int; but got {type_name(t._data.dtype)} instead (while checking arguments for "
                           f"embedding_bag)")


@quiet
def _forward(w: np.ndarray, idx: np.ndarray, offsets: np.ndarray, mode: str, psw, include_last_offset: bool,
             padding_idx: int, scale_grad_by_freq: bool) -> tuple:
    n_bags = max(offsets.size - 1, 0) if include_last_offset else offsets.size
    # (with include_last_offset the last bag still runs to the end of the input, as torch's CPU kernel has it)
    bag = np.searchsorted(offsets[:n_bags], np.arange(idx.size), side="right") - 1
    live = (idx != padding_idx) & (bag < n_bags) & (bag >= 0)
    bag = np.where(live, bag, 0)
    out = np.zeros((n_bags, w.shape[1]), w.dtype)
    counts = np.bincount(bag[live], minlength=n_bags)
    coef = np.ones(idx.size)
    argmax = None
    if mode == "max":
        # torch's kernel takes a bag's first row, then each later one strictly greater: NaN first stays NaN,
        # a NaN later never wins (the NaN-ignoring maximum, unless the first is NaN)
        out.fill(-np.inf)
        rows, where, live_bag = w[idx[live]], np.nonzero(live)[0], bag[live]
        np.fmax.at(out, live_bag, rows)
        opening = np.full(n_bags, idx.size)
        np.minimum.at(opening, live_bag, where)
        opened = opening < idx.size
        leading = np.full(out.shape, np.nan, w.dtype)
        leading[opened] = w[idx[opening[opened]]]
        out = np.where(np.isnan(leading) & opened[:, None], leading, out)
        first = np.full(out.shape, idx.size)
        np.minimum.at(first, live_bag, np.where(rows == out[live_bag], where[:, None], idx.size))
        first = np.where(np.isnan(leading) & opened[:, None], opening[:, None], first)
        argmax = np.full(out.shape, -1)
        argmax[first < idx.size] = idx[first[first < idx.size]]
        out[counts == 0] = 0
    else:
        if scale_grad_by_freq:  # torch's CPU kernel: the g-th distinct index (sorted) takes the count of the
            # g-th entry of the sorted indices, which is its own count only while no index repeats before it
            ordered = np.sort(idx)
            group = np.searchsorted(np.unique(idx), idx)
            coef = coef / np.bincount(idx, minlength=w.shape[0])[ordered[group]]
        rows = w[idx[live]] if psw is None else w[idx[live]] * psw[live][:, None]
        np.add.at(out, bag[live], rows.astype(w.dtype, copy=False))
        if mode == "mean":
            out = (out / np.maximum(counts, 1)[:, None].astype(w.dtype)).astype(w.dtype)
            coef = coef / np.maximum(counts, 1)[bag]
    coef = np.where(live, coef, 0)
    return out, (idx, bag, live, coef, argmax)


@quiet
def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None, max_norm: float | None = None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    # torch's Python reads these attributes first (a non-tensor fails there, as in torch)
    if weight.dtype == _dtype.int64 and input.is_floating_point():
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, "
                      "input, ...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.",
                      stacklevel=past_checks(2))
        weight, input = input, weight
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
                         f"then it must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    idx = input._data
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        if input.shape[1] == 0:
            raise RuntimeError("step must be nonzero")
        offs = np.arange(0, idx.size, idx.shape[1])
        include_last_offset = False
        idx = idx.reshape(-1)
        psw = None if per_sample_weights is None else per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        offs = offsets._data
        psw = per_sample_weights
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if max_norm is not None:   # (torch's embedding_renorm_, with its own check of the indices)
        _check_indices(input, "indices")
        check_argument("embedding_renorm_", "max_norm", "float", max_norm)
        check_argument("embedding_renorm_", "norm_type", "float", norm_type)
        _renorm_rows(weight, idx.reshape(-1).astype(np.int64), max_norm, norm_type)
    if psw is not None and mode != "sum":   # (still torch's Python: before its kernel's parser and checks)
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    for key, value in (("scale_grad_by_freq", scale_grad_by_freq), ("sparse", sparse),   # (torch's kernel's parser)
                       ("include_last_offset", include_last_offset)):
        check_argument("embedding_bag", key, "bool", value)
    check_argument("embedding_bag", "padding_idx", "int", padding_idx, optional=True)
    _check_indices(input, "indices")
    if offsets is not None:
        _check_indices(offsets, "offsets")
    if sparse:
        raise NotImplementedError("mygrad has no sparse tensors: embedding_bag(sparse=True) is not supported")
    num = weight.shape[0]
    if padding_idx is None:
        padding_idx = -1
    elif not -num <= padding_idx < num:
        raise RuntimeError(f"padding_idx must be within the number of embeddings, -{num} through {num - 1}, "
                           f"but got {padding_idx}")
    elif padding_idx < 0:
        padding_idx += num
    if weight._data.dtype.kind != "f":
        raise RuntimeError("Expected tensor for argument #1 'weight' to have one of the following scalar types: Half, "
                           f"BFloat16, Float, Double; but got {type_name(weight._data.dtype)} instead (while checking "
                           "arguments for embedding_bag)")
    if psw is not None and psw._data.dtype != weight._data.dtype:
        raise RuntimeError("Expected tensor for argument #1 'weight' to have the same type as tensor for argument #1 "
                           f"'per_sample_weights'; but type {type_name(weight._data.dtype)} does not equal "
                           f"{type_name(psw._data.dtype)} (while checking arguments for embedding_bag)")
    if include_last_offset and offs.size < 1:
        raise RuntimeError("include_last_offset: number of offset should be at least 1")
    if offs.size and offs[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {offs[0]}")
    if offs.size and offs[-1] > idx.size:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {idx.size} but got offsets[-1] of "
                           f"{offs[-1]}")
    bad = np.nonzero((idx < 0) | (idx >= num))[0]
    if bad.size:
        raise RuntimeError(f"Index {bad[0]} of input takes value {idx[bad[0]]} which is not in the valid range "
                           f"[0, {num})")
    idx = idx.astype(np.int64)
    out, (idx, bag, live, coef, argmax) = _forward(
        weight._data, idx, offs.astype(np.int64), mode, None if psw is None else psw._data, include_last_offset,
        padding_idx, scale_grad_by_freq)
    bags = _Bags(idx, bag, live, coef, argmax, mode, num, padding_idx)
    return record(EmbeddingBagBackward0, out, (weight, psw), weight=weight, per_sample_weights=psw, bags=bags)
