"""The ``torch.*`` aliases of nn.functional ops, with torch's ATen signatures.

torch exposes many functionals a second time at the top level, but as the ATen operators behind them:
``torch.embedding(weight, indices)`` takes its arguments the other way round, ``torch.batch_norm`` takes
every argument positionally (weight first), losses take ``reduction`` as an int (0 none, 1 mean, 2 sum;
anything else leaves the loss unreduced, as ATen's ``apply_loss_reduction`` does), ``torch.dropout``
names its flag ``train``, ``torch.max_pool2d`` has no ``return_indices``.  Each alias here is a thin
function over mygrad's nn.functional implementation, so values, gradients and graphs are the same.
"""
from __future__ import annotations

import numpy as np

from .._argument_types import IntList, Number, argument_types
from .._tensor import Tensor
from ..nn import (
    _activations as _act,
    _conv,
    _dropout,
    _embedding,
    _losses,
    _normalization,
    _padding,
    _pdist,
    _pooling,
    _resample,
)
from ..nn._bilinear import bilinear
from ..nn._ctc import ctc_loss as _ctc_loss
from ._define import check_broadcast
from ._errors import not_tensor

__all__ = ["adaptive_avg_pool1d", "adaptive_max_pool1d", "alpha_dropout", "avg_pool1d", "batch_norm", "bilinear",
           "binary_cross_entropy_with_logits", "celu", "celu_", "constant_pad_nd", "conv1d", "conv2d", "conv3d",
           "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "convolution", "cosine_embedding_loss",
           "cosine_similarity", "ctc_loss", "dropout", "embedding", "feature_alpha_dropout", "feature_dropout",
           "group_norm", "hardshrink", "hinge_embedding_loss", "instance_norm", "kl_div", "layer_norm",
           "margin_ranking_loss", "max_pool1d", "max_pool1d_with_indices", "max_pool2d", "max_pool3d",
           "pairwise_distance", "pdist", "pixel_shuffle", "pixel_unshuffle", "poisson_nll_loss", "prelu",
           "rms_norm", "rrelu", "rrelu_", "selu", "selu_", "threshold", "threshold_", "triplet_margin_loss",
           "alpha_dropout_", "dropout_", "feature_alpha_dropout_", "feature_dropout_"]

# the ones whose torch.* signature is nn.functional's (torch.conv2d is torch.nn.functional.conv2d)
conv1d, conv2d, conv3d = _conv.conv1d, _conv.conv2d, _conv.conv3d
conv_transpose1d, conv_transpose2d, conv_transpose3d = (_conv.conv_transpose1d, _conv.conv_transpose2d,
                                                        _conv.conv_transpose3d)
cosine_similarity, pairwise_distance = _losses.cosine_similarity, _losses.pairwise_distance
pdist = _pdist.pdist
pixel_shuffle, pixel_unshuffle = _resample.pixel_shuffle, _resample.pixel_unshuffle
prelu, hardshrink = _act.prelu, _act.hardshrink
avg_pool1d, adaptive_avg_pool1d = _pooling.avg_pool1d, _pooling.adaptive_avg_pool1d

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _reduction(op: str, position: int, reduction) -> str:
    """ATen's int reduction as nn.functional's string; a non-int is the argument parser's TypeError."""
    if isinstance(reduction, bool) or not isinstance(reduction, int):
        raise TypeError(f"{op}(): argument 'reduction' (position {position}) must be int, not "
                        f"{type(reduction).__name__}")
    return _REDUCTIONS.get(reduction, "none")


# ----- activations ------------------------------------------------------------------------------------------

@argument_types
def celu(input: Tensor, alpha: Number = 1.0) -> Tensor:
    return _act.celu(input, alpha)


@argument_types
def celu_(input: Tensor, alpha: Number = 1.0) -> Tensor:
    return _act.celu(input, alpha, inplace=True)


def selu(input: Tensor) -> Tensor:
    return _act.selu(input)


def selu_(input: Tensor) -> Tensor:
    return _act.selu(input, inplace=True)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          generator=None) -> Tensor:
    return _act.rrelu(input, lower, upper, training)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
           generator=None) -> Tensor:
    return _act.rrelu(input, lower, upper, training, inplace=True)


@argument_types
def threshold(input: Tensor, threshold: Number, value: Number) -> Tensor:
    return _act.threshold(input, threshold, value)


@argument_types
def threshold_(input: Tensor, threshold: Number, value: Number) -> Tensor:
    return _act.threshold(input, threshold, value, inplace=True)


# ----- dropout (ATen's: ``train`` positional, a bad p is a RuntimeError) ------------------------------------

def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout._dropout_impl(input, p, train, False, feature=False, alpha=False)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout._dropout_impl(input, p, train, True, feature=False, alpha=False)


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout._dropout_impl(input, p, train, False, feature=True, alpha=False)


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout._dropout_impl(input, p, train, True, feature=True, alpha=False)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout._dropout_impl(input, p, train, False, feature=False, alpha=True)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout._dropout_impl(input, p, train, True, feature=False, alpha=True)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout._dropout_impl(input, p, train, False, feature=True, alpha=True)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout._dropout_impl(input, p, train, True, feature=True, alpha=True)


# ----- normalization ----------------------------------------------------------------------------------------

# torch.batch_norm/instance_norm take weight first; F's Python functions call these
batch_norm, instance_norm = _normalization.aten_batch_norm, _normalization.aten_instance_norm


@argument_types
def layer_norm(input: Tensor, normalized_shape: IntList, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5, cudnn_enable: bool = True) -> Tensor:
    return _normalization.layer_norm(input, normalized_shape, weight, bias, eps)


group_norm = _normalization.aten_group_norm


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    return _normalization.rms_norm(input, normalized_shape, weight, eps)


# ----- losses (reduction as an int) -------------------------------------------------------------------------

def _in_place_shape(out: tuple, other: tuple) -> None:
    """torch's errors for an in-place op on a tensor of shape ``out`` with an operand of shape ``other``."""
    check_broadcast(np.broadcast_to(False, out), np.broadcast_to(False, other))
    shape = np.broadcast_shapes(out, other)
    if shape != tuple(out):
        raise RuntimeError(f"output with shape {list(out)} doesn't match the broadcast shape {list(shape)}")


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     pos_weight: Tensor | None = None, reduction: int = 1) -> Tensor:
    """ATen's kernel writes the loss into the target's shape: an input that broadcasts to it is taken (F's Python
    refuses any other size)."""
    mode = _reduction("binary_cross_entropy_with_logits", 5, reduction)
    if isinstance(input, Tensor) and isinstance(target, Tensor) and input.shape != target.shape:
        if isinstance(pos_weight, Tensor):   # log_sigmoid(input) *= (pos_weight - 1) * target + 1, in place
            check_broadcast(pos_weight._data, target._data)
            _in_place_shape(input.shape, np.broadcast_shapes(pos_weight.shape, target.shape))
        _in_place_shape(target.shape, input.shape)   # (1 - target) *= input, in place
        input = input.expand(target.shape)
    return _losses.binary_cross_entropy_with_logits(input, target, weight, reduction=mode, pos_weight=pos_weight)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          reduction: int = 1) -> Tensor:
    mode = _reduction("cosine_embedding_loss", 5, reduction)
    return _losses.cosine_embedding_loss(input1, input2, target, margin, reduction=mode)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, reduction: int = 1) -> Tensor:
    return _losses.hinge_embedding_loss(input, target, margin,
                                        reduction=_reduction("hinge_embedding_loss", 4, reduction))


def kl_div(input: Tensor, target: Tensor, reduction: int = 1, *, log_target: bool = False) -> Tensor:
    return _losses.kl_div(input, target, reduction=_reduction("kl_div", 3, reduction), log_target=log_target)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction: int = 1) -> Tensor:
    if not isinstance(input1, Tensor):   # (the parser's check: the composite itself would take a number)
        raise not_tensor("margin_ranking_loss", input1, "input1")
    mode = _reduction("margin_ranking_loss", 5, reduction)
    return _losses.margin_ranking_composite(input1, input2, target, margin, mode)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float,
                     reduction: int) -> Tensor:
    mode = _reduction("poisson_nll_loss", 6, reduction)
    return _losses.poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=mode)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2.0,
                        eps: float = 1e-6, swap: bool = False, reduction: int = 1) -> Tensor:
    mode = _reduction("triplet_margin_loss", 8, reduction)
    return _losses.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction=mode)


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int = 0,
             reduction: int = 1, zero_infinity: bool = False) -> Tensor:
    mode = _reduction("ctc_loss", 6, reduction)
    return _ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, mode, zero_infinity)


# ----- embedding, padding, convolution, pooling -------------------------------------------------------------

def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    """ATen's embedding: a negative ``padding_idx`` means none (nn.functional's counts from the end)."""
    return _embedding.aten_embedding(weight, indices, padding_idx if padding_idx >= 0 else -1, scale_grad_by_freq,
                                     sparse)


@argument_types
def constant_pad_nd(input: Tensor, pad, value: Number = 0) -> Tensor:
    return _padding.pad(input, list(pad), "constant", value)




def convolution(input: Tensor, weight: Tensor, bias: Tensor | None, stride, padding, dilation, transposed: bool,
                output_padding, groups: int) -> Tensor:
    """ATen's convolution entry point: the n-d (transposed) convolution for the weight's rank; sizes are
    lists (no int, no 'same'), the input batched."""
    for position, arg, value in ((4, "stride", stride), (5, "padding", padding), (6, "dilation", dilation),
                                 (8, "output_padding", output_padding)):
        if not isinstance(value, (tuple, list)):
            raise TypeError(f"convolution(): argument '{arg}' (position {position}) must be tuple of ints, not "
                            f"{type(value).__name__}")
        at = next((i for i, v in enumerate(value) if isinstance(v, (bool, float)) or not hasattr(type(v), "__index__")),
                  None)   # (torch's parser reads the list element by element)
        if at is not None:
            raise TypeError(f"convolution(): argument '{arg}' (position {position}) must be tuple of ints, but "
                            f"found element of type {type(value[at]).__name__} at pos {at}")
    if isinstance(groups, bool) or not isinstance(groups, int):
        raise TypeError(f"convolution(): argument 'groups' (position 9) must be int, not {type(groups).__name__}")
    if input.dim() != weight.dim():
        raise RuntimeError(f"Expected {weight.dim()}-dimensional input for {weight.dim()}-dimensional weight "
                           f"{list(weight.shape)}, but got {input.dim()}-dimensional input of size "
                           f"{list(input.shape)} instead")
    nd = weight.dim() - 2
    if nd not in (1, 2, 3):
        raise RuntimeError(f"Expected {nd + 2}D (unbatched) or {nd + 3}D (batched) input to conv, but got "
                           f"input of size: {list(input.shape)}")
    if transposed:
        fn = {1: _conv.conv_transpose1d, 2: _conv.conv_transpose2d, 3: _conv.conv_transpose3d}[nd]
        return fn(input, weight, bias, tuple(stride), tuple(padding), tuple(output_padding), groups,
                  tuple(dilation))
    return _conv._convolution(input, weight, bias, tuple(stride), tuple(padding), tuple(dilation), groups, nd,
                              f"conv{nd}d", aten=True)


def max_pool1d(input: Tensor, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False) -> Tensor:
    return _pooling.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d_with_indices(input: Tensor, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode: bool = False):
    return _pooling.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode,
                               return_indices=True)


def max_pool2d(input: Tensor, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False) -> Tensor:
    return _pooling.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d(input: Tensor, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False) -> Tensor:
    return _pooling.max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode)


def adaptive_max_pool1d(input: Tensor, output_size):
    """ATen's: always the (values, indices) pair."""
    return _pooling.adaptive_max_pool1d(input, output_size, return_indices=True)
