"""``scaled_dot_product_attention`` as torch 2.13 runs it on CPU.

torch picks one of two CPU paths (``_fused_sdp_choice_cpp``), and the graph shows which:
- the fused kernel ``_scaled_dot_product_flash_attention_for_cpu`` when query, key and value are 4-D with
  equal batch sizes and head dims, equal head counts (or, with ``enable_gqa``, key/value heads dividing the
  query heads), last dims of stride 1, no dropout, and a mask that requires no grad and is 2-D or 4-D and
  broadcastable to (B, H, L, S): one ScaledDotProductFlashAttentionForCpuBackward0 node with edges to query,
  key and value; its double backward is torch's NotImplemented node (edges to query, key, value and the
  output), it has no forward-mode derivative, and a row whose every key is masked out gives zeros; its output
  is laid out as the query (empty_like), and its causal mask is applied before the scale, so a negative
  ``scale`` with ``is_causal`` gives NaN rows exactly where torch's kernel does;
- the math composite ``_scaled_dot_product_attention_math`` otherwise: query and the transposed key are
  each multiplied by sqrt(scale) (MulBackward1), matmul, the mask added, ``_safe_softmax``
  (SafeSoftmaxBackward0, zero rows where every score is -inf), dropout, matmul with value; with
  ``enable_gqa`` key and value are first repeated (repeat_interleave) to the query's head count.
An empty output or no keys at all gives zeros + (q.sum() + k.sum() + v.sum()) * 0, as torch does.
"""
from __future__ import annotations

import math

import numpy as np

from .._cpu import VECTOR_BYTES
from .._quiet import quiet
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..ops._define import check_broadcast, record
from ..ops._scalar import mul_scalar
from ..ops.elementwise import no_derivative_node, requiring_grad

__all__ = ["scaled_dot_product_attention"]

_FLASH_BACKWARD = "aten::_scaled_dot_product_flash_attention_for_cpu_backward"
_GQA_ERROR = "Number of heads in key and value must divide the number of heads in "


# ----- kernels --------------------------------------------------------------------------------------

@quiet
def _safe_softmax(scores: np.ndarray) -> np.ndarray:
    """Softmax over the last dim; a row of only -inf gives zeros (torch's _safe_softmax and flash kernel)."""
    top = scores.max(axis=-1, keepdims=True)
    dead = np.isneginf(top)
    anydead = dead.any()
    if anydead:
        top[dead] = 0
    e = np.subtract(scores, top)
    np.exp(e, out=e)
    total = e.sum(axis=-1, keepdims=True)
    if anydead:
        total[dead] = 1    # exp(-inf) = 0 over the row: zeros
    e /= total
    return e


def _bool_to_additive(mask: np.ndarray, dtype) -> np.ndarray:
    """torch's convert_boolean_attn_mask: 0 where attended, -inf elsewhere."""
    return np.where(mask, 0, -np.inf).astype(dtype)


def _causal(L: int, S: int, dtype) -> np.ndarray:
    return _bool_to_additive(_causal_keep(L, S), dtype)


def _causal_keep(L: int, S: int) -> np.ndarray:
    """Where a query may attend (the top-left-aligned lower triangle)."""
    return np.tril(np.ones((L, S), dtype=bool))


def _heads(x: np.ndarray, groups: int) -> np.ndarray:
    """Key/value heads repeated to the query's head count (grouped-query attention)."""
    return x if groups == 1 else np.repeat(x, groups, axis=-3)


def _unheads(x: np.ndarray, groups: int) -> np.ndarray:
    """The gradient of ``_heads``: each group's heads summed."""
    if groups == 1:
        return x
    return x.reshape(*x.shape[:-3], x.shape[-3] // groups, groups, *x.shape[-2:]).sum(axis=-3)




def _row_max(scores: np.ndarray, masked: bool) -> np.ndarray:
    """The fused kernel's row max.  With a mask it is a vectorised max, NaN-propagating.  Without one
    (``_mul_reduce_max_fusion_kernel``) the first ``S - S % lanes`` keys go through vector lanes (NaN
    propagates) but the tail through ``std::max`` (a NaN is skipped): measured on torch 2.13 (AVX512, and
    AVX2 with ``ATEN_CPU_CAPABILITY=avx2``), one NaN score among -inf gives a NaN row when it falls in the
    lanes, a zero row when in the tail."""
    if masked:
        return scores.max(axis=-1, keepdims=True)
    split = scores.shape[-1] - scores.shape[-1] % (VECTOR_BYTES // scores.itemsize)
    top = np.fmax.reduce(scores[..., split:], axis=-1, keepdims=True, initial=-np.inf)
    if split:
        top = np.maximum(top, scores[..., :split].max(axis=-1, keepdims=True))
    return top


@quiet
def _flash_forward(q: np.ndarray, k: np.ndarray, v: np.ndarray, scale: float, mask, causal):
    """torch's cpu_flash_attention over one key block: scores = q k^T (the causal mask set to -inf BEFORE
    the scaling, so with a negative scale a row with a causally hidden key holds +inf and comes out NaN),
    times scale, plus the mask; e = exp(scores - max) per row (zeros where the max is -inf: a dead row);
    out = (e @ v) * (1 / sum e), the sum taken as 1 for a dead row.  Returns out and the logsumexp the
    backward recomputes the probabilities from (max + log sum, 0 for a dead row)."""
    scores = q @ np.swapaxes(k, -1, -2)
    if causal is not None:
        scores = np.where(causal, scores, -np.inf)
    scores *= scores.dtype.type(scale)
    if mask is not None:
        scores += mask
    top = _row_max(scores, mask is not None)
    dead = np.isneginf(top)
    top[dead] = 0
    np.subtract(scores, top, out=scores)
    np.exp(scores, out=scores)
    if dead.any():
        scores[np.broadcast_to(dead, scores.shape)] = 0
    total = scores.sum(axis=-1, keepdims=True)
    total[total == 0] = 1
    out = np.matmul(scores, v)
    out *= 1 / total
    return out, top + np.log(total)


def _compute(dtype: np.dtype) -> np.dtype:
    """The fused kernel accumulates half precision in float."""
    return np.dtype(np.float32) if dtype.itemsize < 4 else dtype


# ----- the fused CPU node ----------------------------------------------------------------------------

class _Saved:
    """What the fused node keeps, as torch's kernel does: the output, the rows' logsumexp (the backward
    recomputes the probabilities from it), the mask and causal pattern; and the softmax's input gradient
    between the query's and the key's formulas, which both need it (computed once per backward)."""
    __slots__ = ("out", "lse", "mask", "causal", "grad", "ds")

    def __init__(self, out: np.ndarray, lse: np.ndarray, mask, causal) -> None:
        self.out, self.lse, self.mask, self.causal, self.grad, self.ds = out, lse, mask, causal, None, None


@quiet
def _flash_grad(grad: np.ndarray, q, k, v, saved: _Saved, scale: float, groups: int, which: int) -> np.ndarray:
    """d query (0), d key (1) or d value (2) of the fused node, in the forward's precision, by torch's
    cpu_flash_attention_backward: attn = exp(scale q k^T + mask - lse) (causally hidden keys then 0; a dead
    row's lse is 0, so its NaN scores stay NaN), d value = attn^T grad, ds = attn * (grad v^T - rowsum(grad *
    out)), d query = scale ds k, d key = scale ds^T q, each added to zeros (a -0.0 comes out +0.0)."""
    dtype = q.dtype
    work = _compute(dtype)
    grad = grad.astype(work, copy=False)
    q, k, v = (x.astype(work, copy=False) for x in (q, k, v))
    if saved.grad is grad:    # the query's formula made them for this gradient
        attn, ds = saved.ds
        if which == 1:
            saved.grad, saved.ds = None, None
    else:
        attn = q @ np.swapaxes(_heads(k, groups), -1, -2)
        attn *= attn.dtype.type(scale)
        if saved.mask is not None:
            attn += saved.mask
        attn -= saved.lse
        np.exp(attn, out=attn)
        if saved.causal is not None:
            attn = np.where(saved.causal, attn, 0).astype(work, copy=False)
        ds = None
        if which != 2:
            ds = grad @ np.swapaxes(_heads(v, groups), -1, -2)
            ds -= (grad * saved.out.astype(work, copy=False)).sum(axis=-1, keepdims=True)
            ds *= attn
        if which == 0:
            saved.grad, saved.ds = grad, (attn, ds)
    if which == 2:
        out = _unheads(np.swapaxes(attn, -1, -2) @ grad, groups)
    else:
        assert ds is not None   # (made above for d query and d key)
        out = ds @ _heads(k, groups) if which == 0 else _unheads(np.swapaxes(ds, -1, -2) @ q, groups)
        out *= out.dtype.type(scale)
    out += 0.0
    return out.astype(dtype, copy=False)


def _flash_attention_grad_tensor(grad, query, key, value, result, saved, scale, groups, which):
    """With create_graph: torch's NotImplemented node, which raises when a second backward reaches it."""
    data = _flash_grad(grad._data, query._data, key._data, value._data, saved, scale, groups, which)
    edges = (*requiring_grad(query, key, value), result)
    return record(no_derivative_node(_FLASH_BACKWARD, edges), data, edges)


@formula_helper(tensor=_flash_attention_grad_tensor)
def flash_attention_grad(grad, query, key, value, result, saved, scale, groups, which):
    """One of (d query, d key, d value) of the fused node."""
    return _flash_grad(grad, query, key, value, saved, scale, groups, which)


_FLASH = "flash_attention_grad(grad, query, key, value, result, saved, scale, groups, {})"
ScaledDotProductFlashAttentionForCpuBackward0 = derivative(
    "ScaledDotProductFlashAttentionForCpuBackward0", attrs="saved scale groups",
    query=_FLASH.format(0), key=_FLASH.format(1), value=_FLASH.format(2))

SafeSoftmaxBackward0 = derivative("SafeSoftmaxBackward0", attrs="dim",
                                  self="result * (grad - keep_sum(grad * result, dim))")


# ----- the function ----------------------------------------------------------------------------------

def _check(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None) -> None:
    """torch's validate_sdpa_input."""
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{scalar_type_name(query.dtype)} key.dtype: {scalar_type_name(key.dtype)} and "
                           f"value.dtype: {scalar_type_name(value.dtype)} instead.")
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
                           f"{query.ndim} key.dim: {key.ndim} and value.dim: {value.ndim} instead.")
    if attn_mask is not None and attn_mask._data.dtype not in (query._data.dtype, np.bool_, np.float32):
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {scalar_type_name(attn_mask.dtype)} and  query.dtype: "
                           f"{scalar_type_name(query.dtype)} instead.")
    if query._data.dtype.kind != "f":
        raise RuntimeError(f"expected scalar type Float but found {scalar_type_name(query.dtype)}")


def _groups(query: Tensor, key: Tensor, value: Tensor, enable_gqa: bool) -> tuple[int, int]:
    """How often key's and value's heads repeat to the query's (1, 1 without grouped-query attention)."""
    if not enable_gqa or query.ndim < 3 or key.ndim < 3 or value.ndim < 3:
        return 1, 1
    hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
    if hq == hk == hv:
        return 1, 1
    if hk == 0 or hv == 0 or hq % hk or hq % hv:
        raise RuntimeError(_GQA_ERROR)
    return hq // hk, hq // hv


def _mask_fits(mask: Tensor, query: Tensor, key: Tensor) -> bool:
    """torch's check_attn_mask_shape (its IndexError for a 1-D mask included)."""
    if mask.requires_grad:
        return False
    if mask.ndim < 2:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got -2)")
    B, H, L, _ = query.shape
    S = key.shape[-2]
    if mask.shape[-2] not in (L, 1) or mask.shape[-1] not in (S, 1):
        return False
    return mask.ndim == 2 or (mask.ndim == 4 and mask.shape[0] in (1, B) and mask.shape[1] in (1, H))


def _fused(query: Tensor, key: Tensor, value: Tensor, attn_mask, dropout_p: float, groups: tuple) -> bool:
    """torch's use_flash_attention_cpp gates, in its order."""
    if dropout_p > 0.0 or not (query.ndim == key.ndim == value.ndim == 4):
        return False
    if not (query.shape[0] == key.shape[0] == value.shape[0]):
        return False
    if not (query.shape[1] == key.shape[1] == value.shape[1]) and (groups == (1, 1) or groups[0] != groups[1]):
        return False
    if attn_mask is not None and not _mask_fits(attn_mask, query, key):
        return False
    if not (query.shape[3] == key.shape[3] == value.shape[3]):
        return False
    # (a size-1 last dim counts too: views keep torch's strides, mygrad/_layout.py)
    return all(x._data.strides[-1] == x._data.itemsize for x in (query, key, value))


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(query @ key^T * scale + mask) @ value, on torch's CPU path (fused node or math composite)."""
    _check(query, key, value, attn_mask)
    if attn_mask is not None and attn_mask._data.dtype == np.bool_:
        attn_mask = Tensor._make(_bool_to_additive(attn_mask._data, query._data.dtype), False, None)
    if value._data.size == 0 or 0 in query.shape[:-1]:   # an empty output, or no key to attend to
        return _empty(query, key, value)
    groups = _groups(query, key, value, enable_gqa)
    factor = _default_scale(query) if scale is None else float(scale)
    if _fused(query, key, value, attn_mask, dropout_p, groups):
        return _flash(query, key, value, attn_mask, is_causal, factor, groups[0])
    return _math(query, key, value, attn_mask, dropout_p, is_causal, scale, groups)


def _default_scale(query: Tensor) -> float:
    """1/sqrt(E) (infinite for an empty head dim, as torch's SymFloat division gives)."""
    return 1.0 / math.sqrt(query.shape[-1]) if query.shape[-1] else math.inf


def _like(x: np.ndarray) -> np.ndarray:
    """An empty array shaped and laid out as ``x`` if ``x`` is dense (torch's empty_like), else contiguous."""
    order = sorted(range(x.ndim), key=lambda d: -x.strides[d])
    step = x.itemsize
    for d in reversed(order):
        if x.shape[d] != 1 and x.strides[d] != step:
            return np.empty(x.shape, x.dtype)
        step *= x.shape[d]
    return np.empty_like(x, order="K")


def _empty(query: Tensor, key: Tensor, value: Tensor) -> Tensor:
    """torch's answer for an empty input: zeros of the output's shape tied to every input by a zero."""
    batch = np.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    zeros = Tensor._make(np.zeros((*batch, query.shape[-2], value.shape[-1]), query._data.dtype), False, None)
    return zeros + mul_scalar(query.sum() + key.sum() + value.sum(), 0.0)


@quiet
def _flash(query: Tensor, key: Tensor, value: Tensor, attn_mask, is_causal: bool, factor: float,
           groups: int) -> Tensor:
    dtype = query._data.dtype
    work = _compute(dtype)
    L, S = query.shape[-2], key.shape[-2]
    mask = None if attn_mask is None else attn_mask._data.astype(work)
    causal = _causal_keep(L, S) if is_causal else None
    q, k, v = (x._data.astype(work, copy=False) for x in (query, key, value))
    result, lse = _flash_forward(q, _heads(k, groups), _heads(v, groups), factor, mask, causal)
    out = _like(query._data)   # torch's kernel allocates the output as empty_like(query): the query's layout
    out[...] = result
    return record(ScaledDotProductFlashAttentionForCpuBackward0, out, (query, key, value),
                  query=query, key=key, value=value, saved=_Saved(out, lse, mask, causal), scale=factor,
                  groups=groups)


def _math(query: Tensor, key: Tensor, value: Tensor, attn_mask, dropout_p: float, is_causal: bool,
          scale: float | None, groups: tuple) -> Tensor:
    """torch's ``_scaled_dot_product_attention_math``, op for op."""
    from ..ops.layout import repeat_interleave
    from ._dropout import dropout
    origin = query.dtype
    half = query._data.dtype.itemsize < 4
    if half:   # torch keeps half-precision inputs in float
        query, key, value = query.float(), key.float(), value.float()
    negative = scale is not None and scale < 0
    root = math.sqrt(_default_scale(query) if scale is None else abs(scale))
    q = mul_scalar(query, 0.0 - root if negative else root)
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                               "is_causal=True")
        attn_mask = Tensor._make(_causal(query.shape[-2], key.shape[-2], query._data.dtype), False, None)
    if groups[0] != 1:
        key = repeat_interleave(key, groups[0], -3)
    if groups[1] != 1:
        value = repeat_interleave(value, groups[1], -3)
    attn = q.matmul(mul_scalar(key.transpose(-2, -1), root))
    if attn_mask is not None:
        check_broadcast(attn._data, attn_mask._data)
        target = np.broadcast_shapes(attn.shape, attn_mask.shape)
        if target != attn.shape:   # torch adds in place
            raise RuntimeError(f"output with shape {list(attn.shape)} doesn't match the broadcast shape "
                               f"{list(target)}")
        attn = attn + attn_mask
    attn = record(SafeSoftmaxBackward0, _safe_softmax(attn._data), (attn,), dim=attn.ndim - 1)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p)
    out = attn.matmul(value)
    return out.to(origin) if half else out
