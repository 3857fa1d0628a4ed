"""torch.autograd.forward_ad: forward-mode AD with dual tensors (a primal and its tangent).

Inside ``dual_level()``, ``make_dual(x, t)`` gives a tensor carrying the tangent ``t``; every op
that records (``ops/_define.py`` calls ``propagate``) computes its output's tangent from its
inputs' tangents by the op's tangent formula, written once per node class like the backward
formulas and like torch's ``result:`` lines in derivatives.yaml:

- ``"auto_element_wise"``: the op is elementwise, so its Jacobian is diagonal and the tangent is the
  backward formula itself with ``grad`` replaced by the input's tangent, summed over inputs (torch's
  ``auto_element_wise``);
- an expression in the inputs' tangents (``self_t``, ``other_t``, zeros for an input without one),
  the saved names the backward formulas read, and ``result``.

Written out: the elementwise family (arithmetic, the unary math, clamps, activations), sum/mean,
mm/matmul-like products and the views listed in ``TANGENTS``.  Every other node made by
``derivative`` gets ``J t`` from its backward formulas (``_transposed``: they are linear in the
incoming gradient, so differentiating ``<J^T u, t>`` by ``u`` gives ``J t``), except the nodes torch
itself has no forward formula for (``NOT_IMPLEMENTED``: torch's NotImplementedError).  A node
with no formulas at all raises NotImplementedError when a dual tensor reaches it (never a silently
missing tangent).  An in-place
op on a dual tensor (``Tensor._inplace``) gives it the tangent of the same op out of place.
"""
from __future__ import annotations

import itertools
import re
import threading
import types
import weakref
from typing import Any, NamedTuple

import numpy as np

from .. import _quiet
from . import _source as codegen, backends

__all__ = ["UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual"]

levels: list = []   # the active dual level (at most one, as in torch); read by every recording op
_tangents: dict = {}  # id(tensor) -> _Entry (a weak reference to the tensor, its tangent)


class _Busy(threading.local):
    on = False  # computing a tangent: the ops a formula runs get no tangents of their own


_busy = _Busy()


# ----- tangent formulas -----------------------------------------------------------------------------

ELEMENTWISE = "auto_element_wise"

TANGENTS: dict = {name: ELEMENTWISE for name in (
    "AddBackward0", "SubBackward0", "RsubBackward0", "RsubBackward1", "MulBackward0",
    "NegBackward0", "AbsBackward0", "SignBackward0", "ExpBackward0", "Exp2Backward0", "Expm1Backward0",
    "LogBackward0", "Log1PBackward0", "Log2Backward0", "Log10Backward0", "SqrtBackward0", "RsqrtBackward0",
    "ReciprocalBackward0", "SinBackward0", "CosBackward0", "TanBackward0", "AsinBackward0", "AcosBackward0",
    "AtanBackward0", "SinhBackward0", "CoshBackward0", "TanhBackward0", "SigmoidBackward0", "ReluBackward0",
    "ErfBackward0", "FloorBackward0", "CeilBackward0", "TruncBackward0", "FracBackward0", "RoundBackward0",
    "RoundBackward1", "ClampBackward1", "ClampMinBackward0", "ClampMaxBackward0", "HypotBackward0",
    "LogaddexpBackward0", "CloneBackward0", "ToCopyBackward0", "AliasBackward0",
    "PowBackward0", "PowBackward1", "PowBackward2", "LeakyReluBackward0", "EluBackward0", "GeluBackward0",
    "SiluBackward0", "SoftplusBackward0", "ZeroBackward0", "FillBackward2", "CopyBackwards",
    "AcoshBackward0", "AcoshBackward1", "AsinhBackward0", "AsinhBackward1", "AtanhBackward0", "AtanhBackward1",
    "CeluBackward0", "CeluBackward1", "Deg2RadBackward0", "Rad2DegBackward0", "DigammaBackward0", "ErfcBackward0",
    "ErfinvBackward0", "LgammaBackward0", "PolygammaBackward0", "SincBackward0", "LogitBackward0",
    "LogSigmoidBackward0", "MishBackward0", "HardshrinkBackward0", "SoftshrinkBackward0", "HardsigmoidBackward0",
    "HardswishBackward0", "HardtanhBackward0", "EluBackward1", "LeakyReluBackward1", "ThresholdBackward0",
    "ThresholdBackward1", "NanToNumBackward0", "Logaddexp2Backward0", "XlogyBackward0", "XlogyBackward1",
    "XlogyBackward2", "CopysignBackward0", "CopysignBackward1",
)}
TANGENTS.update({
    "SumBackward0": "self_t.sum()",
    "SumBackward1": "self_t.sum(dims, keepdim)",
    "MeanBackward0": "self_t.mean()",
    "MeanBackward1": "self_t.mean(dims, keepdim)",
    "MmBackward0": "self_t.mm(mat2) + self.mm(mat2_t)",
    "BmmBackward0": "self_t.bmm(mat2) + self.bmm(mat2_t)",
    "MvBackward0": "self_t.mv(vec) + self.mv(vec_t)",
    # (measured: dot's and addr's missing tangents are torch's zero tensors, whose products are 0 even with an
    # inf or NaN factor (ABSENT_AS_NONE); the other products multiply real zeros; a scale of 1 is skipped)
    "DotBackward0": "(0 if self_t is None else self_t.dot(tensor)) + (0 if tensor_t is None else self.dot(tensor_t))",
    "AddmmBackward0": "scaled(self_t, beta) + scaled(None if mat1_t is None else mat1_t.mm(mat2), alpha) "
                      "+ scaled(None if mat2_t is None else mat1.mm(mat2_t), alpha)",
    "AddmvBackward0": "scaled(self_t, beta) + scaled(None if mat_t is None else mat_t.mv(vec), alpha) "
                      "+ scaled(None if vec_t is None else mat.mv(vec_t), alpha)",
    "AddrBackward0": "scaled(self_t, beta) + scaled(None if vec1_t is None else vec1_t.outer(vec2), alpha) "
                     "+ scaled(None if vec2_t is None else vec1.outer(vec2_t), alpha)",
    "BaddbmmBackward0": "scaled(self_t, beta) + scaled(None if batch1_t is None else batch1_t.bmm(batch2), alpha) "
                        "+ scaled(None if batch2_t is None else batch1.bmm(batch2_t), alpha)",
    "AddbmmBackward0": "scaled(self_t, beta) + scaled(None if batch1_t is None else batch1_t.bmm(batch2).sum(0), "
                       "alpha) + scaled(None if batch2_t is None else batch1.bmm(batch2_t).sum(0), alpha)",
    # views: the same view of the tangent (torch's auto_linear)
    "ViewBackward0": "self_t.reshape(result.shape)",
    "ReshapeAliasBackward0": "self_t.reshape(result.shape)",
    "UnsafeViewBackward0": "self_t.reshape(result.shape)",
    "UnsqueezeBackward0": "self_t.reshape(result.shape)",
    "SqueezeBackward0": "self_t.reshape(result.shape)",
    "SqueezeBackward1": "self_t.reshape(result.shape)",
    "SqueezeBackward2": "self_t.reshape(result.shape)",
    "ExpandBackward0": "self_t.expand(result.shape)",
    "TBackward0": "self_t.t()",
    "TransposeBackward0": "self_t.transpose(dim0, dim1)",
    "PermuteBackward0": "self_t.permute(tuple(np.argsort(inverse).tolist()))",
    "FlipBackward0": "self_t.flip(dims)",
    "SelectBackward0": "self_t.select(dim, index)",
    "SliceBackward0": "slice_dim(self_t, dim, start, end, step)",
    "WhereBackward0": "where(condition, self_t, other_t)",
    # torch's clamp_jvp: a tie with a bound takes the bound's tangent
    "ClampBackward0": "(where(min > max, max_t, where(self < min, min_t, where(self > max, max_t, self_t))) "
                      "if min is not None and max is not None else where(self > min, self_t, min_t) "
                      "if min is not None else where(self < max, self_t, max_t))",
    "ClampMinBackward1": "where(self >= min, self_t, min_t)",
    "ClampMaxBackward1": "where(self <= max, self_t, max_t)",
    # torch's div line; a missing tangent's term is left out (torch's zero tensor times an inf result is 0)
    "DivBackward0": "((0 if self_t is None else self_t) - (0 if other_t is None else other_t * result)) / other",
    # torch's lines for atan2, addcmul, addcdiv, maximum, minimum; a missing tangent is torch's zero tensor, whose
    # products are 0 even with an inf or NaN factor, so its terms are left out (None: ABSENT_AS_NONE)
    "Atan2Backward0": "(-self * other_t if self_t is None else other * self_t if other_t is None "
                      "else -self * other_t + other * self_t) / (self.pow(2) + other.pow(2))",
    "RenormBackward0": "renorm_jvp(self, self_t, p, dims, maxnorm)",
    # as_strided_scatter (and a view's in-place write): the same scatter of the tangents
    "AsStridedScatterBackward0": "with_view_region(self_t, src_t, geometry)",
    "AddcmulBackward0": "(0 if self_t is None else self_t) + (0 if tensor1_t is None else tensor1_t * tensor2 * value)"
                        " + (0 if tensor2_t is None else tensor2_t * tensor1 * value)",
    "AddcdivBackward0": "(0 if self_t is None else self_t) + (0 if tensor1_t is None else tensor1_t / tensor2 * value)"
                        " - (0 if tensor2_t is None else tensor2_t * (tensor1 / tensor2) / tensor2 * value)",
    "SpecialXlog1PyBackward0": "(0 if self_t is None else where((self == 0) & (other <= -1), 0, "
                               "xlog1py(self_t, other))) + (0 if other_t is None else other_t * self / (other + 1))",
    "SpecialXlog1PyBackward1": "other_t * self / (other + 1)",   # (torch's order: other_t * self overflows first)
    # torch's lerp lines: lerp of the tangents (its fused kernel, zeros for a missing one) plus weight_t * (end - self)
    "LerpBackward0": "(zeros_like(result) if self_t is None else self_t).lerp("
                     "zeros_like(result) if end_t is None else end_t, weight)",
    "LerpBackward1": "(zeros_like(result) if self_t is None else self_t).lerp("
                     "zeros_like(result) if end_t is None else end_t, weight) "
                     "+ (0 if weight_t is None else weight_t * (end - self))",
    "MaximumBackward0": "(lambda c: c * self_t if other_t is None else other_t - c * other_t if self_t is None "
                        "else other_t + c * (self_t - other_t))"
                        "(where(self == other, 0.5, (self > other).to(result.dtype)))",
    "MinimumBackward0": "(lambda c: c * self_t if other_t is None else other_t - c * other_t if self_t is None "
                        "else other_t + c * (self_t - other_t))"
                        "(where(self == other, 0.5, (self < other).to(result.dtype)))",
    # nodes whose tensor backward formula is cut from the graph on purpose (torch builds no second-order
    # graph there), so the transposed backward cannot give their tangents: torch's result lines
    # (a missing tangent is torch's zero tensor: its terms are left out, as above)
    "PreluKernelBackward0": "where(self >= 0, 0 if self_t is None else self_t, (0 if self_t is None else "
                            "weight * self_t) + (0 if weight_t is None else weight_t * self))",
    "NarrowCopyBackward0": "self_t.narrow_copy(dim, start, end - start)",
    "LinalgDetBackward0": "result * (A.inverse() @ A_t).diagonal(0, -2, -1).sum(-1)",
    # torch's logcumsumexp_jvp: the exp-normalised cumsum, 1e-13 where it is 0 (an empty dim: max's IndexError)
    "LogcumsumexpBackward0": "(lambda e: (e * self_t).cumsum(dim) / where(e.cumsum(dim) == 0, 1e-13, e.cumsum(dim)))"
                             "((self - self.max(dim, True).values).exp())",
    # torch's evenly_read_jvp: the mean tangent of the elements equal to the median (NaN when none is: a NaN
    # median), 0 for an empty input
    "MedianBackward0": "zeros_like(result) if self.numel() == 0 else (self_t * (self == result)).sum() "
                       "/ (self == result).sum()",
    # full max/min: the same evenly_read_jvp, so a NaN result (nothing equals it) has a NaN tangent
    "MaxBackward1": "(self_t * (self == result)).sum() / (self == result).sum()",
    "MinBackward1": "(self_t * (self == result)).sum() / (self == result).sum()",
    "NanmedianBackward0": "zeros_like(result) if self.numel() == 0 else (self_t * (self == result)).sum() "
                          "/ (self == result).sum()",
    # torch's logsumexp_jvp: the softmax-weighted tangent, normalised by the weights' sum (NaN for nothing)
    "LogsumexpBackward0": "(lambda e: (e * self_t).sum(dims, keepdim) / e.sum(dims, keepdim))"
                          "(exp(self - unreduce(result, shape, dims, keepdim)))",
    # torch's _safe_softmax jvp: result * (t - safe_logsumexp_jvp), the latter with exp(self - amax) weights
    # (so a +inf score, or a 0 weight times an infinite tangent, is NaN there; the transposed backward
    # distributes the product and gives 0), 0 for a row of only -inf
    "SafeSoftmaxBackward0": "(lambda e: result * (self_t - where(self.isneginf().all(dim, True), 0, "
                            "(e * self_t).sum(dim, True) / e.sum(dim, True))))(exp(self - self.amax(dim, True)))",
    "VarBackward0": "var_backward(self_t, self, dims, correction, True, rnumel, full).sum(dims, keepdim)",
    "StdBackward0": "where(result == 0, 0, var_backward(self_t, self, dims, correction, True, rnumel, full)"
                    ".sum(dims, keepdim) / (2 * result))",
    # the in-place family writes the source's tangent where it writes the source (torch's result lines)
    "ScatterBackward0": "self_t.scatter(dim, as_tensor(index), src_t)",
    "ScatterAddBackward0": "self_t.scatter_add(dim, as_tensor(index), src_t)",
    "IndexCopyBackward0": "self_t.index_copy(dim, as_tensor(index), source_t)",
    "PutBackward0": "self_t.put(as_tensor(index), source_t, accumulate)",
    "IndexFillBackward0": "self_t.index_fill(dim, as_tensor(index), 0)",
    "IndexFillBackward1": "self_t.index_fill(dim, as_tensor(index), value_t)",
    "IndexPutBackward0": "advanced_index_put(self_t, indices, values_t, accumulate)",
    "IndexPutImplBackward0": "advanced_index_put(self_t, indices, values_t, accumulate)",
    # max_unpool2d on the tangent (torch's auto_linear): the same writes, the last of repeated indices winning
    "MaxUnpool2DBackward0": "zeros_like(result).flatten(-2).scatter(-1, as_tensor(indices).flatten(-2), "
                            "self_t.flatten(-2)).reshape(result.shape)",
    "EmbeddingBackward0": "weight_t[as_tensor(indices)]",   # (auto_linear: the padding row's tangent too)
    # several outputs: a tuple, one tangent per output (torch's var_std_mean / frexp result lines)
    "VarMeanBackward0": "(var_backward(self_t, self, dims, correction, True, rnumel, full).sum(dims, keepdim), "
                        "self_t.mean(dims, keepdim))",
    "StdMeanBackward0": "(where(result == 0, 0, var_backward(self_t, self, dims, correction, True, rnumel, full)"
                        ".sum(dims, keepdim) / (2 * result)), self_t.mean(dims, keepdim))",
    "FrexpBackward0": "(self_t / power,)",
    "NextafterBackward0": "self_t * (self != other)",   # (measured: other's tangent is not read)
    # torch's mse_loss line: mse_loss_backward of each tangent, unreduced, then reduced (a missing tangent is
    # zeros there: an infinite (self - target) times it is NaN); norm is 2/N for a mean, and a mean of nothing
    # is the result's NaN
    "MseLossBackward0": "(lambda e: e if e.shape == result.shape else e.sum() * (norm / 2) if e.numel() "
                        "else result.detach() * 0)((self - target) * 2 * self_t - (self - target) * 2 * target_t)",
    # torch's binary_cross_entropy line: both backward kernels, unreduced, on the tangents (zeros for a missing
    # one: times an infinite -logit(self) that is NaN), then reduced (reduction: torch's enum, 1 a mean)
    "BinaryCrossEntropyBackward0": "(lambda e: e if reduction == 0 else e.mean() if reduction == 1 else e.sum())("
                                   "binary_cross_entropy_backward(self_t, self, target, weight, 0) "
                                   "+ binary_cross_entropy_target_backward(target_t, self, None if weight is None "
                                   "else constant(weight), 0, target.numel()))",
    # torch's binary_cross_entropy_with_logits line: both backward functions on the tangents, unreduced (a
    # missing tangent is a zero tensor they skip), then reduced (divisor: a mean's N; a mean of nothing is NaN)
    "BinaryCrossEntropyWithLogitsBackward0": (
        "(lambda e: e if e.shape == result.shape else e.mean() if divisor != 1 else e.sum() if e.numel() "
        "else result.detach() * 0)("
        "(0 if self_t is None else (sigmoid(self) - target if pos_weight is None else"
        " ((t := constant(pos_weight) * target) + 1 - target) * sigmoid(self) - t) * self_t"
        " * (1 if weight is None else constant(weight)))"
        " + (0 if target_t is None else (-self if pos_weight is None else"
        " constant(pos_weight) * softplus(-self) - softplus(self)) * target_t"
        " * (1 if weight is None else constant(weight))))"),
    # torch's cholesky_jvp: L phi(L^-1 A_t L^-T), phi the lower triangle with half the diagonal
    "LinalgCholeskyExBackward0": "cholesky_tangent(self_t, result, upper)",
    "CholeskySolveBackward0": "cholesky_solve_tangent(self_t, input2_t, input2, result, upper)",
    "LinalgEighBackward0": "eigh_tangent(self_t, self, UPLO)",
    "TriangularSolveBackward0": "triangular_solve_tangent(self_t, A_t, result, self, A, upper, transpose_, "
                                "unitriangular)",
    "CholeskyInverseBackward0": "cholesky_inverse_tangent(self_t, self, result, upper)",
    # torch's jvps of the LU family and of solve_triangular (missing tangents as zeros: 0 * inf is NaN there)
    "LinalgLuBackward0": "lu_tangent(A_t, A)",
    "LinalgLuFactorExBackward0": "lu_factor_tangent(A_t, A)",
    "LinalgLuSolveBackward0": "lu_solve_tangent(LU_t, B_t, LU, pivots, result, left, adjoint)",
    "LinalgSolveTriangularBackward0": "solve_triangular_tangent(self_t, B_t, self, result, upper, left, "
                                      "unitriangular)",
    "LinalgLstsqBackward0": "lstsq_tangent(self_t, b_t, self, b, result, vector, has_residuals)",
    "ScatterReduceBackward0": "scatter_reduce_tangent(self_t, src_t, self, src, dim, index, reduce, include_self, "
                              "result)",
})

# Nodes torch has no forward formula for: a dual tensor reaching one raises torch's NotImplementedError,
# naming torch's op (node class -> torch's op name).  Every other node without an entry in TANGENTS gets
# its tangent from its backward formulas (``_transposed``).
NOT_IMPLEMENTED: dict = {
    "CholeskyBackward0": "cholesky",
    "CdistBackward0": "_cdist_forward",
    "EuclideanDistBackward0": "_euclidean_dist",
    "EmbeddingBagBackward0": "_embedding_bag",
    "RreluWithNoiseBackward1": "rrelu_with_noise_",
    "IndexReduceBackward0": "index_reduce",
    "MultiMarginLossBackward0": "multi_margin_loss",
    "MultilabelMarginLossBackward0": "multilabel_margin_loss_forward",
    "GridSampler2DBackward0": "grid_sampler_2d",
    "GridSampler3DBackward0": "grid_sampler_3d",
    "CtcLossBackward0": "_ctc_loss",
    "ScaledDotProductFlashAttentionForCpuBackward0": "_scaled_dot_product_flash_attention_for_cpu",
    "MkldnnRnnLayerBackward0": "mkldnn_rnn_layer",
    "PackPaddedSequenceBackward0": "_pack_padded_sequence",
}

# Explicit formulas that get None for an input without a tangent (and leave its term out)
ABSENT_AS_NONE = frozenset({"DotBackward0", "AddrBackward0",
                            "DivBackward0", "TriangularSolveBackward0", "LinalgLstsqBackward0", "Atan2Backward0",
                            "AddcmulBackward0", "AddcdivBackward0", "MaximumBackward0", "MinimumBackward0",
                            "SpecialXlog1PyBackward0", "LerpBackward0", "LerpBackward1",
                            "PreluKernelBackward0", "BinaryCrossEntropyWithLogitsBackward0"})

# Inputs whose tangent torch's result line does not read (their derivative is zeros): a tangent on them
# alone gives the output none.
IGNORED: dict = {"CopysignBackward0": ("other",), "NextafterBackward0": ("other",)}

_compiled: dict = {}  # node class -> compiled explicit formula


def _explicit(node_cls: Any) -> Any:
    fn = _compiled.get(node_cls)
    if fn is None:
        from .node import _free_names
        text = TANGENTS[node_cls.__name__]
        extra = tuple(n for n in _free_names(text) if n not in backends.TENSOR and n not in backends.NAMES
                      and not n.endswith("_t") and n != "as_tensor")   # values the forward passed, not saved
        names = tuple(f"{n}_t" for n in node_cls.input_names) + tuple(
            n for n in dict.fromkeys(node_cls.input_names + node_cls.saved_names + ("result",) + extra))
        code = codegen.expression(node_cls.__name__, "tangent", names, text)
        from .. import as_tensor

        # (saved index arrays enter a formula as tensors: ``as_tensor(index)``)
        fn = _compiled[node_cls] = (types.FunctionType(code, {**backends.TENSOR, "as_tensor": as_tensor}), names)
    return fn


class _Entry:
    """A tensor's tangent (None: none).  ``link`` is (parent, the parent's stamp) when the tangent is a view
    of the parent's tangent, as torch gives a view of a dual tensor the same view of its tangent: an
    in-place write through the view writes the parent's tangent in that region, and a newer parent
    tangent (``stamp``: when a tangent was set) re-derives this one when it is read.  An entry with
    neither is a view that follows no tangent of its base (a dual's primal).  ``restrided``: the tangent came
    from an in-place write through a whole-shape view with other strides into a base without a tangent, so
    torch's is the base's fresh one, with the base's strides (``_check_tangent_overlap``)."""

    __slots__ = ("ref", "tangent", "stamp", "link", "restrided")

    def __init__(self, ref: Any, tangent: Any, link: Any = None) -> None:
        self.ref, self.tangent, self.stamp, self.link = ref, tangent, next(_stamps), link
        self.restrided = False


_stamps = itertools.count()


def _own(tensor: Any) -> _Entry | None:
    entry = _tangents.get(id(tensor))
    return entry if entry is not None and entry.ref() is tensor else None


def _entry(tensor: Any) -> _Entry | None:
    """``tensor``'s tangent entry, brought up to date with the parent tangent it is a view of; None when it
    has no tangent."""
    entry = _own(tensor)
    if entry is None:   # a view with no record: the same view of its base's tangent, if the base has one
        parent_tensor = getattr(tensor, "_base", None)   # (torch's lazy view of the base's forward grad)
        stamp = None
    elif entry.link is None:
        return entry if entry.tangent is not None else None
    else:
        parent_tensor, stamp = entry.link
        if entry.tangent is not None and stamp is not None and _stamp_of(parent_tensor) == stamp:
            return entry
    if parent_tensor is None or not levels:
        return None
    parent = _entry(parent_tensor)
    if parent is None:
        if entry is not None:  # the parent lost its tangent (an in-place op without one): so does the view
            entry.tangent = None
        return None
    if parent.stamp == stamp and entry is not None and entry.tangent is not None:
        return entry
    return _derive(tensor, parent_tensor, parent)


def _stamp_of(tensor: Any) -> Any:
    """The stamp of ``tensor``'s tangent as it stands (None if it has none), refreshing a stale view's."""
    entry = _entry(tensor)
    return None if entry is None else entry.stamp


def _geometry(parent: Any, view: Any) -> Any:
    """Where ``view`` sits in ``parent``'s memory, or None when it is no view of it a tangent can follow."""
    from ..ops._views import Geometry
    a, b = parent._data, view._data
    if a.dtype != b.dtype or a.dtype.kind not in "fc" or (b.size and not np.may_share_memory(a, b)):
        return None
    g = Geometry(a, b)
    if b.size == 0:
        return g
    high = g.offset + sum((n - 1) * s for n, s in zip(g.shape, g.strides) if s > 0)
    low = g.offset + sum((n - 1) * s for n, s in zip(g.shape, g.strides) if s < 0)
    return g if 0 <= low and high < g.span else None


def _derive(view: Any, parent_tensor: Any, parent: _Entry) -> _Entry | None:
    """The view's tangent as the same view of its parent's."""
    geometry = _geometry(parent_tensor, view)
    if geometry is None:
        return None
    _busy.on = True
    try:
        tangent = backends.TENSOR["view_region"](parent.tangent, geometry)
    finally:
        _busy.on = False
    entry = _tangents[id(view)] = _Entry(_ref(view), tangent, (parent_tensor, parent.stamp))
    return entry


def tangent_of(tensor: Any) -> Any:
    entry = _entry(tensor)
    return None if entry is None else entry.tangent


def _ref(tensor: Any) -> Any:
    key = id(tensor)

    def forget(_: Any, key: int = key) -> None:
        _tangents.pop(key, None)
    return weakref.ref(tensor, forget)


def _set_tangent(tensor: Any, tangent: Any) -> None:
    _tangents[id(tensor)] = _Entry(_ref(tensor), tangent)


def opaque(view: Any) -> None:
    """``view`` follows no tangent of its base (torch's views that are not forward differentiable): its
    own views' tangents are views of its tangent, which it gets only from an in-place op."""
    _tangents[id(view)] = _Entry(_ref(view), None)


def link_view(view: Any, of: Any) -> None:
    """``view`` was made by a view op of ``of``: its tangent (computed by the op's formula) is the same view
    of ``of``'s, so writes through it reach ``of``'s tangent and ``of``'s new tangent re-derives it.  A view
    of a view with a record of its own (a dual, a primal) follows that view, not the base.  Links go to
    the view's anchor (the tensor ``of`` itself follows, if any), so chains of views stay one link deep."""
    if _busy.on:
        return
    own = _own(of)
    while own is not None and own.link is not None:
        of = own.link[0]
        own = _own(of)
    if _geometry(of, view) is None:
        return
    entry = _own(view)
    if entry is not None:
        if entry.link is None and entry.tangent is not None:
            entry.link = (of, _stamp_of(of))
    elif getattr(of, "_base", None) is not None and own is not None:
        _tangents[id(view)] = _Entry(_ref(view), None, (of, None))


def _write_tangent(tensor: Any, tangent: Any) -> None:
    """An in-place op gave ``tensor`` the tangent ``tangent``.  A view's parent tangent takes it in the view's
    region (a parent without a tangent gets zeros elsewhere, as torch's base does), and the view's tangent
    is that region from then on."""
    if tangent.dtype != tensor.dtype:  # (an in-place op keeps the tensor's dtype, its tangent's too)
        tangent = tangent.to(tensor.dtype)
    own = _own(tensor)
    parent_tensor = own.link[0] if own is not None and own.link is not None else \
        getattr(tensor, "_base", None) if own is None else None
    geometry = None if parent_tensor is None else _geometry(parent_tensor, tensor)
    if geometry is None:   # a tangent of its own (a base, a dual made by make_dual, a primal)
        _set_tangent(tensor, tangent)
        return
    parent = _entry(parent_tensor)
    _busy.on = True
    try:
        from .. import zeros_like
        parent_tangent = parent.tangent if parent is not None else zeros_like(parent_tensor).detach()  # type: ignore[arg-type]
        new = backends.TENSOR["with_view_region"](parent_tangent, tangent, geometry)
    finally:
        _busy.on = False
    _write_tangent(parent_tensor, new)
    entry = _tangents[id(tensor)] = _Entry(_ref(tensor), tangent, (parent_tensor, _stamp_of(parent_tensor)))
    base: Any = parent_tensor
    entry.restrided = parent is None and tuple(tensor.shape) == tuple(base.shape) and tensor.stride() != base.stride()


def propagate(node_cls: Any, out: Any, inputs: Any, saved: Any, outputs: list | None = None) -> None:
    """Called by every recording op while a dual level is active: ``out``'s tangent from its inputs'
    (``outputs``: every output of a multi-output node, ``out`` being the first)."""
    if _busy.on:
        return
    from .._tensor import Tensor
    tangents = [tangent_of(x) if isinstance(x, Tensor) else None for x in inputs]
    ignored = IGNORED.get(node_cls.__name__)
    if ignored:
        tangents = [None if name in ignored else t for name, t in zip(node_cls.input_names, tangents)]
    if all(t is None for t in tangents):
        return
    if node_cls.__name__ == "NotImplemented":  # an op torch gives no derivative at all
        op = re.search(r"no_derivative\('([^']+)'", " ".join(str(f) for f in node_cls.formulas.values()))
        raise NotImplementedError(f"Trying to use forward AD with {op.group(1) if op else 'this op'} that does not "
                                  f"support it.")
    if node_cls.__name__ in NOT_IMPLEMENTED:
        raise NotImplementedError(f"Trying to use forward AD with {NOT_IMPLEMENTED[node_cls.__name__]} that does not "
                                  f"support it because it has not been implemented yet.\nPlease file an issue to "
                                  f"PyTorch at https://github.com/pytorch/pytorch/issues/new"
                                  f"?template=feature-request.yml so that we can prioritize its implementation.")
    if not _tangents_of(tangents, inputs, out, saved, node_cls, outputs or [out]):
        raise NotImplementedError(f"mygrad has no forward-mode (tangent) formula for {node_cls.__name__} yet: "
                                  f"a dual tensor cannot go through it")


def _index_add_quirk(node_cls: Any, inputs: Any, tangents: Any, saved: Any) -> None:
    """Measured on torch 2.13: index_add's tangent of a 0-d float32 self whose source has no tangent, with a
    float ``alpha`` other than 1, wraps the zero source tangent as float64 and fails its dtype check."""
    self, alpha = inputs[0], saved.get("alpha", 1)
    if (node_cls.__name__ == "IndexAddBackward0" and len(inputs) == 2 and tangents[0] is not None
            and tangents[1] is None and self._data.ndim == 0 and self._data.dtype != np.float64
            and isinstance(alpha, float) and alpha != 1):
        from .. import _dtype
        from .._tensor_str import scalar_type_name
        raise RuntimeError(f"index_add_(): self ({scalar_type_name(_dtype.from_numpy_dtype(self._data.dtype))}) "
                           "and source (Double) must have the same scalar type")


def _tangents_of(tangents: Any, inputs: Any, out: Any, saved: Any, node_cls: Any, outputs: Any) -> bool:
    _index_add_quirk(node_cls, inputs, tangents, saved)
    kind = TANGENTS.get(node_cls.__name__)
    from .._tensor import Tensor
    if kind is None and not node_cls.tensor_formulas:
        return False
    values = dict(saved)
    values["result"] = out
    for name, x in zip(node_cls.input_names, inputs):
        values.setdefault(name, x)
    _busy.on = True
    token = _quiet.enter(_quiet.IGNORE)  # formulas compute quietly, as the engine runs backward ones
    try:
        if kind is None:
            if _empty_loss(node_cls, tangents):  # torch reduces the tangent like the loss: a mean of nothing
                _set_tangent(out, (out * 0).detach())
                return True
            found = _transposed(node_cls, tangents, values, outputs)
            if (_is_loss(node_cls) and found[0] is not None and out._data.dtype.kind == "f"
                    and np.isnan(out._data).any()):
                # a loss NaN for want of weight (all targets ignored): its tangent too
                found[0] = _where(out.isnan(), out.detach(), found[0])
            dtype = _tangent_dtype(node_cls, out, inputs, tangents, values) or out.dtype
            for o, t in zip(outputs, found):
                if t is not None:
                    wanted = dtype if o is out else o.dtype
                    _set_tangent(o, t if t.dtype == wanted else t.to(wanted))
            return True
        if kind == ELEMENTWISE:
            total = None
            args = [values.get(n) for n in node_cls.saved_names]
            for t, formula in zip(tangents, node_cls.tensor_formulas):
                if t is None or formula is None:
                    continue
                g = formula(t, *args)
                if not hasattr(g, "_data"):
                    from .. import tensor as make
                    g = make(g, dtype=out.dtype)
                if tuple(g.shape) != tuple(out.shape):
                    g = g.expand(*out.shape)
                total = g if total is None else total + g
            if total is None:
                return True
        else:
            fn, names = _explicit(node_cls)
            from .. import zeros_like
            args = []
            for n in names:
                if n.endswith("_t") and n[:-2] in node_cls.input_names:
                    i = node_cls.input_names.index(n[:-2])
                    t = tangents[i]
                    # an input with no tangent contributes zeros (a Python number or a missing bound: 0), or
                    # None for a formula that leaves its term out (torch's zero tensors: 0 * inf stays 0)
                    args.append(t if t is not None or node_cls.__name__ in ABSENT_AS_NONE else
                                zeros_like(inputs[i]) if isinstance(inputs[i], Tensor) else 0.0)
                else:
                    args.append(values.get(n))
            total = fn(*args)
            if total is None:  # torch's result line gives no tangent (scatter_reduce's prod)
                return True
            if isinstance(total, tuple):  # a multi-output node's formula: one tangent per output
                for o, t in zip(outputs, total, strict=False):  # (eigvalsh: eigh's node, one output)
                    if t is not None:
                        _set_tangent(o, t if t.dtype == o.dtype else t.to(o.dtype))
                return True
            if tuple(total.shape) != tuple(out.shape):
                total = total.expand(*out.shape)
        dtype = _tangent_dtype(node_cls, out, inputs, tangents, values) or out.dtype
        if total.dtype != dtype:
            total = total.to(dtype)
        _set_tangent(out, total)
    finally:
        _busy.on = False
        _quiet.leave(token)
    return True


def _where(condition: Any, a: Any, b: Any) -> Any:
    from .. import where
    return where(condition, a, b)


def _empty_loss(node_cls: Any, tangents: Any) -> bool:
    """A loss of empty inputs: torch's tangent is the loss applied to the (empty) tangents, so it is NaN where
    the loss itself is (a mean of nothing) and 0 where it is 0; the transposed backward would give 0."""
    return _is_loss(node_cls) and all(t is None or t._data.size == 0 for t in tangents)


def _is_loss(node_cls: Any) -> bool:
    name = node_cls.__name__
    return "Loss" in name or name.startswith("BinaryCrossEntropy")


# torch's tangent of a node whose result line multiplies an input's tangent by a float coefficient: a missing
# tangent is a 0-d ZeroTensor there, and ZeroTensor arithmetic promotes on unwrapped copies of its operands,
# so the float coefficient counts as a 0-d float64 tensor (measured). node -> (coefficient, the inputs whose
# tangent it multiplies); ldexp's coefficient is its log(2).
_COEFFICIENT_TANGENTS: dict = {
    "AddBackward0": ("alpha", ("other",)), "SubBackward0": ("alpha", ("other",)),
    "AddcmulBackward0": ("value", ("tensor1", "tensor2")), "AddcdivBackward0": ("value", ("tensor1", "tensor2")),
    "LdexpBackward0": (None, ("other",)),
}


def _tangent_dtype(node_cls: Any, out: Any, inputs: Any, tangents: Any, values: Any) -> Any:
    """The dtype of torch's tangent of a 0-d ``out`` where it is not ``out``'s own (else None): a tensor input
    without a tangent under a float coefficient (``_COEFFICIENT_TANGENTS``) makes it float64; a Python number
    ``other`` of add/sub with ``alpha != 1`` is wrapped as a 0-d zero of its own dtype."""
    rule = _COEFFICIENT_TANGENTS.get(node_cls.__name__)
    if rule is None or out.ndim != 0:
        return None
    from .. import float32, float64, promote_types
    coefficient, names = rule
    factor = values.get(coefficient, 1) if coefficient else 0.6931471805599453
    if isinstance(factor, float) and factor != 1:
        for name in names:
            i = node_cls.input_names.index(name)
            if i < len(inputs) and hasattr(inputs[i], "_data") and (i >= len(tangents) or tangents[i] is None):
                return promote_types(out.dtype, float64)
    if coefficient != "alpha" or len(inputs) < 2:
        return None
    alpha, other = values.get("alpha", 1), inputs[1]
    if alpha == 1 or hasattr(other, "_data") or isinstance(other, bool):
        return None
    if isinstance(alpha, float):
        return float64
    if isinstance(other, float):
        return promote_types(out.dtype, float32)
    return None


def _transposed(node_cls: Any, tangents: Any, values: dict, outputs: list) -> list:
    """The outputs' tangents ``J t`` from the node's backward formulas, for a node without a tangent formula
    of its own: a backward formula is linear in ``grad`` (it computes ``J^T u``), so ``J t`` is the gradient
    of ``sum_i <formula_i(u), t_i>`` with respect to ``u`` (at any ``u``: zeros).  The formulas are the
    ones the double check verifies against torch; the saved values enter as constants."""
    from .. import ones_like, zeros_like
    from .._tensor import Tensor
    from . import grad as autograd_grad
    from .grad_mode import enable_grad
    args = [v.detach() if isinstance(v, Tensor) else v for v in (values.get(n) for n in node_cls.saved_names)]
    with enable_grad():
        # (at u = 1, not 0: some backward formulas take a shortcut when a gradient is all zeros, eigh's and
        # svd's values-only path, which a zero u would select; a linear formula's gradient in u is the same)
        us = [ones_like(o).detach().requires_grad_(o._data.dtype.kind in "fc") for o in outputs]
        grad = us if node_cls.multi_output else us[0]
        total = None
        for t, formula in zip(tangents, node_cls.tensor_formulas):
            if t is None or formula is None:
                continue
            g = formula(grad, *args)
            if g is None or not isinstance(g, Tensor) or not g.requires_grad:
                continue
            term = (g * t.detach()).sum()
            total = term if total is None else total + term
        wrt = [u for u in us if u.requires_grad]
        found = autograd_grad(total, wrt, allow_unused=True) if total is not None and wrt else [None] * len(wrt)
    remaining = iter(found)
    result: list = []
    for u in us:
        g = next(remaining) if u.requires_grad else None
        result.append(None if not u.requires_grad else zeros_like(u).detach() if g is None else g.detach())
    return result


def involves_dual(tensor: Any, args: Any) -> bool:
    """Whether an in-place op on ``tensor`` with ``args`` concerns a tangent."""
    if _busy.on:
        return False
    return tangent_of(tensor) is not None or any(tangent_of(a) is not None for a in args)


_in_place = [0]   # > 0 while an in-place op's tangent is computed (a few of torch's result lines differ there)


def in_place_depth() -> int:
    return _in_place[0]


def inplace(tensor: Any, op: Any, args: Any, kwargs: Any, ufunc: Any) -> Any:
    """``tensor.op_(*args)`` on dual tensors: the tangent of ``op(tensor, *args)`` (computed out of place,
    without a graph) becomes ``tensor``'s, then the write itself happens as usual."""
    from .grad_mode import no_grad
    _in_place[0] += 1
    try:
        with no_grad():
            tangent = tangent_of(op(tensor, *args, **kwargs))
    finally:
        _in_place[0] -= 1
    _busy.on = True
    try:
        out = tensor._inplace(op, *args, ufunc=ufunc, **kwargs)
    finally:
        _busy.on = False
    if tangent is None:
        _tangents.pop(id(tensor), None)
    else:
        _write_tangent(tensor, tangent)
    return out


def setitem(tensor: Any, key: Any, value: Any) -> None:
    """``tensor[key] = value`` with a dual tensor involved: ``tensor``'s tangent takes ``value``'s (zeros for
    a value without one) at ``key``, as torch's copy_ into the indexed view does; the write itself follows."""
    from .. import zeros_like
    t, v = tangent_of(tensor), tangent_of(value)
    _check_tangent_overlap(tensor, value)
    _busy.on = True
    try:
        new = t.detach().clone() if t is not None else zeros_like(tensor).detach()
        new[key] = v.detach() if v is not None else zeros_like(value).detach()
    finally:
        _busy.on = False
    _write_tangent(tensor, new)


def _check_tangent_overlap(tensor: Any, value: Any) -> None:
    """torch's copy_ of the tangents: a whole-shape view with other strides (a stepped slice of a size-1
    dim) whose in-place write gave its tangent-less base a tangent has the base's strides on its tangent;
    copying it back into the same region (``x[key] += y``) meets the region's own strides on the same
    memory, a partial overlap that torch's TensorIterator refuses (measured)."""
    entry = _own(value) if isinstance(value, _tensor_type()) else None
    if entry is None or not entry.restrided or not np.shares_memory(value._data, tensor._data):
        return
    raise RuntimeError("unsupported operation: some elements of the input tensor and the written-to tensor refer "
                       "to a single memory location. Please clone() the tensor before performing the operation.")


def _tensor_type() -> Any:
    from .._tensor import Tensor
    return Tensor


def reshape_tangent(tensor: Any, shape: Any) -> None:
    """An in-place view op (``unsqueeze_``, ``squeeze_``) gave ``tensor`` a new shape: so its tangent."""
    entry = _entry(tensor)
    if entry is not None:
        entry.tangent = entry.tangent.reshape(shape)   # (a view's link stays: its place in the parent is the same)


class no_propagation:
    """While ``on``: ops record no tangents (a custom Function's forward, whose tangents come from its jvp)."""

    def __init__(self, on: bool) -> None:
        self.on = on

    def __enter__(self) -> Any:
        self.prev = _busy.on
        if self.on:
            _busy.on = True

    def __exit__(self, *exc: Any) -> Any:
        _busy.on = self.prev
        return False


def set_function_tangents(outputs: Any, tangents: Any) -> None:
    """A custom Function's jvp results become its outputs' tangents."""
    outs = outputs if isinstance(outputs, tuple) else (outputs,)
    tans = tangents if isinstance(tangents, tuple) else (tangents,)
    for o, t in zip(outs, tans):
        if t is not None and hasattr(o, "_data"):
            _set_tangent(o, t if t.dtype == o.dtype else t.to(o.dtype))


# ----- the public API -------------------------------------------------------------------------------

class UnpackedDualTensor(NamedTuple):
    """What ``unpack_dual`` returns: the primal (a view of the dual tensor) and its tangent (or None)."""
    primal: object
    tangent: object


def enter_dual_level() -> int:
    if levels:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    levels.append(0)
    return 0


def exit_dual_level(*, level: int | None = None) -> None:
    if not levels:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that was created. This "
                           "is not supported.")
    levels.clear()
    _tangents.clear()


class dual_level:
    """The context inside which dual tensors live; leaving it drops every tangent."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: Any) -> None:
        exit_dual_level()


def make_dual(tensor: Any, tangent: Any, *, level: int | None = None) -> Any:
    """A view of ``tensor`` carrying ``tangent`` as its forward gradient."""
    if not levels:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, make sure to "
                           "enter_dual_level() first.")
    if tangent._data.dtype.kind not in "fc":
        raise ValueError(f"Expected tangent to be floating point or complex, but got: {tangent.dtype}")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(f"Trying to set a forward gradient that has a different size than that of the original "
                           f"Tensor, this is not supported. Tensor is of size {list(tensor.shape)} while the given "
                           f"forward gradient is of size {list(tangent.shape)}.")
    _busy.on = True
    try:
        dual = tensor.view_as(tensor)
    finally:
        _busy.on = False
    _set_tangent(dual, tangent if tangent.dtype == tensor.dtype else tangent.to(tensor.dtype))
    return dual


def unpack_dual(tensor: Any, *, level: int | None = None) -> UnpackedDualTensor:
    """(primal, tangent) of a dual tensor; (the tensor, None) for any other."""
    t = tangent_of(tensor) if levels else None
    if t is None:
        return UnpackedDualTensor(tensor, None)
    _busy.on = True
    try:
        primal = tensor.view_as(tensor)
    finally:
        _busy.on = False
    opaque(primal)
    return UnpackedDualTensor(primal, t)



def view_tangent(tensor: Any, view: Any) -> None:
    """An in-place view op (``t_``, ``transpose_``, ``as_strided_``) gave ``tensor`` a new geometry: its tangent
    takes the same view, ``view(tangent)``."""
    entry = _entry(tensor)
    if entry is not None:
        entry.tangent = view(entry.tangent)
