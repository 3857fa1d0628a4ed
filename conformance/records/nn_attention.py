"""Records for ``F.scaled_dot_product_attention`` on both of torch's CPU paths.

- fused: 4-D query/key/value (equal batch and head dims, or key/value heads dividing the query's with
  ``enable_gqa``), no dropout, no mask or a mask that requires no grad, bool or float, 2-D or 4-D
  broadcastable to (B, H, L, S); ``is_causal`` (with a mask too, which the fused kernel accepts), ``scale``
  (negative too).  One ScaledDotProductFlashAttentionForCpuBackward0 node; its double backward, forward AD
  and hessian raise as torch's do.
- math: 2-D, 3-D and 5-D inputs, 4-D ones with broadcast batch dims or a value head dim of its own, a
  float mask that requires grad, a 3-D mask, ``enable_gqa`` on 3-D inputs (repeat_interleave), dropout
  at p=1 (deterministic: the probabilities times a zero), ``is_causal``, negative ``scale``.
- errors: mismatched dtypes, an integer mask or a float64 one for float32 (a float32 mask is accepted
  for float64 inputs: that case runs through), a 1-D input or mask, heads that do not divide,
  ``is_causal`` with a mask on the math path, a mask broadcasting beyond the scores.
Bool masks are drawn with now and then a row masked out entirely (zeros on both paths).  Dropout with
0 < p < 1 draws torch's random mask and is not recorded.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, grad_flags, real

F = "nn.functional"
VALUES = real(-2.0, 2.0, special=())
SCALES = st.sampled_from([None, None, 0.5, 1.7, -0.8])
TOL = {"float32": (1e-4, 1e-5)}


def _t(dtype: str, shape, flag: bool = True) -> st.SearchStrategy:
    return arrays(dtype, tuple(shape), VALUES).map(lambda a: TensorArg(a, flag))


def _bool_mask(shape) -> st.SearchStrategy:
    """Mostly attended; now and then a row (or the whole mask) masked out."""
    n = int(np.prod(shape))
    return st.lists(st.sampled_from([True, True, True, False]), min_size=n, max_size=n).map(
        lambda v: TensorArg(np.array(v, dtype=bool).reshape(shape), False))


def _mask(dtype: str, kind: str, shape, grad: bool = False):
    if kind == "none":
        return st.none()
    if kind == "bool":
        return _bool_mask(shape)
    return _t(dtype, shape, grad)


def _qkv(dtype: str, qs, ks, vs, flags) -> st.SearchStrategy:
    return st.tuples(_t(dtype, qs, flags[0]), _t(dtype, ks, flags[1]), _t(dtype, vs, flags[2]))


def _example(qkv, mask, **kwargs) -> Example:
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    return Example(qkv, {"attn_mask": mask, **kwargs} if mask is not None else kwargs)


def fused_example():
    """(B, H, L, E) query and (B, Hkv, S, E) key/value, Hkv = H or (gqa) a divisor of H."""
    def build(dtype: str):
        def make(d):
            b, hkv, groups, L, S, E, kind, mask_dims, causal, scale, flags = d
            h = hkv * groups
            mask_shape = {2: (L, S), 4: (b, h, L, S), 1: (1, 1), 3: (b, 1, 1, S)}[mask_dims]
            if kind == "bool" and mask_dims in (1, 3):
                mask_shape = (L, S)
            return st.tuples(_qkv(dtype, (b, h, L, E), (b, hkv, S, E), (b, hkv, S, E), flags),
                             _mask(dtype, kind, mask_shape)).map(
                lambda t: _example(t[0], t[1], is_causal=causal or None, scale=scale,
                                   enable_gqa=True if groups > 1 else None))
        return st.tuples(st.integers(1, 2), st.integers(1, 2), st.sampled_from([1, 1, 2, 3]), st.integers(1, 4),
                         st.integers(1, 4), st.integers(1, 4), st.sampled_from(["none", "bool", "float"]),
                         st.sampled_from([2, 4, 1, 3]), st.booleans(), SCALES, grad_flags(3)).flatmap(make)
    return build


def math_example():
    """The arguments torch sends to the math composite."""
    def build(dtype: str):
        def make(d):
            case, L, S, E, Ev, kind, causal, scale, flags, mask_grad = d
            if case == "2d":
                qs, ks, vs = (L, E), (S, E), (S, Ev)
            elif case == "3d":
                qs, ks, vs = (2, L, E), (2, S, E), (2, S, Ev)
            elif case == "5d":
                qs, ks, vs = (1, 2, 2, L, E), (1, 2, 2, S, E), (1, 2, 2, S, Ev)
            elif case == "broadcast":
                qs, ks, vs = (2, 2, L, E), (1, 2, S, E), (1, 2, S, E)
            elif case == "gqa":
                qs, ks, vs = (6, L, E), (3, S, E), (2, S, Ev)
            else:   # "4d": a value head dim of its own, a mask that requires grad, or dropout at p=1
                qs, ks, vs = (2, 2, L, E), (2, 2, S, E), (2, 2, S, E + 1 if Ev == E else Ev)
            extra = {"enable_gqa": True if case == "gqa" else None}
            if case == "4d" and Ev == E:
                extra["dropout_p"] = 1.0
            if case == "4d" and Ev != E and kind == "float":
                mask_grad = True
            if causal:
                kind = "none"
            mask_shape = (2, L, S) if case == "3d" and kind == "float" and not mask_grad else (L, S)
            return st.tuples(_qkv(dtype, qs, ks, vs, flags), _mask(dtype, kind, mask_shape, mask_grad)).map(
                lambda t: _example(t[0], t[1], is_causal=causal or None, scale=scale, **extra))
        return st.tuples(st.sampled_from(["2d", "3d", "5d", "broadcast", "gqa", "4d"]), st.integers(1, 4),
                         st.integers(1, 4), st.integers(1, 4), st.integers(1, 4),
                         st.sampled_from(["none", "bool", "float"]), st.booleans(), SCALES, grad_flags(3),
                         st.booleans()).flatmap(make)
    return build


def empty_example():
    """An empty query, key or value: zeros tied to the inputs by a zero (AddBackward0 over MulBackward1)."""
    shapes = {"L": ((2, 2, 0, 2), (2, 2, 3, 2), (2, 2, 3, 2)), "S": ((2, 2, 3, 2), (2, 2, 0, 2), (2, 2, 0, 2)),
              "B": ((0, 2, 3, 2), (0, 2, 3, 2), (0, 2, 3, 2)), "E": ((2, 3, 0), (2, 3, 0), (2, 3, 2))}

    def build(dtype: str):
        def make(case: str):
            qs, ks, vs = shapes[case]
            return _qkv(dtype, qs, ks, vs, (True, True, True)).map(lambda t: _example(t, None))
        return st.sampled_from(sorted(shapes)).flatmap(make)
    return build


def error_example():
    """Arguments torch refuses, each with its exception."""
    def build(dtype: str):
        other = "float64" if dtype == "float32" else "float32"

        def make(case):
            q = _t(dtype, (1, 2, 3, 2))
            if case == "dtype":
                return st.tuples(q, _t(other, (1, 2, 3, 2)), _t(other, (1, 2, 3, 2))).map(lambda t: _example(t, None))
            if case == "int mask":
                return st.tuples(q, q, q).map(
                    lambda t: _example(t, TensorArg(np.zeros((3, 3), np.int64), False)))
            if case == "other float mask":
                return st.tuples(q, q, q, _t(other, (3, 3), False)).map(lambda t: _example(t[:3], t[3]))
            if case == "1d":
                return st.tuples(_t(dtype, (3,)), _t(dtype, (3,)), _t(dtype, (3,))).map(lambda t: _example(t, None))
            if case == "1d mask":
                return st.tuples(q, q, q, _t(dtype, (3,), False)).map(lambda t: _example(t[:3], t[3]))
            if case == "heads":
                return st.tuples(_t(dtype, (1, 3, 3, 2)), q, q).map(lambda t: _example(t, None, enable_gqa=True))
            if case == "heads without gqa":
                return st.tuples(_t(dtype, (1, 4, 3, 2)), q, q).map(lambda t: _example(t, None))
            if case == "causal with mask":
                return st.tuples(_t(dtype, (2, 3, 2)), _t(dtype, (2, 3, 2)), _t(dtype, (2, 3, 2)),
                                 _t(dtype, (3, 3), False)).map(lambda t: _example(t[:3], t[3], is_causal=True))
            if case == "mask beyond scores":
                return st.tuples(_t(dtype, (2, 3, 2)), _t(dtype, (2, 3, 2)), _t(dtype, (2, 3, 2)),
                                 _t(dtype, (2, 2, 3, 3), False)).map(lambda t: _example(t[:3], t[3]))
            return st.tuples(q, _t(dtype, (1, 2, 3, 3)), q).map(lambda t: _example(t, None))   # head dims differ
        return st.sampled_from(["dtype", "int mask", "other float mask", "1d", "1d mask", "heads",
                                "heads without gqa", "causal with mask", "mask beyond scores", "head dims"]
                               ).flatmap(make)
    return build


# Measured: in float32 the query row [-inf, -inf, -inf, -3.4028235e+38] against the key [-1.1754944e-38 (x3),
# 3.4028235e+38] scores NaN in torch's fused kernel (its gemm rounds -max * max to -inf, then adds it to +inf)
# and +inf through NumPy's matmul (OpenBLAS's fused multiply-add adds the unrounded product to +inf); a row
# of NaN scores is a dead row (zeros) in torch's kernel, a +inf one NaN.
BLAS_OVERFLOW = (("hostile: overflow", "products that overflow in q k^T: inf or NaN as the BLAS kernel's order "
                                       "and fused multiply-adds have it (torch's MKL and NumPy's OpenBLAS differ)"),)

# The math composite: measured (float64, scale 0.5) a query row [1.8e+308, -1.98] against equal keys and a
# value of -1.35e+308 scores a uniform row; softmax's backward gives gradients near 2.5e+307 that cancel in
# the gradient of the query, d query = ds k: 1.2e+291 in torch (its gemm's rounded products added in k's order:
# mygrad._gemm.serial_gemm gives it too), 0 through BLAS, which mygrad's gemm keeps where no sum can overflow
# (_gemm.may_differ).  As mm's own records (linalg.BLAS_OVERFLOW), no extremes.
MATH_OVERFLOW = (("hostile: overflow", "softmax gradients near the largest float cancel in d query = ds k by the "
                                       "gemm's order: torch adds the rounded products in k's order, BLAS fuses "
                                       "and reorders them (measured: 1.2e+291 in torch, 0 through BLAS); as mm"),)


def _record(example, label: str, **fields) -> Record:
    return Record("scaled_dot_product_attention", example, namespace=F, forms=("function",),
                  label=f"F.scaled_dot_product_attention ({label})", tolerance=TOL, **fields)


RECORDS = [
    _record(fused_example(), "fused", unchecked=BLAS_OVERFLOW),
    _record(math_example(), "math", unchecked=MATH_OVERFLOW),
    _record(empty_example(), "empty"),
    _record(error_example(), "errors", raises=True),
]
